/**
 * Checks specific to the webgl kernels, run in the page after the webgl
 * backend is active: shapes past one tile and past the maximum texture
 * size, 16-bit storage, labels the host cannot check, the compiled-program
 * cache and texture leaks. Each compares with the float64 reference.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { labelSmoothingCrossEntropy, type LabelSmoothingOptions } from '@label-smoothing/core';

import type { CheckResult } from '../checks.js';
import { SeededRandom } from '../random.js';
import { referenceLosses, type ReferenceInput } from '../reference.js';
import { TOLERANCES, compareValues, type Comparison, type Tolerance } from '../tolerances.js';

const GROUP = 'webgl';

/** A loss input as plain arrays, with index labels, for the reference and for tensors. */
interface IndexCase {
  shape: [number, number];
  logits: Float32Array;
  labels: Int32Array;
  smoothing: number;
  weight?: Float32Array;
}

function referenceInputOf(input: IndexCase): ReferenceInput {
  return {
    shape: input.shape,
    classAxis: -1,
    logits: input.logits,
    labels: input.labels,
    labelsKind: 'index',
    smoothing: input.smoothing,
    smoothingMode: 'uniform',
    weight: input.weight,
    ignoreIndex: -100,
  };
}

/**
 * Float64 gradient of the `'sum'` loss with respect to the logits, from the
 * closed form `(Σ_k w_k q_k)·p_c - w_c q_c`; 0 at ignored positions and NaN
 * at positions whose label is not a class index.
 */
function referenceSumGradient(input: IndexCase): Float64Array {
  const [rows, numClasses] = input.shape;
  const gradient = new Float64Array(rows * numClasses);
  for (let row = 0; row < rows; row++) {
    const label = input.labels[row];
    const base = row * numClasses;
    if (label === -100) {
      continue;
    }
    if (!(label >= 0 && label < numClasses)) {
      gradient.fill(NaN, base, base + numClasses);
      continue;
    }
    let max = -Infinity;
    for (let c = 0; c < numClasses; c++) {
      max = Math.max(max, input.logits[base + c]);
    }
    let sum = 0;
    for (let c = 0; c < numClasses; c++) {
      sum += Math.exp(input.logits[base + c] - max);
    }
    const weightedTargets = new Float64Array(numClasses);
    let targetMass = 0;
    for (let c = 0; c < numClasses; c++) {
      const target = (c === label ? 1 - input.smoothing : 0) + input.smoothing / numClasses;
      weightedTargets[c] = (input.weight ? input.weight[c] : 1) * target;
      targetMass += weightedTargets[c];
    }
    for (let c = 0; c < numClasses; c++) {
      const probability = Math.exp(input.logits[base + c] - max) / sum;
      gradient[base + c] = targetMass * probability - weightedTargets[c];
    }
  }
  return gradient;
}

function result(caseName: string, check: string, comparison: Comparison): CheckResult {
  return {
    caseName,
    group: GROUP,
    check,
    passed: comparison.passed,
    maxAbsoluteError: comparison.maxAbsoluteError,
    maxRelativeError: comparison.maxRelativeError,
    message: comparison.firstMismatch,
  };
}

function failed(caseName: string, check: string, message: string): CheckResult {
  return { caseName, group: GROUP, check, passed: false, maxAbsoluteError: Infinity, maxRelativeError: Infinity, message };
}

function passedIf(caseName: string, check: string, condition: boolean, message: string): CheckResult {
  return condition
    ? { caseName, group: GROUP, check, passed: true, maxAbsoluteError: 0, maxRelativeError: 0 }
    : failed(caseName, check, message);
}

/** Runs `body`, turning an exception into a failed check. */
function guarded(caseName: string, body: () => CheckResult[]): CheckResult[] {
  try {
    return body();
  } catch (error) {
    return [failed(caseName, 'run', `threw ${error instanceof Error ? error.message : String(error)}`)];
  }
}

/** Per-position losses and the `'sum'` gradient from the fused kernels, downloaded. */
function evaluate(input: IndexCase, options: LabelSmoothingOptions = {}): { losses: Float32Array; gradient: Float32Array } {
  return tf.tidy(() => {
    const logits = tf.tensor2d(input.logits, input.shape);
    const labels = tf.tensor1d(input.labels, 'int32');
    const weight = input.weight ? tf.tensor1d(input.weight) : undefined;
    const lossOptions = { smoothing: input.smoothing, weight, ...options };
    const losses = labelSmoothingCrossEntropy(logits, labels, { ...lossOptions, reduction: 'none' });
    const gradient = tf.grad((x: tf.Tensor) => labelSmoothingCrossEntropy(x, labels, { ...lossOptions, reduction: 'sum' }))(logits);
    return { losses: losses.dataSync() as Float32Array, gradient: gradient.dataSync() as Float32Array };
  });
}

/** Compares losses and gradient of one input with the float64 reference. */
function checkAgainstReference(caseName: string, input: IndexCase, tolerance: Tolerance): CheckResult[] {
  return guarded(caseName, () => {
    const { losses, gradient } = evaluate(input);
    return [
      result(caseName, 'loss:none', compareValues(losses, referenceLosses(referenceInputOf(input)).losses, tolerance.loss)),
      result(caseName, 'logits-gradient:sum', compareValues(gradient, referenceSumGradient(input), tolerance.gradient)),
    ];
  });
}

function randomCase(random: SeededRandom, rows: number, numClasses: number, smoothing: number, maxLabel = numClasses - 1): IndexCase {
  return {
    shape: [rows, numClasses],
    logits: random.exactLogits(rows * numClasses),
    labels: Int32Array.from({ length: rows }, () => random.integer(0, maxLabel)),
    smoothing,
  };
}

/**
 * 50,000 classes make 49 tiles. Row 1 is -Infinity except for its last
 * class, so 48 tiles hold only -Infinity and must not poison the maximum;
 * with ε = 0 it is exactly 0, with ε = 0.1 it is +Infinity.
 *
 * Under 16-bit textures whole numbers above 2048 are not exact and ±Infinity
 * becomes NaN (SwiftShader), so that run keeps the labels and the finite
 * logit of row 1 below 2048 and masks with -60000 instead.
 */
function checkManyClasses(tolerance: Tolerance, float16: boolean): CheckResult[] {
  const numClasses = 50_000;
  const finiteClass = float16 ? 2047 : numClasses - 1;
  const random = new SeededRandom('webgl-many-classes');
  const input = randomCase(random, 3, numClasses, 0.1, float16 ? 2047 : numClasses - 1);
  input.logits.fill(float16 ? -60_000 : -Infinity, numClasses, 2 * numClasses);
  input.logits[numClasses + finiteClass] = 2.5;
  input.labels[1] = finiteClass;
  input.labels[2] = -100;

  return [
    ...checkAgainstReference('many-classes-smoothing', input, tolerance),
    ...checkAgainstReference('many-classes-no-smoothing', { ...input, smoothing: 0 }, tolerance),
  ];
}

/** 256,000 classes (250 tiles) in two rows, the largest class count the package is meant for. */
function checkVeryManyClasses(tolerance: Tolerance, float16: boolean): CheckResult[] {
  const random = new SeededRandom('webgl-very-many-classes');
  const input = randomCase(random, 2, 256_000, 0.1, float16 ? 2047 : 255_999);
  return checkAgainstReference('very-many-classes', input, tolerance);
}

/** 10,000 rows of 10 classes: more positions than the maximum texture size (8192 on SwiftShader). */
function checkManyRows(tolerance: Tolerance): CheckResult[] {
  const random = new SeededRandom('webgl-many-rows');
  const input = randomCase(random, 10_000, 10, 0.1);
  for (let row = 0; row < input.labels.length; row += 7) {
    input.labels[row] = -100;
  }
  input.weight = Float32Array.from({ length: 10 }, (_, c) => 0.5 + c / 8);
  return checkAgainstReference('many-rows', input, tolerance);
}

/**
 * Logits 30,000 apart: the smoothing sum Σ (m - x_c) = 90,000 exceeds the
 * float16 maximum 65504, but the loss, 0.1/4 · 90,000 = 2250, does not.
 */
function checkLargeGap(): CheckResult[] {
  const caseName = 'large-gap-2250';
  return guarded(caseName, () => {
    const loss = tf.tidy(() => labelSmoothingCrossEntropy(
      tf.tensor2d([[0, -30000, -30000, -30000]]), tf.tensor1d([0], 'int32'), { smoothing: 0.1, reduction: 'none' }).dataSync()[0]);
    return [result(caseName, 'loss:none', compareValues([loss], [2250], { absolute: 0, relative: 0.01 }))];
  });
}

/**
 * Labels outside [0, C) that are not the ignore index: core cannot read them
 * on webgl, so the kernels must make those rows NaN, never a finite value.
 */
function checkInvalidLabels(tolerance: Tolerance): CheckResult[] {
  const random = new SeededRandom('webgl-invalid-labels');
  const input = randomCase(random, 6, 4, 0.1);
  input.labels.set([0, 4, -1, -100, 3, 1000]);
  const caseName = 'invalid-labels';
  return guarded(caseName, () => {
    const { losses, gradient } = evaluate(input);
    // The reference has no notion of an invalid label; those rows are NaN.
    const expected = referenceLosses(referenceInputOf(input)).losses;
    input.labels.forEach((label, row) => {
      if (label !== -100 && !(label >= 0 && label < 4)) {
        expected[row] = NaN;
      }
    });
    return [
      result(caseName, 'loss:none', compareValues(losses, expected, tolerance.loss)),
      result(caseName, 'logits-gradient:sum', compareValues(gradient, referenceSumGradient(input), tolerance.gradient)),
    ];
  });
}

/** Logits from a matMul, which the webgl backend keeps in a packed texture. */
function checkPackedLogits(tolerance: Tolerance): CheckResult[] {
  const caseName = 'packed-logits';
  return guarded(caseName, () => {
    const random = new SeededRandom('webgl-packed');
    const features = random.exactLogits(6 * 3, 0.5);
    const projection = random.exactLogits(3 * 5, 0.5);
    const labels = Int32Array.from([0, 4, 2, 1, 3, 0]);
    const { losses, logits } = tf.tidy(() => {
      const product = tf.matMul(tf.tensor2d(features, [6, 3]), tf.tensor2d(projection, [3, 5]));
      return {
        losses: labelSmoothingCrossEntropy(product, tf.tensor1d(labels, 'int32'), { smoothing: 0.2, reduction: 'none' }).dataSync(),
        logits: product.dataSync() as Float32Array,
      };
    });
    const input: IndexCase = { shape: [6, 5], logits, labels, smoothing: 0.2 };
    return [result(caseName, 'loss:none', compareValues(losses, referenceLosses(referenceInputOf(input)).losses, tolerance.loss))];
  });
}

/** Number of compiled programs in the webgl backend's cache. */
function compiledPrograms(): number {
  const backend = tf.backend() as unknown as { binaryCache: Record<string, unknown> };
  return Object.keys(backend.binaryCache).length;
}

/**
 * Alternates ε, smoothing mode and C on inputs of one shape family. ε and
 * mode are uniforms, so changing them must reuse the compiled programs and
 * still give that call's values. C is written into the source, so a new C
 * must compile new programs rather than reuse one written for another C.
 */
function checkProgramCache(tolerance: Tolerance): CheckResult[] {
  const caseName = 'program-cache';
  return guarded(caseName, () => {
    const random = new SeededRandom('webgl-program-cache');
    const five = randomCase(random, 4, 5, 0.1);
    const seven = randomCase(random, 4, 7, 0.1);
    const results: CheckResult[] = [];

    results.push(...checkAgainstReference('program-cache-c5-eps-0.1', five, tolerance));
    const afterFirst = compiledPrograms();
    results.push(...checkAgainstReference('program-cache-c5-eps-0.4', { ...five, smoothing: 0.4 }, tolerance));
    results.push(passedIf(caseName, 'new-smoothing-reuses-programs', compiledPrograms() === afterFirst,
      `changing ε compiled ${compiledPrograms() - afterFirst} new program(s)`));

    results.push(...checkAgainstReference('program-cache-c7-eps-0.4', { ...seven, smoothing: 0.4 }, tolerance));
    results.push(passedIf(caseName, 'new-class-count-compiles', compiledPrograms() > afterFirst,
      'changing C compiled no new program'));

    results.push(...checkAgainstReference('program-cache-c5-eps-0', { ...five, smoothing: 0 }, tolerance));
    results.push(...checkAgainstReference('program-cache-c7-eps-1', { ...seven, smoothing: 1 }, tolerance));

    const nonTarget = guarded('program-cache-non-target', () => {
      const losses = evaluate(five, { smoothingMode: 'non-target' }).losses;
      const expected = referenceLosses({ ...referenceInputOf(five), smoothingMode: 'non-target' }).losses;
      return [result('program-cache-non-target', 'loss:none', compareValues(losses, expected, tolerance.loss))];
    });
    results.push(...nonTarget);
    return results;
  });
}

/**
 * 200 training steps of a linear classifier: after a warm-up step, the
 * tensor count, the bytes and the GPU bytes in use must not grow.
 */
function checkNoTextureLeak(): CheckResult[] {
  const caseName = 'training-200-steps';
  return guarded(caseName, () => {
    const random = new SeededRandom('webgl-training');
    const features = tf.tensor2d(random.exactLogits(32 * 8, 0.5), [32, 8]);
    const labels = tf.tensor1d(Int32Array.from({ length: 32 }, () => random.integer(0, 9)), 'int32');
    const kernel = tf.variable(tf.tensor2d(random.exactLogits(8 * 10, 0.1), [8, 10]));
    const optimizer = tf.train.sgd(0.1);
    const step = () => {
      const cost = optimizer.minimize(() =>
        labelSmoothingCrossEntropy(tf.matMul(features, kernel), labels, { smoothing: 0.1 }) as tf.Scalar, true);
      cost?.dispose();
    };

    try {
      step();
      const before = tf.memory() as tf.MemoryInfo & { numBytesInGPU: number };
      for (let index = 0; index < 200; index++) {
        step();
      }
      const after = tf.memory() as tf.MemoryInfo & { numBytesInGPU: number };
      const growth = `numTensors ${before.numTensors} -> ${after.numTensors}, numBytes ${before.numBytes} -> ${after.numBytes}, ` +
        `numBytesInGPU ${before.numBytesInGPU} -> ${after.numBytesInGPU}`;
      return [
        passedIf(caseName, 'numTensors', after.numTensors === before.numTensors, growth),
        passedIf(caseName, 'numBytes', after.numBytes === before.numBytes, growth),
        passedIf(caseName, 'numBytesInGPU', after.numBytesInGPU === before.numBytesInGPU, growth),
      ];
    } finally {
      optimizer.dispose();
      tf.dispose([features, labels, kernel]);
    }
  });
}

/** Runs every webgl check on the active webgl backend. */
export function runWebGLChecks(float16: boolean): CheckResult[] {
  const tolerance = TOLERANCES[float16 ? 'float16' : 'float32'];
  return [
    ...checkManyClasses(tolerance, float16),
    ...checkVeryManyClasses(tolerance, float16),
    ...checkManyRows(tolerance),
    ...checkLargeGap(),
    ...checkInvalidLabels(tolerance),
    ...checkPackedLogits(tolerance),
    ...checkProgramCache(tolerance),
    ...checkNoTextureLeak(),
  ];
}
