import type { GPGPUProgram } from '@tensorflow/tfjs-backend-webgl';
import type { LabelsKind } from '@label-smoothing/core';

import { SMOOTHING_UNIFORMS, smoothingSnippet } from './smoothing_glsl.js';

/**
 * The gradient of `GradientProgram` for `[N, C]` logits, from and to packed
 * textures. Each fragment writes two rows × two classes as one RGBA texel.
 * It reads five texels: the logits, the two classes' weights, the two rows'
 * labels and the two rows' coefficients (`RowPairCoefficientsProgram`). The
 * unpacked program reads eight texels per element.
 *
 * Inputs, all packed: `logits` `[N, C]`; `labels` `[N]` (index) or `[N, C]`
 * (probability); `weight` `[C]`; `coefficients` `[N, 4]`. Output: packed
 * `[N, C]`.
 *
 * Compiled-program key: the source bakes in `N`, `C` and `labelsKind`;
 * smoothing, mode and ignore index are uniforms.
 */
export class RowPairGradientProgram implements GPGPUProgram {
  variableNames = ['logits', 'labels', 'weight', 'coefficients'];
  outputShape: number[];
  packedInputs = true;
  packedOutput = true;
  customUniforms = SMOOTHING_UNIFORMS;
  userCode: string;

  constructor(rows: number, numClasses: number, labelsKind: LabelsKind) {
    this.outputShape = [rows, numClasses];

    const target = labelsKind === 'index'
      ? `
        vec2 labels = getLabels(r).xy;
        vec4 target = vec4(equal(vec4(c, c + 1, c, c + 1), labels.xxyy));`
      : `
        vec4 target = getLabels(r, c);`;

    const rowChecks = labelsKind === 'index'
      ? `
        // Ignored rows get exactly 0; rows whose label is not a class index get NaN.
        gradient.xy = labels.x == ignoreIndex ? vec2(0.0) : isClassIndex(labels.x) ? gradient.xy : vec2(NAN);
        gradient.zw = labels.y == ignoreIndex ? vec2(0.0) : isClassIndex(labels.y) ? gradient.zw : vec2(NAN);`
      : '';

    this.userCode = `
      ${smoothingSnippet(numClasses)}

      void main() {
        ivec2 coords = getOutputCoords();
        int r = coords.x;
        int c = coords.y;
        ${target}

        // (maxLogit, shiftedLogSumExp) and (dy · target mass, dy) of rows r and r + 1.
        vec4 statistics = getCoefficients(r, 0);
        vec4 scales = getCoefficients(r, 2);
        vec4 probability = exp(getLogits(r, c) - statistics.xxzz - statistics.yyww);
        vec2 pairWeight = getWeight(c).xy;
        vec4 classTarget = vec4(pairWeight, pairWeight) *
            (targetCoefficient * target + otherCoefficient * (1.0 - otherSkipsTarget * target));
        vec4 gradient = scales.xxzz * probability - scales.yyww * classTarget;

        // A NaN row (NaN or +Infinity logits, or only -Infinity) has a NaN
        // log-sum-exp. It is tested because exp(NaN) is not NaN on every GPU
        // (SwiftShader returns +Infinity).
        gradient.xy = isnan(statistics.y) ? vec2(NAN) : gradient.xy;
        gradient.zw = isnan(statistics.w) ? vec2(NAN) : gradient.zw;
        ${rowChecks}
        setOutput(gradient);
      }
    `;
  }
}
