/**
 * Benchmark page: forward plus backward of the fused webgl kernels against
 * `tf.losses.softmaxCrossEntropy` with one-hot labels and the same smoothing,
 * in one page on one webgl context. Exposed as `window.labelSmoothingBenchmark`.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-webgl';
import '@label-smoothing/backend-webgl';
import { labelSmoothingCrossEntropy } from '@label-smoothing/core';

import { SeededRandom } from '../random.js';

export interface BenchmarkRequest {
  rows: number;
  numClasses: number;
  smoothing: number;
  warmupRuns: number;
  timedRuns: number;
}

export interface BenchmarkResult {
  /** Milliseconds of each timed run, in run order. */
  fusedMs: number[];
  baselineMs: number[];
  /** Mean loss of each implementation, to show that both computed the same thing. */
  fusedLoss: number;
  baselineLoss: number;
  renderer: string;
  float32Textures: boolean;
}

declare global {
  interface Window {
    labelSmoothingBenchmark?: (request: BenchmarkRequest) => Promise<BenchmarkResult>;
  }
}

/**
 * Runs `step` (loss and gradient) and waits until the GPU has finished both.
 * It reads the loss and one gradient element with blocking reads, which
 * return as soon as the programs are done; `data()` would add the delay of
 * polling a fence.
 */
function timeStep(step: () => [tf.Tensor, tf.Tensor]): { milliseconds: number; loss: number } {
  const start = performance.now();
  const [loss, gradient] = step();
  const corner = tf.slice(gradient, [0, 0], [1, 1]);
  corner.dataSync();
  const lossValue = loss.dataSync()[0];
  const milliseconds = performance.now() - start;
  tf.dispose([loss, gradient, corner]);
  return { milliseconds, loss: lossValue };
}

window.labelSmoothingBenchmark = async (request) => {
  await tf.setBackend('webgl');
  const random = new SeededRandom('benchmark');
  const { rows, numClasses, smoothing } = request;
  const logits = tf.tensor2d(random.exactLogits(rows * numClasses), [rows, numClasses]);
  const labels = tf.tensor1d(Int32Array.from({ length: rows }, () => random.integer(0, numClasses - 1)), 'int32');
  const oneHot = tf.cast(tf.oneHot(labels, numClasses), 'float32');

  const fused = () => {
    const { value, grad } = tf.valueAndGrad((x: tf.Tensor) => labelSmoothingCrossEntropy(x, labels, { smoothing }) as tf.Scalar)(logits);
    return [value, grad] as [tf.Tensor, tf.Tensor];
  };
  const baseline = () => {
    const { value, grad } = tf.valueAndGrad((x: tf.Tensor) =>
      tf.losses.softmaxCrossEntropy(oneHot, x, undefined, smoothing, tf.Reduction.MEAN) as tf.Scalar)(logits);
    return [value, grad] as [tf.Tensor, tf.Tensor];
  };

  const result: BenchmarkResult = { fusedMs: [], baselineMs: [], fusedLoss: NaN, baselineLoss: NaN, renderer: '', float32Textures: false };
  try {
    for (let run = 0; run < request.warmupRuns; run++) {
      timeStep(fused);
      timeStep(baseline);
    }
    // Interleaved, so that slow phases of the machine hit both alike.
    for (let run = 0; run < request.timedRuns; run++) {
      const fusedRun = timeStep(fused);
      const baselineRun = timeStep(baseline);
      result.fusedMs.push(fusedRun.milliseconds);
      result.baselineMs.push(baselineRun.milliseconds);
      result.fusedLoss = fusedRun.loss;
      result.baselineLoss = baselineRun.loss;
    }
  } finally {
    tf.dispose([logits, labels, oneHot]);
  }

  const gl = document.createElement('canvas').getContext('webgl2');
  const debugInfo = gl?.getExtension('WEBGL_debug_renderer_info');
  result.renderer = gl && debugInfo ? String(gl.getParameter(debugInfo.UNMASKED_RENDERER_WEBGL)) : 'unknown';
  result.float32Textures = tf.env().getBool('WEBGL_RENDER_FLOAT32_ENABLED');
  return result;
};
