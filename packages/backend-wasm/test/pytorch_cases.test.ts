/**
 * The loss on the wasm backend, through the public API, against the float64
 * PyTorch 1.13 reference cases of the conformance suite
 * (apps/conformance/cases/cases.json): every reduction, the logits' gradient
 * and, for probability labels, the labels' gradient.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { beforeAll, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { hasFusedKernels, labelSmoothingCrossEntropy, type LabelSmoothingOptions, type Reduction } from '@label-smoothing/core';

import { firstMismatch, useWasmBackend } from './helpers.js';

type EncodedNumber = number | 'NaN' | 'Infinity' | '-Infinity';

interface EncodedTensor {
  shape: number[];
  values: EncodedNumber[];
  dtype?: 'int32' | 'float32';
}

interface EncodedCase {
  name: string;
  logits: EncodedTensor;
  labels: EncodedTensor;
  options: Omit<LabelSmoothingOptions, 'weight'> & { weight?: EncodedNumber[] };
  upstream: EncodedTensor;
  expected: {
    none: EncodedTensor;
    mean: EncodedNumber;
    sum: EncodedNumber;
    logitsGradient: Record<Reduction, EncodedNumber[]>;
    labelsGradient?: Record<Reduction, EncodedNumber[]>;
  };
}

const CASES_FILE = fileURLToPath(new URL('../../../apps/conformance/cases/cases.json', import.meta.url));

// Float32 storage against float64 expectations, as in the conformance suite.
const LOSS_TOLERANCE = { absolute: 1e-6, relative: 1e-5 };
const GRADIENT_TOLERANCE = { absolute: 1e-6, relative: 1e-6 };

function decode(value: EncodedNumber): number {
  switch (value) {
    case 'NaN':
      return NaN;
    case 'Infinity':
      return Infinity;
    case '-Infinity':
      return -Infinity;
    default:
      return value;
  }
}

function toTensor(encoded: EncodedTensor): tf.Tensor {
  const values = encoded.values.map(decode);
  return encoded.dtype === 'int32'
    ? tf.tensor(Int32Array.from(values), encoded.shape, 'int32')
    : tf.tensor(Float32Array.from(values), encoded.shape, 'float32');
}

const cases: EncodedCase[] = existsSync(CASES_FILE) ? JSON.parse(readFileSync(CASES_FILE, 'utf8')).cases : [];

beforeAll(useWasmBackend);

test('reference cases are present', () => {
  expect(cases.length, `no cases in ${CASES_FILE}`).toBeGreaterThan(0);
  expect(hasFusedKernels('wasm')).toBe(true);
});

const table = cases.flatMap((testCase) =>
  (['none', 'mean', 'sum'] as const).map((reduction) => ({ name: testCase.name, reduction, testCase })));

test.for(table)('wasm: $name, $reduction', ({ reduction, testCase }) => {
  const tensorsBefore = tf.memory().numTensors;
  const logits = toTensor(testCase.logits);
  const labels = toTensor(testCase.labels);
  const upstream = toTensor(testCase.upstream);
  const isProbability = labels.shape.length === logits.shape.length && labels.shape.every((s, i) => s === logits.shape[i]);
  const { weight, ...rest } = testCase.options;
  const options: LabelSmoothingOptions = { ...(weight === undefined ? rest : { ...rest, weight: weight.map(decode) }), reduction };
  const expectedLoss = reduction === 'none' ? testCase.expected.none.values.map(decode) : [decode(testCase.expected[reduction])];

  const loss = labelSmoothingCrossEntropy(logits, labels, options);
  expect(firstMismatch(loss.dataSync(), expectedLoss, LOSS_TOLERANCE.absolute, LOSS_TOLERANCE.relative), 'loss')
    .toBeUndefined();
  loss.dispose();

  const dy = reduction === 'none' ? upstream : undefined;
  const expectedLogitsGradient = testCase.expected.logitsGradient[reduction].map(decode);
  if (isProbability) {
    const [dLogits, dLabels] = tf.grads((x: tf.Tensor, t: tf.Tensor) => labelSmoothingCrossEntropy(x, t, options))([logits, labels], dy);
    expect(firstMismatch(dLogits.dataSync(), expectedLogitsGradient, GRADIENT_TOLERANCE.absolute, GRADIENT_TOLERANCE.relative),
      "logits' gradient").toBeUndefined();
    if (testCase.expected.labelsGradient) {
      expect(firstMismatch(dLabels.dataSync(), testCase.expected.labelsGradient[reduction].map(decode),
        GRADIENT_TOLERANCE.absolute, GRADIENT_TOLERANCE.relative), "labels' gradient").toBeUndefined();
    }
    tf.dispose([dLogits, dLabels]);
  } else {
    const dLogits = tf.grad((x: tf.Tensor) => labelSmoothingCrossEntropy(x, labels, options))(logits, dy);
    expect(firstMismatch(dLogits.dataSync(), expectedLogitsGradient, GRADIENT_TOLERANCE.absolute, GRADIENT_TOLERANCE.relative),
      "logits' gradient").toBeUndefined();
    dLogits.dispose();
  }

  tf.dispose([logits, labels, upstream]);
  expect(tf.memory().numTensors, 'tensors leaked').toBe(tensorsBefore);
});
