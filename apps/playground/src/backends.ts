/**
 * Registers tfjs' webgl, webgpu, wasm and cpu backends together with the
 * fused label-smoothing kernels of each, and finds out which of them
 * initialize in this browser.
 */
import * as tf from '@tensorflow/tfjs-core';
// tfjs-core's ESM entry registers no gradients; tfjs-layers' training needs
// the gradients of dense, relu and the other ops of the model.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
// Nor the chained methods such as `tensor.reshape`, which tfjs-layers calls.
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import '@label-smoothing/backend-cpu';
import '@label-smoothing/backend-wasm';
import '@label-smoothing/backend-webgl';
import '@label-smoothing/backend-webgpu';
import wasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';

/** Backends in the order the page offers them. */
export const BACKEND_NAMES = ['webgl', 'webgpu', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

/** Outcome of initializing one backend. */
export interface BackendStatus {
  name: BackendName;
  available: boolean;
  /** Error message of the failed initialization, or an empty string when the backend is available. */
  reason: string;
}

// Vite copies the binaries into the build and rewrites these URLs, so the
// wasm backend needs no files outside the bundle.
setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmUrl,
  'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimdUrl,
});

/** Initializes each backend in turn and reports which ones work. Leaves `cpu` active. */
export async function probeBackends(): Promise<BackendStatus[]> {
  const statuses: BackendStatus[] = [];
  for (const name of BACKEND_NAMES) {
    statuses.push(await probeBackend(name));
  }
  await tf.setBackend('cpu');
  return statuses;
}

async function probeBackend(name: BackendName): Promise<BackendStatus> {
  if (name === 'webgpu' && !('gpu' in navigator)) {
    return { name, available: false, reason: 'navigator.gpu is missing: this browser has WebGPU disabled or needs a secure context.' };
  }
  try {
    const initialized = await tf.setBackend(name);
    if (!initialized) {
      return { name, available: false, reason: 'tf.setBackend returned false; the browser console has the error.' };
    }
    // A backend can initialize and still fail on its first kernel, for
    // example a WebGL context without float textures, so run one op.
    const probe = tf.tidy(() => tf.sum(tf.tensor1d([1, 2, 3])));
    const sum = (await probe.data())[0];
    probe.dispose();
    if (sum !== 6) {
      return { name, available: false, reason: `a test sum returned ${sum} instead of 6.` };
    }
    return { name, available: true, reason: '' };
  } catch (error) {
    return { name, available: false, reason: error instanceof Error ? error.message : String(error) };
  }
}
