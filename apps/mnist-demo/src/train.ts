import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { labelSmoothingLoss } from '@label-smoothing/core';
import seedrandom from 'seedrandom';

import { CLASS_COUNT, PIXEL_COUNT, seededPermutation, type DigitSet } from './data.js';

/** Settings of one training run; everything but `smoothing` is shared by the runs that are compared. */
export interface TrainingSettings {
  /** Label smoothing ε in [0, 1]. */
  smoothing: number;
  epochs: number;
  /** Samples per gradient step. */
  batchSize: number;
  /** Adam's step size. */
  learningRate: number;
  /** Width of the hidden dense layer. */
  hiddenUnits: number;
  /** Seeds the initial weights and the order of the batches. */
  seed: number;
}

/** Training-set loss and accuracy of one epoch, as `model.fit` reports them. */
export interface EpochRecord {
  /** Epoch number, from 1. */
  epoch: number;
  /** Mean smoothed loss over the epoch's batches, in nats. */
  loss: number;
  /** Mean accuracy over the epoch's batches. */
  accuracy: number;
  /** Wall-clock duration of the epoch, in seconds. */
  seconds: number;
}

/** Callbacks that show training progress; every member is optional. */
export interface TrainingObserver {
  epochStarted?(epoch: number, batchCount: number): void;
  batchFinished?(batchesDone: number, loss: number, accuracy: number): void;
  epochFinished?(record: EpochRecord): void;
}

/**
 * Builds the 784-128-10 dense classifier. It outputs logits (no softmax),
 * which the loss reads with `fromLogits: true`. The same seed always gives
 * the same initial weights.
 */
export function createModel(seed: number, hiddenUnits: number): tfl.Sequential {
  return tfl.sequential({
    layers: [
      tfl.layers.dense({
        inputShape: [PIXEL_COUNT],
        units: hiddenUnits,
        activation: 'relu',
        kernelInitializer: tfl.initializers.glorotUniform({ seed }),
      }),
      tfl.layers.dense({
        units: CLASS_COUNT,
        kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 1 }),
      }),
    ],
  });
}

/** Compiles `model` with Adam and the label-smoothing loss at `smoothing`. */
export function compileModel(model: tfl.LayersModel, smoothing: number, learningRate: number): void {
  model.compile({
    optimizer: tf.train.adam(learningRate),
    loss: labelSmoothingLoss({ smoothing, fromLogits: true }),
    metrics: ['accuracy'],
  });
}

/**
 * Trains `model` (already compiled) on `train` with `model.fit`, one call per
 * epoch.
 *
 * tfjs-layers 4.22 shuffles with `Math.random`, which cannot be seeded, so
 * each epoch instead gets a permutation drawn from `settings.seed` and
 * `model.fit` runs with `shuffle: false`. The optimizer keeps its state
 * between the calls. Runs with the same seed therefore see the same batches in
 * the same order, whatever their smoothing.
 */
export async function trainModel(
  model: tfl.LayersModel,
  train: DigitSet,
  settings: TrainingSettings,
  observer: TrainingObserver = {},
): Promise<EpochRecord[]> {
  const images = tf.tensor2d(train.images, [train.count, PIXEL_COUNT]);
  const targets = tf.tidy(() => tf.oneHot(tf.tensor1d(train.labels, 'int32'), CLASS_COUNT).toFloat());
  const batchOrderRandom = seedrandom(`batch-order-${settings.seed}`);
  const batchCount = Math.ceil(train.count / settings.batchSize);
  const history: EpochRecord[] = [];

  try {
    for (let epoch = 0; epoch < settings.epochs; epoch++) {
      const order = tf.tensor1d(seededPermutation(train.count, batchOrderRandom), 'int32');
      const epochImages = tf.gather(images, order);
      const epochTargets = tf.gather(targets, order);
      const started = performance.now();
      observer.epochStarted?.(epoch + 1, batchCount);

      try {
        const result = await model.fit(epochImages, epochTargets, {
          batchSize: settings.batchSize,
          epochs: epoch + 1,
          initialEpoch: epoch,
          shuffle: false,
          verbose: 0,
          callbacks: {
            onBatchEnd: async (batch, logs) => {
              observer.batchFinished?.(batch + 1, logs?.loss ?? Number.NaN, logs?.acc ?? Number.NaN);
            },
          },
        });
        const record: EpochRecord = {
          epoch: epoch + 1,
          loss: lastValue(result.history.loss),
          accuracy: lastValue(result.history.acc),
          seconds: (performance.now() - started) / 1000,
        };
        history.push(record);
        observer.epochFinished?.(record);
      } finally {
        tf.dispose([order, epochImages, epochTargets]);
      }
    }
  } finally {
    tf.dispose([images, targets]);
  }
  return history;
}

/** Returns the model's logits for every image of `set`, `[count, CLASS_COUNT]` row-major. */
export async function predictLogits(model: tfl.LayersModel, set: DigitSet, batchSize = 500): Promise<Float32Array> {
  const images = tf.tensor2d(set.images, [set.count, PIXEL_COUNT]);
  const logits = model.predict(images, { batchSize }) as tf.Tensor;
  try {
    return (await logits.data()) as Float32Array;
  } finally {
    tf.dispose([images, logits]);
  }
}

function lastValue(values: Array<number | tf.Tensor> | undefined): number {
  const last = values?.[values.length - 1];
  if (last === undefined) {
    return Number.NaN;
  }
  return typeof last === 'number' ? last : last.dataSync()[0];
}
