/**
 * The backends the conformance suite runs on. A new backend package joins by
 * adding one entry here (or, without editing this file, through
 * `defineModuleBackend` and the CLI's `--backend-module`).
 */
import * as tf from '@tensorflow/tfjs-core';

import type { Precision } from './tolerances.js';

export type Environment = 'node' | 'browser';

export interface BackendDefinition {
  /** tfjs backend name, as passed to `tf.setBackend`. */
  name: string;
  /** The package that provides the fused kernels. */
  kernelsPackage: string;
  precision: Precision;
  environments: readonly Environment[];
  /** Imports the tfjs backend and the kernels, then makes the backend active. */
  activate(): Promise<void>;
}

export const cpuBackend: BackendDefinition = {
  name: 'cpu',
  kernelsPackage: '@label-smoothing/backend-cpu',
  precision: 'float32',
  environments: ['node', 'browser'],
  async activate() {
    await import('@tensorflow/tfjs-backend-cpu');
    await import('@label-smoothing/backend-cpu');
    await activateBackend('cpu');
  },
};

export const wasmBackend: BackendDefinition = {
  name: 'wasm',
  kernelsPackage: '@label-smoothing/backend-wasm',
  precision: 'float32',
  environments: ['node'],
  async activate() {
    await import('@tensorflow/tfjs-backend-wasm');
    await import('@label-smoothing/backend-wasm');
    await activateBackend('wasm');
  },
};

/**
 * Runs only in a browser (Chromium through the browser runner). The CPU
 * forwarding shortcut is off, so tfjs' own ops in the loss run as shaders too.
 */
export const webglBackend: BackendDefinition = {
  name: 'webgl',
  kernelsPackage: '@label-smoothing/backend-webgl',
  precision: 'float32',
  environments: ['browser'],
  async activate() {
    await import('@tensorflow/tfjs-backend-webgl');
    await import('@label-smoothing/backend-webgl');
    tf.env().set('WEBGL_CPU_FORWARD', false);
    await activateBackend('webgl');
  },
};

/**
 * Runs only in a browser, on a page from 127.0.0.1 (WebGPU needs a secure
 * context) in a Chromium started with `--enable-unsafe-webgpu`. The CPU
 * forwarding shortcut is off, so tfjs' own ops in the loss run on the GPU too.
 */
export const webgpuBackend: BackendDefinition = {
  name: 'webgpu',
  kernelsPackage: '@label-smoothing/backend-webgpu',
  precision: 'float32',
  environments: ['browser'],
  async activate() {
    await import('@tensorflow/tfjs-backend-webgpu');
    await import('@label-smoothing/backend-webgpu');
    tf.env().set('WEBGPU_CPU_FORWARD', false);
    await activateBackend('webgpu');
  },
};

/** Every backend this repository ships, in the order reports list them. */
export const BACKENDS: readonly BackendDefinition[] = [cpuBackend, wasmBackend, webglBackend, webgpuBackend];

/** Finds a shipped backend by its tfjs name. */
export function findBackend(name: string): BackendDefinition | undefined {
  return BACKENDS.find((backend) => backend.name === name);
}

/** Switches tfjs to a registered backend and fails clearly when it cannot start. */
export async function activateBackend(name: string): Promise<void> {
  tf.env().set('PROD', true);
  const ready = await tf.setBackend(name);
  if (!ready || tf.getBackend() !== name) {
    throw new Error(`Backend '${name}' failed to initialize (tf.setBackend returned ${ready}).`);
  }
}
