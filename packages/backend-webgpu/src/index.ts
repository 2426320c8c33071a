/**
 * Fused WebGPU kernels for `@label-smoothing/core`. Importing this module
 * registers them for tfjs' `webgpu` backend.
 */
import { registerWebGPUKernels } from './register.js';

registerWebGPUKernels();

export * from './base.js';
