/**
 * The conformance suite in headless Chromium, for every browser target
 * (cpu, webgl, webgl with 16-bit textures, and webgpu), then the webgl- and
 * webgpu-specific checks. Each case is its own test, titled with the
 * target's name; a check a target skips is listed in
 * `src/browser/exclusions.ts` with its reason.
 *
 * Without Chromium these tests are skipped, except under CI=true, where a
 * missing Chromium fails the run.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

import type { CheckResult } from '../src/checks.js';
import { CHROMIUM_INSTALL_HINT, CHROMIUM_PATH, chromiumInstalled } from '../src/browser/chromium.js';
import { exclusionFor } from '../src/browser/exclusions.js';
import { BrowserRunner } from '../src/browser/runner.js';
import { browserTargets, type BrowserTarget } from '../src/browser/targets.js';
import { loadCases } from '../src/node_cases.js';

const cases = loadCases();
const available = chromiumInstalled();
const PROPERTY_GROUPS = ['finite-differences', 'shift-invariance', 'fused-vs-composite'];
/** A whole suite on SwiftShader compiles a few hundred shaders. */
const SUITE_TIMEOUT_MS = 8 * 60 * 1000;

function expectAllPassed(results: CheckResult[]): void {
  const failures = results.filter((result) => !result.passed).map((r) => `${r.caseName} ${r.check}: ${r.message}`);
  expect(failures).toEqual([]);
  expect(results.length).toBeGreaterThan(0);
}

/** Returns the reason a target skips every check of a case, when one exclusion covers the whole case. */
function wholeCaseExclusion(target: BrowserTarget, caseName: string, group: string): string | undefined {
  const exclusion = exclusionFor(target.name, { caseName, group, check: '' });
  return exclusion && exclusion.checks === undefined ? exclusion.reason : undefined;
}

test('Chromium is installed when CI=true', () => {
  if (process.env.CI !== 'true') {
    return;
  }
  expect(available, `Chromium not found at ${CHROMIUM_PATH}. Install it with: ${CHROMIUM_INSTALL_HINT}`).toBe(true);
});

describe.skipIf(!available)('in Chromium', () => {
  let runner: BrowserRunner | undefined;

  beforeAll(async () => {
    runner = await BrowserRunner.start();
  }, 60_000);

  afterAll(async () => {
    await runner?.close();
  });

  describe.each(browserTargets())('conformance on $name', (target) => {
    let results: CheckResult[] = [];

    beforeAll(async () => {
      const report = await runner!.runConformance(target, { cases });
      results = report.results.filter((result) => exclusionFor(target.name, result) === undefined);
    }, SUITE_TIMEOUT_MS);

    for (const testCase of cases) {
      const reason = wholeCaseExclusion(target, testCase.name, testCase.group);
      if (reason) {
        test.skip(`${target.name}: ${testCase.name} (skipped: ${reason})`, () => {});
        continue;
      }
      test(`${target.name}: ${testCase.name}`, () => {
        expectAllPassed(results.filter((result) => result.caseName === testCase.name && result.group === testCase.group));
      });
    }

    for (const group of PROPERTY_GROUPS) {
      const reason = wholeCaseExclusion(target, '', group);
      if (reason) {
        test.skip(`${target.name}: ${group} (skipped: ${reason})`, () => {});
        continue;
      }
      test(`${target.name}: ${group}`, () => {
        expectAllPassed(results.filter((result) => result.group === group));
      });
    }
  });

  describe.each(browserTargets().filter((target) => target.backend === 'webgl'))('webgl kernels on $name', (target) => {
    let results: CheckResult[] = [];

    beforeAll(async () => {
      results = await runner!.runWebGLChecks(target);
    }, SUITE_TIMEOUT_MS);

    const checkCases = [
      'many-classes-smoothing', 'many-classes-no-smoothing', 'very-many-classes', 'many-rows', 'large-gap-2250',
      'invalid-labels', 'packed-logits', 'program-cache', 'training-200-steps',
    ];
    test.each(checkCases)(`${target.name}: %s`, (caseName) => {
      expectAllPassed(results.filter((result) => result.caseName.startsWith(caseName)));
    });

    test(`${target.name}: every webgl check is asserted`, () => {
      const unasserted = results.filter((result) => !checkCases.some((caseName) => result.caseName.startsWith(caseName)));
      expect(unasserted.map((result) => result.caseName)).toEqual([]);
    });
  });

  describe.each(browserTargets().filter((target) => target.backend === 'webgpu'))('webgpu kernels on $name', (target) => {
    let results: CheckResult[] = [];

    beforeAll(async () => {
      results = await runner!.runWebGPUChecks(target);
    }, SUITE_TIMEOUT_MS);

    const checkCases = [
      'program-cache', 'lanes-c32-', 'lanes-c33-', 'lanes-c256-', 'lanes-c257-', 'lanes-c2048-', 'lanes-c2049-',
      'many-classes-smoothing', 'many-classes-no-smoothing', 'invalid-labels', 'large-gap-2250', 'training-200-steps',
    ];
    test.each(checkCases)(`${target.name}: %s`, (caseName) => {
      expectAllPassed(results.filter((result) => result.caseName.startsWith(caseName)));
    });

    test(`${target.name}: every webgpu check is asserted`, () => {
      const unasserted = results.filter((result) => !checkCases.some((caseName) => result.caseName.startsWith(caseName)));
      expect(unasserted.map((result) => result.caseName)).toEqual([]);
    });
  });
});
