/**
 * Side-effect-free entry: the webgl kernels and their shader programs,
 * without registering anything. Import `@label-smoothing/backend-webgl` to
 * register.
 */
export { labelSmoothingForward, labelSmoothingForwardConfig, usesRowPairs } from './kernels/label_smoothing_forward.js';
export { labelSmoothingBackward, labelSmoothingBackwardConfig } from './kernels/label_smoothing_backward.js';
export { CombineTilesProgram, type CombinedStatistic, type StatisticsLayout } from './programs/combine_tiles_gpu.js';
export { GradientProgram } from './programs/gradient_gpu.js';
export { RowPairCoefficientsProgram } from './programs/row_pair_coefficients_gpu.js';
export { RowPairGradientProgram } from './programs/row_pair_gradient_gpu.js';
export { RowPairMassGapProgram } from './programs/row_pair_mass_gap_gpu.js';
export { RowPairMaxSumProgram } from './programs/row_pair_max_sum_gpu.js';
export { SMOOTHING_UNIFORMS, smoothingUniformValues } from './programs/smoothing_glsl.js';
export { SumTilesProgram } from './programs/sum_tiles_gpu.js';
export { TargetMassProgram } from './programs/target_mass_gpu.js';
export { TargetWeightProgram } from './programs/target_weight_gpu.js';
export { TileStatisticsProgram } from './programs/tile_statistics_gpu.js';
export { MAX_TILE_SIZE, tileClassPairs, tileClasses, type Tiling } from './programs/tiling.js';
export { registerWebGLKernels } from './register.js';
