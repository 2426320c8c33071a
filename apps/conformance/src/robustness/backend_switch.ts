/**
 * Switching backends between two calls in one process: the loss computed on
 * one backend, then another, then the first again, from the same tensors
 * (tfjs moves their data on first use).
 */
import * as tf from '@tensorflow/tfjs-core';
import { labelSmoothingCrossEntropy } from '@label-smoothing/core';

import type { CheckResult } from '../checks.js';
import { compareValues, type Tolerance } from '../tolerances.js';
import { compared, expectThat, guardedAsync } from './check_results.js';
import { machineryFixture } from './machinery.js';

export const BACKEND_SWITCH_GROUP = 'backend-switch';

/**
 * Runs the loss and its gradient on `names[0]`, `names[1]`, ... in turn,
 * activating each with `activate`. Every run must match the reference, and
 * runs on the same backend must agree exactly.
 */
export async function checkBackendSwitch(
  names: readonly string[],
  activate: (name: string) => Promise<void>,
  tolerance: Tolerance,
): Promise<CheckResult[]> {
  const caseName = names.join(' -> ');
  const group = BACKEND_SWITCH_GROUP;
  return guardedAsync(caseName, group, 'run', async () => {
    const fixture = machineryFixture();
    await activate(names[0]);
    const logits = tf.tensor2d(Float32Array.from(fixture.reference.logits), fixture.reference.shape as [number, number]);
    const labels = tf.tensor1d(Int32Array.from(fixture.reference.labels), 'int32');
    const results: CheckResult[] = [];
    const firstRun = new Map<string, { loss: Float32Array; gradient: Float32Array }>();

    try {
      for (const [step, name] of names.entries()) {
        await activate(name);
        const loss = tf.tidy(() => labelSmoothingCrossEntropy(logits, labels, fixture.options).dataSync() as Float32Array);
        const gradient = tf.tidy(() =>
          tf.grad((x: tf.Tensor) => labelSmoothingCrossEntropy(x, labels, fixture.options))(logits).dataSync() as Float32Array);
        const check = `${step}:${name}`;
        results.push(compared(caseName, group, `${check}:loss:mean`, compareValues(loss, [fixture.expectedLoss], tolerance.loss)));
        results.push(compared(caseName, group, `${check}:logits-gradient:mean`,
          compareValues(gradient, fixture.expectedGradient, tolerance.gradient)));

        const earlier = firstRun.get(name);
        if (earlier) {
          const same = earlier.loss[0] === loss[0] && earlier.gradient.every((value, i) => value === gradient[i]);
          results.push(expectThat(caseName, group, `${check}:same-as-before`, same,
            `loss ${loss[0]} and gradient differ from the earlier run on ${name} (loss ${earlier.loss[0]})`));
        } else {
          firstRun.set(name, { loss, gradient });
        }
      }
    } finally {
      tf.dispose([logits, labels]);
    }
    return results;
  });
}
