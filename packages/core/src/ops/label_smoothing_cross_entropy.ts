import * as tf from '@tensorflow/tfjs-core';

import { compositeLosses, type PerPositionLosses } from '../composite.js';
import {
  LabelSmoothingForward,
  type LabelSmoothingAttrs,
  type LabelSmoothingForwardInputs,
} from '../kernel_names.js';
import { resolveOptions, type LabelSmoothingOptions, type ResolvedOptions } from '../options.js';
import { hasFusedKernels } from '../register.js';
import { reduceLosses } from '../reduce.js';
import { prepareInputs, type TensorOrArray } from '../validate.js';

/**
 * Which implementation computes the loss: the backend's fused kernels when
 * registered (`'auto'`), the fused kernels or an error (`'fused'`), or the
 * composite of tfjs ops (`'composite'`).
 */
export type Implementation = 'auto' | 'fused' | 'composite';

/**
 * Computes cross-entropy with label smoothing, matching PyTorch's
 * `F.cross_entropy(input, target, weight, ignore_index=-100, reduction='mean',
 * label_smoothing)` number for number.
 *
 * For index label `y`, with `lp = logSoftmax(logits)` along the class axis,
 * `ℓ = (1 - ε)·w_y·(-lp_y) + (ε/C)·Σ_c w_c·(-lp_c)`. For probability labels
 * `t`, `ℓ = -Σ_c w_c·q_c·lp_c` with `q = (1 - ε)·t + ε/C`.
 *
 * @param logits Unnormalized float32 scores, rank >= 1, classes on `options.classAxis`.
 * @param labels Class indices with the logits' shape minus the class axis
 *   (int32, or float32 whole numbers), or float32 probabilities with the logits' shape.
 * @param options Smoothing, weights, ignore index, reduction and class axis.
 * @returns A scalar for `'mean'` and `'sum'`, or one loss per position for `'none'`.
 * @throws InvalidArgumentError before any kernel runs, naming the argument, the value and the fix.
 */
export function labelSmoothingCrossEntropy(
  logits: TensorOrArray,
  labels: TensorOrArray,
  options?: LabelSmoothingOptions,
): tf.Tensor {
  const functionName = 'labelSmoothingCrossEntropy';
  return computeLoss(functionName, logits, labels, resolveOptions(functionName, options), 'auto');
}

/**
 * Computes the same loss as `labelSmoothingCrossEntropy` with a chosen
 * implementation, for comparing the fused kernels with the composite fallback.
 */
export function labelSmoothingCrossEntropyWith(
  implementation: Implementation,
  logits: TensorOrArray,
  labels: TensorOrArray,
  options?: LabelSmoothingOptions,
): tf.Tensor {
  const functionName = 'labelSmoothingCrossEntropyWith';
  if (implementation !== 'auto' && implementation !== 'fused' && implementation !== 'composite') {
    throw new Error(`${functionName}: invalid implementation '${String(implementation)}'; expected 'auto', 'fused' or 'composite'.`);
  }
  return computeLoss(functionName, logits, labels, resolveOptions(functionName, options), implementation);
}

/** Validates, computes per-position losses with the chosen implementation, then reduces. */
export function computeLoss(
  functionName: string,
  logitsInput: TensorOrArray,
  labelsInput: TensorOrArray,
  options: ResolvedOptions,
  implementation: Implementation,
): tf.Tensor {
  const useFused = implementation === 'fused' || (implementation === 'auto' && hasFusedKernels());
  if (implementation === 'fused' && !hasFusedKernels()) {
    throw new Error(
      `${functionName}: no fused kernels are registered for backend '${tf.getBackend()}'. ` +
        `Import the matching @label-smoothing/backend-* package, or use implementation 'auto'.`,
    );
  }

  return tf.tidy(() => {
    const prepared = prepareInputs(functionName, logitsInput, labelsInput, options);
    const attrs: LabelSmoothingAttrs = {
      smoothing: options.smoothing,
      smoothingMode: options.smoothingMode,
      ignoreIndex: options.ignoreIndex,
      labelsKind: prepared.labelsKind,
      classAxis: prepared.classAxis,
    };

    let perPosition: PerPositionLosses;
    if (useFused) {
      const inputs: LabelSmoothingForwardInputs = {
        logits: prepared.logits,
        labels: prepared.labels,
        weight: prepared.weight,
      };
      const [losses, , , targetWeight] = tf.engine().runKernel(
        LabelSmoothingForward,
        inputs as unknown as tf.NamedTensorMap,
        attrs as unknown as tf.NamedAttrMap,
      ) as tf.Tensor[];
      perPosition = { losses, targetWeight };
    } else {
      perPosition = compositeLosses(prepared.logits, prepared.labels, prepared.weight, attrs, prepared.layout);
    }

    if (options.reduction === 'none') {
      return perPosition.losses;
    }
    return reduceLosses(perPosition.losses, perPosition.targetWeight, options.reduction);
  });
}
