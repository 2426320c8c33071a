import * as tf from '@tensorflow/tfjs-core';

import { customGradient } from './custom_grad.js';
import type { Reduction } from './options.js';

/**
 * Reduces per-position losses to a scalar with its own closed-form gradient,
 * so the loss trains where tfjs-core has no gradients registered (its Node
 * entry registers none).
 *
 * `'sum'` is `Σ losses`; `'mean'` is `Σ losses / Σ targetWeight`, which is NaN
 * when the denominator is 0, as in PyTorch. The gradient of each position is
 * `dy` (sum) or `dy / Σ targetWeight` (mean); the backward kernel zeroes
 * ignored positions, so an infinite scale never reaches them.
 */
export function reduceLosses(losses: tf.Tensor, targetWeight: tf.Tensor, reduction: Exclude<Reduction, 'none'>): tf.Tensor {
  const reduce = customGradient((perPosition: tf.Tensor, save: tf.GradSaveFunc) => {
    // An empty batch sums to 0 here without calling tf.sum, because in
    // tfjs 4.22 the wasm Sum kernel leaves its output unwritten for an empty
    // input (it returns whatever the heap held) and the webgl one throws.
    const total = perPosition.size === 0 ? tf.scalar(0) : tf.sum(perPosition);
    const denominator = targetWeight.size === 0 ? tf.scalar(0) : tf.sum(targetWeight);
    const scale = reduction === 'mean' ? tf.div(1, denominator) : tf.scalar(1);
    save([scale]);

    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor => {
      const [savedScale] = saved;
      return tf.mul(tf.fill(perPosition.shape, 1), tf.mul(dy, savedScale));
    };
    return { value: tf.mul(total, scale), gradFunc };
  });
  return reduce(losses);
}
