/**
 * Benchmark page: forward plus backward of the fused webgpu kernels against
 * `tf.losses.softmaxCrossEntropy` with one-hot labels and the same smoothing,
 * on one webgpu device. `run.mjs` bundles this file and calls
 * `window.labelSmoothingWebGPUBenchmark`.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-webgpu';
import '@label-smoothing/backend-webgpu';
import { hasFusedKernels, labelSmoothingCrossEntropy } from '@label-smoothing/core';

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
  fused: boolean;
  adapter: string;
}

declare global {
  interface Window {
    labelSmoothingWebGPUBenchmark?: (request: BenchmarkRequest) => Promise<BenchmarkResult>;
  }
}

/** Draws integers in [0, bound) from a fixed linear congruential sequence, so every run gets the same input. */
function integers(count: number, bound: number, seed: number): Int32Array {
  const values = new Int32Array(count);
  let state = seed >>> 0;
  for (let index = 0; index < count; index++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    values[index] = state % bound;
  }
  return values;
}

/**
 * Runs `step` (loss and gradient) and waits for both: it reads the loss and
 * one gradient element, so every dispatch of the step has finished.
 */
async function timeStep(step: () => [tf.Tensor, tf.Tensor]): Promise<{ milliseconds: number; loss: number }> {
  const start = performance.now();
  const [loss, gradient] = step();
  const corner = tf.slice(gradient, [0, 0], [1, 1]);
  const [lossValues] = await Promise.all([loss.data(), corner.data()]);
  const milliseconds = performance.now() - start;
  tf.dispose([loss, gradient, corner]);
  return { milliseconds, loss: lossValues[0] };
}

window.labelSmoothingWebGPUBenchmark = async (request) => {
  tf.env().set('PROD', true);
  tf.env().set('WEBGPU_CPU_FORWARD', false);
  if (!(await tf.setBackend('webgpu'))) {
    throw new Error('The webgpu backend failed to start; Chromium needs --enable-unsafe-webgpu and a page from 127.0.0.1.');
  }
  const { rows, numClasses, smoothing } = request;
  // Logits as multiples of 1/64 in [-8, 8), exact in float32.
  const logitValues = Float32Array.from(integers(rows * numClasses, 1024, 1), (value) => (value - 512) / 64);
  const logits = tf.tensor2d(logitValues, [rows, numClasses]);
  const labels = tf.tensor1d(integers(rows, numClasses, 2), 'int32');
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

  const adapter = await navigator.gpu.requestAdapter();
  const info = (adapter as unknown as { info?: { vendor?: string; architecture?: string } } | null)?.info;
  const result: BenchmarkResult = {
    fusedMs: [], baselineMs: [], fusedLoss: NaN, baselineLoss: NaN, fused: hasFusedKernels(),
    adapter: info ? `${info.vendor ?? ''} ${info.architecture ?? ''}`.trim() : 'unknown',
  };
  try {
    for (let run = 0; run < request.warmupRuns; run++) {
      await timeStep(fused);
      await timeStep(baseline);
    }
    // Interleaved, so that slow phases of a shared machine hit both alike.
    for (let run = 0; run < request.timedRuns; run++) {
      const fusedRun = await timeStep(fused);
      const baselineRun = await timeStep(baseline);
      result.fusedMs.push(fusedRun.milliseconds);
      result.baselineMs.push(baselineRun.milliseconds);
      result.fusedLoss = fusedRun.loss;
      result.baselineLoss = baselineRun.loss;
    }
  } finally {
    tf.dispose([logits, labels, oneHot]);
  }
  return result;
};
