/**
 * Fused cpu kernels for `@label-smoothing/core`. Importing this module
 * registers them for tfjs' `cpu` backend.
 */
import { registerCpuKernels } from './register.js';

registerCpuKernels();

export * from './base.js';
