/**
 * Comparison with the float32 accumulation error the contract allows.
 *
 * A backend may sum a position's C exponentials in float32. Recursive float32
 * summation of C positive terms has a relative error of at most about
 * (C - 1)·2^-24, so the log-sum-exp carries an absolute error of up to about
 * C·2^-24. That error reaches the loss and the gradient multiplied by the
 * position's target mass M and by its scale, which is 2e-6 and more at
 * C = 300: more than the fixed float32 bounds of `TOLERANCES` allow.
 */
import type { Comparison } from '../tolerances.js';

/** Unit roundoff of float32: half the spacing of float32 values at 1. */
export const FLOAT32_UNIT_ROUNDOFF = 2 ** -24;

/**
 * Compares like `compareValues`, with a further allowance per entry (or one
 * for every entry) added to the bound of finite expectations. Non-finite
 * expectations must still match exactly, and a finite one must come out finite.
 */
export function compareWithAllowance(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  bound: { absolute: number; relative: number },
  allowance: ArrayLike<number> | number,
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
      maxAbsoluteError = Infinity;
    }
  }
  return { passed, maxAbsoluteError, maxRelativeError, firstMismatch };
}
