import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs-core';
import {
  LabelSmoothingBackward,
  classAxisLayout,
  type LabelSmoothingAttrs,
  type LabelSmoothingBackwardInputs,
} from '@label-smoothing/core';

import { GradientProgram } from '../programs/gradient_webgpu.js';
import { rowLanes } from '../programs/row_lanes.js';
import { lossUniformValues } from '../programs/uniforms.js';
import { viewAs } from './tensor_views.js';

/**
 * Backward kernel: one dispatch of `GradientProgram`, which sums each row's
 * target mass and writes the row's gradient from the saved row statistics.
 */
export const labelSmoothingBackward: KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, logits, labels, weight, maxLogit, shiftedLogSumExp } = inputs as unknown as LabelSmoothingBackwardInputs;
  const webgpu = backend as WebGPUBackend;
  const kernelAttrs = attrs as unknown as LabelSmoothingAttrs;
  const layout = classAxisLayout(logits.shape, kernelAttrs.classAxis);
  const { outerSize, numClasses, innerSize } = layout;
  const positions = outerSize * innerSize;
  const size = positions * numClasses;

  if (size === 0) {
    return webgpu.makeTensorInfo(logits.shape, 'float32', new Float32Array(0));
  }

  const flat = (tensor: typeof dy) => viewAs(tensor, [tensor.shape.reduce((a, b) => a * b, 1)]);
  const gradient = webgpu.runWebGPUProgram(
    new GradientProgram(size, positions, rowLanes(positions, numClasses), kernelAttrs.labelsKind),
    [flat(logits), flat(labels), weight, flat(dy), flat(maxLogit), flat(shiftedLogSumExp)],
    'float32',
    lossUniformValues(layout, kernelAttrs),
  );
  return viewAs(gradient, logits.shape);
};

export const labelSmoothingBackwardConfig: KernelConfig = {
  kernelName: LabelSmoothingBackward,
  backendName: 'webgpu',
  kernelFunc: labelSmoothingBackward,
};
