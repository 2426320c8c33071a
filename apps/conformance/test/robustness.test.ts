/**
 * Robustness on every backend that runs in Node (cpu, wasm): randomized
 * agreement with the float64 reference, leaks over 1000 training steps and on
 * error paths, every validation error, use inside tfjs' machinery, and
 * switching backends in one process. Titles carry the backend's name.
 *
 * ROBUSTNESS_SEED and ROBUSTNESS_RUNS change the randomized agreement's seed
 * and number of inputs (default: a fixed seed, 300 inputs).
 */
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { backendMemory } from '@label-smoothing/backend-wasm';
import { beforeAll, describe, expect, test } from 'vitest';

import { BACKENDS, findBackend } from '../src/backends.js';
import type { CheckResult } from '../src/checks.js';
import { referenceGradients, referenceLosses, referenceReduce } from '../src/reference.js';
import {
  DEFAULT_AGREEMENT_SEED,
  INVALID_INPUT_CASES,
  agreementInputs,
  checkBackendSwitch,
  checkDataAsync,
  checkInvalidInputs,
  checkMachinery,
  checkTrainingLeaks,
  runAgreement,
} from '../src/robustness/index.js';
import { referenceInputOf } from '../src/robustness/agreement_input.js';
import { TOLERANCES } from '../src/tolerances.js';

const SEED = Number(process.env.ROBUSTNESS_SEED ?? DEFAULT_AGREEMENT_SEED);
const RUNS = Number(process.env.ROBUSTNESS_RUNS ?? 300);
const LEAK_STEPS = 1000;
const nodeBackends = BACKENDS.filter((backend) => backend.environments.includes('node'));

function failuresOf(results: CheckResult[]): string[] {
  return results.filter((result) => !result.passed).map((r) => `${r.caseName} ${r.check}: ${r.message}`);
}

function expectAllPassed(results: CheckResult[]): void {
  expect(failuresOf(results)).toEqual([]);
  expect(results.length).toBeGreaterThan(0);
}

/** Bytes of the wasm backend's WebAssembly memory, which grows but never shrinks. */
function wasmHeapBytes(): number {
  return backendMemory(tf.backend() as BackendWasm).buffer.byteLength;
}

describe('reference gradient', () => {
  test('closed form matches finite differences', () => {
    // Finite inputs only: central differences (step 1e-4, float64) have a
    // truncation error near 1e-9 there and no meaning at ±Infinity or NaN.
    const inputs = fc.sample(agreementInputs().filter((input) =>
      input.logitsStyle === 'moderate' && input.logits.length > 0 && input.logits.length <= 600), { seed: 7, numRuns: 40 });
    expect(inputs.length).toBe(40);

    for (const input of inputs) {
      const reference = referenceInputOf(input);
      const lossAt = (logits: Float64Array) => {
        const losses = referenceLosses({ ...reference, logits });
        if (input.reduction === 'none') {
          return losses.losses.reduce((sum, loss, position) => sum + loss * input.upstream[position], 0);
        }
        return referenceReduce(losses, input.reduction);
      };
      const closedForm = referenceGradients(reference, input.reduction, input.upstream).logits;
      const logits = Float64Array.from(input.logits);
      for (let i = 0; i < logits.length; i++) {
        const original = logits[i];
        logits[i] = original + 1e-4;
        const above = lossAt(logits);
        logits[i] = original - 1e-4;
        const below = lossAt(logits);
        logits[i] = original;
        const difference = (above - below) / 2e-4;
        if (Number.isFinite(closedForm[i])) {
          expect(Math.abs(difference - closedForm[i]), `entry ${i} of ${JSON.stringify(input.shape)}`).toBeLessThan(1e-6);
        }
      }
    }
  });
});

describe.each(nodeBackends)('robustness on $name', (backend) => {
  const tolerance = TOLERANCES[backend.precision];
  const heapBytes = backend.name === 'wasm' ? wasmHeapBytes : undefined;

  beforeAll(async () => {
    await backend.activate();
  });

  test(`${backend.name}: randomized agreement, ${RUNS} runs`, () => {
    const run = runAgreement(tolerance, { seed: SEED, numRuns: RUNS });
    expect(run.failed, run.report).toBe(false);
    expect(run.runsExecuted).toBe(RUNS);
  }, 120_000);

  describe('leaks', () => {
    let results: CheckResult[] = [];

    beforeAll(() => {
      results = checkTrainingLeaks({ steps: LEAK_STEPS, heapBytes });
    }, 120_000);

    test.each(['numTensors', 'numBytes', ...(heapBytes ? ['heapBytes'] : [])])(
      `${backend.name}: ${LEAK_STEPS} training steps keep %s flat`, (counter) => {
        expectAllPassed(results.filter((result) => result.caseName === `training-${LEAK_STEPS}-steps` && result.check === counter));
      });

    test(`${backend.name}: invalid calls mid-training throw`, () => {
      expectAllPassed(results.filter((result) => result.check === 'invalid-calls-throw'));
    });

    test(`${backend.name}: invalid calls leak nothing`, () => {
      expectAllPassed(results.filter((result) => result.caseName === 'invalid-calls-only'));
    });

    test(`${backend.name}: training leaves no tensor`, () => {
      expectAllPassed(results.filter((result) => result.check === 'no-leak-after-dispose' || result.check === 'run'));
    });
  });

  describe('invalid inputs', () => {
    let results: CheckResult[] = [];

    beforeAll(() => {
      results = checkInvalidInputs(tolerance);
    });

    test.each(INVALID_INPUT_CASES.map((testCase) => testCase.name))(`${backend.name}: rejects %s`, (name) => {
      expectAllPassed(results.filter((result) => result.caseName === name));
    });

    test.each(['float labels of whole numbers', 'labels as a plain array', 'int32 one-hot labels', 'probabilities not summing to one'])(
      `${backend.name}: accepts %s`, (name) => {
        expectAllPassed(results.filter((result) => result.caseName === name));
      });
  });

  describe('tfjs machinery', () => {
    let results: CheckResult[] = [];

    beforeAll(async () => {
      results = [...checkMachinery(tolerance), ...(await checkDataAsync(tolerance))];
    });

    test.each(['tf.tidy', 'tf.grad', 'tf.variableGrads', 'optimizer.minimize', 'dataSync', 'await data()'])(
      `${backend.name}: loss inside %s`, (name) => {
        expectAllPassed(results.filter((result) => result.caseName === name));
      });
  });
});

test('backends switched cpu -> wasm -> cpu', async () => {
  const activate = async (name: string) => findBackend(name)!.activate();
  const results = await checkBackendSwitch(['cpu', 'wasm', 'cpu', 'wasm'], activate, TOLERANCES.float32);
  expectAllPassed(results);
});
