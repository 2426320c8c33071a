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
  /**
   * Environments in which the benchmark app (`apps/bench`) times this
   * backend, when they differ from `environments`, those of the conformance suite.
   */
  benchmarkEnvironments?: readonly Environment[];
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
  // In Chromium the page server provides tfjs' wasm binaries at the page's root.
  environments: ['node', 'browser'],
  benchmarkEnvironments: ['node', 'browser'],
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

/** Backends loaded at run time with `--backend-module`, after the shipped ones. */
const moduleBackends: BackendDefinition[] = [];

/** Finds a shipped backend, or one added with `addModuleBackend`, by its tfjs name. */
export function findBackend(name: string): BackendDefinition | undefined {
  return BACKENDS.find((backend) => backend.name === name) ?? moduleBackends.find((backend) => backend.name === name);
}

/** Returns the backends added with `addModuleBackend`, in the order they were added. */
export function moduleBackendDefinitions(): readonly BackendDefinition[] {
  return moduleBackends;
}

/** Makes a backend from a module known to `findBackend`; throws when its name is taken. */
export function addModuleBackend(definition: BackendDefinition): void {
  if (findBackend(definition.name)) {
    throw new Error(`A backend named '${definition.name}' is already known; a backend module must name a new tfjs backend.`);
  }
  moduleBackends.push(definition);
}

const PRECISIONS: readonly Precision[] = ['float32', 'float16'];
const ENVIRONMENTS: readonly Environment[] = ['node', 'browser'];

/**
 * Builds a backend definition from the exports of a backend module (see
 * docs/adding-a-backend.md). A module either
 *
 * - exports a definition as `backend` or as its default export: an object
 *   with `name` and `activate()`, and optionally `precision`,
 *   `environments` and `kernelsPackage`; or
 * - registers its tfjs backend and kernels when imported and exports the
 *   backend's name as `backendName`, and optionally `precision` and
 *   `environments`; activating it then only switches tfjs to that backend.
 *
 * Missing fields default to `precision: 'float32'`, `environments: ['node']`
 * and `kernelsPackage: source`. Throws, naming `source`, when the exports
 * fit neither form or a field is invalid.
 */
export function defineModuleBackend(moduleExports: Record<string, unknown>, source: string): BackendDefinition {
  const exported = (moduleExports.backend ?? moduleExports.default) as Partial<BackendDefinition> | undefined;
  const fields: Record<string, unknown> = exported !== undefined && typeof exported === 'object' ? exported : moduleExports;
  const name = exported !== undefined && typeof exported === 'object' ? exported.name : moduleExports.backendName;

  if (typeof name !== 'string' || name === '') {
    throw new Error(`Backend module '${source}' exports no backend name: expected a 'backend' (or default) export ` +
      "with 'name' and 'activate()', or a 'backendName' string for a module that registers its backend on import.");
  }
  const precision = fields.precision ?? 'float32';
  if (!PRECISIONS.includes(precision as Precision)) {
    throw new Error(`Backend module '${source}': invalid precision ${JSON.stringify(precision)}; expected one of ${PRECISIONS.join(', ')}.`);
  }
  const environments = fields.environments ?? ['node'];
  if (!Array.isArray(environments) || environments.length === 0 ||
    !environments.every((environment) => ENVIRONMENTS.includes(environment as Environment))) {
    throw new Error(`Backend module '${source}': invalid environments ${JSON.stringify(environments)}; ` +
      `expected a non-empty list of ${ENVIRONMENTS.join(', ')}.`);
  }

  let activate: () => Promise<void>;
  if (exported !== undefined && typeof exported === 'object') {
    if (typeof exported.activate !== 'function') {
      throw new Error(`Backend module '${source}': the definition of backend '${name}' has no activate() function.`);
    }
    activate = exported.activate.bind(exported);
  } else {
    activate = () => activateBackend(name);
  }

  return {
    name,
    kernelsPackage: typeof fields.kernelsPackage === 'string' ? fields.kernelsPackage : source,
    precision: precision as Precision,
    environments: environments as Environment[],
    activate,
  };
}

/** Switches tfjs to a registered backend and fails clearly when it cannot start. */
export async function activateBackend(name: string): Promise<void> {
  tf.env().set('PROD', true);
  const ready = await tf.setBackend(name);
  if (!ready || tf.getBackend() !== name) {
    throw new Error(`Backend '${name}' failed to initialize (tf.setBackend returned ${ready}).`);
  }
}
