import * as tf from '@tensorflow/tfjs-core';

import { labelSmoothingCrossEntropyGradConfig } from './gradients/label_smoothing_cross_entropy_grad.js';
import { KERNEL_CONTRACT_VERSION, LabelSmoothingForward, LabelSmoothingBackward } from './kernel_names.js';

/** The two kernel functions a backend package provides for one tfjs backend. */
export interface LabelSmoothingKernels {
  /** Implements `LabelSmoothingForward`; returns `[losses, logSumExp, targetWeight]`. */
  forward: tf.KernelFunc;
  /** Implements `LabelSmoothingBackward`; returns the logits' gradient. */
  backward: tf.KernelFunc;
  /** The `KERNEL_CONTRACT_VERSION` the kernels were written against. */
  contractVersion: number;
  /** Optional per-backend setup, run once by tfjs when the kernel is first used on a backend instance. */
  setupFunc?: tf.KernelConfig['setupFunc'];
}

/**
 * Registers fused kernels for `backendName` together with the shared
 * gradient. Throws when the kernels were written against another contract
 * version. Registering the same backend twice replaces nothing and warns
 * nothing: the first registration wins.
 */
export function registerLabelSmoothingKernels(backendName: string, kernels: LabelSmoothingKernels): void {
  if (kernels.contractVersion !== KERNEL_CONTRACT_VERSION) {
    throw new Error(
      `registerLabelSmoothingKernels: the kernels for backend '${backendName}' implement kernel contract ` +
        `version ${kernels.contractVersion}, but @label-smoothing/core implements version ${KERNEL_CONTRACT_VERSION}. ` +
        'Install matching versions of @label-smoothing/core and the backend package.',
    );
  }

  if (tf.getGradient(LabelSmoothingForward) === undefined) {
    tf.registerGradient(labelSmoothingCrossEntropyGradConfig);
  }
  if (tf.getKernel(LabelSmoothingForward, backendName) === undefined) {
    tf.registerKernel({
      kernelName: LabelSmoothingForward,
      backendName,
      kernelFunc: kernels.forward,
      setupFunc: kernels.setupFunc,
    });
  }
  if (tf.getKernel(LabelSmoothingBackward, backendName) === undefined) {
    tf.registerKernel({ kernelName: LabelSmoothingBackward, backendName, kernelFunc: kernels.backward });
  }
}

/** Whether fused kernels are registered for `backendName` (default: the active backend). */
export function hasFusedKernels(backendName: string = tf.getBackend()): boolean {
  return (
    tf.getKernel(LabelSmoothingForward, backendName) !== undefined &&
    tf.getKernel(LabelSmoothingBackward, backendName) !== undefined
  );
}
