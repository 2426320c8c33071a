import type { MathBackendWebGL } from '@tensorflow/tfjs-backend-webgl';
import { env, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import {
  LabelSmoothingForward,
  classAxisLayout,
  type LabelSmoothingAttrs,
  type LabelSmoothingForwardInputs,
} from '@label-smoothing/core';

import { CombineTilesProgram, type CombinedStatistic, type StatisticsLayout } from '../programs/combine_tiles_gpu.js';
import { RowPairMassGapProgram } from '../programs/row_pair_mass_gap_gpu.js';
import { RowPairMaxSumProgram } from '../programs/row_pair_max_sum_gpu.js';
import { smoothingUniformValues } from '../programs/smoothing_glsl.js';
import { TargetWeightProgram } from '../programs/target_weight_gpu.js';
import { TileStatisticsProgram } from '../programs/tile_statistics_gpu.js';
import { tileClassPairs, tileClasses } from '../programs/tiling.js';
import { Intermediates, viewAs } from './texture_views.js';

/**
 * Returns whether the logits are `[N, C]` and the backend packs textures, so the
 * kernels read and write packed textures two rows × two classes at a time
 * (the `RowPair*` programs). Other layouts use
 * the unpacked programs, which handle any class axis.
 */
export function usesRowPairs(logits: TensorInfo, attrs: LabelSmoothingAttrs): boolean {
  return env().getBool('WEBGL_PACK') && logits.shape.length === 2 && attrs.classAxis === 1;
}

/**
 * Forward kernel: every tile of every row is reduced to four statistics
 * (by `RowPairMaxSumProgram` and `RowPairMassGapProgram`, or by
 * `TileStatisticsProgram`), then
 * small programs combine the tiles into the four per-position outputs of the
 * contract.
 */
export const labelSmoothingForward: KernelFunc = ({ inputs, backend, attrs }) => {
  const { logits, labels, weight } = inputs as unknown as LabelSmoothingForwardInputs;
  const webgl = backend as MathBackendWebGL;
  const kernelAttrs = attrs as unknown as LabelSmoothingAttrs;
  const layout = classAxisLayout(logits.shape, kernelAttrs.classAxis);
  const { outerSize, numClasses, innerSize, positionsShape } = layout;
  const positions = outerSize * innerSize;

  if (positions === 0 || numClasses === 0) {
    // NOTE: with zero classes no row has a finite log-sum-exp, so every
    // position is NaN here, ignored ones included.
    const fill = positions === 0 ? 0 : NaN;
    return [0, 1, 2, 3].map(() =>
      webgl.makeTensorInfo(positionsShape, 'float32', new Float32Array(positions).fill(fill)));
  }

  const positionsView = [outerSize, innerSize];
  const logits3d = viewAs(logits, [outerSize, numClasses, innerSize]);
  const labelsView = kernelAttrs.labelsKind === 'index' ? viewAs(labels, positionsView) : viewAs(labels, logits3d.shape);
  const uniforms = smoothingUniformValues(kernelAttrs, numClasses);
  const intermediates = new Intermediates(webgl);

  try {
    // The statistics are written packed and unpacked once here, rather than
    // once by each program that reads them.
    let statistics: TensorInfo[];
    let statisticsLayout: StatisticsLayout;
    let numTiles: number;
    if (usesRowPairs(logits, kernelAttrs)) {
      const tiling = tileClassPairs(numClasses);
      const maxAndSum = intermediates.keep(webgl.runWebGLProgram(
        new RowPairMaxSumProgram(outerSize, numClasses, tiling), [logits], 'float32', uniforms, true));
      const massAndGap = intermediates.keep(webgl.runWebGLProgram(
        new RowPairMassGapProgram(outerSize, numClasses, tiling, kernelAttrs.labelsKind),
        [logits, labels, weight], 'float32', uniforms, true));
      statistics = [intermediates.keep(webgl.unpackTensor(maxAndSum)), intermediates.keep(webgl.unpackTensor(massAndGap))];
      statisticsLayout = 'row-pairs';
      numTiles = tiling.numTiles;
    } else {
      const tiling = tileClasses(numClasses);
      const packedStatistics = intermediates.keep(webgl.runWebGLProgram(
        new TileStatisticsProgram(layout, tiling, kernelAttrs.labelsKind),
        [logits3d, labelsView, weight], 'float32', uniforms, true));
      const unpacked = intermediates.keep(webgl.unpackTensor(packedStatistics));
      statistics = [viewAs(unpacked, [positions, 4 * tiling.numTiles])];
      statisticsLayout = 'tile-major';
      numTiles = tiling.numTiles;
    }

    const combine = (statistic: CombinedStatistic): TensorInfo => {
      const program = new CombineTilesProgram(layout, numTiles, statisticsLayout, kernelAttrs.labelsKind, statistic);
      const programInputs = kernelAttrs.labelsKind === 'index' ? [...statistics, labelsView] : statistics;
      return webgl.runWebGLProgram(program, programInputs, 'float32', uniforms);
    };
    const targetWeightInputs = kernelAttrs.labelsKind === 'index' ? [labelsView, weight] : [];
    const outputs = [
      combine('losses'),
      combine('maxLogit'),
      combine('shiftedLogSumExp'),
      webgl.runWebGLProgram(new TargetWeightProgram(layout, kernelAttrs.labelsKind), targetWeightInputs, 'float32', uniforms),
    ];
    // The programs write [outer, inner]; the contract's shape has the same
    // row-major order, so each output is relabelled rather than copied.
    return outputs.map((output) => viewAs(output, positionsShape));
  } finally {
    intermediates.disposeAll();
  }
};

export const labelSmoothingForwardConfig: KernelConfig = {
  kernelName: LabelSmoothingForward,
  backendName: 'webgl',
  kernelFunc: labelSmoothingForward,
};
