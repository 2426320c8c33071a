/**
 * Robustness on webgl in headless Chromium, through the browser runner:
 * randomized agreement, leaks (with numBytesInGPU), invalid inputs (an
 * out-of-range label gives NaN there, because labels are not read back from
 * the GPU) and tfjs machinery.
 *
 * Only the float32 webgl target runs here. webgl-f16 is left out because
 * 16-bit textures cannot hold the random inputs exactly: ±Infinity becomes NaN
 * on upload, logits near 1e4 are 8 apart, and class indices above 2048 round.
 *
 * ROBUSTNESS_SEED and ROBUSTNESS_WEBGL_RUNS change the seed and the number of
 * inputs (default 200: SwiftShader compiles new shaders for most inputs,
 * because the class count is part of the shader source). Without Chromium
 * these tests are skipped, as in browser.test.ts.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

import type { CheckResult } from '../src/checks.js';
import { chromiumInstalled } from '../src/browser/chromium.js';
import { BrowserRunner } from '../src/browser/runner.js';
import { findBrowserTarget } from '../src/browser/targets.js';
import { DEFAULT_AGREEMENT_SEED, INVALID_INPUT_CASES, type RobustnessReport } from '../src/robustness/index.js';

const SEED = Number(process.env.ROBUSTNESS_SEED ?? DEFAULT_AGREEMENT_SEED);
const RUNS = Number(process.env.ROBUSTNESS_WEBGL_RUNS ?? 200);
const LEAK_STEPS = 1000;
const SUITE_TIMEOUT_MS = 10 * 60 * 1000;

function expectAllPassed(results: CheckResult[]): void {
  expect(results.filter((result) => !result.passed).map((r) => `${r.caseName} ${r.check}: ${r.message}`)).toEqual([]);
  expect(results.length).toBeGreaterThan(0);
}

describe.skipIf(!chromiumInstalled())('robustness on webgl in Chromium', () => {
  let runner: BrowserRunner | undefined;
  let report: RobustnessReport;

  beforeAll(async () => {
    runner = await BrowserRunner.start();
    report = await runner.runRobustness({ target: findBrowserTarget('webgl')!, seed: SEED, runs: RUNS, leakSteps: LEAK_STEPS });
  }, SUITE_TIMEOUT_MS);

  afterAll(async () => {
    await runner?.close();
  });

  test(`webgl: randomized agreement, ${RUNS} runs`, () => {
    expect(report.agreement.failed, report.agreement.report).toBe(false);
    expect(report.agreement.runsExecuted).toBe(RUNS);
  });

  test.each(['numTensors', 'numBytes', 'numBytesInGPU'])(`webgl: ${LEAK_STEPS} training steps keep %s flat`, (counter) => {
    expectAllPassed(report.results.filter((result) => result.caseName === `training-${LEAK_STEPS}-steps` && result.check === counter));
  });

  test('webgl: invalid calls leak nothing', () => {
    expectAllPassed(report.results.filter((result) =>
      result.caseName === 'invalid-calls-only' || result.check === 'invalid-calls-throw' || result.check === 'no-leak-after-dispose'));
  });

  test.each(INVALID_INPUT_CASES.map((testCase) => [testCase.name, testCase.nanPositions ? 'NaN' : 'error'] as const))(
    'webgl: %s gives %s', (name) => {
      expectAllPassed(report.results.filter((result) => result.caseName === name));
    });

  test.each(['float labels of whole numbers', 'labels as a plain array', 'int32 one-hot labels', 'probabilities not summing to one'])(
    'webgl: accepts %s', (name) => {
      expectAllPassed(report.results.filter((result) => result.caseName === name));
    });

  test.each(['tf.tidy', 'tf.grad', 'tf.variableGrads', 'optimizer.minimize', 'dataSync', 'await data()'])(
    'webgl: loss inside %s', (name) => {
      expectAllPassed(report.results.filter((result) => result.caseName === name));
    });
});
