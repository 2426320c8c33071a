/**
 * Child process that measures one backend in Node: the CLI forks it once per
 * Node backend, sends a `BackendRequest` over IPC and receives one
 * `BackendResult`. A process of its own gives each backend a fresh heap (the
 * wasm backend's heap never shrinks) and contains a crash.
 */
// The union package registers every tfjs op's gradient, which the
// tf.losses.softmaxCrossEntropy baseline needs for its backward pass;
// tfjs-core's Node entry registers none. It shares tfjs-core 4.22.0 with
// the backends and kernels.
import '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import { loadavg } from 'node:os';

import { findBackend } from '@label-smoothing/conformance/backends';

import { measureBackend } from '../measure/run_backend.js';
import type { BackendRequest, BackendResult } from '../measure/types.js';

async function run(request: BackendRequest): Promise<BackendResult> {
  const started = performance.now();
  const result: BackendResult = {
    backend: request.backend,
    environment: 'node',
    details: { node: process.version, tfjs: tf.version_core },
    measurements: [],
    elapsedSeconds: 0,
  };

  const definition = findBackend(request.backend);
  if (!definition) {
    result.failed = `backend '${request.backend}' is not in the conformance harness's BACKENDS`;
    return result;
  }
  try {
    await definition.activate();
  } catch (error) {
    result.failed = `activation failed: ${error instanceof Error ? error.message : String(error)}`;
    return result;
  }
  result.details.flags = describeFlags();

  const loadStart = loadavg()[0];
  result.measurements = measureBackend(request, (line) => process.stderr.write(`[${request.backend} in node] ${line}\n`));
  result.loadAverage = { start: loadStart, end: loadavg()[0] };
  result.elapsedSeconds = (performance.now() - started) / 1000;
  return result;
}

/** Lists the tfjs flags that change which code runs, as far as the active backend has set them. */
function describeFlags(): string {
  const flags = tf.env().getFlags();
  const names = ['WASM_HAS_SIMD_SUPPORT', 'WASM_HAS_MULTITHREAD_SUPPORT'];
  return names.filter((name) => name in flags).map((name) => `${name}=${String(flags[name])}`).join(', ') || 'none';
}

process.once('message', (message) => {
  run(message as BackendRequest).then(
    (result) => process.send!(result, () => process.exit(0)),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
      process.exit(1);
    },
  );
});
