import * as tf from '@tensorflow/tfjs-core';

import { customGradient } from './custom_grad.js';
import { probabilityLabelsGradient } from './gradients/label_smoothing_cross_entropy_grad.js';
import type { LabelSmoothingAttrs } from './kernel_names.js';
import { smoothingCoefficients, type ClassAxisLayout } from './layout.js';

/** Per-position outputs of the loss before reduction, from either implementation. */
export interface PerPositionLosses {
  /** Loss of every position, shaped like the index labels; differentiable. */
  losses: tf.Tensor;
  /** Each position's share of the `'mean'` denominator; not differentiable. */
  targetWeight: tf.Tensor;
}

/**
 * Computes the per-position losses from tfjs ops, for backends without fused
 * kernels. The gradient is the closed form `(Σ_k w_k q_k)·p - w·q`, attached
 * with `customGrad`, so it needs no other op's registered gradient. Slower
 * and more memory-hungry than a fused kernel, because it materializes several
 * `[outer, C, inner]` intermediates.
 */
export function compositeLosses(
  logits: tf.Tensor,
  labels: tf.Tensor,
  weight: tf.Tensor1D,
  attrs: LabelSmoothingAttrs,
  layout: ClassAxisLayout,
): PerPositionLosses {
  const { outerSize, numClasses, innerSize, positionsShape } = layout;
  const view3d = [outerSize, numClasses, innerSize];

  const forward = (logitsTensor: tf.Tensor, labelsTensor: tf.Tensor, save: tf.GradSaveFunc) => {
    const logits3d = tf.reshape(logitsTensor, view3d);
    // The log-sum-exp stays split as max + log Σ exp(x - max): a float32
    // log-sum-exp near 1e4 would round by about 5e-4 and shift every probability.
    const maxLogit = tf.max(logits3d, 1, true);
    const gaps = tf.sub(maxLogit, logits3d);
    const shiftedLogSumExp = tf.log(tf.sum(tf.exp(tf.neg(gaps)), 1, true));
    const targets = weightedSmoothedTargets(labelsTensor, weight, attrs, layout);

    // A class with zero target mass contributes nothing, even when its logit
    // is -Infinity, so 0 · Infinity must not turn into NaN.
    const negativeLogSoftmax = tf.add(gaps, shiftedLogSumExp);
    const terms = tf.where(tf.equal(targets, 0), tf.zerosLike(targets), tf.mul(targets, negativeLogSoftmax));
    let losses = tf.reshape(tf.sum(terms, 1), positionsShape);
    // A NaN log-sum-exp (NaN or +Infinity logits, or only -Infinity) makes the row NaN.
    losses = tf.where(tf.isNaN(tf.reshape(tf.add(maxLogit, shiftedLogSumExp), positionsShape)), tf.fill(positionsShape, NaN), losses);
    if (attrs.labelsKind === 'index') {
      losses = poisonInvalidLabels(losses, labelsTensor, attrs.ignoreIndex, numClasses);
    }
    save([logitsTensor, labelsTensor, weight, maxLogit, shiftedLogSumExp]);

    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => {
      const [savedLogits, savedLabels, savedWeight, savedMaxLogit, savedShiftedLogSumExp] = saved;
      const savedLogits3d = tf.reshape(savedLogits, view3d);
      const savedTargets = weightedSmoothedTargets(savedLabels, savedWeight as tf.Tensor1D, attrs, layout);
      const targetMass = tf.sum(savedTargets, 1, true);
      const probabilities = tf.exp(tf.sub(tf.sub(savedLogits3d, savedMaxLogit), savedShiftedLogSumExp));
      const dy3d = tf.reshape(dy, [outerSize, 1, innerSize]);
      let dLogits = tf.mul(tf.sub(tf.mul(targetMass, probabilities), savedTargets), dy3d);

      if (attrs.labelsKind === 'index') {
        // Ignored positions get exactly 0, even when the 'mean' scale is 1/0.
        const valid = tf.reshape(tf.notEqual(savedLabels, attrs.ignoreIndex), [outerSize, 1, innerSize]);
        dLogits = tf.where(tf.broadcastTo(valid, view3d), dLogits, tf.zeros(view3d));
        return [tf.reshape(dLogits, savedLogits.shape)];
      }

      const dLabels = probabilityLabelsGradient(dy, savedLogits, savedWeight,
        tf.reshape(savedMaxLogit, positionsShape), tf.reshape(savedShiftedLogSumExp, positionsShape), attrs);
      return [tf.reshape(dLogits, savedLogits.shape), dLabels];
    };
    return { value: losses, gradFunc };
  };

  let losses: tf.Tensor;
  if (attrs.labelsKind === 'index') {
    // Index labels are not differentiable, so only the logits are inputs.
    losses = customGradient((logitsTensor: tf.Tensor, save: tf.GradSaveFunc) =>
      forward(logitsTensor, labels, (tensors) => save(tensors)),
    )(logits);
  } else {
    losses = customGradient((logitsTensor: tf.Tensor, labelsTensor: tf.Tensor, save: tf.GradSaveFunc) =>
      forward(logitsTensor, labelsTensor, save),
    )(logits, labels);
  }

  const targetWeight = tf.tidy(() => {
    if (attrs.labelsKind === 'probability') {
      return tf.ones(positionsShape, 'float32');
    }
    const valid = tf.notEqual(labels, attrs.ignoreIndex);
    const safeLabels = tf.where(valid, labels, tf.zerosLike(labels));
    const gathered = tf.reshape(tf.gather(weight, tf.reshape(safeLabels, [-1])), positionsShape);
    return tf.mul(gathered, tf.cast(valid, 'float32'));
  });
  return { losses, targetWeight };
}

/**
 * Turns the loss of every position whose label is neither in [0, C) nor the
 * ignore index into NaN. Core rejects such labels where it can read them; on
 * GPU backends it cannot, so the contract gives NaN there.
 */
function poisonInvalidLabels(losses: tf.Tensor, labels: tf.Tensor, ignoreIndex: number, numClasses: number): tf.Tensor {
  const outOfRange = tf.logicalOr(tf.less(labels, 0), tf.greaterEqual(labels, numClasses));
  const invalid = tf.logicalAnd(outOfRange, tf.notEqual(labels, ignoreIndex));
  return tf.where(invalid, tf.fill(losses.shape, NaN), losses);
}

/**
 * Builds `w_c · q_c` as an `[outer, C, inner]` tensor: the smoothed target of
 * every class times its class weight, zero at ignored positions.
 */
function weightedSmoothedTargets(
  labels: tf.Tensor,
  weight: tf.Tensor1D,
  attrs: LabelSmoothingAttrs,
  layout: ClassAxisLayout,
): tf.Tensor {
  const { outerSize, numClasses, innerSize } = layout;
  const weight3d = tf.reshape(weight, [1, numClasses, 1]);

  if (attrs.labelsKind === 'probability') {
    const targets = tf.reshape(labels, [outerSize, numClasses, innerSize]);
    const smoothing = attrs.smoothing;
    const smoothed = attrs.smoothingMode === 'uniform'
      ? tf.add(tf.mul(targets, 1 - smoothing), smoothing / numClasses)
      : tf.add(tf.mul(targets, 1 - smoothing), tf.mul(tf.sub(1, targets), smoothing / (numClasses - 1)));
    return tf.mul(smoothed, weight3d);
  }

  const coefficients = smoothingCoefficients(attrs.smoothing, attrs.smoothingMode, numClasses);
  const labels2d = tf.reshape(labels, [outerSize, innerSize]);
  const valid = tf.notEqual(labels2d, attrs.ignoreIndex);
  const safeLabels = tf.where(valid, labels2d, tf.zerosLike(labels2d));
  // oneHot appends the class axis; move it to the middle of [outer, C, inner].
  // It is built as int32 and cast, because the wasm OneHot kernel of tfjs
  // 4.22 writes int32 values into a float32 output when asked for float32.
  const oneHot = tf.transpose(tf.cast(tf.oneHot(safeLabels, numClasses), 'float32'), [0, 2, 1]);

  const others = coefficients.sumIncludesTarget
    ? tf.fill([outerSize, numClasses, innerSize], coefficients.otherCoefficient)
    : tf.mul(tf.sub(1, oneHot), coefficients.otherCoefficient);
  const targets = tf.add(tf.mul(oneHot, coefficients.targetCoefficient), others);
  const validMask = tf.reshape(tf.cast(valid, 'float32'), [outerSize, 1, innerSize]);
  return tf.mul(tf.mul(targets, weight3d), validMask);
}
