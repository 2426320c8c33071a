// Four-lane float32 exp and log for the kernels.
//
// The standard library's Mathf.exp and Mathf.log read lookup tables from
// data segments, so they are not used. This module must have no data
// segments, because it runs on the tfjs wasm backend's own memory, where a
// data segment would overwrite the backend's data at instantiation.
//
// The polynomial coefficients are minimax fits of the relative error,
// produced by scripts/fit-polynomials.mjs.

// ln 2 split so that n · LN2_HIGH is exact for |n| < 2^15.
const LN2_HIGH: f32 = 0.693359375;
const LN2_LOW: f32 = -2.12194440e-4;
const LOG2_E: f32 = 1.44269504;

// exp(r) ≈ 1 + r + r²·(c2 + c3·r + c4·r² + c5·r³) for |r| <= ln2/2.
const EXP_C2: f32 = 0.499992311;
const EXP_C3: f32 = 0.166671142;
const EXP_C4: f32 = 0.0418901369;
const EXP_C5: f32 = 0.00831252523;

// exp of anything below this is 0 in float32, even as a subnormal.
const EXP_INPUT_MIN: f32 = -110.0;
// exp of anything above this overflows to +Infinity in float32.
const EXP_INPUT_MAX: f32 = 89.0;
// 1.5·2^23. Adding it to a float in [-2^22, 2^22] rounds to an integer kept
// in the low mantissa bits. ROUNDING_SHIFT_BITS is its bit pattern.
const ROUNDING_SHIFT: f32 = 12582912.0;
const ROUNDING_SHIFT_BITS: i32 = 0x4b400000;

// log(1 + f) = 2·atanh(s), s = f/(2 + f) ≈ 2s + s³·(c1 + c2·s² + c3·s⁴) for mantissas in [√½, √2).
const LOG_C1: f32 = 0.666667759;
const LOG_C2: f32 = 0.399775714;
const LOG_C3: f32 = 0.298710078;

const SMALLEST_NORMAL: f32 = 1.17549435e-38;
const TWO_TO_23: f32 = 8388608.0;

/**
 * Computes e^x in each lane, within a few float32 ulps over the whole
 * float32 range: exp(-Infinity) = 0 exactly, results below the smallest
 * subnormal are 0, results above the largest float32 are +Infinity, and NaN
 * stays NaN.
 */
// @ts-ignore: decorator
@inline export function expVector(x: v128): v128 {
  // With x as the first operand, pmax and pmin return x itself when x is
  // NaN, so NaN flows through every step below and comes out as NaN.
  const clamped = f32x4.pmin(f32x4.pmax(x, f32x4.splat(EXP_INPUT_MIN)), f32x4.splat(EXP_INPUT_MAX));

  // n = round(x / ln2): adding 1.5·2^23 rounds to an integer (to nearest
  // even) and leaves n in the low mantissa bits, cheaper than f32x4.nearest
  // plus a float-to-int conversion.
  const shifted = f32x4.add(f32x4.mul(clamped, f32x4.splat(LOG2_E)), f32x4.splat(ROUNDING_SHIFT));
  const n = f32x4.sub(shifted, f32x4.splat(ROUNDING_SHIFT));
  const exponent = i32x4.sub(shifted, i32x4.splat(ROUNDING_SHIFT_BITS));

  // x = n·ln2 + r with |r| <= ln2/2 (Cody-Waite reduction in two steps).
  const r = f32x4.sub(f32x4.sub(clamped, f32x4.mul(n, f32x4.splat(LN2_HIGH))), f32x4.mul(n, f32x4.splat(LN2_LOW)));

  let p = f32x4.add(f32x4.mul(f32x4.splat(EXP_C5), r), f32x4.splat(EXP_C4));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(EXP_C3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(EXP_C2));
  p = f32x4.add(f32x4.add(f32x4.mul(p, f32x4.mul(r, r)), r), f32x4.splat(1.0));

  // 2^n is applied as two factors 2^(n/2) and 2^(n - n/2), so each stays in
  // the normal exponent range for n in [-159, 128]. The product then rounds
  // once to a subnormal, zero or infinity where the true result does.
  const half = i32x4.shr_s(exponent, 1);
  const rest = i32x4.sub(exponent, half);
  const scaleHalf = i32x4.shl(i32x4.add(half, i32x4.splat(127)), 23);
  const scaleRest = i32x4.shl(i32x4.add(rest, i32x4.splat(127)), 23);
  return f32x4.mul(f32x4.mul(p, scaleHalf), scaleRest);
}

/**
 * Computes the natural logarithm in each lane, within a few float32 ulps for
 * every positive input, subnormals included: log(0) = -Infinity,
 * log(+Infinity) = +Infinity, and negative inputs and NaN give NaN.
 */
// @ts-ignore: decorator
@inline export function logVector(x: v128): v128 {
  // Scale subnormals into the normal range and correct the exponent. Zero and
  // negative lanes take this branch too; their results are replaced below.
  const subnormal = f32x4.lt(x, f32x4.splat(SMALLEST_NORMAL));
  const scaled = v128.bitselect(f32x4.mul(x, f32x4.splat(TWO_TO_23)), x, subnormal);
  let exponent = i32x4.sub(i32x4.shr_s(scaled, 23), i32x4.splat(127));
  exponent = i32x4.sub(exponent, v128.and(subnormal, i32x4.splat(23)));

  // Mantissa in [1, 2), then moved to [√½, √2) so that |s| stays below 0.172.
  let mantissa = v128.or(v128.and(scaled, i32x4.splat(0x007fffff)), i32x4.splat(0x3f800000));
  const above = f32x4.gt(mantissa, f32x4.splat(1.41421356));
  mantissa = v128.bitselect(f32x4.mul(mantissa, f32x4.splat(0.5)), mantissa, above);
  // `above` is -1 in selected lanes, so subtracting it adds 1 to the exponent.
  exponent = i32x4.sub(exponent, above);

  const f = f32x4.sub(mantissa, f32x4.splat(1.0));
  const s = f32x4.div(f, f32x4.add(f, f32x4.splat(2.0)));
  const z = f32x4.mul(s, s);
  let p = f32x4.add(f32x4.mul(f32x4.splat(LOG_C3), z), f32x4.splat(LOG_C2));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(LOG_C1));
  const logMantissa = f32x4.add(f32x4.mul(f32x4.mul(s, z), p), f32x4.add(s, s));

  const e = f32x4.convert_i32x4_s(exponent);
  let result = f32x4.add(f32x4.mul(e, f32x4.splat(LN2_HIGH)), f32x4.add(f32x4.mul(e, f32x4.splat(LN2_LOW)), logMantissa));

  result = v128.bitselect(f32x4.splat(-Infinity), result, f32x4.eq(x, f32x4.splat(0.0)));
  result = v128.bitselect(f32x4.splat(NaN), result, f32x4.lt(x, f32x4.splat(0.0)));
  result = v128.bitselect(x, result, f32x4.eq(x, f32x4.splat(Infinity)));
  return v128.bitselect(x, result, f32x4.ne(x, x));
}

/** Computes e^x of one value with the vector routine, so scalar and vector paths agree exactly. */
// @ts-ignore: decorator
@inline export function expScalar(x: f32): f32 {
  return f32x4.extract_lane(expVector(f32x4.splat(x)), 0);
}

/** Computes log(x) of one value with the vector routine. */
// @ts-ignore: decorator
@inline export function logScalar(x: f32): f32 {
  return f32x4.extract_lane(logVector(f32x4.splat(x)), 0);
}

/** Adds the four float32 lanes of `v` in float64. */
// @ts-ignore: decorator
@inline export function sumLanes(v: v128): f64 {
  const low = f64x2.promote_low_f32x4(v);
  const high = f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 2, 3));
  const pair = f64x2.add(low, high);
  return f64x2.extract_lane(pair, 0) + f64x2.extract_lane(pair, 1);
}

/**
 * Maximum of the four lanes of a running maximum built with `f32x4.pmax`.
 * Such a maximum never contains NaN, because pmax(acc, x) keeps `acc` when `x` is NaN.
 */
// @ts-ignore: decorator
@inline export function maxLanes(v: v128): f32 {
  const pairs = f32x4.pmax(v, i32x4.shuffle(v, v, 2, 3, 0, 1));
  const all = f32x4.pmax(pairs, i32x4.shuffle(pairs, pairs, 1, 0, 3, 2));
  return f32x4.extract_lane(all, 0);
}
