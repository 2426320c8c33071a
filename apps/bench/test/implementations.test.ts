/**
 * The losses the benchmark compares must be the same loss: each
 * implementation on shapes where tf.losses.softmaxCrossEntropy needs help
 * (rank above 2, classes not last), on the cpu backend in this process.
 */
import '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import '@label-smoothing/backend-cpu';
import { beforeAll, describe, expect, test } from 'vitest';

import { createInputs, disposeInputs, lossFunction } from '../src/measure/implementations.js';
import { TFJS_IMPLEMENTATIONS } from '../src/measure/types.js';
import { parseShape } from '../src/shapes.js';

beforeAll(async () => {
  tf.env().set('PROD', true);
  await tf.setBackend('cpu');
});

describe.each(['6x7', '2x3x7', '2x5x3x4:1', '3x4x2:0'])('shape %s', (text) => {
  test.each(TFJS_IMPLEMENTATIONS.filter((implementation) => implementation !== 'fused'))('%s matches fused loss and gradient', (implementation) => {
    const spec = parseShape(text);
    const inputs = createInputs(spec, true);
    try {
      const [fusedLoss, fusedGradient] = tf.tidy(() => {
        const { value, grad } = tf.valueAndGrad(lossFunction('fused', spec, inputs, 0.1))(inputs.logits);
        return [value.dataSync()[0], Array.from(grad.dataSync())];
      });
      const [loss, gradient] = tf.tidy(() => {
        const { value, grad } = tf.valueAndGrad(lossFunction(implementation, spec, inputs, 0.1))(inputs.logits);
        return [value.dataSync()[0], Array.from(grad.dataSync())];
      });

      expect(loss).toBeCloseTo(fusedLoss, 5);
      expect(gradient).toHaveLength(fusedGradient.length);
      const maxDifference = Math.max(...gradient.map((value, index) => Math.abs(value - fusedGradient[index])));
      expect(maxDifference).toBeLessThan(1e-6);
    } finally {
      disposeInputs(inputs);
    }
  });
});

test('inputs are seeded', () => {
  const spec = parseShape('4x5');
  const first = createInputs(spec, false);
  const second = createInputs(spec, false);
  try {
    expect(Array.from(first.logits.dataSync())).toEqual(Array.from(second.logits.dataSync()));
    expect(Array.from(first.labels.dataSync())).toEqual(Array.from(second.labels.dataSync()));
    expect(Math.min(...first.labels.dataSync())).toBeGreaterThanOrEqual(0);
    expect(Math.max(...first.labels.dataSync())).toBeLessThan(5);
  } finally {
    disposeInputs(first);
    disposeInputs(second);
  }
});
