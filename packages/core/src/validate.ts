import * as tf from '@tensorflow/tfjs-core';

import { InvalidArgumentError, describeValue, formatNumber, formatShape } from './errors.js';
import type { LabelsKind } from './kernel_names.js';
import { classAxisLayout, type ClassAxisLayout } from './layout.js';
import { isTensorLike, type ResolvedOptions } from './options.js';

/** Logits or labels as callers pass them: a tensor, a nested array or, for one sample, a number. */
export type TensorOrArray = tf.Tensor | tf.TensorLike;

/** Inputs after validation, converted to the dtypes and shapes the kernel contract requires. */
export interface PreparedInputs {
  logits: tf.Tensor;
  /** int32 indices with `layout.positionsShape`, or float32 probabilities with the logits' shape. */
  labels: tf.Tensor;
  /** float32 `[numClasses]`; ones when the caller gave no weights. */
  weight: tf.Tensor1D;
  labelsKind: LabelsKind;
  /** The class axis in `[0, rank)`. */
  classAxis: number;
  layout: ClassAxisLayout;
}

/**
 * Backends whose tensors can be read without a GPU download, so label and
 * weight values are checked on the host before any kernel runs. On other
 * backends only shapes and dtypes are checked, and the kernels turn an
 * out-of-range label into NaN.
 */
const HOST_READABLE_BACKENDS = new Set(['cpu', 'wasm', 'tensorflow']);

/** Reports whether tensor values can be read without a GPU download on the current backend. */
export function valuesAreHostReadable(): boolean {
  return HOST_READABLE_BACKENDS.has(tf.getBackend());
}

/**
 * Validates and converts the logits, labels and weights. Must run inside
 * `tf.tidy`: tensors it creates are released by that scope, also when it throws.
 */
export function prepareInputs(
  functionName: string,
  logitsInput: TensorOrArray,
  labelsInput: TensorOrArray,
  options: ResolvedOptions,
): PreparedInputs {
  const logits = prepareLogits(functionName, logitsInput);
  const rank = logits.rank;

  if (options.classAxis < -rank || options.classAxis >= rank) {
    throw new InvalidArgumentError(functionName, 'options.classAxis', formatNumber(options.classAxis),
      `an axis in [${-rank}, ${rank - 1}] for rank-${rank} logits of shape ${formatShape(logits.shape)}`,
      'Use -1 when the classes are the last axis, 1 for PyTorch-style [N, C, ...] logits.');
  }
  const classAxis = options.classAxis < 0 ? options.classAxis + rank : options.classAxis;
  const layout = classAxisLayout(logits.shape, classAxis);

  if (layout.numClasses === 0) {
    throw new InvalidArgumentError(functionName, 'logits', `shape ${formatShape(logits.shape)}`,
      `at least one class on axis ${classAxis}`, 'Check options.classAxis against the logits\' shape.');
  }

  if (options.smoothingMode === 'non-target' && layout.numClasses < 2) {
    throw new InvalidArgumentError(functionName, 'options.smoothingMode', `'non-target' with C = ${layout.numClasses}`,
      'at least 2 classes, because the smoothing mass goes to the C - 1 non-target classes',
      `Use 'uniform', or check options.classAxis (${options.classAxis}) against the logits' shape ${formatShape(logits.shape)}.`);
  }

  const { labels, labelsKind } = prepareLabels(functionName, labelsInput, logits, layout, options);
  const weight = prepareWeight(functionName, options.weight, layout.numClasses);
  return { logits, labels, weight, labelsKind, classAxis, layout };
}

function prepareLogits(functionName: string, input: TensorOrArray): tf.Tensor {
  if (isTensorLike(input)) {
    const logits = input as tf.Tensor;
    if (logits.dtype !== 'float32') {
      throw new InvalidArgumentError(functionName, 'logits', describeValue(logits),
        'a float32 tensor of unnormalized scores', `Cast it with tf.cast(logits, 'float32') if these really are scores.`);
    }
    if (logits.rank === 0) {
      throw new InvalidArgumentError(functionName, 'logits', describeValue(logits),
        'rank >= 1 with the classes on options.classAxis', 'Pass a [C] vector for one sample or [N, C] for a batch.');
    }
    return logits;
  }

  if (typeof input === 'number') {
    throw new InvalidArgumentError(functionName, 'logits', describeValue(input),
      'rank >= 1 with the classes on options.classAxis', 'Pass a [C] vector for one sample or [N, C] for a batch.');
  }
  const logits = tensorFromArray(functionName, 'logits', input, 'float32');
  if (logits.rank === 0) {
    throw new InvalidArgumentError(functionName, 'logits', describeValue(input),
      'rank >= 1 with the classes on options.classAxis', 'Pass a [C] vector for one sample or [N, C] for a batch.');
  }
  return logits;
}

function prepareLabels(
  functionName: string,
  input: TensorOrArray,
  logits: tf.Tensor,
  layout: ClassAxisLayout,
  options: ResolvedOptions,
): { labels: tf.Tensor; labelsKind: LabelsKind } {
  let labels: tf.Tensor;
  if (isTensorLike(input)) {
    labels = input as tf.Tensor;
  } else if (typeof input === 'number') {
    labels = tf.scalar(input, 'float32');
  } else {
    labels = tensorFromArray(functionName, 'labels', input, 'float32');
  }

  if (labels.dtype !== 'float32' && labels.dtype !== 'int32') {
    throw new InvalidArgumentError(functionName, 'labels', describeValue(labels),
      'int32 or float32 class indices, or float32 probabilities', `Cast them with tf.cast(labels, 'int32').`);
  }

  if (tf.util.arraysEqual(labels.shape, logits.shape)) {
    if (options.ignoreIndexExplicit) {
      throw new InvalidArgumentError(functionName, 'options.ignoreIndex', formatNumber(options.ignoreIndex),
        'no ignoreIndex, because the labels have the logits\' shape and so are probabilities',
        'Remove ignoreIndex, or pass class indices of shape ' + `${formatShape(layout.positionsShape)} instead.`);
    }
    return { labels: labels.dtype === 'float32' ? labels : tf.cast(labels, 'float32'), labelsKind: 'probability' };
  }

  if (!tf.util.arraysEqual(labels.shape, layout.positionsShape)) {
    const mismatchedAxes = labels.rank === logits.rank
      ? logits.shape.map((size, axis) => (labels.shape[axis] === size ? -1 : axis)).filter((axis) => axis >= 0)
      : [];
    const classCountHint = mismatchedAxes.length === 1
      ? ` The labels have ${labels.shape[mismatchedAxes[0]]} entries on axis ${mismatchedAxes[0]} where the logits have ${logits.shape[mismatchedAxes[0]]}.`
      : '';
    throw new InvalidArgumentError(functionName, 'labels', `shape ${formatShape(labels.shape)}`,
      `class indices of shape ${formatShape(layout.positionsShape)} (the logits' shape without the class axis) ` +
      `or probabilities of the logits' shape ${formatShape(logits.shape)}`,
      'Check options.classAxis; for one-hot labels pass the full [..., C] tensor, for indices drop the class axis.' +
        classCountHint);
  }

  if (valuesAreHostReadable()) {
    checkIndexValues(functionName, labels, layout.numClasses, options.ignoreIndex);
  } else if (labels.dtype === 'float32') {
    // The values cannot be checked here, and the cast to int32 would truncate
    // a fractional label such as 1.5 to a valid class. It becomes an index
    // that is neither a class nor ignoreIndex, so the kernels make it NaN.
    const invalidIndex = options.ignoreIndex === -1 ? -2 : -1;
    labels = tf.where(tf.equal(labels, tf.round(labels)), labels, tf.fill(labels.shape, invalidIndex, 'float32'));
  }
  return { labels: labels.dtype === 'int32' ? labels : tf.cast(labels, 'int32'), labelsKind: 'index' };
}

/** Checks that every index label is a whole number in [0, C) or the ignore index, and reports the first that is not. */
function checkIndexValues(functionName: string, labels: tf.Tensor, numClasses: number, ignoreIndex: number): void {
  const values = labels.dataSync();
  const isFloat = labels.dtype === 'float32';
  for (let index = 0; index < values.length; index++) {
    const value = values[index];
    if (isFloat && !Number.isInteger(value)) {
      throw new InvalidArgumentError(functionName, 'labels',
        `${formatNumber(value)} at position ${formatPosition(index, labels.shape)}`,
        'whole-number class indices', 'Round them, or pass probabilities with the logits\' shape if these are soft targets.');
    }
    if (value !== ignoreIndex && !(value >= 0 && value < numClasses)) {
      throw new InvalidArgumentError(functionName, 'labels',
        `${formatNumber(value)} at position ${formatPosition(index, labels.shape)}`,
        `a class index in [0, ${numClasses - 1}] or ignoreIndex (${ignoreIndex})`,
        value === -1
          ? 'Negative labels do not count from the end; use options.ignoreIndex to skip positions.'
          : 'Check that the number of classes on options.classAxis matches the labels.');
    }
  }
}

function prepareWeight(functionName: string, input: tf.Tensor1D | number[] | undefined, numClasses: number): tf.Tensor1D {
  if (input === undefined) {
    return tf.ones([numClasses], 'float32') as tf.Tensor1D;
  }

  if (Array.isArray(input)) {
    if (input.length !== numClasses || !input.every((value) => typeof value === 'number')) {
      throw new InvalidArgumentError(functionName, 'options.weight', describeValue(input),
        `an array of ${numClasses} numbers, one per class`, 'Give one weight per class of the logits\' class axis.');
    }
    checkFiniteWeights(functionName, input);
    return tf.tensor1d(input, 'float32');
  }

  const weight = input as tf.Tensor;
  if (weight.rank !== 1 || weight.size !== numClasses || (weight.dtype !== 'float32' && weight.dtype !== 'int32')) {
    throw new InvalidArgumentError(functionName, 'options.weight', describeValue(weight),
      `a 1-D float32 tensor of shape [${numClasses}], one weight per class`,
      weight.rank !== 1 && weight.size === numClasses ? 'Flatten it with weight.reshape([-1]).' :
        'Give one weight per class of the logits\' class axis.');
  }
  if (valuesAreHostReadable()) {
    checkFiniteWeights(functionName, weight.dataSync());
  }
  return (weight.dtype === 'float32' ? weight : tf.cast(weight, 'float32')) as tf.Tensor1D;
}

function checkFiniteWeights(functionName: string, values: ArrayLike<number>): void {
  for (let index = 0; index < values.length; index++) {
    if (!Number.isFinite(values[index])) {
      throw new InvalidArgumentError(functionName, 'options.weight', `${formatNumber(values[index])} at class ${index}`,
        'finite weights', 'Replace non-finite weights, e.g. use 0 to drop a class.');
    }
  }
}

function tensorFromArray(functionName: string, argument: string, input: unknown, dtype: 'float32'): tf.Tensor {
  const ragged = findRaggedness(input, []);
  if (ragged !== undefined) {
    throw new InvalidArgumentError(functionName, argument, describeValue(input),
      'a tensor or a rectangular nested array of numbers', `Make every row the same length (${ragged}).`);
  }
  try {
    return tf.tensor(input as tf.TensorLike, undefined, dtype);
  } catch (error) {
    throw new InvalidArgumentError(functionName, argument, describeValue(input),
      'a tensor or a rectangular nested array of numbers',
      `Fix the array (${error instanceof Error ? error.message : String(error)}).`);
  }
}

/**
 * Describes the first place where a nested array is not rectangular, or
 * returns undefined. tfjs skips this check when its PROD flag is set.
 */
function findRaggedness(value: unknown, path: number[]): string | undefined {
  if (!Array.isArray(value) || value.length === 0 || !Array.isArray(value[0])) {
    return undefined;
  }
  const rowLength = (value[0] as unknown[]).length;
  for (let index = 0; index < value.length; index++) {
    const row = value[index] as unknown;
    if (!Array.isArray(row) || row.length !== rowLength) {
      const where = formatShape([...path, index]);
      return `row ${where} has ${Array.isArray(row) ? row.length : 'no'} entries, row ${formatShape([...path, 0])} has ${rowLength}`;
    }
    const inner = findRaggedness(row, [...path, index]);
    if (inner !== undefined) {
      return inner;
    }
  }
  return undefined;
}

/** Formats a flat index as a multi-dimensional position such as `[1, 0]`. */
function formatPosition(flatIndex: number, shape: readonly number[]): string {
  const position = new Array<number>(shape.length);
  let rest = flatIndex;
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    position[axis] = rest % shape[axis];
    rest = Math.floor(rest / shape[axis]);
  }
  return formatShape(position);
}
