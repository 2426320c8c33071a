// Entry of the kernel module. Every export takes byte offsets into the
// imported memory (the tfjs wasm backend's heap) and stores only into the
// output buffers it is given. The JavaScript side of each signature is
// `KERNEL_MODULE_ARGUMENTS` in src/kernel_module.ts; keep both in the same order.

import { expVector, logVector } from './math';

export { forwardIndexLabels, forwardProbabilityLabels } from './forward';
export { backwardIndexLabels, backwardProbabilityLabels } from './backward';

/**
 * Writes exp of `count` float32 values at `input` to `output`, for testing
 * the kernels' exp. `count` must be a multiple of 4.
 */
export function expElements(input: usize, output: usize, count: i32): void {
  for (let i = 0; i < count; i += 4) {
    const offset = <usize>i << 2;
    v128.store(output + offset, expVector(v128.load(input + offset)));
  }
}

/**
 * Writes log of `count` float32 values at `input` to `output`, for testing
 * the kernels' log. `count` must be a multiple of 4.
 */
export function logElements(input: usize, output: usize, count: i32): void {
  for (let i = 0; i < count; i += 4) {
    const offset = <usize>i << 2;
    v128.store(output + offset, logVector(v128.load(input + offset)));
  }
}
