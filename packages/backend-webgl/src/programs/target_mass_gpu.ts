import type { GPGPUProgram } from '@tensorflow/tfjs-backend-webgl';
import type { ClassAxisLayout } from '@label-smoothing/core';

import { SMOOTHING_UNIFORMS, smoothingSnippet } from './smoothing_glsl.js';
import type { Tiling } from './tiling.js';

/**
 * Sums the weighted smoothed targets `w_c q_c` of probability labels over each
 * tile of classes, giving `[positions, numTiles]` partial target masses for
 * the backward pass (index labels derive theirs from `Σ w` instead).
 *
 * Inputs: `labels` as `[outer, C, inner]` probabilities, `weight` as `[C]`.
 *
 * Compiled-program key: the source bakes in `numClasses`, `innerSize` and the
 * tiling; smoothing and mode are uniforms.
 */
export class TargetMassProgram implements GPGPUProgram {
  variableNames = ['labels', 'weight'];
  outputShape: number[];
  customUniforms = SMOOTHING_UNIFORMS;
  userCode: string;

  constructor(layout: ClassAxisLayout, tiling: Tiling) {
    const { outerSize, numClasses, innerSize } = layout;
    const { tileSize, numTiles } = tiling;
    this.outputShape = [outerSize * innerSize, numTiles];
    this.userCode = `
      ${smoothingSnippet(numClasses)}

      void main() {
        ivec2 coords = getOutputCoords();
        int outer = coords.x / ${innerSize};
        int inner = coords.x - outer * ${innerSize};
        int tileStart = coords.y * ${tileSize};
        float mass = 0.0;
        for (int k = 0; k < ${tileSize}; k++) {
          int c = tileStart + k;
          if (c >= ${numClasses}) {
            break;
          }
          mass += weightedTarget(getWeight(c), getLabels(outer, c, inner));
        }
        setOutput(mass);
      }
    `;
  }
}
