/**
 * The conformance suite for every backend that runs in Node: the PyTorch
 * reference cases, then the property checks. Each case is its own test,
 * titled with the backend's name.
 */
import { describe, expect, test, beforeAll } from 'vitest';

import { BACKENDS } from '../src/backends.js';
import {
  checkFiniteDifferences,
  checkFusedAgainstComposite,
  checkReferenceCase,
  checkShiftInvariance,
  type CheckResult,
} from '../src/checks.js';
import { loadCases } from '../src/node_cases.js';
import { TOLERANCES } from '../src/tolerances.js';

const cases = loadCases();
const nodeBackends = BACKENDS.filter((backend) => backend.environments.includes('node'));

function expectAllPassed(results: CheckResult[]): void {
  const failures = results.filter((result) => !result.passed).map((r) => `${r.caseName} ${r.check}: ${r.message}`);
  expect(failures).toEqual([]);
  expect(results.length).toBeGreaterThan(0);
}

test('cases cover every group', () => {
  expect(cases.length).toBeGreaterThanOrEqual(40);
  const groups = new Set(cases.map((c) => c.group));
  for (const group of ['index', 'probability', 'weights', 'ignore', 'layout', 'edge', 'non-target', 'numerics', 'reported']) {
    expect(groups, group).toContain(group);
  }
});

describe.each(nodeBackends)('conformance on $name', (backend) => {
  const tolerance = TOLERANCES[backend.precision];

  beforeAll(async () => {
    await backend.activate();
  });

  test.each(cases.map((c) => [c.name, c] as const))(`${backend.name}: %s`, (_name, testCase) => {
    expectAllPassed(checkReferenceCase(testCase, tolerance));
  });

  test(`${backend.name}: gradients match finite differences`, () => {
    expectAllPassed(checkFiniteDifferences(tolerance));
  });

  test(`${backend.name}: shifting a row leaves loss and gradient`, () => {
    expectAllPassed(checkShiftInvariance(tolerance));
  });

  test(`${backend.name}: fused kernels match the composite`, () => {
    expectAllPassed(checkFusedAgainstComposite(tolerance));
  });
});
