/**
 * Fused WebAssembly SIMD kernels for `@label-smoothing/core`. Importing this
 * module registers them for tfjs' `wasm` backend.
 */
import { registerWasmKernels } from './register.js';

registerWasmKernels();

export * from './base.js';
