import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs-core';
import {
  LabelSmoothingBackward,
  classAxisLayout,
  type LabelSmoothingAttrs,
  type LabelSmoothingBackwardInputs,
} from '@label-smoothing/core';

import { backwardImpl } from '../impl/backward.js';
import { readValues } from './label_smoothing_forward.js';

export const labelSmoothingBackward: KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, logits, labels, weight, maxLogit, shiftedLogSumExp } = inputs as unknown as LabelSmoothingBackwardInputs;
  const cpu = backend as MathBackendCPU;
  const kernelAttrs = attrs as unknown as LabelSmoothingAttrs;
  const layout = classAxisLayout(logits.shape, kernelAttrs.classAxis);

  const gradient = backwardImpl(
    readValues<Float32Array>(cpu, dy),
    readValues<Float32Array>(cpu, logits),
    readValues<Int32Array | Float32Array>(cpu, labels),
    readValues<Float32Array>(cpu, weight),
    readValues<Float32Array>(cpu, maxLogit),
    readValues<Float32Array>(cpu, shiftedLogSumExp),
    layout,
    kernelAttrs,
  );
  return cpu.makeTensorInfo(logits.shape, 'float32', gradient);
};

export const labelSmoothingBackwardConfig: KernelConfig = {
  kernelName: LabelSmoothingBackward,
  backendName: 'cpu',
  kernelFunc: labelSmoothingBackward,
};
