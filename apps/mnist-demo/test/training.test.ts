import * as tf from '@tensorflow/tfjs-core';
import { hasFusedKernels } from '@label-smoothing/core';
import { beforeAll, describe, expect, it } from 'vitest';

import { activateBackend, type BackendInfo } from '../src/backend.js';
import { CLASS_COUNT, loadMnistSplit, PIXEL_COUNT, type DigitSet } from '../src/data.js';
import { compileModel, createModel, predictLogits, trainModel, type TrainingSettings } from '../src/train.js';

const settings: TrainingSettings = { smoothing: 0.1, epochs: 1, batchSize: 32, learningRate: 0.001, hiddenUnits: 32, seed: 5 };

/**
 * Mean label-smoothed cross-entropy computed in float64 from the model's
 * logits, independently of @label-smoothing/core:
 * ℓ = -Σ_c q_c·ln softmax(x)_c with q = (1 - ε)·onehot(y) + ε / C.
 */
function referenceLoss(logits: Float32Array, labels: Int32Array, smoothing: number): number {
  let total = 0;
  for (let row = 0; row < labels.length; row++) {
    const x = Array.from(logits.subarray(row * CLASS_COUNT, (row + 1) * CLASS_COUNT));
    const max = Math.max(...x);
    const logSumExp = max + Math.log(x.reduce((sum, value) => sum + Math.exp(value - max), 0));
    for (let c = 0; c < CLASS_COUNT; c++) {
      const target = (c === labels[row] ? 1 - smoothing : 0) + smoothing / CLASS_COUNT;
      total -= target * (x[c] - logSumExp);
    }
  }
  return total / labels.length;
}

async function evaluateLoss(model: ReturnType<typeof createModel>, set: DigitSet): Promise<number> {
  const images = tf.tensor2d(set.images, [set.count, PIXEL_COUNT]);
  const targets = tf.tidy(() => tf.oneHot(tf.tensor1d(set.labels, 'int32'), CLASS_COUNT).toFloat());
  const [loss] = model.evaluate(images, targets, { batchSize: 100 }) as tf.Scalar[];
  const value = (await loss.data())[0];
  tf.dispose([images, targets, loss]);
  return value;
}

describe.each(['cpu', 'wasm'] as const)('training on the %s backend', (backendName) => {
  let backend: BackendInfo;
  const { train } = loadMnistSplit(300, 1, 11);

  beforeAll(async () => {
    backend = await activateBackend(backendName);
  });

  it('activates the backend', () => {
    expect(tf.getBackend()).toBe(backendName);
    expect(backend.backend).toBe(backendName);
  });

  it('reports the loss implementation', () => {
    // The wasm kernels come from a separate package, so either implementation is valid there.
    const expected = backendName === 'cpu' || hasFusedKernels('wasm') ? 'fused' : 'composite';
    expect(backend.lossImplementation).toBe(expected);
    expect(backend.notice === null).toBe(expected === 'fused');
  });

  it('starts from the same weights for the same seed', () => {
    const first = createModel(settings.seed, settings.hiddenUnits);
    const second = createModel(settings.seed, settings.hiddenUnits);
    const firstWeights = first.getWeights().map((weight) => weight.dataSync());
    const secondWeights = second.getWeights().map((weight) => weight.dataSync());
    expect(secondWeights).toEqual(firstWeights);
    first.dispose();
    second.dispose();
  });

  it('lowers the smoothed loss in one epoch', async () => {
    const model = createModel(settings.seed, settings.hiddenUnits);
    compileModel(model, settings.smoothing, settings.learningRate);

    const before = await evaluateLoss(model, train);
    const referenceBefore = referenceLoss(await predictLogits(model, train), train.labels, settings.smoothing);
    const history = await trainModel(model, train, settings);
    const after = await evaluateLoss(model, train);
    const referenceAfter = referenceLoss(await predictLogits(model, train), train.labels, settings.smoothing);

    expect(before).toBeCloseTo(referenceBefore, 4);
    expect(after).toBeCloseTo(referenceAfter, 4);
    expect(history).toHaveLength(1);
    expect(after).toBeLessThan(before - 0.1);
    model.optimizer?.dispose();
    model.dispose();
  });
});
