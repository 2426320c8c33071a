/**
 * Large inputs on the Node backends: [64, 262144] and [32768, 1000] logits,
 * forward and backward, compared with the float64 reference on 16 rows.
 * Each takes 5 to 15 s here, so they run in `npm test`.
 *
 * The wasm heap-limit check allocates about 2.3 GB and runs only with
 * LARGE_HEAP_TESTS=1: [34000, 16384] logits fit the 32-bit heap, their
 * gradient does not, and the call must fail with an error naming the sizes
 * while the backend stays usable.
 */
import { describe, expect, test } from 'vitest';

import { BACKENDS, findBackend } from '../src/backends.js';
import type { CheckResult } from '../src/checks.js';
import { checkBeyondWasmHeap, checkLargeInput } from '../src/robustness/large_inputs.js';
import { TOLERANCES } from '../src/tolerances.js';

const LARGE_HEAP_TESTS = process.env.LARGE_HEAP_TESTS === '1';
const SHAPES: [number, number][] = [[64, 262144], [32768, 1000]];

function expectAllPassed(results: CheckResult[]): void {
  expect(results.filter((result) => !result.passed).map((r) => `${r.caseName} ${r.check}: ${r.message}`)).toEqual([]);
  expect(results.length).toBeGreaterThan(0);
}

describe.each(BACKENDS.filter((backend) => backend.environments.includes('node')))('large inputs on $name', (backend) => {
  test.each(SHAPES)(`${backend.name}: [%i, %i] forward and backward`, async (rows, numClasses) => {
    await backend.activate();
    const measurement = checkLargeInput([rows, numClasses], TOLERANCES[backend.precision]);
    expectAllPassed(measurement.results);
  }, 120_000);
});

describe.skipIf(!LARGE_HEAP_TESTS)(
  LARGE_HEAP_TESTS ? 'wasm heap limit' : 'wasm heap limit (skipped: set LARGE_HEAP_TESTS=1 to allocate about 2.3 GB)', () => {
    test('wasm: gradient beyond the heap fails clearly', async () => {
      await findBackend('wasm')!.activate();
      expectAllPassed(checkBeyondWasmHeap(TOLERANCES.float32));
    }, 120_000);
  });
