import * as tf from '@tensorflow/tfjs-core';

import {
  LabelSmoothingForward,
  LabelSmoothingBackward,
  type LabelSmoothingAttrs,
} from '../kernel_names.js';
import { smoothedTargetSlope } from '../layout.js';

/**
 * Gradient of the forward kernel. Only the per-position losses (output 0)
 * carry a gradient; the logits' gradient comes from the backward kernel, and
 * the labels' gradient (probability labels only) is
 * `∂ℓ/∂t_c = -(∂q_c/∂t_c) · w_c · logSoftmax_c`, scaled by each position's dy.
 * Index labels and weights get zero gradients.
 */
export const labelSmoothingCrossEntropyGradConfig: tf.GradConfig = {
  kernelName: LabelSmoothingForward,
  inputsToSave: ['logits', 'labels', 'weight'],
  outputsToSave: [false, true, true, false],
  gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) => {
    const [dLosses] = dy as tf.Tensor[];
    const [logits, labels, weight, maxLogit, shiftedLogSumExp] = saved;
    const kernelAttrs = attrs as unknown as LabelSmoothingAttrs;

    return {
      logits: () =>
        tf.engine().runKernel(
          LabelSmoothingBackward,
          { dy: dLosses, logits, labels, weight, maxLogit, shiftedLogSumExp },
          attrs,
        ) as tf.Tensor,
      labels: () =>
        kernelAttrs.labelsKind === 'probability'
          ? probabilityLabelsGradient(dLosses, logits, weight, maxLogit, shiftedLogSumExp, kernelAttrs)
          : tf.zeros(labels.shape, 'float32'),
      weight: () => tf.zeros(weight.shape, 'float32'),
    };
  },
};

/**
 * Gradient with respect to probability labels from tfjs ops:
 * `-slope · w_c · (x_c - maxLogit - shiftedLogSumExp) · dy`, where
 * `slope = ∂q_c/∂t_c`. Shared by the fused path and the composite fallback.
 *
 * `maxLogit` and `shiftedLogSumExp` have the positions' shape and are
 * subtracted one after the other: their float32 sum near 1e4 would round by
 * up to 5e-4 and shift every log-probability of the position by as much.
 */
export function probabilityLabelsGradient(
  dy: tf.Tensor,
  logits: tf.Tensor,
  weight: tf.Tensor,
  maxLogit: tf.Tensor,
  shiftedLogSumExp: tf.Tensor,
  attrs: Pick<LabelSmoothingAttrs, 'smoothing' | 'smoothingMode' | 'classAxis'>,
): tf.Tensor {
  return tf.tidy(() => {
    const { classAxis } = attrs;
    const numClasses = logits.shape[classAxis];
    const slope = smoothedTargetSlope(attrs.smoothing, attrs.smoothingMode, numClasses);

    const weightShape = logits.shape.map((size, axis) => (axis === classAxis ? size : 1));
    const gaps = tf.sub(logits, tf.expandDims(maxLogit, classAxis));
    const logSoftmax = tf.sub(gaps, tf.expandDims(shiftedLogSumExp, classAxis));
    const scale = tf.mul(tf.reshape(weight, weightShape), tf.expandDims(dy, classAxis));
    return tf.mul(tf.mul(logSoftmax, scale), tf.scalar(-slope));
  });
}
