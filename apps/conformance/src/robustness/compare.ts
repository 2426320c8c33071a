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
import { compareValues, type Comparison } from '../tolerances.js';

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
  return compareValues(actual, expected, bound, allowance);
}
