/**
 * Leak checks: many training steps (loss, gradient, optimizer step) on the
 * active backend, with invalid calls thrown in between, must leave tfjs'
 * memory counters where they were after warm-up, and a backend heap (wasm)
 * must stop growing.
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError, labelSmoothingCrossEntropy, type LabelSmoothingOptions } from '@label-smoothing/core';

import type { CheckResult } from '../checks.js';
import { SeededRandom } from '../random.js';
import { describeError, expectThat, guarded } from './check_results.js';

export const LEAKS_GROUP = 'leaks';

/** Steps before the baseline is taken: the optimizer creates its slots and the backend its caches there. */
const WARM_UP_STEPS = 20;

export interface LeakCheckOptions {
  steps: number;
  /** Bytes of a backend-owned heap, such as the wasm module's memory; checked when given. */
  heapBytes?: () => number;
}

/** tfjs memory counters; `numBytesInGPU` exists on the webgl backend only. */
interface MemorySnapshot {
  numTensors: number;
  numBytes: number;
  numBytesInGPU?: number;
  heapBytes?: number;
}

function snapshot(heapBytes?: () => number): MemorySnapshot {
  const memory = tf.memory() as tf.MemoryInfo & { numBytesInGPU?: number };
  return {
    numTensors: memory.numTensors,
    numBytes: memory.numBytes,
    numBytesInGPU: memory.numBytesInGPU,
    heapBytes: heapBytes?.(),
  };
}

function describeSnapshots(before: MemorySnapshot, after: MemorySnapshot): string {
  return (Object.keys(before) as (keyof MemorySnapshot)[])
    .filter((key) => before[key] !== undefined)
    .map((key) => `${key} ${before[key]} -> ${after[key]}`)
    .join(', ');
}

/** Compares every counter of two snapshots, one result per counter. */
function flatCounters(caseName: string, before: MemorySnapshot, after: MemorySnapshot): CheckResult[] {
  const summary = describeSnapshots(before, after);
  return (Object.keys(before) as (keyof MemorySnapshot)[])
    .filter((key) => before[key] !== undefined)
    .map((key) => expectThat(caseName, LEAKS_GROUP, key, after[key] === before[key], summary));
}

/** Creates a trainable variable with these values and releases the initial tensor. */
function variableOf(values: Float32Array, shape: number[]): tf.Variable {
  const initial = tf.tensor(values, shape);
  const variable = tf.variable(initial);
  initial.dispose();
  return variable;
}

/**
 * A small training problem: the logits are a trainable variable (so that no
 * other op's gradient is needed, since tfjs-core in Node registers none), with
 * index labels, probability labels and a rank-3 layout in turn.
 */
class TrainingProblem {
  private readonly logits: tf.Variable;
  private readonly logits3d: tf.Variable;
  private readonly labels: tf.Tensor;
  private readonly labels3d: tf.Tensor;
  private readonly probabilities: tf.Tensor;
  private readonly weight: tf.Tensor1D;
  /** One optimizer per variable: tfjs' Adam keys its moments by position in the variable list. */
  private readonly optimizers: Map<tf.Variable, tf.Optimizer>;

  constructor() {
    const random = new SeededRandom('leak-training');
    this.logits = variableOf(random.exactLogits(32 * 10, 0.5), [32, 10]);
    this.logits3d = variableOf(random.exactLogits(4 * 10 * 6, 0.5), [4, 10, 6]);
    this.labels = tf.tensor1d(Int32Array.from({ length: 32 }, (_, i) => (i % 9 === 0 ? -100 : random.integer(0, 9))), 'int32');
    this.labels3d = tf.tensor2d(Int32Array.from({ length: 24 }, () => random.integer(0, 9)), [4, 6], 'int32');
    const raw = Float32Array.from({ length: 32 * 10 }, () => Math.round(random.uniform() * 64) / 64);
    this.probabilities = tf.tensor2d(raw, [32, 10]);
    this.weight = tf.tensor1d(Float32Array.from({ length: 10 }, (_, c) => 0.5 + c / 8));
    this.optimizers = new Map([[this.logits, tf.train.adam(0.01)], [this.logits3d, tf.train.adam(0.01)]]);
  }

  /** Runs training step `index`; every fourth step uses another label form or layout. */
  step(index: number): void {
    const variant = index % 4;
    let cost: tf.Scalar | null;
    if (variant === 0) {
      cost = this.minimize(this.logits, (x) => labelSmoothingCrossEntropy(x, this.labels, { smoothing: 0.1, weight: this.weight }));
    } else if (variant === 1) {
      cost = this.minimize(this.logits, (x) =>
        labelSmoothingCrossEntropy(x, this.probabilities, { smoothing: 0.2, reduction: 'sum', smoothingMode: 'non-target' }));
    } else if (variant === 2) {
      cost = this.minimize(this.logits3d, (x) => labelSmoothingCrossEntropy(x, this.labels3d, { classAxis: 1, smoothing: 0.05 }));
    } else {
      cost = this.minimize(this.logits, (x) =>
        labelSmoothingCrossEntropy(x, this.labels, { weight: [1, 2, 1, 2, 1, 2, 1, 2, 1, 2], ignoreIndex: -100, smoothingMode: 'non-target' }));
    }
    cost?.dispose();
  }

  /** A training step whose loss call throws; returns the error. */
  failingStep(options: LabelSmoothingOptions, labels: tf.Tensor = this.labels): unknown {
    try {
      this.minimize(this.logits, (x) => labelSmoothingCrossEntropy(x, labels, options));
    } catch (error) {
      return error;
    }
    return undefined;
  }

  private minimize(variable: tf.Variable, loss: (x: tf.Tensor) => tf.Tensor): tf.Scalar | null {
    return this.optimizers.get(variable)!.minimize(() => loss(variable) as tf.Scalar, true, [variable]);
  }

  dispose(): void {
    this.optimizers.forEach((optimizer) => optimizer.dispose());
    tf.dispose([this.logits, this.logits3d, this.labels, this.labels3d, this.probabilities, this.weight]);
  }
}

/** An invalid call made mid-training; the tensors it makes are disposed after the call. */
interface FailingStep {
  name: string;
  make(): { options: LabelSmoothingOptions; labels?: tf.Tensor; tensors: tf.Tensor[] };
}

/** Invalid calls thrown mid-training; each must throw InvalidArgumentError on every backend. */
const FAILING_STEPS: FailingStep[] = [
  { name: 'smoothing as a string', make: () => ({ options: { smoothing: '0.1' as unknown as number }, tensors: [] }) },
  {
    name: 'weights as a 2-D tensor',
    make: () => {
      const weight = tf.ones([1, 10]);
      return { options: { weight: weight as tf.Tensor1D }, tensors: [weight] };
    },
  },
  {
    name: 'labels of the wrong shape',
    make: () => {
      const labels = tf.tensor1d([0, 1, 2], 'int32');
      return { options: {}, labels, tensors: [labels] };
    },
  },
  { name: 'classAxis out of range', make: () => ({ options: { classAxis: 2 }, tensors: [] }) },
];

/**
 * Trains for `steps` steps after warm-up, with an invalid call every 50
 * steps, and compares the memory counters (and the heap) at the end with
 * those after warm-up. Then trains once more only with invalid calls.
 */
export function checkTrainingLeaks(options: LeakCheckOptions): CheckResult[] {
  const caseName = `training-${options.steps}-steps`;
  return guarded(caseName, LEAKS_GROUP, 'run', () => {
    const tensorsAtStart = tf.memory().numTensors;
    const problem = new TrainingProblem();
    const results: CheckResult[] = [];
    try {
      for (let index = 0; index < WARM_UP_STEPS; index++) {
        problem.step(index);
      }
      const before = snapshot(options.heapBytes);

      const wrongErrors: string[] = [];
      for (let index = 0; index < options.steps; index++) {
        problem.step(index);
        if (index % 50 === 25) {
          const failing = FAILING_STEPS[Math.floor(index / 50) % FAILING_STEPS.length];
          const error = runFailingStep(problem, failing);
          if (!(error instanceof InvalidArgumentError)) {
            wrongErrors.push(`${failing.name}: ${error === undefined ? 'did not throw' : describeError(error)}`);
          }
        }
      }
      const after = snapshot(options.heapBytes);
      results.push(...flatCounters(caseName, before, after));
      results.push(expectThat(caseName, LEAKS_GROUP, 'invalid-calls-throw', wrongErrors.length === 0, wrongErrors.join('; ')));

      const errorPathCase = 'invalid-calls-only';
      const beforeErrors = snapshot(options.heapBytes);
      for (let index = 0; index < 100; index++) {
        runFailingStep(problem, FAILING_STEPS[index % FAILING_STEPS.length]);
      }
      results.push(...flatCounters(errorPathCase, beforeErrors, snapshot(options.heapBytes)));
    } finally {
      problem.dispose();
    }
    const leaked = tf.memory().numTensors - tensorsAtStart;
    results.push(expectThat(caseName, LEAKS_GROUP, 'no-leak-after-dispose', leaked === 0, `${leaked} tensor(s) leaked`));
    return results;
  });
}

function runFailingStep(problem: TrainingProblem, failing: FailingStep): unknown {
  const { options, labels, tensors } = failing.make();
  try {
    return problem.failingStep(options, labels);
  } finally {
    tf.dispose(tensors);
  }
}
