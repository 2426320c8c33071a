import type { GPGPUProgram } from '@tensorflow/tfjs-backend-webgl';
import type { ClassAxisLayout, LabelsKind } from '@label-smoothing/core';

import { SMOOTHING_UNIFORMS, smoothingSnippet } from './smoothing_glsl.js';

/**
 * Writes each position's share of the `'mean'` denominator, shaped
 * `[outer, inner]`: `weight[label]` for index labels, 0 where ignored and NaN
 * where the label is not a class index; 1 for probability labels.
 *
 * Inputs: for index labels `labels` as `[outer, inner]` and `weight` as
 * `[C]`; none for probability labels.
 *
 * Compiled-program key: the source bakes in `numClasses` and `labelsKind`;
 * the ignore index is a uniform.
 */
export class TargetWeightProgram implements GPGPUProgram {
  variableNames: string[];
  outputShape: number[];
  customUniforms = SMOOTHING_UNIFORMS;
  userCode: string;

  constructor(layout: ClassAxisLayout, labelsKind: LabelsKind) {
    const { outerSize, numClasses, innerSize } = layout;
    this.outputShape = [outerSize, innerSize];

    if (labelsKind === 'probability') {
      this.variableNames = [];
      this.userCode = `
        void main() {
          setOutput(1.0);
        }
      `;
      return;
    }

    this.variableNames = ['labels', 'weight'];
    this.userCode = `
      ${smoothingSnippet(numClasses)}

      void main() {
        ivec2 coords = getOutputCoords();
        float label = getLabels(coords.x, coords.y);
        if (label == ignoreIndex) {
          setOutput(0.0);
        } else if (!isClassIndex(label)) {
          setOutput(NAN);
        } else {
          setOutput(getWeight(int(label)));
        }
      }
    `;
  }
}
