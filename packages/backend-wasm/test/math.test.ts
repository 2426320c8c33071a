/**
 * Accuracy of the kernel module's own exp and log over the whole float32
 * range, measured in ulps of the correctly rounded float32 result, through
 * the module's `expElements` and `logElements` exports on a memory of our own.
 */
import { describe, expect, test } from 'vitest';
import { kernelModuleFor } from '@label-smoothing/backend-wasm/base';

const SAMPLES = 1 << 20;
const memory = new WebAssembly.Memory({ initial: Math.ceil((SAMPLES * 8) / 65536) + 1 });
const kernels = kernelModuleFor(memory);
const input = new Float32Array(memory.buffer, 0, SAMPLES);
const output = new Float32Array(memory.buffer, SAMPLES * 4, SAMPLES);

/** Size of one ulp of the float32 number nearest to `value`; the subnormal spacing below 2^-126. */
function ulpOf(value: number): number {
  const magnitude = Math.abs(Math.fround(value));
  if (magnitude < 2 ** -126) return 2 ** -149;
  return 2 ** (Math.floor(Math.log2(magnitude)) - 23);
}

/** Float32 values from evenly spaced bit patterns between two non-negative floats (both included). */
function spacedFloats(from: number, to: number, count: number): Float32Array {
  const bits = new Uint32Array(new Float32Array([from, to]).buffer);
  const values = new Uint32Array(count);
  for (let i = 0; i < count; i++) {
    values[i] = Math.round(bits[0] + ((bits[1] - bits[0]) * i) / (count - 1));
  }
  return new Float32Array(values.buffer);
}

function evaluate(kernel: 'exp' | 'log', values: ArrayLike<number>): Float32Array {
  const count = Math.ceil(values.length / 4) * 4;
  input.fill(0, 0, count);
  input.set(values);
  if (kernel === 'exp') {
    kernels.expElements(input.byteOffset, output.byteOffset, count);
  } else {
    kernels.logElements(input.byteOffset, output.byteOffset, count);
  }
  return output.slice(0, values.length);
}

/** Largest error in ulps of the float32 result, and where it occurs. */
function worstUlps(values: Float32Array, results: Float32Array, exact: (x: number) => number): { ulps: number; at: number } {
  let worst = { ulps: 0, at: NaN };
  for (let i = 0; i < values.length; i++) {
    const expected = exact(values[i]);
    if (!Number.isFinite(Math.fround(expected))) {
      continue;
    }
    const ulps = Math.abs(results[i] - expected) / ulpOf(expected);
    if (!(ulps <= worst.ulps)) {
      worst = { ulps, at: values[i] };
    }
  }
  return worst;
}

describe('exp', () => {
  test('within 3 ulps where the result is a normal float32', () => {
    // Every input from -87.3 (result 2^-126) to 88.72 (largest float32 result).
    const negative = spacedFloats(0, 87.33, SAMPLES / 2).map((x) => -x);
    const positive = spacedFloats(0, 88.72, SAMPLES / 2);
    for (const values of [negative, positive]) {
      const worst = worstUlps(values, evaluate('exp', values), Math.exp);
      expect(worst.ulps, `worst at x = ${worst.at}`).toBeLessThanOrEqual(3);
    }
  });

  test('within 2 subnormal steps below 2^-126', () => {
    const values = spacedFloats(87.34, 103.97, 4096).map((x) => -x);
    const results = evaluate('exp', values);
    values.forEach((x, i) => {
      expect(Math.abs(results[i] - Math.exp(x)), `x = ${x}`).toBeLessThanOrEqual(2 * 2 ** -149);
    });
  });

  test('special values', () => {
    const values = [-Infinity, Infinity, NaN, 0, -0, -1e30, 1e30, -104, 89, -3.4e38, 3.4e38];
    const results = evaluate('exp', values);
    expect(results[0]).toBe(0);
    expect(results[1]).toBe(Infinity);
    expect(Number.isNaN(results[2])).toBe(true);
    expect(results[3]).toBe(1);
    expect(results[4]).toBe(1);
    expect(results[5]).toBe(0);
    expect(results[6]).toBe(Infinity);
    expect(results[7]).toBe(0);
    expect(results[8]).toBe(Infinity);
    expect(results[9]).toBe(0);
    expect(results[10]).toBe(Infinity);
  });
});

describe('log', () => {
  test('within 2 ulps over every positive float32', () => {
    // Subnormals, then every binade up to the largest finite float32.
    const values = spacedFloats(2 ** -149, 3.4028234663852886e38, SAMPLES);
    const worst = worstUlps(values, evaluate('log', values), Math.log);
    expect(worst.ulps, `worst at x = ${worst.at}`).toBeLessThanOrEqual(2);
  });

  test('within 2 ulps next to 1', () => {
    const values = spacedFloats(0.5, 2, SAMPLES);
    const worst = worstUlps(values, evaluate('log', values), Math.log);
    expect(worst.ulps, `worst at x = ${worst.at}`).toBeLessThanOrEqual(2);
  });

  test('special values', () => {
    const values = [0, -0, -1, -Infinity, Infinity, NaN, 1, 2 ** -149];
    const results = evaluate('log', values);
    expect(results[0]).toBe(-Infinity);
    expect(results[1]).toBe(-Infinity);
    expect(Number.isNaN(results[2])).toBe(true);
    expect(Number.isNaN(results[3])).toBe(true);
    expect(results[4]).toBe(Infinity);
    expect(Number.isNaN(results[5])).toBe(true);
    expect(results[6]).toBe(0);
    expect(results[7]).toBeCloseTo(Math.log(2 ** -149), 4);
  });
});
