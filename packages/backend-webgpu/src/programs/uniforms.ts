import { smoothingCoefficients, type ClassAxisLayout, type LabelSmoothingAttrs } from '@label-smoothing/core';

/** One program-defined uniform as `runWebGPUProgram` takes it. */
export interface ProgramUniform {
  type: 'int32' | 'float32';
  data: number[];
}

/**
 * WGSL declaration of the uniforms every loss program reads, appended by
 * tfjs to its own `Uniforms` struct. Sizes, smoothing and ignore index are
 * uniforms rather than constants in the source, so one compiled program
 * serves every C, ε, smoothing mode and ignore index. The source differs
 * only by what the program's `shaderKey` names.
 *
 * - `outerSize`, `numClasses`, `innerSize`: `classAxisLayout` of the logits;
 *   `positions` is `outerSize * innerSize`.
 * - `ignoreIndex`: the label value of ignored positions.
 * - `targetCoefficient`, `otherCoefficient`: core's `smoothingCoefficients`.
 * - `otherSkipsTarget`: 1 when the `otherCoefficient` term skips the label's
 *   own class (`'non-target'`), 0 when it covers every class (`'uniform'`).
 *
 * The order here is the order of `lossUniformValues`.
 */
export const LOSS_UNIFORMS = `
  outerSize : i32,
  numClasses : i32,
  innerSize : i32,
  positions : i32,
  ignoreIndex : i32,
  targetCoefficient : f32,
  otherCoefficient : f32,
  otherSkipsTarget : f32,
`;

/** Values of `LOSS_UNIFORMS`, in its order. */
export function lossUniformValues(layout: ClassAxisLayout, attrs: LabelSmoothingAttrs): ProgramUniform[] {
  const { outerSize, numClasses, innerSize } = layout;
  const coefficients = smoothingCoefficients(attrs.smoothing, attrs.smoothingMode, numClasses);
  return [
    { type: 'int32', data: [outerSize] },
    { type: 'int32', data: [numClasses] },
    { type: 'int32', data: [innerSize] },
    { type: 'int32', data: [outerSize * innerSize] },
    { type: 'int32', data: [attrs.ignoreIndex] },
    { type: 'float32', data: [coefficients.targetCoefficient] },
    { type: 'float32', data: [coefficients.otherCoefficient] },
    { type: 'float32', data: [coefficients.sumIncludesTarget ? 0 : 1] },
  ];
}

/**
 * WGSL helpers over `LOSS_UNIFORMS`.
 *
 * `weightedTarget(weight, targetValue)` is `w_c · q_c`, where `targetValue`
 * is the class's probability label, or 1.0 on the labelled class and 0.0
 * elsewhere for index labels. Both label forms share the one expression
 * `q = a·t + b·(1 - k·t)` with `a`, `b`, `k` the three coefficient uniforms:
 * `(1 - ε)·t + ε/C` for `'uniform'`, `(1 - ε)·t + ε/(C - 1)·(1 - t)` for
 * `'non-target'`.
 *
 * `logitOffset(position, c)` is the flat offset of class `c` of a position
 * in the `[outer, C, inner]` view, and `isClassIndex(label)` is true for a
 * label in `[0, C)`.
 *
 * `accurateExp(y)` is `exp(y)` for `y <= 0` (and -Infinity), with the
 * argument first reduced to `|r| <= ln 2 / 2` as `y = k·ln 2 + r`. WGSL allows
 * `exp` an error of `3 + 2·|y|` ULP, about 1e-6 relative at `y = -8`, which
 * is the float32 tolerance of a gradient entry, and SwiftShader comes close
 * to that bound. After the reduction the bound is about 4 ULP. `ln 2` is
 * split into a short high part and a low part (as in Cephes' `expf`), so
 * `k·ln2High` is exact. Arguments below -104 give 0, the float32 result, and
 * keep `k` finite. The argument must not be NaN.
 */
export const LOSS_HELPERS = `
  fn accurateExp(y : f32) -> f32 {
    if (y < -104.0) {
      return 0.0;
    }
    let k = round(y * 1.44269504);
    let r = (y - k * 0.693359375) + k * 2.12194440e-4;
    return ldexp(exp(r), i32(k));
  }

  fn weightedTarget(classWeight : f32, targetValue : f32) -> f32 {
    return classWeight * (uniforms.targetCoefficient * targetValue +
        uniforms.otherCoefficient * (1.0 - uniforms.otherSkipsTarget * targetValue));
  }

  fn logitOffset(position : i32, c : i32) -> i32 {
    let outer = position / uniforms.innerSize;
    let inner = position - outer * uniforms.innerSize;
    return (outer * uniforms.numClasses + c) * uniforms.innerSize + inner;
  }

  fn isClassIndex(label : i32) -> bool {
    return label >= 0 && label < uniforms.numClasses;
  }
`;
