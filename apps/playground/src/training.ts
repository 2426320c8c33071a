/** Trains the page's 784-64-10 classifier with the label-smoothing loss and evaluates it. */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { labelSmoothingLoss } from '@label-smoothing/core';
import { evaluateLogits, type CalibrationMetrics } from '@label-smoothing/mnist-demo/src/metrics.js';

import { CLASS_COUNT, PIXEL_COUNT, type DigitSet } from './data.js';

export interface TrainingSettings {
  /** Label smoothing ε in [0, 1]. */
  smoothing: number;
  epochs: number;
  /** Samples per gradient step. */
  batchSize: number;
}

/** Callbacks for the charts; each runs between two training steps. */
export interface TrainingObserver {
  batchFinished(loss: number): void;
  epochFinished(epoch: number, metrics: CalibrationMetrics): void;
}

const HIDDEN_UNITS = 64;
const LEARNING_RATE = 0.003;
const SEED = 1;

/**
 * Trains a fresh model on `train` with Adam, evaluates it on `test` after
 * every epoch, and returns the last evaluation. tfjs-layers shuffles the
 * training digits each epoch with `Math.random`, so runs differ slightly.
 */
export async function trainAndEvaluate(
  train: DigitSet,
  test: DigitSet,
  settings: TrainingSettings,
  observer: TrainingObserver,
): Promise<CalibrationMetrics> {
  const model = createModel();
  model.compile({
    optimizer: tf.train.adam(LEARNING_RATE),
    loss: labelSmoothingLoss({ smoothing: settings.smoothing, fromLogits: true }),
  });
  const images = tf.tensor2d(train.images, [train.count, PIXEL_COUNT]);
  const targets = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(train.labels, 'int32'), CLASS_COUNT), 'float32'));
  const testImages = tf.tensor2d(test.images, [test.count, PIXEL_COUNT]);
  let metrics: CalibrationMetrics | null = null;

  try {
    await model.fit(images, targets, {
      batchSize: settings.batchSize,
      epochs: settings.epochs,
      shuffle: true,
      verbose: 0,
      callbacks: {
        onBatchEnd: async (_batch, logs) => {
          observer.batchFinished(logs?.loss ?? Number.NaN);
          // Lets the browser paint the chart before the next step.
          await tf.nextFrame();
        },
        onEpochEnd: async (epoch) => {
          metrics = await evaluate(model, testImages, test.labels);
          observer.epochFinished(epoch + 1, metrics);
          await tf.nextFrame();
        },
      },
    });
  } finally {
    images.dispose();
    targets.dispose();
    testImages.dispose();
    model.dispose();
  }
  if (metrics === null) {
    throw new Error('Training finished without an evaluation; set at least one epoch.');
  }
  return metrics;
}

function createModel(): tfl.Sequential {
  return tfl.sequential({
    layers: [
      tfl.layers.dense({
        inputShape: [PIXEL_COUNT],
        units: HIDDEN_UNITS,
        activation: 'relu',
        kernelInitializer: tfl.initializers.glorotUniform({ seed: SEED }),
      }),
      // Logits, no softmax: the loss reads them with `fromLogits: true`.
      tfl.layers.dense({ units: CLASS_COUNT, kernelInitializer: tfl.initializers.glorotUniform({ seed: SEED + 1 }) }),
    ],
  });
}

async function evaluate(model: tfl.LayersModel, testImages: tf.Tensor2D, labels: Int32Array): Promise<CalibrationMetrics> {
  const logits = model.predict(testImages) as tf.Tensor;
  try {
    return evaluateLogits(await logits.data(), labels, CLASS_COUNT);
  } finally {
    logits.dispose();
  }
}
