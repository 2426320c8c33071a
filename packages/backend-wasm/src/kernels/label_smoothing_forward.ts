import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { engine, type KernelConfig, type KernelFunc } from '@tensorflow/tfjs-core';
import {
  LabelSmoothingForward,
  classAxisLayout,
  smoothedTargetSlope,
  smoothingCoefficients,
  smoothProbability,
  type LabelSmoothingAttrs,
  type LabelSmoothingForwardInputs,
} from '@label-smoothing/core';

import { allocateOutputs, assertFitsHeap, backendMemory, memoryOffset } from '../heap.js';
import { ignoreIndexArguments, kernelModuleFor } from '../kernel_module.js';

/**
 * Forward kernel on the tfjs wasm backend: allocates the four per-position
 * outputs, then runs the SIMD kernel in place on the backend's memory.
 */
export const labelSmoothingForward: KernelFunc = ({ inputs, backend, attrs }) => {
  const { logits, labels, weight } = inputs as unknown as LabelSmoothingForwardInputs;
  const wasmBackend = backend as BackendWasm;
  const kernelAttrs = attrs as unknown as LabelSmoothingAttrs;
  const layout = classAxisLayout(logits.shape, kernelAttrs.classAxis);
  const { outerSize, numClasses, innerSize, positionsShape } = layout;

  const outputRoles = ['per-position losses', 'row maxima', 'shifted log-sum-exp', 'target weights'];
  const outputs = outputRoles.map((role) => ({ role, shape: positionsShape }));
  // Copies tfjs will make right after this kernel, counted here so that a
  // call they would not fit fails with this check's error instead of an abort.
  const savedCopies = gradientIsRecorded()
    ? [{ role: "copy of the logits saved for the gradient", shape: logits.shape }, { role: 'copy of the labels', shape: labels.shape }]
    : [];
  assertFitsHeap(
    LabelSmoothingForward,
    [
      { role: 'logits', shape: logits.shape },
      { role: 'labels', shape: labels.shape },
      { role: 'weight', shape: weight.shape },
    ],
    [...outputs, ...savedCopies],
  );

  const [losses, maxLogit, shiftedLogSumExp, targetWeight] = allocateOutputs(wasmBackend, outputs);
  if (outerSize * innerSize === 0) {
    return [losses, maxLogit, shiftedLogSumExp, targetWeight];
  }

  // Offsets are read after every allocation; they stay valid if the heap grows.
  const kernels = kernelModuleFor(backendMemory(wasmBackend));
  const pointers = [logits, labels, weight, losses, maxLogit, shiftedLogSumExp, targetWeight].map((t) => memoryOffset(wasmBackend, t));

  if (kernelAttrs.labelsKind === 'index') {
    const coefficients = smoothingCoefficients(kernelAttrs.smoothing, kernelAttrs.smoothingMode, numClasses);
    kernels.forwardIndexLabels(
      ...pointers, outerSize, numClasses, innerSize,
      coefficients.targetCoefficient, coefficients.otherCoefficient,
      coefficients.sumIncludesTarget ? 1 : 0, ...ignoreIndexArguments(kernelAttrs.ignoreIndex),
    );
  } else {
    kernels.forwardProbabilityLabels(
      ...pointers, outerSize, numClasses, innerSize,
      smoothedTargetSlope(kernelAttrs.smoothing, kernelAttrs.smoothingMode, numClasses),
      smoothProbability(0, kernelAttrs.smoothing, kernelAttrs.smoothingMode, numClasses),
    );
  }
  return [losses, maxLogit, shiftedLogSumExp, targetWeight];
};

/**
 * Whether a gradient tape records this call. tfjs then saves the kernel's
 * inputs for the backward pass with `clone`, and the wasm Identity kernel
 * behind it (tfjs-backend-wasm 4.22) copies the data on the heap.
 */
function gradientIsRecorded(): boolean {
  const state = (engine() as unknown as { state?: { gradientDepth?: number } }).state;
  return (state?.gradientDepth ?? 0) > 0;
}

export const labelSmoothingForwardConfig: KernelConfig = {
  kernelName: LabelSmoothingForward,
  backendName: 'wasm',
  kernelFunc: labelSmoothingForward,
};
