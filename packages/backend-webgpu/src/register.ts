import { KERNEL_CONTRACT_VERSION, registerLabelSmoothingKernels } from '@label-smoothing/core';

import { labelSmoothingBackward } from './kernels/label_smoothing_backward.js';
import { labelSmoothingForward } from './kernels/label_smoothing_forward.js';

/** Registers the fused webgpu kernels and the shared gradient; safe to call more than once. */
export function registerWebGPUKernels(): void {
  registerLabelSmoothingKernels('webgpu', {
    forward: labelSmoothingForward,
    backward: labelSmoothingBackward,
    contractVersion: KERNEL_CONTRACT_VERSION,
  });
}
