/** Runs the Node backends, each in a child process of its own (`worker.ts`). */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import type { BackendRequest, BackendResult } from '../measure/types.js';

const WORKER = fileURLToPath(new URL('./worker.js', import.meta.url));

/**
 * Measures one backend in a forked Node process. A worker that exits without
 * a result, for example killed for memory, yields a result with `failed` set.
 */
export function runNodeBackend(request: BackendRequest): Promise<BackendResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    // --expose-gc lets the worker collect garbage between measurements.
    const child = fork(WORKER, [], { execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let result: BackendResult | undefined;
    child.on('message', (message) => {
      result = message as BackendResult;
    });
    child.on('exit', (code, signal) => {
      resolve(result ?? {
        backend: request.backend,
        environment: 'node',
        details: {},
        measurements: [],
        elapsedSeconds: (performance.now() - started) / 1000,
        failed: `the worker process exited with ${signal ? `signal ${signal}` : `code ${code}`} before sending a result`,
      });
    });
    child.send(request);
  });
}
