import type { GPGPUProgram } from '@tensorflow/tfjs-backend-webgl';
import type { ClassAxisLayout, LabelsKind } from '@label-smoothing/core';

import { SMOOTHING_UNIFORMS, smoothingSnippet } from './smoothing_glsl.js';

/**
 * The logits' gradient, one element per fragment, shaped `[outer, C, inner]`:
 *
 *     dy · ((Σ_k w_k q_k) · p_c - w_c q_c),   p_c = exp(x_c - maxLogit - shiftedLogSumExp)
 *
 * For index labels the target mass is `a·w_y + b·Σ w - b·k·w_y` (see
 * `smoothingSnippet`), from the label's weight and the precomputed `b·Σ w`.
 * Ignored positions get exactly 0 whatever their `dy`, and positions whose
 * label is not a class index get NaN. For probability labels the target mass
 * is precomputed per position (`TargetMassProgram`). Rows with a NaN
 * log-sum-exp get NaN.
 *
 * Inputs: `logits` `[outer, C, inner]`; `labels` `[outer, inner]` (index) or
 * `[outer, C, inner]` (probability); `weight` `[C]`; `dy`, `maxLogit`,
 * `shiftedLogSumExp` `[outer, inner]`; then `smoothedWeightSum` `[1, 1]`
 * (`b·Σ w`, index) or `targetMass` `[outer * inner, 1]` (probability).
 *
 * Compiled-program key: the source bakes in `numClasses`, `innerSize` and
 * `labelsKind`; smoothing, mode and ignore index are uniforms.
 */
export class GradientProgram implements GPGPUProgram {
  variableNames: string[];
  outputShape: number[];
  customUniforms = SMOOTHING_UNIFORMS;
  userCode: string;

  constructor(layout: ClassAxisLayout, labelsKind: LabelsKind) {
    const { outerSize, numClasses, innerSize } = layout;
    this.outputShape = [outerSize, numClasses, innerSize];
    const common = ['logits', 'labels', 'weight', 'dy', 'maxLogit', 'shiftedLogSumExp'];

    let rowTerms: string;
    if (labelsKind === 'index') {
      this.variableNames = [...common, 'smoothedWeightSum'];
      rowTerms = `
        float label = getLabels(outer, inner);
        if (label == ignoreIndex) {
          setOutput(0.0);
          return;
        }
        if (!isClassIndex(label)) {
          setOutput(NAN);
          return;
        }
        float labelWeight = getWeight(int(label));
        float targetMass = targetCoefficient * labelWeight + getSmoothedWeightSum(0, 0) -
            otherCoefficient * otherSkipsTarget * labelWeight;
        float target = float(c) == label ? 1.0 : 0.0;`;
    } else {
      this.variableNames = [...common, 'targetMass'];
      rowTerms = `
        float targetMass = getTargetMass(outer * ${innerSize} + inner, 0);
        float target = getLabels(outer, c, inner);`;
    }

    this.userCode = `
      ${smoothingSnippet(numClasses)}

      void main() {
        ivec3 coords = getOutputCoords();
        int outer = coords.x;
        int c = coords.y;
        int inner = coords.z;
        ${rowTerms}

        // A NaN row (NaN or +Infinity logits, or only -Infinity) has a NaN
        // log-sum-exp. It is tested here because exp(NaN) is not NaN on every
        // GPU (SwiftShader returns +Infinity).
        float shiftedLogSumExp = getShiftedLogSumExp(outer, inner);
        if (isnan(shiftedLogSumExp)) {
          setOutput(NAN);
          return;
        }
        float probability = exp(getLogits(outer, c, inner) - getMaxLogit(outer, inner) - shiftedLogSumExp);
        float classTarget = weightedTarget(getWeight(c), target);
        setOutput(getDy(outer, inner) * (targetMass * probability - classTarget));
      }
    `;
  }
}
