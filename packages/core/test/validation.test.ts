/**
 * Every validation error: its type, that the message names the argument,
 * the received value and a fix, and that no tensor leaks when it is thrown.
 * Runs on the cpu backend without fused kernels, so core's checks are what
 * is tested.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, test } from 'vitest';

import {
  InvalidArgumentError,
  LabelSmoothingCrossEntropy,
  labelSmoothingCrossEntropy,
  labelSmoothingLoss,
  type LabelSmoothingOptions,
} from '../src/index.js';

beforeAll(async () => {
  tf.env().set('PROD', true);
  await tf.setBackend('cpu');
});

interface ErrorCase {
  name: string;
  logits: () => tf.Tensor | tf.TensorLike;
  labels: () => tf.Tensor | tf.TensorLike;
  options: unknown;
  argument: string;
  /** Text the message must contain besides the argument: the received value. */
  received: string;
}

const logits2x3 = () => tf.tensor2d([[1, 2, 3], [0, 0, 1]]);
const indexLabels = () => tf.tensor1d([0, 2], 'int32');

const errorCases: ErrorCase[] = [
  { name: 'smoothing as a string', logits: logits2x3, labels: indexLabels, options: { smoothing: '0.1' }, argument: 'options.smoothing', received: '"0.1"' },
  { name: 'smoothing above 1', logits: logits2x3, labels: indexLabels, options: { smoothing: 1.5 }, argument: 'options.smoothing', received: '1.5' },
  { name: 'smoothing negative', logits: logits2x3, labels: indexLabels, options: { smoothing: -0.1 }, argument: 'options.smoothing', received: '-0.1' },
  { name: 'smoothing NaN', logits: logits2x3, labels: indexLabels, options: { smoothing: NaN }, argument: 'options.smoothing', received: 'NaN' },
  { name: 'unknown smoothing mode', logits: logits2x3, labels: indexLabels, options: { smoothingMode: 'fairseq' }, argument: 'options.smoothingMode', received: '"fairseq"' },
  { name: 'unknown reduction', logits: logits2x3, labels: indexLabels, options: { reduction: 'avg' }, argument: 'options.reduction', received: '"avg"' },
  { name: 'misspelled option', logits: logits2x3, labels: indexLabels, options: { labelSmoothing: 0.1 }, argument: 'options.labelSmoothing', received: 'unknown option' },
  { name: 'fractional ignoreIndex', logits: logits2x3, labels: indexLabels, options: { ignoreIndex: 0.5 }, argument: 'options.ignoreIndex', received: '0.5' },
  { name: 'classAxis out of range', logits: logits2x3, labels: indexLabels, options: { classAxis: 2 }, argument: 'options.classAxis', received: '2' },
  { name: 'classAxis fractional', logits: logits2x3, labels: indexLabels, options: { classAxis: 0.5 }, argument: 'options.classAxis', received: '0.5' },
  { name: 'weight of wrong length', logits: logits2x3, labels: indexLabels, options: { weight: [1, 2] }, argument: 'options.weight', received: '[1,2]' },
  { name: 'weight with Infinity', logits: logits2x3, labels: indexLabels, options: { weight: [1, Infinity, 1] }, argument: 'options.weight', received: 'Infinity at class 1' },
  { name: 'weight as 2-D tensor', logits: logits2x3, labels: indexLabels, options: { weight: tf.tensor2d([[1, 2, 3]]) }, argument: 'options.weight', received: 'shape [1, 3]' },
  { name: 'weight tensor with NaN', logits: logits2x3, labels: indexLabels, options: { weight: tf.tensor1d([1, NaN, 1]) }, argument: 'options.weight', received: 'NaN at class 1' },
  { name: 'label out of range', logits: logits2x3, labels: () => tf.tensor1d([0, 3], 'int32'), options: {}, argument: 'labels', received: '3 at position [1]' },
  { name: 'label of -1', logits: logits2x3, labels: () => tf.tensor1d([-1, 0], 'int32'), options: {}, argument: 'labels', received: '-1 at position [0]' },
  { name: 'fractional float label', logits: logits2x3, labels: () => tf.tensor1d([0, 1.5]), options: {}, argument: 'labels', received: '1.5 at position [1]' },
  { name: 'labels fitting neither shape', logits: logits2x3, labels: () => tf.tensor2d([[1, 0], [0, 1]]), options: {}, argument: 'labels', received: 'shape [2, 2]' },
  { name: 'one-hot labels of wrong class count', logits: logits2x3, labels: () => tf.tensor2d([[1, 0, 0, 0], [0, 1, 0, 0]]), options: {}, argument: 'labels', received: '4 entries on axis 1 where the logits have 3' },
  { name: 'ignoreIndex with probabilities', logits: logits2x3, labels: () => tf.tensor2d([[1, 0, 0], [0, 0, 1]]), options: { ignoreIndex: -100 }, argument: 'options.ignoreIndex', received: '-100' },
  { name: 'non-target with one class', logits: () => tf.tensor2d([[1], [2]]), labels: () => tf.tensor1d([0, 0], 'int32'), options: { smoothingMode: 'non-target' }, argument: 'options.smoothingMode', received: 'C = 1' },
  { name: 'rank-0 logits', logits: () => tf.scalar(1), labels: () => tf.scalar(0, 'int32'), options: {}, argument: 'logits', received: 'shape []' },
  { name: 'int32 logits', logits: () => tf.tensor2d([[1, 2]], undefined, 'int32'), labels: () => tf.tensor1d([0], 'int32'), options: {}, argument: 'logits', received: 'an int32 tensor' },
  { name: 'zero classes', logits: () => tf.zeros([2, 0]), labels: () => tf.tensor1d([0, 0], 'int32'), options: {}, argument: 'logits', received: 'shape [2, 0]' },
  { name: 'ragged logits array', logits: () => [[1, 2], [3]], labels: () => [0, 0], options: {}, argument: 'logits', received: 'array' },
  { name: 'bool labels', logits: logits2x3, labels: () => tf.tensor1d([true, false], 'bool'), options: {}, argument: 'labels', received: 'bool tensor' },
];

describe('validation errors', () => {
  test.each(errorCases.map((c) => [c.name, c] as const))('%s', (_name, errorCase) => {
    const logits = errorCase.logits();
    const labels = errorCase.labels();
    const options = errorCase.options as LabelSmoothingOptions;
    const before = tf.memory().numTensors;

    let caught: unknown;
    try {
      labelSmoothingCrossEntropy(logits, labels, options);
    } catch (error) {
      caught = error;
    }

    expect(caught).toBeInstanceOf(InvalidArgumentError);
    const error = caught as InvalidArgumentError;
    expect(error.argument).toBe(errorCase.argument);
    expect(error.message).toContain(`invalid ${errorCase.argument}`);
    expect(error.message).toContain(errorCase.received);
    expect(error.message).toMatch(/expected .+\. \S/);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([logits, labels].filter((value): value is tf.Tensor => value instanceof tf.Tensor));
    if (options && (options.weight as unknown) instanceof tf.Tensor) {
      (options.weight as tf.Tensor).dispose();
    }
  });

  test('options rejected at construction', () => {
    expect(() => new LabelSmoothingCrossEntropy({ smoothing: 2 })).toThrow(InvalidArgumentError);
    expect(() => labelSmoothingLoss({ fromLogits: 'yes' as unknown as boolean })).toThrow(/options\.fromLogits/);
  });
});

describe('accepted inputs', () => {
  test('float whole-number labels equal int32 labels', () => {
    const logits = tf.tensor2d([[1, 2, 3], [0, 0, 1]]);
    const fromFloat = labelSmoothingCrossEntropy(logits, tf.tensor1d([0, 2]));
    const fromInt = labelSmoothingCrossEntropy(logits, tf.tensor1d([0, 2], 'int32'));
    expect(fromFloat.dataSync()[0]).toBe(fromInt.dataSync()[0]);
    tf.dispose([logits, fromFloat, fromInt]);
  });

  test('ignoreIndex may be a real class id', () => {
    const loss = labelSmoothingCrossEntropy([[1, 2, 3], [0, 0, 1]], [0, 2], { ignoreIndex: 0, reduction: 'none' });
    const values = loss.dataSync();
    expect(values[0]).toBe(0);
    expect(values[1]).toBeGreaterThan(0);
    loss.dispose();
  });

  test('probabilities need not sum to one', () => {
    const loss = labelSmoothingCrossEntropy([[0, 0]], [[2, 0]], { smoothing: 0 });
    // -Σ t·logSoftmax = 2·log 2 for equal logits.
    expect(loss.dataSync()[0]).toBeCloseTo(2 * Math.log(2), 6);
    loss.dispose();
  });

  test('module style equals the function', () => {
    const module = new LabelSmoothingCrossEntropy({ smoothing: 0.2, reduction: 'sum' });
    const a = module.apply([[2, 0.5, -1], [1, 1, 1]], [0, 2]);
    const b = labelSmoothingCrossEntropy([[2, 0.5, -1], [1, 1, 1]], [0, 2], { smoothing: 0.2, reduction: 'sum' });
    expect(a.dataSync()[0]).toBe(b.dataSync()[0]);
    tf.dispose([a, b]);
  });
});
