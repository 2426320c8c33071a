/**
 * Randomized agreement: the active backend's loss and gradients against the
 * float64 reference on fast-check inputs, with a seeded, replayable run that
 * reports the shrunk failing input.
 */
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import { labelSmoothingCrossEntropy } from '@label-smoothing/core';

import type { CheckResult } from '../checks.js';
import { referenceGradients, referenceLosses, referenceReduce, referenceTargetMasses } from '../reference.js';
import type { Tolerance } from '../tolerances.js';
import {
  agreementInputs,
  optionsOf,
  positionsShapeOf,
  referenceInputOf,
  type AgreementInput,
} from './agreement_input.js';
import { compared, expectThat, guarded } from './check_results.js';
import { FLOAT32_UNIT_ROUNDOFF, compareWithAllowance } from './compare.js';

export const AGREEMENT_GROUP = 'randomized-agreement';

/** Default seed of `npm test`, so that CI runs the same inputs every time. */
export const DEFAULT_AGREEMENT_SEED = 20_260_101;

/** Backend outputs of one input, downloaded. */
interface BackendOutputs {
  loss: Float32Array;
  logitsGradient: Float32Array;
  labelsGradient?: Float32Array;
}

function labelsTensor(input: AgreementInput): tf.Tensor {
  if (input.labelsKind === 'probability') {
    return tf.tensor(Float32Array.from(input.labels), input.shape, 'float32');
  }
  const values = input.indexDtype === 'int32' ? Int32Array.from(input.labels) : Float32Array.from(input.labels);
  return tf.tensor(values, positionsShapeOf(input), input.indexDtype);
}

/** Runs the loss and its gradient on the active backend, releasing every tensor it made. */
function evaluateOnBackend(input: AgreementInput): BackendOutputs {
  return tf.tidy(() => {
    const logits = tf.tensor(Float32Array.from(input.logits), input.shape, 'float32');
    const labels = labelsTensor(input);
    const weight = input.weight && input.weightAsTensor ? tf.tensor1d(input.weight, 'float32') : input.weight;
    const options = { ...optionsOf(input), weight };
    const upstream = input.reduction === 'none'
      ? tf.tensor(Float32Array.from(input.upstream), positionsShapeOf(input), 'float32')
      : undefined;

    const loss = labelSmoothingCrossEntropy(logits, labels, options);
    if (input.labelsKind === 'probability') {
      const [dLogits, dLabels] = tf.grads((x: tf.Tensor, t: tf.Tensor) => labelSmoothingCrossEntropy(x, t, options))(
        [logits, labels], upstream);
      return {
        loss: loss.dataSync() as Float32Array,
        logitsGradient: dLogits.dataSync() as Float32Array,
        labelsGradient: dLabels.dataSync() as Float32Array,
      };
    }
    const dLogits = tf.grad((x: tf.Tensor) => labelSmoothingCrossEntropy(x, labels, options))(logits, upstream);
    return { loss: loss.dataSync() as Float32Array, logitsGradient: dLogits.dataSync() as Float32Array };
  });
}

/**
 * Reports whether the `'mean'` denominator is 0 while some position still counts
 * (index labels whose target classes all have weight 0). The mean is then
 * ±Infinity or NaN and every gradient entry is an entry times 1/0, whose
 * sign and NaN-ness depend on float32 rounding of values near 0, so the
 * gradient has no float32-stable reference there.
 */
function meanDividesByZero(input: AgreementInput): boolean {
  if (input.reduction !== 'mean' || input.labelsKind !== 'index') {
    return false;
  }
  const { denominators } = referenceLosses(referenceInputOf(input));
  const ignoreIndex = input.ignoreIndex ?? -100;
  return denominators.every((value) => value === 0) && input.labels.some((label) => label !== ignoreIndex);
}

/** Bounds of the float32 accumulation error per entry (see `compare.ts`). */
interface Allowances {
  loss: Float64Array | number;
  logitsGradient: Float64Array;
  labelsGradient: Float64Array;
}

function allowancesOf(input: AgreementInput, losses: Float64Array, denominators: Float64Array): Allowances {
  const reference = referenceInputOf(input);
  const masses = referenceTargetMasses(reference);
  const axis = input.classAxis < 0 ? input.classAxis + input.shape.length : input.classAxis;
  const numClasses = input.shape[axis];
  const inner = input.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const positions = masses.length;
  const perClass = (numClasses + 2) * FLOAT32_UNIT_ROUNDOFF;
  const denominator = denominators.reduce((sum, value) => sum + value, 0);
  const scaleOf = (position: number): number => {
    if (input.reduction === 'none') {
      return Math.abs(input.upstream[position]);
    }
    return input.reduction === 'sum' ? 1 : 1 / denominator;
  };

  const logitsGradient = new Float64Array(input.logits.length);
  const labelsGradient = new Float64Array(input.logits.length);
  const slope = input.smoothingMode === 'uniform' ? 1 - input.smoothing : 1 - input.smoothing - input.smoothing / (numClasses - 1);
  for (let position = 0; position < positions; position++) {
    const outer = Math.floor(position / inner);
    const innerIndex = position % inner;
    for (let c = 0; c < numClasses; c++) {
      const offset = (outer * numClasses + c) * inner + innerIndex;
      const weight = input.weight ? input.weight[c] : 1;
      logitsGradient[offset] = scaleOf(position) * masses[position] * perClass;
      labelsGradient[offset] = Math.abs(scaleOf(position) * slope * weight) * perClass;
    }
  }

  let loss: Float64Array | number;
  if (input.reduction === 'none') {
    loss = masses.map((mass) => mass * perClass);
  } else {
    // Summing P per-position losses in float32 adds up to about P·2^-24 of their total.
    let total = 0;
    let magnitude = 0;
    for (let position = 0; position < positions; position++) {
      total += masses[position] * perClass;
      magnitude += Math.abs(losses[position]);
    }
    total += (positions + 2) * FLOAT32_UNIT_ROUNDOFF * magnitude;
    loss = input.reduction === 'sum' ? total : total / denominator;
  }
  return { loss, logitsGradient, labelsGradient };
}

/**
 * Compares one input's loss, logits gradient and (for probability labels)
 * labels gradient with the reference, and checks that no tensor leaked.
 */
export function checkAgreement(input: AgreementInput, tolerance: Tolerance, caseName = 'agreement'): CheckResult[] {
  const group = AGREEMENT_GROUP;
  return guarded(caseName, group, 'run', () => {
    const tensorsBefore = tf.memory().numTensors;
    const reference = referenceInputOf(input);
    const outputs = evaluateOnBackend(input);
    const results: CheckResult[] = [];

    const { losses, denominators } = referenceLosses(reference);
    const allowances = allowancesOf(input, losses, denominators);
    const expectedLoss = input.reduction === 'none' ? losses : [referenceReduce({ losses, denominators }, input.reduction)];
    results.push(compared(caseName, group, `loss:${input.reduction}`,
      compareWithAllowance(outputs.loss, expectedLoss, tolerance.loss, allowances.loss)));

    if (!meanDividesByZero(input)) {
      const gradients = referenceGradients(reference, input.reduction, input.upstream);
      results.push(compared(caseName, group, `logits-gradient:${input.reduction}`,
        compareWithAllowance(outputs.logitsGradient, gradients.logits, tolerance.gradient, allowances.logitsGradient)));
      if (outputs.labelsGradient && gradients.labels) {
        results.push(compared(caseName, group, `labels-gradient:${input.reduction}`,
          compareWithAllowance(outputs.labelsGradient, gradients.labels, tolerance.gradient, allowances.labelsGradient)));
      }
    }

    const leaked = tf.memory().numTensors - tensorsBefore;
    results.push(expectThat(caseName, group, 'no-leak', leaked === 0, `${leaked} tensor(s) leaked`));
    return results;
  });
}

export interface AgreementOptions {
  seed: number;
  numRuns: number;
  /** fast-check's replay path of a reported failure; with the same seed it reruns only that input. */
  path?: string;
}

/** Summary of one fast-check run of the agreement property. */
export interface AgreementRun {
  seed: number;
  numRuns: number;
  /** Inputs tried before stopping (all of them when nothing failed). */
  runsExecuted: number;
  failed: boolean;
  /**
   * fast-check's report of a failure: the seed, the replay path, the shrunk
   * input and the checks that failed on it.
   */
  report?: string;
  /** The checks of the shrunk failing input. */
  failures: CheckResult[];
}

/** Runs the agreement property on the active backend. */
export function runAgreement(tolerance: Tolerance, options: AgreementOptions): AgreementRun {
  let lastFailures: CheckResult[] = [];
  const property = fc.property(agreementInputs(), (input) => {
    const failures = checkAgreement(input, tolerance).filter((result) => !result.passed);
    if (failures.length > 0) {
      lastFailures = failures;
      throw new Error(failures.map((result) => `${result.check}: ${result.message}`).join('\n'));
    }
  });
  const details = fc.check(property, { seed: options.seed, numRuns: options.numRuns, path: options.path });
  return {
    seed: options.seed,
    numRuns: options.numRuns,
    runsExecuted: details.numRuns,
    failed: details.failed,
    report: details.failed ? formatFailure(details, lastFailures) : undefined,
    failures: details.failed ? lastFailures : [],
  };
}

function formatFailure(details: fc.RunDetails<[AgreementInput]>, failures: CheckResult[]): string {
  const checks = failures.map((result) => `  ${result.check}: ${result.message}`).join('\n');
  return `Failed checks on the shrunk input:\n${checks}\n${fc.defaultReportMessage(details) ?? 'Property failed'}`;
}

/** Turns a run into one `CheckResult`, whose message on failure is fast-check's report. */
export function agreementResult(run: AgreementRun): CheckResult {
  return expectThat(`seed-${run.seed}`, AGREEMENT_GROUP, `${run.numRuns}-runs`, !run.failed, run.report ?? 'failed');
}
