/**
 * Side-effect-free entry: the cpu kernels and their typed-array math, without
 * registering anything. Import `@label-smoothing/backend-cpu` to register.
 */
export { forwardImpl, type ForwardResult } from './impl/forward.js';
export { backwardImpl } from './impl/backward.js';
export { labelSmoothingForward, labelSmoothingForwardConfig } from './kernels/label_smoothing_forward.js';
export { labelSmoothingBackward, labelSmoothingBackwardConfig } from './kernels/label_smoothing_backward.js';
export { registerCpuKernels } from './register.js';
