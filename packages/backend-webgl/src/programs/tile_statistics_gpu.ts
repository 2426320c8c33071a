import type { GPGPUProgram } from '@tensorflow/tfjs-backend-webgl';
import type { ClassAxisLayout, LabelsKind } from '@label-smoothing/core';

import { SMOOTHING_UNIFORMS, smoothingSnippet } from './smoothing_glsl.js';
import type { Tiling } from './tiling.js';

/**
 * Reduces one tile of classes of one position to four statistics, written as
 * one RGBA texel of a packed output of shape `[positions * numTiles, 2, 2]`:
 *
 * - `[., 0, 0]` tile maximum `m_t` (NaN skipped, -Infinity for a tile with
 *   no other value);
 * - `[., 0, 1]` `s_t = log Σ exp(x_c - m_t)` over the tile's finite logits,
 *   NaN when the tile contains a NaN or +Infinity logit, 0 when it contains none;
 * - `[., 1, 0]` target mass `B_t = Σ w_c q_c`;
 * - `[., 1, 1]` weighted gap `A_t = Σ w_c q_c (m_t - x_c)` over the classes
 *   with non-zero mass, +Infinity when such a class has a -Infinity logit.
 *
 * Row `position * numTiles + tile` holds tile `tile` of position
 * `position = outer * innerSize + inner`. Each gap is weighted by its mass
 * before it is summed, so `A_t` stays below the row's loss (for non-negative
 * weights) and fits a 16-bit texture whenever the loss does.
 *
 * Each fragment reads its tile twice: once for the maximum, once for the
 * sums relative to it, with selects instead of branches in the loop bodies.
 * A tile of only -Infinity logits keeps `m_t = -Infinity`, `s_t = 0` and
 * `A_t = 0`, and the combining step skips it instead of forming
 * `-Infinity - (-Infinity)`. A tile with a NaN or +Infinity logit skips the
 * second read, because its row is NaN whatever the sums.
 *
 * For index labels the loop only sums `w_c` and `w_c (m_t - x_c)` (skipping
 * the label's class in `'non-target'` mode), and the label's own
 * `(1 - ε)` term is added once per tile, so the loop reads no labels.
 *
 * Inputs: `logits` as `[outer, C, inner]`, `labels` as `[outer, inner]`
 * (index) or `[outer, C, inner]` (probability), `weight` as `[C]`.
 *
 * Compiled-program key: tfjs caches binaries by class name, `userCode`, the
 * shapes and texture shapes of inputs and output, and the WebGL version. The
 * source bakes in `numClasses`, `innerSize`, the tiling and `labelsKind`;
 * smoothing, mode and ignore index are uniforms (`SMOOTHING_UNIFORMS`).
 */
export class TileStatisticsProgram implements GPGPUProgram {
  variableNames = ['logits', 'labels', 'weight'];
  outputShape: number[];
  packedOutput = true;
  customUniforms = SMOOTHING_UNIFORMS;
  userCode: string;

  constructor(layout: ClassAxisLayout, tiling: Tiling, labelsKind: LabelsKind) {
    const { outerSize, numClasses, innerSize } = layout;
    const { tileSize, numTiles } = tiling;
    this.outputShape = [outerSize * innerSize * numTiles, 2, 2];

    const secondPass = labelsKind === 'index'
      ? `
          float weight = getWeight(c);
          float smoothedWeight = c == labelClass && otherSkipsTarget == 1.0 ? 0.0 : weight;
          weightSum += smoothedWeight;
          weightedGap += smoothedWeight != 0.0 ? smoothedWeight * (tileMax - x) : 0.0;`
      : `
          float classMass = weightedTarget(getWeight(c), getLabels(outer, c, inner));
          mass += classMass;
          gap += classMass != 0.0 ? classMass * (tileMax - x) : 0.0;`;

    // The label's (1 - ε)·w_y term, once per tile that contains the label.
    const labelTerm = labelsKind === 'index'
      ? `
        mass += otherCoefficient * weightSum;
        gap += otherCoefficient != 0.0 ? otherCoefficient * weightedGap : 0.0;
        if (labelClass >= tileStart && labelClass < tileStart + ${tileSize}) {
          float labelMass = targetCoefficient * getWeight(labelClass);
          mass += labelMass;
          if (labelMass != 0.0 && tileMax > -infinity) {
            gap += labelMass * (tileMax - getLogits(outer, labelClass, inner));
          }
        }`
      : '';

    this.userCode = `
      ${smoothingSnippet(numClasses)}

      void main() {
        ivec3 coords = getOutputCoords();
        int position = coords.x / ${numTiles};
        int tile = coords.x - position * ${numTiles};
        int outer = position / ${innerSize};
        int inner = position - outer * ${innerSize};
        int tileStart = tile * ${tileSize};
        ${labelsKind === 'index'
          ? `float label = getLabels(outer, inner);
        // -1 for an ignored or invalid label, whose row the combining step overrides.
        int labelClass = isClassIndex(label) ? int(label) : -1;`
          : ''}

        // First read: the maximum, NaN skipped. NaN and +Infinity make the
        // row's log-sum-exp NaN.
        float tileMax = -infinity;
        bool undefinedSum = false;
        for (int k = 0; k < ${tileSize}; k++) {
          int c = tileStart + k;
          if (c >= ${numClasses}) {
            break;
          }
          float x = getLogits(outer, c, inner);
          undefinedSum = undefinedSum || isnan(x) || x == infinity;
          tileMax = x > tileMax ? x : tileMax;
        }
        if (undefinedSum) {
          setOutput(vec4(tileMax, NAN, 0.0, 0.0));
          return;
        }

        // Second read: the sums relative to the maximum. A -Infinity logit
        // adds exp(-Infinity) = 0, and +Infinity to the gap when it has mass.
        float sumExp = 0.0;
        float weightSum = 0.0;
        float weightedGap = 0.0;
        float mass = 0.0;
        float gap = 0.0;
        for (int k = 0; k < ${tileSize}; k++) {
          int c = tileStart + k;
          if (c >= ${numClasses}) {
            break;
          }
          float x = getLogits(outer, c, inner);
          sumExp += exp(x - tileMax);
          ${secondPass}
        }
        ${labelTerm}

        if (tileMax == -infinity) {
          setOutput(vec4(tileMax, 0.0, mass, 0.0));
          return;
        }
        setOutput(vec4(tileMax, log(sumExp), mass, gap));
      }
    `;
  }
}
