import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs-core';
import {
  LabelSmoothingBackward,
  classAxisLayout,
  smoothedTargetSlope,
  smoothingCoefficients,
  smoothProbability,
  type LabelSmoothingAttrs,
  type LabelSmoothingBackwardInputs,
} from '@label-smoothing/core';

import { allocateOutputs, assertFitsHeap, backendMemory, memoryOffset } from '../heap.js';
import { ignoreIndexArguments, kernelModuleFor } from '../kernel_module.js';

/**
 * Backward kernel on the tfjs wasm backend: allocates the logits' gradient,
 * then runs the SIMD kernel in place on the backend's memory.
 */
export const labelSmoothingBackward: KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, logits, labels, weight, maxLogit, shiftedLogSumExp } = inputs as unknown as LabelSmoothingBackwardInputs;
  const wasmBackend = backend as BackendWasm;
  const kernelAttrs = attrs as unknown as LabelSmoothingAttrs;
  const layout = classAxisLayout(logits.shape, kernelAttrs.classAxis);
  const { outerSize, numClasses, innerSize } = layout;

  const output = { role: "logits' gradient", shape: logits.shape };
  assertFitsHeap(
    LabelSmoothingBackward,
    [
      { role: 'dy', shape: dy.shape },
      { role: 'logits', shape: logits.shape },
      { role: 'labels', shape: labels.shape },
      { role: 'weight', shape: weight.shape },
      { role: 'row maxima', shape: maxLogit.shape },
      { role: 'shifted log-sum-exp', shape: shiftedLogSumExp.shape },
    ],
    [output],
  );

  const [gradient] = allocateOutputs(wasmBackend, [output]);
  if (outerSize * numClasses * innerSize === 0) {
    return gradient;
  }

  // Offsets are read after the allocation; they stay valid if the heap grows.
  const kernels = kernelModuleFor(backendMemory(wasmBackend));
  const pointers = [dy, logits, labels, weight, maxLogit, shiftedLogSumExp, gradient].map((t) => memoryOffset(wasmBackend, t));

  if (kernelAttrs.labelsKind === 'index') {
    const coefficients = smoothingCoefficients(kernelAttrs.smoothing, kernelAttrs.smoothingMode, numClasses);
    kernels.backwardIndexLabels(
      ...pointers, outerSize, numClasses, innerSize,
      coefficients.targetCoefficient, coefficients.otherCoefficient,
      coefficients.sumIncludesTarget ? 1 : 0, ...ignoreIndexArguments(kernelAttrs.ignoreIndex),
    );
  } else {
    kernels.backwardProbabilityLabels(
      ...pointers, outerSize, numClasses, innerSize,
      smoothedTargetSlope(kernelAttrs.smoothing, kernelAttrs.smoothingMode, numClasses),
      smoothProbability(0, kernelAttrs.smoothing, kernelAttrs.smoothingMode, numClasses),
    );
  }
  return gradient;
};

export const labelSmoothingBackwardConfig: KernelConfig = {
  kernelName: LabelSmoothingBackward,
  backendName: 'wasm',
  kernelFunc: labelSmoothingBackward,
};
