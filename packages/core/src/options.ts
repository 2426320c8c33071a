import type { Tensor1D } from '@tensorflow/tfjs-core';

import { InvalidArgumentError, describeValue } from './errors.js';
import type { SmoothingMode } from './kernel_names.js';

/** Combination of the per-position losses, as in PyTorch's `reduction` argument. */
export type Reduction = 'mean' | 'sum' | 'none';

/**
 * Options of the loss. Each maps to an argument of PyTorch's
 * `torch.nn.functional.cross_entropy`, except `smoothingMode` and `classAxis`.
 */
export interface LabelSmoothingOptions {
  /**
   * Smoothing ε in [0, 1]: the share of target mass moved off the labels
   * (PyTorch `label_smoothing`). Default 0.1.
   */
  smoothing?: number;
  /**
   * `'uniform'` (default; PyTorch, Keras, tf.losses) gives every class `ε/C`, the
   * target included. `'non-target'` (fairseq, Megatron-LM, NeMo) keeps `1 - ε`
   * on the target and gives each other class `ε/(C - 1)`; it needs C >= 2.
   * PyTorch has no equivalent of `'non-target'`.
   */
  smoothingMode?: SmoothingMode;
  /**
   * Per-class weights of length C (PyTorch `weight`). Each class's term is
   * scaled by its own weight, and `'mean'` with index labels divides by the sum
   * of the target classes' weights. Default: all ones.
   */
  weight?: Tensor1D | number[];
  /**
   * Index label value whose positions contribute nothing to the loss, to the
   * `'mean'` denominator or to the gradient (PyTorch `ignore_index`). Default -100.
   * Not allowed with probability labels.
   */
  ignoreIndex?: number;
  /** `'mean'` (default), `'sum'` or `'none'` (PyTorch `reduction`). */
  reduction?: Reduction;
  /**
   * Axis of the logits that contains the classes. Default -1 (TensorFlow's
   * channels-last layout); 1 gives PyTorch's `(N, C, d1, ...)` layout.
   */
  classAxis?: number;
}

/** Options after validation, with every default filled in. */
export interface ResolvedOptions {
  smoothing: number;
  smoothingMode: SmoothingMode;
  weight: Tensor1D | number[] | undefined;
  ignoreIndex: number;
  /** Whether the caller set `ignoreIndex`; explicit values are invalid with probability labels. */
  ignoreIndexExplicit: boolean;
  reduction: Reduction;
  classAxis: number;
}

/** Default smoothing ε. PyTorch's `label_smoothing` defaults to 0; this library exists to smooth. */
export const DEFAULT_SMOOTHING = 0.1;
/** Default `ignoreIndex`, PyTorch's `ignore_index` default. */
export const DEFAULT_IGNORE_INDEX = -100;

const SMOOTHING_MODES: readonly SmoothingMode[] = ['uniform', 'non-target'];
const REDUCTIONS: readonly Reduction[] = ['mean', 'sum', 'none'];
const KNOWN_OPTIONS = new Set(['smoothing', 'smoothingMode', 'weight', 'ignoreIndex', 'reduction', 'classAxis']);

/**
 * Validates the options that do not depend on the inputs and fills in defaults.
 * `extraOptions` lists further option names the caller accepts (such as
 * `fromLogits` for `labelSmoothingLoss`), so that misspelled names are caught.
 */
export function resolveOptions(
  functionName: string,
  options: LabelSmoothingOptions | undefined,
  extraOptions: readonly string[] = [],
): ResolvedOptions {
  if (options === undefined || options === null) {
    options = {};
  }
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new InvalidArgumentError(functionName, 'options', describeValue(options),
      'an object such as { smoothing: 0.1 }', 'Pass the options as an object, or omit them.');
  }

  for (const name of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(name) && !extraOptions.includes(name)) {
      const known = [...KNOWN_OPTIONS, ...extraOptions].join(', ');
      throw new InvalidArgumentError(functionName, `options.${name}`, 'an unknown option',
        `one of ${known}`, 'Remove it or correct its spelling.');
    }
  }

  const smoothing = options.smoothing ?? DEFAULT_SMOOTHING;
  if (typeof smoothing !== 'number') {
    throw new InvalidArgumentError(functionName, 'options.smoothing', describeValue(smoothing),
      'a number in [0, 1]', 'Convert it first, e.g. Number(config.smoothing).');
  }
  if (!Number.isFinite(smoothing) || smoothing < 0 || smoothing > 1) {
    throw new InvalidArgumentError(functionName, 'options.smoothing', describeValue(smoothing),
      'a finite number in [0, 1]', 'Use 0 for no smoothing; 0.1 is the common choice.');
  }

  const smoothingMode = options.smoothingMode ?? 'uniform';
  if (!SMOOTHING_MODES.includes(smoothingMode)) {
    throw new InvalidArgumentError(functionName, 'options.smoothingMode', describeValue(smoothingMode),
      `'uniform' or 'non-target'`, `Use 'uniform' to match PyTorch.`);
  }

  const reduction = options.reduction ?? 'mean';
  if (!REDUCTIONS.includes(reduction)) {
    throw new InvalidArgumentError(functionName, 'options.reduction', describeValue(reduction),
      `'mean', 'sum' or 'none'`, `Use 'none' to get one loss per position.`);
  }

  const ignoreIndexExplicit = options.ignoreIndex !== undefined;
  const ignoreIndex = options.ignoreIndex ?? DEFAULT_IGNORE_INDEX;
  if (typeof ignoreIndex !== 'number' || !Number.isInteger(ignoreIndex)) {
    throw new InvalidArgumentError(functionName, 'options.ignoreIndex', describeValue(ignoreIndex),
      'an integer', 'Use an integer that no real class uses, such as the default -100.');
  }

  const classAxis = options.classAxis ?? -1;
  if (typeof classAxis !== 'number' || !Number.isInteger(classAxis)) {
    throw new InvalidArgumentError(functionName, 'options.classAxis', describeValue(classAxis),
      'an integer axis such as -1 or 1', 'Use -1 for [..., C] logits or 1 for [N, C, ...] logits.');
  }

  const weight = options.weight;
  if (weight !== undefined && !Array.isArray(weight) && !isTensorLike(weight)) {
    throw new InvalidArgumentError(functionName, 'options.weight', describeValue(weight),
      'a 1-D tensor or an array of C numbers', 'Pass one weight per class, e.g. [1, 2, 0.5].');
  }

  return { smoothing, smoothingMode, weight, ignoreIndex, ignoreIndexExplicit, reduction, classAxis };
}

/**
 * Reports whether a value looks like a tfjs tensor. `instanceof` fails when
 * two copies of tfjs-core are installed.
 */
export function isTensorLike(value: unknown): value is { shape: number[]; dtype: string } {
  return (
    typeof value === 'object' &&
    value !== null &&
    Array.isArray((value as { shape?: unknown }).shape) &&
    typeof (value as { dtype?: unknown }).dtype === 'string' &&
    typeof (value as { dataSync?: unknown }).dataSync === 'function'
  );
}
