/**
 * PyTorch-exact label-smoothing cross-entropy for TensorFlow.js.
 *
 * Install a backend package (`@label-smoothing/backend-cpu`, ...) for fused
 * kernels; without one, the loss runs as a composite of tfjs ops on any backend.
 */
export {
  labelSmoothingCrossEntropy,
  labelSmoothingCrossEntropyWith,
  type Implementation,
} from './ops/label_smoothing_cross_entropy.js';
export { LabelSmoothingCrossEntropy } from './module.js';
export { labelSmoothingLoss, type LabelSmoothingLossOptions } from './layers_loss.js';
export {
  DEFAULT_IGNORE_INDEX,
  DEFAULT_SMOOTHING,
  type LabelSmoothingOptions,
  type Reduction,
} from './options.js';
export { InvalidArgumentError } from './errors.js';
export type { TensorOrArray } from './validate.js';

// Kernel contract for backend packages.
export {
  KERNEL_CONTRACT_VERSION,
  LabelSmoothingBackward,
  LabelSmoothingForward,
  type LabelSmoothingAttrs,
  type LabelSmoothingBackwardInputs,
  type LabelSmoothingForwardInputs,
  type LabelSmoothingForwardOutputs,
  FORWARD_OUTPUT,
  type LabelsKind,
  type SmoothingMode,
} from './kernel_names.js';
export {
  classAxisLayout,
  smoothedTargetSlope,
  smoothingCoefficients,
  smoothProbability,
  type ClassAxisLayout,
  type SmoothingCoefficients,
} from './layout.js';
export { hasFusedKernels, registerLabelSmoothingKernels, type LabelSmoothingKernels } from './register.js';
export { labelSmoothingCrossEntropyGradConfig } from './gradients/label_smoothing_cross_entropy_grad.js';
