/**
 * Invalid and surprising inputs on the active backend, as a table. Each
 * invalid one must throw InvalidArgumentError naming the argument and the
 * value received, without leaking a tensor. Each surprising but valid one
 * must give the reference's values.
 *
 * Label and weight values inside tensors can be checked only where the
 * backend reads tensors without a GPU download (cpu, wasm). Elsewhere core
 * checks shapes and dtypes only, and the kernels turn a position whose label
 * is not a class index into NaN; the table says which cases those are.
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError, labelSmoothingCrossEntropy, type LabelSmoothingOptions } from '@label-smoothing/core';

import type { CheckResult } from '../checks.js';
import { referenceLosses, referenceReduce } from '../reference.js';
import { compareValues, type Tolerance } from '../tolerances.js';
import { compared, describeError, expectThat, guarded } from './check_results.js';

export const INVALID_INPUTS_GROUP = 'invalid-inputs';

/** Backends whose tensor values core reads before any kernel runs (`valuesAreHostReadable` in core). */
const HOST_READABLE_BACKENDS = ['cpu', 'wasm'];

/** Logits or labels as a caller passes them. */
type Input = tf.Tensor | tf.TensorLike;

export interface InvalidInputCase {
  name: string;
  logits: () => Input;
  labels: () => Input;
  /** Built per call, because it may hold a tensor. */
  options: () => unknown;
  /** The argument the error must name, e.g. `options.smoothing`. */
  argument: string;
  /** Text of the received value that the message must contain. */
  received: string;
  /**
   * Set when only the values inside a tensor are wrong: on backends that
   * cannot read them, the call succeeds and these positions of the `'none'`
   * losses are NaN while the others are finite.
   */
  nanPositions?: number[];
}

const logits2x3 = () => tf.tensor2d([[1, 2, 3], [0, 0, 1]]);
const indexLabels = () => tf.tensor1d([0, 2], 'int32');

/** Every validation error, including values users pass by mistake. */
export const INVALID_INPUT_CASES: readonly InvalidInputCase[] = [
  { name: 'smoothing from a config file', logits: logits2x3, labels: indexLabels, options: () => ({ smoothing: '0.1' }), argument: 'options.smoothing', received: '"0.1"' },
  { name: 'smoothing above 1', logits: logits2x3, labels: indexLabels, options: () => ({ smoothing: 1.5 }), argument: 'options.smoothing', received: '1.5' },
  { name: 'smoothing negative', logits: logits2x3, labels: indexLabels, options: () => ({ smoothing: -0.1 }), argument: 'options.smoothing', received: '-0.1' },
  { name: 'smoothing NaN', logits: logits2x3, labels: indexLabels, options: () => ({ smoothing: NaN }), argument: 'options.smoothing', received: 'NaN' },
  { name: 'unknown smoothing mode', logits: logits2x3, labels: indexLabels, options: () => ({ smoothingMode: 'fairseq' }), argument: 'options.smoothingMode', received: '"fairseq"' },
  { name: 'unknown reduction', logits: logits2x3, labels: indexLabels, options: () => ({ reduction: 'avg' }), argument: 'options.reduction', received: '"avg"' },
  { name: 'misspelled option', logits: logits2x3, labels: indexLabels, options: () => ({ labelSmoothing: 0.1 }), argument: 'options.labelSmoothing', received: 'unknown option' },
  { name: 'options not an object', logits: logits2x3, labels: indexLabels, options: () => 0.1, argument: 'options', received: '0.1' },
  { name: 'fractional ignoreIndex', logits: logits2x3, labels: indexLabels, options: () => ({ ignoreIndex: 0.5 }), argument: 'options.ignoreIndex', received: '0.5' },
  { name: 'classAxis out of range', logits: logits2x3, labels: indexLabels, options: () => ({ classAxis: 2 }), argument: 'options.classAxis', received: '2' },
  { name: 'classAxis fractional', logits: logits2x3, labels: indexLabels, options: () => ({ classAxis: 0.5 }), argument: 'options.classAxis', received: '0.5' },
  { name: 'weight array too short', logits: logits2x3, labels: indexLabels, options: () => ({ weight: [1, 2] }), argument: 'options.weight', received: '[1,2]' },
  { name: 'weight array with Infinity', logits: logits2x3, labels: indexLabels, options: () => ({ weight: [1, Infinity, 1] }), argument: 'options.weight', received: 'Infinity at class 1' },
  { name: 'weight as a 2-D tensor', logits: logits2x3, labels: indexLabels, options: () => ({ weight: tf.tensor2d([[1, 2, 3]]) }), argument: 'options.weight', received: 'shape [1, 3]' },
  { name: 'weight as a string', logits: logits2x3, labels: indexLabels, options: () => ({ weight: '1,2,3' }), argument: 'options.weight', received: '"1,2,3"' },
  {
    name: 'weight tensor with NaN', logits: logits2x3, labels: indexLabels, options: () => ({ weight: tf.tensor1d([1, NaN, 1]) }),
    argument: 'options.weight', received: 'NaN at class 1', nanPositions: [0, 1],
  },
  {
    name: 'label of -1', logits: logits2x3, labels: () => tf.tensor1d([-1, 0], 'int32'), options: () => ({}),
    argument: 'labels', received: '-1 at position [0]', nanPositions: [0],
  },
  {
    name: 'label equal to C', logits: logits2x3, labels: () => tf.tensor1d([0, 3], 'int32'), options: () => ({}),
    argument: 'labels', received: '3 at position [1]', nanPositions: [1],
  },
  {
    name: 'fractional float label', logits: logits2x3, labels: () => tf.tensor1d([0, 1.5]), options: () => ({}),
    argument: 'labels', received: '1.5 at position [1]', nanPositions: [1],
  },
  {
    name: 'one-hot labels, one class too many', logits: logits2x3, labels: () => tf.tidy(() => tf.oneHot(tf.tensor1d([0, 2], 'int32'), 4)),
    options: () => ({}), argument: 'labels', received: 'shape [2, 4]',
  },
  {
    name: 'one-hot labels with indices expected', logits: () => tf.zeros([2, 3, 4]), labels: () => tf.tidy(() => tf.oneHot(tf.tensor1d([0, 2], 'int32'), 3)),
    options: () => ({ classAxis: 1 }), argument: 'labels', received: 'shape [2, 3]',
  },
  { name: 'labels fitting neither shape', logits: logits2x3, labels: () => tf.tensor2d([[1, 0], [0, 1]]), options: () => ({}), argument: 'labels', received: 'shape [2, 2]' },
  {
    name: 'ignoreIndex with probabilities', logits: logits2x3, labels: () => tf.tensor2d([[1, 0, 0], [0, 0, 1]]),
    options: () => ({ ignoreIndex: -100 }), argument: 'options.ignoreIndex', received: '-100',
  },
  {
    name: 'non-target with one class', logits: () => tf.tensor2d([[1], [2]]), labels: () => tf.tensor1d([0, 0], 'int32'),
    options: () => ({ smoothingMode: 'non-target' }), argument: 'options.smoothingMode', received: 'C = 1',
  },
  { name: 'rank-0 logits', logits: () => tf.scalar(1), labels: () => tf.scalar(0, 'int32'), options: () => ({}), argument: 'logits', received: 'shape []' },
  { name: 'int32 logits', logits: () => tf.tensor2d([[1, 2]], undefined, 'int32'), labels: () => tf.tensor1d([0], 'int32'), options: () => ({}), argument: 'logits', received: 'int32 tensor' },
  { name: 'zero classes', logits: () => tf.zeros([2, 0]), labels: () => tf.tensor1d([0, 0], 'int32'), options: () => ({}), argument: 'logits', received: 'shape [2, 0]' },
  { name: 'ragged logits array', logits: () => [[1, 2], [3]], labels: () => [0, 0], options: () => ({}), argument: 'logits', received: 'array' },
  { name: 'bool labels', logits: logits2x3, labels: () => tf.tensor1d([true, false], 'bool'), options: () => ({}), argument: 'labels', received: 'bool tensor' },
];

function tensorsIn(...values: unknown[]): tf.Tensor[] {
  const tensors: tf.Tensor[] = [];
  for (const value of values) {
    if (value instanceof tf.Tensor) {
      tensors.push(value);
    } else if (value && typeof value === 'object' && (value as { weight?: unknown }).weight instanceof tf.Tensor) {
      tensors.push((value as { weight: tf.Tensor }).weight);
    }
  }
  return tensors;
}

/** Checks one invalid input: the error where values are readable, NaN positions elsewhere. */
function checkInvalidInput(testCase: InvalidInputCase): CheckResult[] {
  const caseName = testCase.name;
  const group = INVALID_INPUTS_GROUP;
  return guarded(caseName, group, 'run', () => {
    const logits = testCase.logits();
    const labels = testCase.labels();
    const options = testCase.options();
    const inputs = tensorsIn(logits, labels, options);
    const before = tf.memory().numTensors;
    const results: CheckResult[] = [];

    try {
      if (testCase.nanPositions && !HOST_READABLE_BACKENDS.includes(tf.getBackend())) {
        const losses = labelSmoothingCrossEntropy(logits, labels, { ...(options as LabelSmoothingOptions), reduction: 'none' });
        const values = Array.from(losses.dataSync());
        losses.dispose();
        const wrong = values.filter((value, position) =>
          testCase.nanPositions!.includes(position) ? !Number.isNaN(value) : !Number.isFinite(value));
        results.push(expectThat(caseName, group, 'nan-where-invalid', wrong.length === 0,
          `expected NaN exactly at positions [${testCase.nanPositions.join(', ')}], got [${values.join(', ')}]`));
      } else {
        let caught: unknown;
        try {
          labelSmoothingCrossEntropy(logits, labels, options as LabelSmoothingOptions).dispose();
        } catch (error) {
          caught = error;
        }
        results.push(...checkError(caseName, testCase, caught));
      }
      const leaked = tf.memory().numTensors - before;
      results.push(expectThat(caseName, group, 'no-leak', leaked === 0, `${leaked} tensor(s) leaked`));
    } finally {
      tf.dispose(inputs);
    }
    return results;
  });
}

function checkError(caseName: string, testCase: InvalidInputCase, caught: unknown): CheckResult[] {
  const group = INVALID_INPUTS_GROUP;
  if (!(caught instanceof InvalidArgumentError)) {
    return [expectThat(caseName, group, 'error-type', false,
      caught === undefined ? 'did not throw' : `threw ${describeError(caught)}, not InvalidArgumentError`)];
  }
  const message = caught.message;
  return [
    expectThat(caseName, group, 'error-type', true, ''),
    expectThat(caseName, group, 'error-argument', caught.argument === testCase.argument,
      `argument field is ${caught.argument}, expected ${testCase.argument}`),
    expectThat(caseName, group, 'message-names-argument', message.includes(`invalid ${testCase.argument}`),
      `message does not name ${testCase.argument}: ${message}`),
    expectThat(caseName, group, 'message-names-value', message.includes(testCase.received),
      `message does not contain ${testCase.received}: ${message}`),
    expectThat(caseName, group, 'message-has-fix', caught.fix.length > 0 && message.endsWith(caught.fix),
      `message ends without a fix: ${message}`),
  ];
}

/**
 * Valid inputs that look like mistakes. Each compares the loss with the
 * float64 reference (or with the same loss from int32 labels).
 */
function checkSurprisingButValid(tolerance: Tolerance): CheckResult[] {
  const group = INVALID_INPUTS_GROUP;
  const logitsValues = [[1, 2, 3], [0, 0, 1], [2, -1, 0.5]];
  const shape = [3, 3];
  const flatLogits = logitsValues.flat();
  const referenceMean = (labels: number[], labelsKind: 'index' | 'probability', smoothing: number) =>
    referenceReduce(referenceLosses({
      shape, classAxis: -1, logits: flatLogits, labels, labelsKind, smoothing, smoothingMode: 'uniform', ignoreIndex: -100,
    }), 'mean');
  const meanOf = (labels: Input, options: LabelSmoothingOptions = {}) => tf.tidy(() =>
    labelSmoothingCrossEntropy(tf.tensor2d(logitsValues), labels, { smoothing: 0.1, ...options }).dataSync()[0]);
  const results: CheckResult[] = [];

  results.push(...guarded('float labels of whole numbers', group, 'loss:mean', () => {
    const labels = tf.tensor1d([0, 2, 1]);
    const value = meanOf(labels);
    labels.dispose();
    return [compared('float labels of whole numbers', group, 'loss:mean',
      compareValues([value], [referenceMean([0, 2, 1], 'index', 0.1)], tolerance.loss))];
  }));

  results.push(...guarded('labels as a plain array', group, 'loss:mean', () => [
    compared('labels as a plain array', group, 'loss:mean',
      compareValues([meanOf([0, 2, 1])], [referenceMean([0, 2, 1], 'index', 0.1)], tolerance.loss)),
  ]));

  results.push(...guarded('int32 one-hot labels', group, 'loss:mean', () => {
    // One-hot labels of the logits' shape are probabilities; without weights
    // their mean equals that of the index labels.
    const oneHot = tf.tidy(() => tf.oneHot(tf.tensor1d([0, 2, 1], 'int32'), 3));
    const value = meanOf(oneHot);
    oneHot.dispose();
    return [compared('int32 one-hot labels', group, 'loss:mean',
      compareValues([value], [referenceMean([0, 2, 1], 'index', 0.1)], tolerance.loss))];
  }));

  results.push(...guarded('probabilities not summing to one', group, 'loss:mean', () => {
    const probabilities = [0.5, 0.75, 0, 0, 0, 0.25, 2, 0, 1];
    const labels = tf.tensor2d(probabilities, [3, 3]);
    const value = meanOf(labels);
    labels.dispose();
    return [compared('probabilities not summing to one', group, 'loss:mean',
      compareValues([value], [referenceMean(probabilities, 'probability', 0.1)], tolerance.loss))];
  }));
  return results;
}

/** Runs every invalid-input and surprising-input case on the active backend. */
export function checkInvalidInputs(tolerance: Tolerance): CheckResult[] {
  return [
    ...INVALID_INPUT_CASES.flatMap((testCase) => checkInvalidInput(testCase)),
    ...checkSurprisingButValid(tolerance),
  ];
}
