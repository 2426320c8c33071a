import * as tf from '@tensorflow/tfjs-core';

import { customGradient } from './custom_grad.js';
import { InvalidArgumentError, describeValue } from './errors.js';
import { computeLoss } from './ops/label_smoothing_cross_entropy.js';
import { resolveOptions, type LabelSmoothingOptions } from './options.js';

/** Options of `labelSmoothingLoss`: the loss options plus how to read the model's outputs. */
export interface LabelSmoothingLossOptions extends LabelSmoothingOptions {
  /**
   * `true` (default) when the model outputs logits; `false` when it outputs
   * probabilities from a softmax, whose logarithms are then used as logits.
   * Nothing is clipped, so a zero probability under positive target mass
   * gives an infinite loss. Logits are more accurate and faster.
   */
  fromLogits?: boolean;
}

/**
 * Returns a loss function for tfjs-layers' `model.compile({ loss })`, called
 * as `(yTrue, yPred)`.
 *
 * `reduction` defaults to `'none'` here, unlike the other entry points:
 * tfjs-layers averages the per-sample losses itself and applies `sampleWeight`
 * to them. With the one-hot `yTrue` that tfjs-layers passes, the result equals
 * `reduction: 'mean'`.
 */
export function labelSmoothingLoss(options?: LabelSmoothingLossOptions): (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor {
  const functionName = 'labelSmoothingLoss';
  const fromLogits = options?.fromLogits ?? true;
  if (typeof fromLogits !== 'boolean') {
    throw new InvalidArgumentError(functionName, 'options.fromLogits', describeValue(fromLogits),
      'true or false', 'Use true when the last layer has no softmax activation.');
  }
  const lossOptions: LabelSmoothingOptions = { reduction: 'none', ...options };
  delete (lossOptions as LabelSmoothingLossOptions).fromLogits;
  const resolved = resolveOptions(functionName, lossOptions);

  return (yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor => {
    if (fromLogits) {
      return computeLoss(functionName, yPred, yTrue, resolved, 'auto');
    }
    return tf.tidy(() => computeLoss(functionName, logOfProbabilities(yPred), yTrue, resolved, 'auto'));
  };
}

/**
 * `log(p)` with a gradient that does not need tfjs-core's registered `Log`
 * gradient: `dy / p`, and 0 where `dy` is 0 so that zero-probability classes
 * with no target mass do not produce 0/0.
 */
const logOfProbabilities = customGradient((probabilities: tf.Tensor, save: tf.GradSaveFunc) => {
  save([probabilities]);
  return {
    value: tf.log(probabilities),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [savedProbabilities] = saved;
      return tf.where(tf.equal(dy, 0), tf.zerosLike(dy), tf.div(dy, savedProbabilities));
    },
  };
});
