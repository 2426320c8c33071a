import type { MathBackendWebGL } from '@tensorflow/tfjs-backend-webgl';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import {
  LabelSmoothingForward,
  classAxisLayout,
  type LabelSmoothingAttrs,
  type LabelSmoothingForwardInputs,
} from '@label-smoothing/core';

import { CombineTilesProgram, type CombinedStatistic } from '../programs/combine_tiles_gpu.js';
import { smoothingUniformValues } from '../programs/smoothing_glsl.js';
import { TargetWeightProgram } from '../programs/target_weight_gpu.js';
import { TileStatisticsProgram } from '../programs/tile_statistics_gpu.js';
import { tileClasses } from '../programs/tiling.js';
import { Intermediates, viewAs } from './texture_views.js';

/**
 * Forward kernel: one pass over the logits reduces every tile of every row
 * to four statistics (`TileStatisticsProgram`), then small programs combine
 * the tiles into the four per-position outputs of the contract.
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
  const tiling = tileClasses(numClasses);
  const intermediates = new Intermediates(webgl);

  try {
    const packedStatistics = intermediates.keep(webgl.runWebGLProgram(
      new TileStatisticsProgram(layout, tiling, kernelAttrs.labelsKind),
      [logits3d, labelsView, weight], 'float32', uniforms, true));
    // Unpacked once here, rather than once by each program that reads it.
    const statistics = intermediates.keep(webgl.unpackTensor(packedStatistics));

    const combine = (statistic: CombinedStatistic): TensorInfo => {
      const program = new CombineTilesProgram(layout, tiling.numTiles, kernelAttrs.labelsKind, statistic);
      const programInputs = kernelAttrs.labelsKind === 'index' ? [statistics, labelsView] : [statistics];
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
