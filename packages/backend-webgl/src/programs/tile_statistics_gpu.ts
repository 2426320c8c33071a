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
 *   NaN when the tile holds a NaN or +Infinity logit, 0 when it holds none;
 * - `[., 1, 0]` target mass `B_t = Σ w_c q_c`;
 * - `[., 1, 1]` weighted gap `A_t = Σ w_c q_c (m_t - x_c)` over the classes
 *   with non-zero mass, +Infinity when such a class has a -Infinity logit.
 *
 * Row `position * numTiles + tile` holds tile `tile` of position
 * `position = outer * innerSize + inner`. Each gap is weighted by its mass
 * before it is summed, so `A_t` stays below the row's loss (for non-negative
 * weights) and fits a 16-bit texture whenever the loss does.
 *
 * The sums are rebased whenever a larger logit appears, so one pass over the
 * tile suffices. A tile of only -Infinity logits keeps `m_t = -Infinity` and
 * `s_t = 0`, and the combining step skips it instead of forming
 * `-Infinity - (-Infinity)`.
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

    const readTarget = labelsKind === 'index'
      ? 'float(c) == label ? 1.0 : 0.0'
      : 'getLabels(outer, c, inner)';

    this.userCode = `
      ${smoothingSnippet(numClasses)}

      void main() {
        ivec3 coords = getOutputCoords();
        int position = coords.x / ${numTiles};
        int tile = coords.x - position * ${numTiles};
        int outer = position / ${innerSize};
        int inner = position - outer * ${innerSize};
        int tileStart = tile * ${tileSize};
        ${labelsKind === 'index' ? 'float label = getLabels(outer, inner);' : ''}

        float tileMax = -infinity;
        float sumExp = 0.0;
        float mass = 0.0;
        float finiteMass = 0.0;
        float gap = 0.0;
        bool undefinedSum = false;
        bool infiniteGap = false;

        for (int k = 0; k < ${tileSize}; k++) {
          int c = tileStart + k;
          if (c >= ${numClasses}) {
            break;
          }
          float x = getLogits(outer, c, inner);
          float classMass = weightedTarget(getWeight(c), ${readTarget});
          mass += classMass;

          // NaN and +Infinity make the row's log-sum-exp NaN; they take no
          // further part in the sums.
          if (isnan(x)) {
            undefinedSum = true;
            continue;
          }
          if (x == infinity) {
            undefinedSum = true;
            tileMax = infinity;
            continue;
          }
          // A -Infinity logit adds exp(-Infinity) = 0 to the sum, and an
          // infinite gap when it carries mass.
          if (x == -infinity) {
            infiniteGap = infiniteGap || classMass != 0.0;
            continue;
          }

          if (x > tileMax) {
            sumExp *= exp(tileMax - x);
            if (finiteMass != 0.0) {
              gap += finiteMass * (x - tileMax);
            }
            tileMax = x;
          }
          sumExp += exp(x - tileMax);
          if (classMass != 0.0) {
            finiteMass += classMass;
            gap += classMass * (tileMax - x);
          }
        }

        float shiftedLogSumExp = sumExp > 0.0 ? log(sumExp) : 0.0;
        if (undefinedSum) {
          shiftedLogSumExp = NAN;
        }
        if (infiniteGap && tileMax > -infinity) {
          gap = infinity;
        }
        setOutput(vec4(tileMax, shiftedLogSumExp, mass, gap));
      }
    `;
  }
}
