// model.fit needs the gradients of the dense layers' ops. The Node build of
// tfjs-core 4.22.0 (its CommonJS entry) registers none, and tfjs-core's ESM
// `register_all_gradients.js` cannot be imported from plain Node because its
// own imports have no file extensions. The Node build of @tensorflow/tfjs
// 4.22.0 registers every op's gradient when imported, so the demo imports it
// for that side effect alone.
import '@tensorflow/tfjs';

import * as tf from '@tensorflow/tfjs-core';
import { hasFusedKernels } from '@label-smoothing/core';

import type { BackendName } from './cli.js';

/** Backend and loss implementation in use, for the console and the report. */
export interface BackendInfo {
  backend: BackendName;
  /** `'fused'` when a @label-smoothing backend package registered kernels, otherwise `'composite'`. */
  lossImplementation: 'fused' | 'composite';
  /** The package that registered the fused kernels, if any. */
  kernelPackage: string | null;
  /** Reason the fused kernels are not in use, or `null` when they are or when none exist for the backend. */
  notice: string | null;
}

const WASM_KERNEL_PACKAGE = '@label-smoothing/backend-wasm';
const CPU_KERNEL_PACKAGE = '@label-smoothing/backend-cpu';

/**
 * Loads `backend` and the loss's fused kernels for it, then makes it the
 * active tfjs backend. Kernels must be registered before `setBackend`,
 * because tfjs runs their per-backend setup when the backend starts.
 */
export async function activateBackend(backend: BackendName): Promise<BackendInfo> {
  tf.env().set('PROD', true);

  let kernelPackage: string | null;
  let notice: string | null = null;
  if (backend === 'wasm') {
    await import('@tensorflow/tfjs-backend-wasm');
    const loaded = await importOptionalPackage(WASM_KERNEL_PACKAGE);
    kernelPackage = loaded.ok ? WASM_KERNEL_PACKAGE : null;
    notice = loaded.ok ? null : loaded.reason;
  } else {
    await import(CPU_KERNEL_PACKAGE);
    kernelPackage = CPU_KERNEL_PACKAGE;
  }

  const activated = await tf.setBackend(backend);
  await tf.ready();
  if (!activated || tf.getBackend() !== backend) {
    throw new Error(`The tfjs '${backend}' backend failed to start; the active backend is '${tf.getBackend()}'.`);
  }

  const fused = hasFusedKernels(backend);
  if (!fused && kernelPackage !== null) {
    notice = `${kernelPackage} loaded but registered no fused kernels for '${backend}'`;
    kernelPackage = null;
  }
  return { backend, lossImplementation: fused ? 'fused' : 'composite', kernelPackage, notice };
}

type OptionalImport = { ok: true } | { ok: false; reason: string };

/**
 * Imports a package that may not be installed or built yet. Only a package
 * that cannot be resolved is tolerated; any failure while loading a resolved
 * package is raised.
 */
async function importOptionalPackage(specifier: string): Promise<OptionalImport> {
  let url: string;
  try {
    url = import.meta.resolve(specifier);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND') {
      return { ok: false, reason: `${specifier} is not installed or not built` };
    }
    throw error;
  }

  await import(url);
  return { ok: true };
}
