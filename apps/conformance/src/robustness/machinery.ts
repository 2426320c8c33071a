/**
 * The loss inside tfjs' own machinery on the active backend: `tf.tidy`,
 * `tf.grad`, `tf.variableGrads`, `optimizer.minimize`, `dataSync()` and
 * `await data()`. Each result is compared with the float64 reference.
 */
import * as tf from '@tensorflow/tfjs-core';
import { labelSmoothingCrossEntropy, type LabelSmoothingOptions } from '@label-smoothing/core';

import type { CheckResult } from '../checks.js';
import { SeededRandom } from '../random.js';
import { referenceGradients, referenceLosses, referenceReduce, type ReferenceInput } from '../reference.js';
import { compareValues, type Tolerance } from '../tolerances.js';
import { compared, expectThat, guarded, guardedAsync } from './check_results.js';

export const MACHINERY_GROUP = 'tfjs-machinery';

/** One fixed input: [6, 5] logits, an ignored position, class weights, ε = 0.2. */
export interface MachineryFixture {
  reference: ReferenceInput;
  options: LabelSmoothingOptions;
  expectedLoss: number;
  expectedGradient: Float64Array;
}

export function machineryFixture(): MachineryFixture {
  const random = new SeededRandom('tfjs-machinery');
  const shape = [6, 5];
  const weight = [1, 0.5, 2, 1.5, 0.25];
  const reference: ReferenceInput = {
    shape,
    classAxis: -1,
    logits: random.exactLogits(30),
    labels: [0, 4, -100, 2, 1, 3],
    labelsKind: 'index',
    smoothing: 0.2,
    smoothingMode: 'uniform',
    weight,
    ignoreIndex: -100,
  };
  return {
    reference,
    options: { smoothing: 0.2, weight },
    expectedLoss: referenceReduce(referenceLosses(reference), 'mean'),
    expectedGradient: referenceGradients(reference, 'mean').logits,
  };
}

function makeLogits(fixture: MachineryFixture): tf.Tensor2D {
  return tf.tensor2d(Float32Array.from(fixture.reference.logits), fixture.reference.shape as [number, number]);
}

/** Creates a trainable variable with the fixture's logits and releases the initial tensor. */
function makeVariable(fixture: MachineryFixture): tf.Variable {
  const initial = makeLogits(fixture);
  const variable = tf.variable(initial);
  initial.dispose();
  return variable;
}

function makeLabels(fixture: MachineryFixture): tf.Tensor1D {
  return tf.tensor1d(Int32Array.from(fixture.reference.labels), 'int32');
}

/** Runs the synchronous checks; `checkDataAsync` is the one asynchronous check. */
export function checkMachinery(tolerance: Tolerance): CheckResult[] {
  const fixture = machineryFixture();
  const group = MACHINERY_GROUP;
  const results: CheckResult[] = [];

  results.push(...guarded('tf.tidy', group, 'run', () => {
    const before = tf.memory().numTensors;
    const loss = tf.tidy(() => labelSmoothingCrossEntropy(makeLogits(fixture), makeLabels(fixture), fixture.options));
    const kept = tf.memory().numTensors - before;
    const value = loss.dataSync();
    loss.dispose();
    return [
      compared('tf.tidy', group, 'loss:mean', compareValues(value, [fixture.expectedLoss], tolerance.loss)),
      expectThat('tf.tidy', group, 'keeps-only-result', kept === 1, `tf.tidy kept ${kept} tensors, expected only the loss`),
    ];
  }));

  results.push(...guarded('tf.grad', group, 'run', () => {
    const before = tf.memory().numTensors;
    const gradient = tf.tidy(() => {
      const labels = makeLabels(fixture);
      return tf.grad((x: tf.Tensor) => labelSmoothingCrossEntropy(x, labels, fixture.options))(makeLogits(fixture));
    });
    const values = gradient.dataSync();
    gradient.dispose();
    const leaked = tf.memory().numTensors - before;
    return [
      compared('tf.grad', group, 'logits-gradient:mean', compareValues(values, fixture.expectedGradient, tolerance.gradient)),
      expectThat('tf.grad', group, 'no-leak', leaked === 0, `${leaked} tensor(s) leaked`),
    ];
  }));

  results.push(...guarded('tf.variableGrads', group, 'run', () => {
    const before = tf.memory().numTensors;
    const variable = makeVariable(fixture);
    const labels = makeLabels(fixture);
    const { value, grads } = tf.variableGrads(
      () => labelSmoothingCrossEntropy(variable, labels, fixture.options) as tf.Scalar, [variable]);
    const loss = value.dataSync();
    const gradient = grads[variable.name].dataSync();
    tf.dispose([value, ...Object.values(grads), variable, labels]);
    const leaked = tf.memory().numTensors - before;
    return [
      compared('tf.variableGrads', group, 'loss:mean', compareValues(loss, [fixture.expectedLoss], tolerance.loss)),
      compared('tf.variableGrads', group, 'logits-gradient:mean', compareValues(gradient, fixture.expectedGradient, tolerance.gradient)),
      expectThat('tf.variableGrads', group, 'no-leak', leaked === 0, `${leaked} tensor(s) leaked`),
    ];
  }));

  results.push(...guarded('optimizer.minimize', group, 'run', () => {
    // One SGD step moves the logits by -learningRate · gradient.
    const learningRate = 0.5;
    const before = tf.memory().numTensors;
    const variable = makeVariable(fixture);
    const labels = makeLabels(fixture);
    const optimizer = tf.train.sgd(learningRate);
    const cost = optimizer.minimize(() => labelSmoothingCrossEntropy(variable, labels, fixture.options) as tf.Scalar, true, [variable]);
    const loss = cost!.dataSync();
    const updated = variable.dataSync();
    tf.dispose([cost!, variable, labels]);
    optimizer.dispose();
    const expected = Float64Array.from(fixture.reference.logits, (x, i) => x - learningRate * fixture.expectedGradient[i]);
    const leaked = tf.memory().numTensors - before;
    return [
      compared('optimizer.minimize', group, 'loss:mean', compareValues(loss, [fixture.expectedLoss], tolerance.loss)),
      compared('optimizer.minimize', group, 'updated-logits', compareValues(updated, expected, tolerance.gradient)),
      expectThat('optimizer.minimize', group, 'no-leak', leaked === 0, `${leaked} tensor(s) leaked`),
    ];
  }));

  results.push(...guarded('dataSync', group, 'run', () => {
    const values = tf.tidy(() => labelSmoothingCrossEntropy(makeLogits(fixture), makeLabels(fixture),
      { ...fixture.options, reduction: 'none' }).dataSync());
    return [compared('dataSync', group, 'loss:none',
      compareValues(values, referenceLosses(fixture.reference).losses, tolerance.loss))];
  }));
  return results;
}

/** Reads the `'none'` losses with `await data()`, which downloads without blocking on GPU backends. */
export async function checkDataAsync(tolerance: Tolerance): Promise<CheckResult[]> {
  const fixture = machineryFixture();
  return guardedAsync('await data()', MACHINERY_GROUP, 'run', async () => {
    const before = tf.memory().numTensors;
    const losses = tf.tidy(() => labelSmoothingCrossEntropy(makeLogits(fixture), makeLabels(fixture),
      { ...fixture.options, reduction: 'none' }));
    const values = await losses.data();
    losses.dispose();
    const leaked = tf.memory().numTensors - before;
    return [
      compared('await data()', MACHINERY_GROUP, 'loss:none',
        compareValues(values, referenceLosses(fixture.reference).losses, tolerance.loss)),
      expectThat('await data()', MACHINERY_GROUP, 'no-leak', leaked === 0, `${leaked} tensor(s) leaked`),
    ];
  });
}
