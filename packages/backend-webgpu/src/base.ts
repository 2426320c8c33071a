/**
 * Side-effect-free entry: the webgpu kernels and their WGSL programs,
 * without registering anything. Import `@label-smoothing/backend-webgpu` to
 * register.
 */
export { labelSmoothingForward, labelSmoothingForwardConfig } from './kernels/label_smoothing_forward.js';
export { labelSmoothingBackward, labelSmoothingBackwardConfig } from './kernels/label_smoothing_backward.js';
export { ExtractStatisticProgram } from './programs/extract_statistic_webgpu.js';
export { GradientProgram } from './programs/gradient_webgpu.js';
export { RowStatisticsProgram, STATISTIC_ROW } from './programs/row_statistics_webgpu.js';
export {
  MAX_LANES,
  MIN_CLASSES_PER_LANE,
  TARGET_INVOCATIONS,
  combineLanesSnippet,
  rowLanes,
  rowWorkgroups,
  type RowLanes,
} from './programs/row_lanes.js';
export { LOSS_HELPERS, LOSS_UNIFORMS, lossUniformValues, type ProgramUniform } from './programs/uniforms.js';
export { registerWebGPUKernels } from './register.js';
