/**
 * The kernel contract between core and every backend package.
 *
 * Core validates and normalizes all arguments, then calls these kernels with
 * `runKernel`. A backend package implements both kernels for one tfjs backend
 * and registers them with `registerLabelSmoothingKernels`, which checks
 * `KERNEL_CONTRACT_VERSION`.
 *
 * Layout: kernels receive the logits in the caller's shape and view them as
 * `[outerSize, numClasses, innerSize]` around `attrs.classAxis` (see
 * `classAxisLayout`), so no transpose is ever needed. A "position" is one
 * `(outer, inner)` pair, and `positionsShape` is the logits' shape without the
 * class axis.
 */
import type { NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';

/**
 * Version of the contract below. Bump it on any change to inputs, attrs,
 * outputs or semantics, so an outdated backend package fails at registration
 * instead of computing something else.
 */
export const KERNEL_CONTRACT_VERSION = 1;

/** Forward kernel: per-position losses plus what the reduction and backward need. */
export const LabelSmoothingForward = 'LabelSmoothingCrossEntropy';

/** Backward kernel: the logits' gradient from the saved row statistics; never stores the softmax. */
export const LabelSmoothingBackward = 'LabelSmoothingCrossEntropyGrad';

/** Rule that spreads the smoothing mass over the classes. */
export type SmoothingMode = 'uniform' | 'non-target';

/** Form of the labels: class indices, or a distribution over classes per position. */
export type LabelsKind = 'index' | 'probability';

/** Inputs of the forward kernel. */
export interface LabelSmoothingForwardInputs extends NamedTensorInfoMap {
  /** float32, any rank >= 1, classes on `attrs.classAxis`. */
  logits: TensorInfo;
  /**
   * For `labelsKind: 'index'`, int32 with `positionsShape`, each value in
   * `[0, numClasses)` or equal to `ignoreIndex`; for `'probability'`, float32
   * with the logits' shape.
   */
  labels: TensorInfo;
  /** float32 `[numClasses]`, always present: core passes ones when the caller gave no class weights. */
  weight: TensorInfo;
}

/**
 * Attributes of both kernels. Core has already validated every value, and
 * `classAxis` is non-negative.
 */
export interface LabelSmoothingAttrs {
  /** ε in [0, 1]. */
  smoothing: number;
  /** Rule that spreads the smoothing mass over the classes. */
  smoothingMode: SmoothingMode;
  /** Label value that marks a position to skip; only meaningful for index labels. */
  ignoreIndex: number;
  /** Form of `labels`: class indices or probabilities. */
  labelsKind: LabelsKind;
  /** Axis of the logits that contains the classes, in `[0, rank)`. */
  classAxis: number;
}

/**
 * Outputs of the forward kernel, in this order, each float32 with `positionsShape`:
 *
 * 0. `losses`: the unreduced loss of every position (0 where ignored).
 * 1. `maxLogit`: the maximum logit of every position (NaN skipped).
 * 2. `shiftedLogSumExp`: `log Σ_c exp(x_c - maxLogit)`, in `[0, log C]` for
 *    finite rows. The log-sum-exp is `maxLogit + shiftedLogSumExp`; keeping the
 *    two apart lets the backward kernel form `x_c - maxLogit - shiftedLogSumExp`
 *    without the rounding of a float32 log-sum-exp near 1e4 (about 5e-4).
 * 3. `targetWeight`: the position's share of the `'mean'` denominator:
 *    `weight[label]` for index labels (0 where ignored), 1 for probability labels.
 *
 * Outputs 1 and 2 are saved for the backward kernel; their values at ignored
 * positions are unspecified. Only output 0 carries a gradient.
 */
export type LabelSmoothingForwardOutputs = [
  losses: TensorInfo,
  maxLogit: TensorInfo,
  shiftedLogSumExp: TensorInfo,
  targetWeight: TensorInfo,
];

/** Index of each forward output in the array a forward kernel returns. */
export const FORWARD_OUTPUT = {
  /** Per-position losses. */
  losses: 0,
  /** Row maximum of the logits. */
  maxLogit: 1,
  /** `log Σ_c exp(x_c - maxLogit)`. */
  shiftedLogSumExp: 2,
  /** Share of the `'mean'` denominator. */
  targetWeight: 3,
} as const;

/**
 * Inputs of the backward kernel: the forward inputs plus the upstream
 * gradient and the saved row statistics.
 *
 * Output: float32 with the logits' shape, the gradient with respect to the
 * logits. Ignored positions get exactly 0, whatever their `dy`.
 */
export interface LabelSmoothingBackwardInputs extends LabelSmoothingForwardInputs {
  /**
   * float32 with `positionsShape`: the upstream gradient of each position's
   * loss, with the reduction's scale already applied by core.
   */
  dy: TensorInfo;
  /** Forward output 1. */
  maxLogit: TensorInfo;
  /** Forward output 2, so that `p_c = exp(x_c - maxLogit - shiftedLogSumExp)`. */
  shiftedLogSumExp: TensorInfo;
}
