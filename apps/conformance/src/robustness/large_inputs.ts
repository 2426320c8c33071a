/**
 * Large inputs on a Node backend. Forward and backward on [rows, C] logits
 * are compared with the float64 reference on a sample of rows, with timings
 * and peak memory. On wasm, an input whose gradient the 32-bit heap cannot
 * hold must fail with a clear error before allocating, and the backend must
 * stay usable. Node only, because it reads the process's memory usage.
 */
import * as tf from '@tensorflow/tfjs-core';
import { labelSmoothingCrossEntropy } from '@label-smoothing/core';

import type { CheckResult } from '../checks.js';
import { referenceGradients, referenceLosses, type ReferenceInput } from '../reference.js';
import { compareValues, type Tolerance } from '../tolerances.js';
import { compared, describeError, expectThat, guarded } from './check_results.js';
import { FLOAT32_UNIT_ROUNDOFF, compareWithAllowance } from './compare.js';

export const LARGE_INPUTS_GROUP = 'large-inputs';

const SMOOTHING = 0.1;

/** Logit of element `index`: a hash of the index as a multiple of 1/64 in [-8, 8), exact in float32. */
function logitAt(index: number): number {
  return ((Math.imul(index, 2654435761) >>> 20) % 1024 - 512) / 64;
}

function labelAt(row: number, numClasses: number): number {
  return (Math.imul(row, 40503) >>> 0) % numClasses;
}

function rowLogits(row: number, numClasses: number): Float32Array {
  return Float32Array.from({ length: numClasses }, (_, c) => logitAt(row * numClasses + c));
}

export interface LargeInputMeasurement {
  backend: string;
  shape: [number, number];
  forwardMilliseconds: number;
  backwardMilliseconds: number;
  /** Largest `tf.memory().numBytes` seen: after the forward pass and with the gradient alive. */
  peakTensorBytes: number;
  /** The process's peak resident set size so far (`process.resourceUsage().maxRSS`), in bytes. */
  peakResidentBytes: number;
  results: CheckResult[];
}

/**
 * Runs the `'none'` loss and the `'mean'` gradient of [rows, C] logits with
 * uniform smoothing 0.1 and compares `sampleRows` evenly spaced rows (the
 * first and last included) with the float64 reference.
 */
export function checkLargeInput(shape: [number, number], tolerance: Tolerance, sampleRows = 16): LargeInputMeasurement {
  const [rows, numClasses] = shape;
  const caseName = `[${rows}, ${numClasses}]`;
  const measurement: LargeInputMeasurement = {
    backend: tf.getBackend(),
    shape,
    forwardMilliseconds: NaN,
    backwardMilliseconds: NaN,
    peakTensorBytes: 0,
    peakResidentBytes: 0,
    results: [],
  };

  measurement.results = guarded(caseName, LARGE_INPUTS_GROUP, 'run', () => {
    const tensorsBefore = tf.memory().numTensors;
    const values = new Float32Array(rows * numClasses);
    for (let index = 0; index < values.length; index++) {
      values[index] = logitAt(index);
    }
    const logits = tf.tensor2d(values, shape);
    const labels = tf.tensor1d(Int32Array.from({ length: rows }, (_, row) => labelAt(row, numClasses)), 'int32');
    const sample = Array.from({ length: sampleRows }, (_, k) => Math.round((k * (rows - 1)) / (sampleRows - 1)));

    let losses: Float32Array;
    let gradientRows: Float32Array[];
    try {
      let start = performance.now();
      const lossTensor = labelSmoothingCrossEntropy(logits, labels, { smoothing: SMOOTHING, reduction: 'none' });
      losses = lossTensor.dataSync() as Float32Array;
      measurement.forwardMilliseconds = performance.now() - start;
      measurement.peakTensorBytes = tf.memory().numBytes;
      lossTensor.dispose();

      start = performance.now();
      const gradient = tf.grad((x: tf.Tensor) => labelSmoothingCrossEntropy(x, labels, { smoothing: SMOOTHING }))(logits);
      gradient.dataSync();
      measurement.backwardMilliseconds = performance.now() - start;
      measurement.peakTensorBytes = Math.max(measurement.peakTensorBytes, tf.memory().numBytes);
      gradientRows = sample.map((row) => tf.tidy(() => tf.slice(gradient, [row, 0], [1, numClasses]).dataSync() as Float32Array));
      gradient.dispose();
    } finally {
      tf.dispose([logits, labels]);
    }
    measurement.peakResidentBytes = process.resourceUsage().maxRSS * 1024;

    const results: CheckResult[] = [];
    const expectedLosses = new Float64Array(sample.length);
    const actualLosses = new Float64Array(sample.length);
    const allowance = (numClasses + 2) * FLOAT32_UNIT_ROUNDOFF;
    sample.forEach((row, k) => {
      const reference: ReferenceInput = {
        shape: [1, numClasses],
        classAxis: -1,
        logits: rowLogits(row, numClasses),
        labels: [labelAt(row, numClasses)],
        labelsKind: 'index',
        smoothing: SMOOTHING,
        smoothingMode: 'uniform',
        ignoreIndex: -100,
      };
      expectedLosses[k] = referenceLosses(reference).losses[0];
      actualLosses[k] = losses[row];
      // The 'mean' gradient of one row is its 'sum' gradient divided by the number of rows.
      const expectedGradient = referenceGradients(reference, 'sum').logits.map((value) => value / rows);
      results.push(compared(caseName, LARGE_INPUTS_GROUP, `logits-gradient:mean:row-${row}`,
        compareWithAllowance(gradientRows[k], expectedGradient, tolerance.gradient, allowance / rows)));
    });
    results.push(compared(caseName, LARGE_INPUTS_GROUP, 'loss:none:sampled-rows',
      compareWithAllowance(actualLosses, expectedLosses, tolerance.loss, allowance)));
    const leaked = tf.memory().numTensors - tensorsBefore;
    results.push(expectThat(caseName, LARGE_INPUTS_GROUP, 'no-leak', leaked === 0, `${leaked} tensor(s) leaked`));
    return results;
  });
  return measurement;
}

/**
 * On wasm: [34000, 16384] logits (2.23 GB) fit the heap, but their gradient
 * would need as much again, more than the 4 GiB a 32-bit heap holds. The
 * gradient must be rejected with an error naming the sizes, before tfjs'
 * allocator aborts the module, and a normal call must work afterwards.
 */
export function checkBeyondWasmHeap(tolerance: Tolerance): CheckResult[] {
  const caseName = 'gradient beyond the wasm heap';
  const group = LARGE_INPUTS_GROUP;
  return guarded(caseName, group, 'run', () => {
    const results: CheckResult[] = [];
    const logits = tf.fill([34000, 16384], 0.5);
    const labels = tf.fill([34000], 3, 'int32');
    const tensorsBefore = tf.memory().numTensors;
    let caught: unknown;
    try {
      tf.grad((x: tf.Tensor) => labelSmoothingCrossEntropy(x, labels))(logits).dispose();
    } catch (error) {
      caught = error;
    } finally {
      const leaked = tf.memory().numTensors - tensorsBefore;
      tf.dispose([logits, labels]);
      results.push(expectThat(caseName, group, 'no-leak', leaked === 0, `${leaked} tensor(s) leaked by the failed call`));
    }
    const message = caught instanceof Error ? caught.message : '';
    results.push(expectThat(caseName, group, 'rejected-with-sizes',
      /\[34000, 16384\]/.test(message) && /bytes/.test(message),
      caught === undefined ? 'the gradient was computed' : `unclear error: ${describeError(caught)}`));

    // The backend still works: a small call matches the reference.
    const small: ReferenceInput = {
      shape: [2, 3], classAxis: -1, logits: [1, 2, 3, 0, 0, 1], labels: [0, 2], labelsKind: 'index',
      smoothing: 0.1, smoothingMode: 'uniform', ignoreIndex: -100,
    };
    const value = tf.tidy(() => labelSmoothingCrossEntropy(tf.tensor2d([[1, 2, 3], [0, 0, 1]]), tf.tensor1d([0, 2], 'int32'),
      { smoothing: 0.1, reduction: 'none' }).dataSync());
    results.push(compared(caseName, group, 'usable-afterwards', compareValues(value, referenceLosses(small).losses, tolerance.loss)));
    return results;
  });
}
