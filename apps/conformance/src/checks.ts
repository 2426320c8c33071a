/**
 * The checks the conformance suite runs on one backend. Each returns
 * `CheckResult`s rather than throwing, so the vitest suite, the library call
 * and the CLI share them and report every failure.
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  hasFusedKernels,
  labelSmoothingCrossEntropy,
  labelSmoothingCrossEntropyWith,
  type LabelSmoothingOptions,
  type Reduction,
} from '@label-smoothing/core';

import type { ConformanceCase, DecodedTensor } from './cases.js';
import { SeededRandom } from './random.js';
import { referenceLosses, referenceReduce, type ReferenceInput } from './reference.js';
import { compareValues, type Comparison, type Tolerance } from './tolerances.js';

/** Outcome of one check of one case. */
export interface CheckResult {
  caseName: string;
  /** Case group, or the name of a property check such as `finite-differences`. */
  group: string;
  /** Name of the comparison, e.g. `loss:mean` or `logits-gradient:none`. */
  check: string;
  passed: boolean;
  maxAbsoluteError: number;
  maxRelativeError: number;
  /** Why it failed: the first mismatch, an exception or a leak. */
  message?: string;
}

const REDUCTIONS: readonly Reduction[] = ['none', 'mean', 'sum'];

function toTensor(tensor: DecodedTensor): tf.Tensor {
  const values = tensor.dtype === 'int32' ? Int32Array.from(tensor.values) : Float32Array.from(tensor.values);
  return tf.tensor(values, tensor.shape, tensor.dtype);
}

function resultOf(caseName: string, group: string, check: string, comparison: Comparison): CheckResult {
  return {
    caseName,
    group,
    check,
    passed: comparison.passed,
    maxAbsoluteError: comparison.maxAbsoluteError,
    maxRelativeError: comparison.maxRelativeError,
    message: comparison.firstMismatch,
  };
}

function failure(caseName: string, group: string, check: string, message: string): CheckResult {
  return { caseName, group, check, passed: false, maxAbsoluteError: Infinity, maxRelativeError: Infinity, message };
}

/** Runs `body`, turning an exception into a failed check. */
function guarded(caseName: string, group: string, check: string, body: () => CheckResult[]): CheckResult[] {
  try {
    return body();
  } catch (error) {
    return [failure(caseName, group, check, `threw ${error instanceof Error ? error.message : String(error)}`)];
  }
}

/**
 * Checks one PyTorch reference case: the loss under every reduction, the
 * logits' gradient (and the labels' gradient for probability labels) under
 * every reduction, and that no tensor outlives the calls.
 */
export function checkReferenceCase(testCase: ConformanceCase, tolerance: Tolerance): CheckResult[] {
  const { name, group } = testCase;
  const tensorsBefore = tf.memory().numTensors;
  const results: CheckResult[] = [];

  const logits = toTensor(testCase.logits);
  const labels = toTensor(testCase.labels);
  const upstream = toTensor(testCase.upstream);
  try {
    for (const reduction of REDUCTIONS) {
      const options: LabelSmoothingOptions = { ...testCase.options, reduction };
      const expectedLoss = reduction === 'none' ? testCase.expected.none.values : [testCase.expected[reduction]];

      results.push(...guarded(name, group, `loss:${reduction}`, () => {
        const loss = labelSmoothingCrossEntropy(logits, labels, options);
        const values = loss.dataSync();
        loss.dispose();
        return [resultOf(name, group, `loss:${reduction}`, compareValues(values, expectedLoss, tolerance.loss))];
      }));

      results.push(...guarded(name, group, `gradient:${reduction}`, () => {
        const dy = reduction === 'none' ? upstream : undefined;
        const checks: CheckResult[] = [];
        if (testCase.labelsKind === 'probability') {
          const gradients = tf.grads((x: tf.Tensor, t: tf.Tensor) => labelSmoothingCrossEntropy(x, t, options))([logits, labels], dy);
          const [dLogits, dLabels] = gradients.map((gradient) => gradient.dataSync());
          tf.dispose(gradients);
          checks.push(resultOf(name, group, `logits-gradient:${reduction}`,
            compareValues(dLogits, testCase.expected.logitsGradient[reduction], tolerance.gradient)));
          if (testCase.expected.labelsGradient) {
            checks.push(resultOf(name, group, `labels-gradient:${reduction}`,
              compareValues(dLabels, testCase.expected.labelsGradient[reduction], tolerance.gradient)));
          }
        } else {
          const gradient = tf.grad((x: tf.Tensor) => labelSmoothingCrossEntropy(x, labels, options))(logits, dy);
          const dLogits = gradient.dataSync();
          gradient.dispose();
          checks.push(resultOf(name, group, `logits-gradient:${reduction}`,
            compareValues(dLogits, testCase.expected.logitsGradient[reduction], tolerance.gradient)));
        }
        return checks;
      }));
    }
  } finally {
    tf.dispose([logits, labels, upstream]);
  }

  results.push(leakCheck(name, group, tensorsBefore));
  return results;
}

function leakCheck(caseName: string, group: string, tensorsBefore: number): CheckResult {
  const leaked = tf.memory().numTensors - tensorsBefore;
  return {
    caseName,
    group,
    check: 'no-leak',
    passed: leaked === 0,
    maxAbsoluteError: 0,
    maxRelativeError: 0,
    message: leaked === 0 ? undefined : `${leaked} tensor(s) leaked`,
  };
}

/** A random input for the property checks, with options drawn from every combination. */
interface SyntheticCase {
  name: string;
  input: ReferenceInput;
  options: LabelSmoothingOptions;
}

/** Draws `count` small random cases of rank 1 to 4, any class axis, both label forms and modes. */
export function syntheticCases(seed: number, count: number, maxClasses = 7): SyntheticCase[] {
  const random = new SeededRandom(seed);
  const cases: SyntheticCase[] = [];
  for (let index = 0; index < count; index++) {
    const rank = random.integer(1, 4);
    const shape = Array.from({ length: rank }, () => random.integer(1, 3));
    const classAxis = random.integer(-rank, rank - 1);
    const axis = classAxis < 0 ? classAxis + rank : classAxis;
    const smoothingMode = random.pick(['uniform', 'non-target'] as const);
    shape[axis] = random.integer(smoothingMode === 'non-target' ? 2 : 1, maxClasses);
    const numClasses = shape[axis];
    const size = shape.reduce((a, b) => a * b, 1);
    const positions = size / numClasses;

    const labelsKind = random.pick(['index', 'probability'] as const);
    const smoothing = random.pick([0, 0.1, 0.25, 1, random.uniform()]);
    const weight = random.uniform() < 0.5 ? undefined : Array.from({ length: numClasses }, () => Math.round(random.uniform() * 32) / 16);
    const ignoreIndex = -100;
    let labels: number[];
    if (labelsKind === 'index') {
      labels = Array.from({ length: positions }, () => (random.uniform() < 0.2 ? ignoreIndex : random.integer(0, numClasses - 1)));
    } else {
      labels = Array.from({ length: size }, () => Math.round(random.uniform() * 64) / 64);
    }

    const input: ReferenceInput = {
      shape, classAxis, logits: random.exactLogits(size), labels, labelsKind, smoothing, smoothingMode, weight, ignoreIndex,
    };
    const options: LabelSmoothingOptions = { smoothing, smoothingMode, classAxis, weight };
    cases.push({ name: `random-${seed}-${index}`, input, options });
  }
  return cases;
}

function labelsTensorOf(input: ReferenceInput): tf.Tensor {
  if (input.labelsKind === 'index') {
    const positionsShape = input.shape.filter((_, axis) => axis !== (input.classAxis < 0 ? input.classAxis + input.shape.length : input.classAxis));
    return tf.tensor(Int32Array.from(input.labels), positionsShape, 'int32');
  }
  return tf.tensor(Float32Array.from(input.labels), input.shape, 'float32');
}

/**
 * Compares the backend's `'mean'` gradients with central finite differences
 * of the float64 reference (step 1e-4, truncation error about 1e-9), for the
 * logits and, with probability labels, the labels.
 */
export function checkFiniteDifferences(tolerance: Tolerance, seed = 1, count = 12): CheckResult[] {
  const group = 'finite-differences';
  return syntheticCases(seed, count).flatMap((synthetic) => guarded(synthetic.name, group, 'gradient', () => {
    const tensorsBefore = tf.memory().numTensors;
    const { input, options } = synthetic;
    const logits = tf.tensor(Float32Array.from(input.logits), input.shape, 'float32');
    const labels = labelsTensorOf(input);
    const meanOptions: LabelSmoothingOptions = { ...options, reduction: 'mean' };

    const gradients = input.labelsKind === 'probability'
      ? tf.grads((x: tf.Tensor, t: tf.Tensor) => labelSmoothingCrossEntropy(x, t, meanOptions))([logits, labels])
      : [tf.grad((x: tf.Tensor) => labelSmoothingCrossEntropy(x, labels, meanOptions))(logits)];
    const dLogits = gradients[0].dataSync();
    const dLabels = gradients[1]?.dataSync();
    tf.dispose([logits, labels, ...gradients]);

    const results = [resultOf(synthetic.name, group, 'logits-gradient:mean',
      compareValues(dLogits, finiteDifferences(input, 'logits'), tolerance.gradient))];
    if (dLabels) {
      results.push(resultOf(synthetic.name, group, 'labels-gradient:mean',
        compareValues(dLabels, finiteDifferences(input, 'labels'), tolerance.gradient)));
    }
    results.push(leakCheck(synthetic.name, group, tensorsBefore));
    return results;
  }));
}

function finiteDifferences(input: ReferenceInput, wrt: 'logits' | 'labels'): Float64Array {
  const step = 1e-4;
  const values = Float64Array.from(wrt === 'logits' ? input.logits : input.labels);
  const derivative = new Float64Array(values.length);
  const lossAt = (perturbed: Float64Array) =>
    referenceReduce(referenceLosses({ ...input, [wrt]: perturbed }), 'mean');
  for (let i = 0; i < values.length; i++) {
    const original = values[i];
    values[i] = original + step;
    const above = lossAt(values);
    values[i] = original - step;
    const below = lossAt(values);
    values[i] = original;
    derivative[i] = (above - below) / (2 * step);
  }
  return derivative;
}

/**
 * Adding a constant to every logit of a position leaves its softmax, loss and
 * gradient unchanged. The shifts are multiples of 64 and the logits multiples
 * of 1/64, so the shifted inputs are exact in float32.
 */
export function checkShiftInvariance(tolerance: Tolerance, seed = 2, count = 8): CheckResult[] {
  const group = 'shift-invariance';
  const random = new SeededRandom(seed * 7919);
  return syntheticCases(seed, count).flatMap((synthetic) => guarded(synthetic.name, group, 'shift', () => {
    const tensorsBefore = tf.memory().numTensors;
    const { input, options } = synthetic;
    const axis = input.classAxis < 0 ? input.classAxis + input.shape.length : input.classAxis;
    const numClasses = input.shape[axis];
    const inner = input.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
    const outer = input.logits.length / (numClasses * inner);

    const shifted = Float32Array.from(input.logits);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const shift = random.pick([-512, -64, 64, 1024]);
        for (let c = 0; c < numClasses; c++) {
          shifted[(o * numClasses + c) * inner + i] += shift;
        }
      }
    }

    const labels = labelsTensorOf(input);
    const evaluate = (values: Float32Array) => {
      const logits = tf.tensor(values, input.shape, 'float32');
      const noneOptions: LabelSmoothingOptions = { ...options, reduction: 'none' };
      const losses = labelSmoothingCrossEntropy(logits, labels, noneOptions);
      const gradient = tf.grad((x: tf.Tensor) => labelSmoothingCrossEntropy(x, labels, { ...options, reduction: 'sum' }))(logits);
      const result = { losses: losses.dataSync(), gradient: gradient.dataSync() };
      tf.dispose([logits, losses, gradient]);
      return result;
    };
    const base = evaluate(Float32Array.from(input.logits));
    const moved = evaluate(shifted);
    labels.dispose();

    return [
      resultOf(synthetic.name, group, 'loss:none', compareValues(moved.losses, Float64Array.from(base.losses), tolerance.loss)),
      resultOf(synthetic.name, group, 'logits-gradient:sum', compareValues(moved.gradient, Float64Array.from(base.gradient), tolerance.gradient)),
      leakCheck(synthetic.name, group, tensorsBefore),
    ];
  }));
}

/**
 * Compares the backend's fused kernels with core's composite of tfjs ops on
 * random shapes, in per-position loss and in gradient. Skipped, with a
 * reason, when the backend has no fused kernels.
 */
export function checkFusedAgainstComposite(tolerance: Tolerance, seed = 3, count = 16): CheckResult[] {
  const group = 'fused-vs-composite';
  if (!hasFusedKernels()) {
    return [];
  }
  return syntheticCases(seed, count, 40).flatMap((synthetic) => guarded(synthetic.name, group, 'compare', () => {
    const tensorsBefore = tf.memory().numTensors;
    const { input, options } = synthetic;
    const logits = tf.tensor(Float32Array.from(input.logits), input.shape, 'float32');
    const labels = labelsTensorOf(input);
    const run = (implementation: 'fused' | 'composite') => {
      const losses = labelSmoothingCrossEntropyWith(implementation, logits, labels, { ...options, reduction: 'none' });
      const gradient = tf.grad((x: tf.Tensor) =>
        labelSmoothingCrossEntropyWith(implementation, x, labels, { ...options, reduction: 'mean' }))(logits);
      const result = { losses: losses.dataSync(), gradient: gradient.dataSync() };
      tf.dispose([losses, gradient]);
      return result;
    };
    const fused = run('fused');
    const composite = run('composite');
    tf.dispose([logits, labels]);

    return [
      resultOf(synthetic.name, group, 'loss:none', compareValues(fused.losses, Float64Array.from(composite.losses), tolerance.loss)),
      resultOf(synthetic.name, group, 'logits-gradient:mean', compareValues(fused.gradient, Float64Array.from(composite.gradient), tolerance.gradient)),
      leakCheck(synthetic.name, group, tensorsBefore),
    ];
  }));
}
