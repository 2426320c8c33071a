import type { GPGPUProgram } from '@tensorflow/tfjs-backend-webgl';
import type { LabelsKind } from '@label-smoothing/core';

import { SMOOTHING_UNIFORMS, smoothingSnippet } from './smoothing_glsl.js';

/**
 * Gathers what `RowPairGradientProgram` needs of each row into one packed
 * `[N, 4]` texture, so that it reads two texels per pair of rows instead of
 * six. Columns 0 to 3 of row `n` contain `maxLogit`, `shiftedLogSumExp`,
 * `dy · Σ_k w_k q_k` and `dy`. For index labels the target mass is
 * `a·w_y + b·Σ w - b·k·w_y` (see `smoothingSnippet`); a label that is not a
 * class index counts as weight 0 here, and the gradient program makes its
 * row 0 or NaN.
 *
 * Inputs, unpacked: `dy`, `maxLogit`, `shiftedLogSumExp` `[N]`; for index
 * labels `labels` `[N]`, `weight` `[C]` and `smoothedWeightSum` `[1, 1]`
 * (`b·Σ w`); for probability labels `targetMass` `[N]`.
 *
 * Compiled-program key: the source bakes in `N`, `C` and `labelsKind`;
 * smoothing and mode are uniforms.
 */
export class RowPairCoefficientsProgram implements GPGPUProgram {
  variableNames: string[];
  outputShape: number[];
  packedOutput = true;
  customUniforms = SMOOTHING_UNIFORMS;
  userCode: string;

  constructor(rows: number, numClasses: number, labelsKind: LabelsKind) {
    this.outputShape = [rows, 4];
    const common = ['dy', 'maxLogit', 'shiftedLogSumExp'];

    let targetMass: string;
    if (labelsKind === 'index') {
      this.variableNames = [...common, 'labels', 'weight', 'smoothedWeightSum'];
      targetMass = `
        float label = getLabels(row);
        float labelWeight = isClassIndex(label) ? getWeight(int(label)) : 0.0;
        return targetCoefficient * labelWeight + getSmoothedWeightSum(0, 0) -
            otherCoefficient * otherSkipsTarget * labelWeight;`;
    } else {
      this.variableNames = [...common, 'targetMass'];
      targetMass = `
        return getTargetMass(row);`;
    }

    this.userCode = `
      ${smoothingSnippet(numClasses)}

      float targetMassOf(int row) {
        ${targetMass}
      }

      // Columns (first, first + 1) of one row.
      vec2 rowValues(int row, bool secondHalf) {
        if (row >= ${rows}) {
          return vec2(0.0);
        }
        return secondHalf
          ? getDy(row) * vec2(targetMassOf(row), 1.0)
          : vec2(getMaxLogit(row), getShiftedLogSumExp(row));
      }

      void main() {
        ivec2 coords = getOutputCoords();
        bool secondHalf = coords.y == 2;
        setOutput(vec4(rowValues(coords.x, secondHalf), rowValues(coords.x + 1, secondHalf)));
      }
    `;
  }
}
