import type * as tf from '@tensorflow/tfjs-core';

import { computeLoss } from './ops/label_smoothing_cross_entropy.js';
import { resolveOptions, type LabelSmoothingOptions, type ResolvedOptions } from './options.js';
import type { TensorOrArray } from './validate.js';

/**
 * The loss as a reusable object, like `torch.nn.CrossEntropyLoss`: options
 * are validated once, at construction, and `apply` computes the loss.
 */
export class LabelSmoothingCrossEntropy {
  private readonly resolved: ResolvedOptions;

  constructor(options?: LabelSmoothingOptions) {
    this.resolved = resolveOptions('LabelSmoothingCrossEntropy', options);
  }

  /** Computes the loss; see `labelSmoothingCrossEntropy` for the arguments. */
  apply(logits: TensorOrArray, labels: TensorOrArray): tf.Tensor {
    return computeLoss('LabelSmoothingCrossEntropy.apply', logits, labels, this.resolved, 'auto');
  }
}
