import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import {
  LabelSmoothingForward,
  classAxisLayout,
  type LabelSmoothingAttrs,
  type LabelSmoothingForwardInputs,
} from '@label-smoothing/core';

import { forwardImpl } from '../impl/forward.js';

/** Reads a tensor's values from the cpu backend without copying. */
export function readValues<T extends Float32Array | Int32Array>(backend: MathBackendCPU, tensor: TensorInfo): T {
  return backend.data.get(tensor.dataId).values as T;
}

export const labelSmoothingForward: KernelFunc = ({ inputs, backend, attrs }) => {
  const { logits, labels, weight } = inputs as unknown as LabelSmoothingForwardInputs;
  const cpu = backend as MathBackendCPU;
  const kernelAttrs = attrs as unknown as LabelSmoothingAttrs;
  const layout = classAxisLayout(logits.shape, kernelAttrs.classAxis);

  const result = forwardImpl(
    readValues<Float32Array>(cpu, logits),
    readValues<Int32Array | Float32Array>(cpu, labels),
    readValues<Float32Array>(cpu, weight),
    layout,
    kernelAttrs,
  );

  return [
    cpu.makeTensorInfo(layout.positionsShape, 'float32', result.losses),
    cpu.makeTensorInfo(layout.positionsShape, 'float32', result.maxLogit),
    cpu.makeTensorInfo(layout.positionsShape, 'float32', result.shiftedLogSumExp),
    cpu.makeTensorInfo(layout.positionsShape, 'float32', result.targetWeight),
  ];
};

export const labelSmoothingForwardConfig: KernelConfig = {
  kernelName: LabelSmoothingForward,
  backendName: 'cpu',
  kernelFunc: labelSmoothingForward,
};
