import type { GPGPUProgram } from '@tensorflow/tfjs-backend-webgl';
import { smoothingCoefficients, type LabelSmoothingAttrs } from '@label-smoothing/core';

/**
 * Uniforms shared by every program that needs the smoothed targets or the
 * label checks. They are set on every run and are not part of the source, so
 * a change of ε, smoothing mode or ignore index reuses the compiled program.
 *
 * - `targetCoefficient`, `otherCoefficient`: core's `smoothingCoefficients`.
 * - `otherSkipsTarget`: 1 when the `otherCoefficient` term skips the label's
 *   own class (`'non-target'`), 0 when it covers every class (`'uniform'`).
 * - `ignoreIndex`: the label value of ignored positions.
 * - `infinity`: +Infinity, uploaded because GLSL has no literal for it.
 *
 * The order here is the order of `smoothingUniformValues`.
 */
export const SMOOTHING_UNIFORMS: NonNullable<GPGPUProgram['customUniforms']> = [
  { name: 'targetCoefficient', type: 'float' },
  { name: 'otherCoefficient', type: 'float' },
  { name: 'otherSkipsTarget', type: 'float' },
  { name: 'ignoreIndex', type: 'float' },
  { name: 'infinity', type: 'float' },
];

/** Values of `SMOOTHING_UNIFORMS`, in its order, for `runWebGLProgram`. */
export function smoothingUniformValues(attrs: LabelSmoothingAttrs, numClasses: number): number[][] {
  const coefficients = smoothingCoefficients(attrs.smoothing, attrs.smoothingMode, numClasses);
  return [
    [coefficients.targetCoefficient],
    [coefficients.otherCoefficient],
    [coefficients.sumIncludesTarget ? 0 : 1],
    [attrs.ignoreIndex],
    [Infinity],
  ];
}

/**
 * GLSL helpers over `SMOOTHING_UNIFORMS`, for a row of `numClasses` classes.
 *
 * `weightedTarget(weight, target)` is `w_c · q_c`, where `target` is the
 * class's probability label, or 1.0 on the labelled class and 0.0 elsewhere
 * for index labels. Both label forms share the one expression
 * `q = a·t + b·(1 - k·t)` with `a`, `b`, `k` the first three uniforms:
 * `(1 - ε)·t + ε/C` for `'uniform'`, `(1 - ε)·t + ε/(C - 1)·(1 - t)` for
 * `'non-target'`.
 *
 * `isClassIndex(label)` is true for a whole number in `[0, numClasses)`; a
 * NaN label fails it.
 */
export function smoothingSnippet(numClasses: number): string {
  return `
    float weightedTarget(float weight, float target) {
      return weight * (targetCoefficient * target + otherCoefficient * (1.0 - otherSkipsTarget * target));
    }

    bool isClassIndex(float label) {
      return label >= 0.0 && label < ${numClasses}.0 && label == floor(label);
    }
  `;
}
