/** Precision of a backend's tensor storage, which sets its tolerances. */
export type Precision = 'float32' | 'float16';

/**
 * Allowed error of a backend against float64 expectations. A value passes when
 * `|actual - expected| <= max(absolute, relative · |expected|)`; non-finite
 * expectations must match exactly (NaN for NaN, the same infinity).
 */
export interface Tolerance {
  loss: { absolute: number; relative: number };
  gradient: { absolute: number; relative: number };
}

export const TOLERANCES: Record<Precision, Tolerance> = {
  // float32 storage with float32-or-wider accumulation: a loss keeps about six
  // significant digits. A gradient entry is a difference of two terms of
  // order w·q, so it gets an absolute bound and, for entries above 1, the
  // same relative bound.
  float32: {
    loss: { absolute: 1e-6, relative: 1e-5 },
    gradient: { absolute: 1e-6, relative: 1e-6 },
  },
  // 16-bit textures keep about three significant digits (10-bit mantissa).
  float16: {
    loss: { absolute: 1e-2, relative: 1e-2 },
    gradient: { absolute: 1e-2, relative: 1e-2 },
  },
};

/** Result of comparing one array of values. */
export interface Comparison {
  passed: boolean;
  maxAbsoluteError: number;
  maxRelativeError: number;
  /** First mismatch, as "index 3: expected 0.5, got 0.6", or undefined when all pass. */
  firstMismatch?: string;
}

/**
 * Compares actual values with float64 expectations under a tolerance, plus an
 * optional further allowance per entry (or one for every entry) on finite
 * expectations.
 */
export function compareValues(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  bound: { absolute: number; relative: number },
  allowance: ArrayLike<number> | number = 0,
): Comparison {
  if (actual.length !== expected.length) {
    return {
      passed: false,
      maxAbsoluteError: Infinity,
      maxRelativeError: Infinity,
      firstMismatch: `length: expected ${expected.length} values, got ${actual.length}`,
    };
  }

  let passed = true;
  let maxAbsoluteError = 0;
  let maxRelativeError = 0;
  let firstMismatch: string | undefined;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    const extra = typeof allowance === 'number' ? allowance : allowance[i];
    let ok: boolean;
    if (!Number.isFinite(e)) {
      ok = Object.is(a, e) || (Number.isNaN(a) && Number.isNaN(e));
    } else if (!Number.isFinite(a)) {
      ok = false;
    } else {
      const absoluteError = Math.abs(a - e);
      maxAbsoluteError = Math.max(maxAbsoluteError, absoluteError);
      // Relative errors of values below the absolute bound say nothing useful.
      if (Math.abs(e) >= bound.absolute) {
        maxRelativeError = Math.max(maxRelativeError, absoluteError / Math.abs(e));
      }
      const limit = Math.max(bound.absolute, bound.relative * Math.abs(e)) + (Number.isFinite(extra) ? extra : 0);
      ok = absoluteError <= limit;
    }
    if (!ok) {
      if (passed) {
        firstMismatch = `index ${i}: expected ${e}, got ${a}`;
      }
      passed = false;
      if (!Number.isFinite(e) || !Number.isFinite(a)) {
        maxAbsoluteError = Infinity;
      }
    }
  }
  return { passed, maxAbsoluteError, maxRelativeError, firstMismatch };
}
