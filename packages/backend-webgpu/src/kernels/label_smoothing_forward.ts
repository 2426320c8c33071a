import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import {
  FORWARD_OUTPUT,
  LabelSmoothingForward,
  classAxisLayout,
  type LabelSmoothingAttrs,
  type LabelSmoothingForwardInputs,
} from '@label-smoothing/core';

import { ExtractStatisticProgram } from '../programs/extract_statistic_webgpu.js';
import { rowLanes } from '../programs/row_lanes.js';
import { RowStatisticsProgram, STATISTIC_ROW } from '../programs/row_statistics_webgpu.js';
import { lossUniformValues } from '../programs/uniforms.js';
import { Intermediates, viewAs } from './tensor_views.js';

/** Statistics rows of the forward outputs, in the order of `FORWARD_OUTPUT`. */
const OUTPUT_ROWS: readonly number[] = (() => {
  const rows: number[] = [];
  rows[FORWARD_OUTPUT.losses] = STATISTIC_ROW.losses;
  rows[FORWARD_OUTPUT.maxLogit] = STATISTIC_ROW.maxLogit;
  rows[FORWARD_OUTPUT.shiftedLogSumExp] = STATISTIC_ROW.shiftedLogSumExp;
  rows[FORWARD_OUTPUT.targetWeight] = STATISTIC_ROW.targetWeight;
  return rows;
})();

/**
 * Forward kernel: one dispatch of `RowStatisticsProgram` reduces every row,
 * then four small copies split its output into the contract's four
 * per-position tensors.
 */
export const labelSmoothingForward: KernelFunc = ({ inputs, backend, attrs }) => {
  const { logits, labels, weight } = inputs as unknown as LabelSmoothingForwardInputs;
  const webgpu = backend as WebGPUBackend;
  const kernelAttrs = attrs as unknown as LabelSmoothingAttrs;
  const layout = classAxisLayout(logits.shape, kernelAttrs.classAxis);
  const { outerSize, numClasses, innerSize, positionsShape } = layout;
  const positions = outerSize * innerSize;

  if (positions === 0) {
    return OUTPUT_ROWS.map(() => webgpu.makeTensorInfo(positionsShape, 'float32', new Float32Array(0)));
  }

  // Flat views keep every program at rank 1, whatever the logits' rank.
  const size = positions * numClasses;
  const flatLogits = viewAs(logits, [size]);
  const flatLabels = viewAs(labels, [labels.shape.reduce((a, b) => a * b, 1)]);
  const uniforms = lossUniformValues(layout, kernelAttrs);
  const intermediates = new Intermediates(webgpu);
  const outputs: TensorInfo[] = [];

  try {
    const statistics = intermediates.keep(webgpu.runWebGPUProgram(
      new RowStatisticsProgram(positions, rowLanes(positions, numClasses), kernelAttrs.labelsKind),
      [flatLogits, flatLabels, weight], 'float32', uniforms));

    for (const row of OUTPUT_ROWS) {
      const output = webgpu.runWebGPUProgram(
        new ExtractStatisticProgram(positions), [statistics], 'float32', [{ type: 'int32', data: [row] }]);
      // The program writes [positions]; the contract's shape has the same
      // row-major order, so the output is relabelled rather than copied.
      outputs.push(viewAs(output, positionsShape));
    }
    return outputs;
  } catch (error) {
    // No caller receives the outputs made before the failure, so they are released here.
    for (const output of outputs) {
      webgpu.disposeData(output.dataId);
    }
    throw error;
  } finally {
    intermediates.disposeAll();
  }
};

export const labelSmoothingForwardConfig: KernelConfig = {
  kernelName: LabelSmoothingForward,
  backendName: 'webgpu',
  kernelFunc: labelSmoothingForward,
};
