/**
 * Fused WebGL kernels for `@label-smoothing/core`. Importing this module
 * registers them for tfjs' `webgl` backend.
 */
import { registerWebGLKernels } from './register.js';

registerWebGLKernels();

export * from './base.js';
