import type { GPGPUProgram } from '@tensorflow/tfjs-backend-webgl';
import type { LabelsKind } from '@label-smoothing/core';

import { rowPairSnippet } from './row_pair_glsl.js';
import { SMOOTHING_UNIFORMS, smoothingSnippet } from './smoothing_glsl.js';
import type { Tiling } from './tiling.js';

/**
 * The last two tile statistics of `TileStatisticsProgram`, the target mass
 * `B_t = Σ w_c q_c` and the weighted gap `A_t = Σ w_c q_c (m_t - x_c)`, for
 * `[N, C]` logits read from packed textures. Each fragment reads one tile of
 * a pair of rows once: when a larger logit appears, the gap of the classes
 * summed so far moves by their mass times the rise, so every term stays
 * non-negative.
 *
 * Output: packed `[N, 2 · numTiles]`, `B_t` in column `2t` and `A_t` in
 * column `2t + 1`. `A_t` is +Infinity when a class with mass has a -Infinity
 * logit and the tile has a finite maximum, and 0 for a tile of only
 * -Infinity (the combining step adds its mass times the row's rise).
 *
 * For index labels the loop sums `w_c` and `w_c (m_t - x_c)` over the
 * classes (skipping the label's class in `'non-target'` mode), and the label's
 * own `(1 - ε)·w_y` term is added once per tile, so the loop reads no labels.
 *
 * Inputs, all packed: `logits` `[N, C]`; `labels` `[N]` (index) or `[N, C]`
 * (probability); `weight` `[C]`.
 *
 * Compiled-program key: the source bakes in `N`, `C`, the tiling and
 * `labelsKind`; smoothing, mode and ignore index are uniforms.
 */
export class RowPairMassGapProgram implements GPGPUProgram {
  variableNames = ['logits', 'labels', 'weight'];
  outputShape: number[];
  packedInputs = true;
  packedOutput = true;
  customUniforms = SMOOTHING_UNIFORMS;
  userCode: string;

  constructor(rows: number, numClasses: number, tiling: Tiling, labelsKind: LabelsKind) {
    const { tileSize, numTiles } = tiling;
    if (tileSize % 2 !== 0) {
      throw new Error(`RowPairMassGapProgram: the tile size must be even, got ${tileSize}.`);
    }
    this.outputShape = [rows, 2 * numTiles];

    // Mass of the four logits of a texel, in its channel order. Index labels
    // count only the ε term here; the label's own term comes after the loop.
    const pairMass = labelsKind === 'index'
      ? `
          vec4 pairMass = otherCoefficient * vec4(pairWeight, pairWeight) *
              (1.0 - otherSkipsTarget * vec4(equal(vec4(c, c + 1, c, c + 1), vec4(labelClass.xx, labelClass.yy))));`
      : `
          vec4 target = getLabels(r, c);
          vec4 pairMass = vec4(pairWeight, pairWeight) *
              (targetCoefficient * target + otherCoefficient * (1.0 - otherSkipsTarget * target));`;

    const labelTerm = labelsKind === 'index'
      ? `
        // The label's (1 - ε)·w_y term of each row whose label is in this tile.
        vec2 labelMass = vec2(
          labelClass.x >= tileStart && labelClass.x < tileStart + ${tileSize} ?
              targetCoefficient * getChannel(getWeight(labelClass.x), labelClass.x) : 0.0,
          labelClass.y >= tileStart && labelClass.y < tileStart + ${tileSize} ?
              targetCoefficient * getChannel(getWeight(labelClass.y), labelClass.y) : 0.0);
        vec2 labelLogit = vec2(
          getChannel(getLogits(r, labelClass.x - imod(labelClass.x, 2)), labelClass.x),
          getChannel(getLogits(r, labelClass.y - imod(labelClass.y, 2)).zwxy, labelClass.y));
        vec2 labelGap = labelMass * (tileMax - labelLogit);
        mass += labelMass;
        gap += vec2(labelMass.x != 0.0 && labelLogit.x > -infinity ? labelGap.x : 0.0,
                    labelMass.y != 0.0 && labelLogit.y > -infinity ? labelGap.y : 0.0);
        infiniteGap = bvec2(infiniteGap.x || (labelMass.x != 0.0 && labelLogit.x == -infinity),
                            infiniteGap.y || (labelMass.y != 0.0 && labelLogit.y == -infinity));`
      : '';

    this.userCode = `
      ${smoothingSnippet(numClasses)}
      ${rowPairSnippet(numClasses)}

      void main() {
        ivec2 coords = getOutputCoords();
        int r = coords.x;
        int tileStart = (coords.y / 2) * ${tileSize};
        ${labelsKind === 'index'
          ? `vec2 labels = getLabels(r).xy;
        // 0 for an ignored or invalid label, whose row the combining step overrides.
        ivec2 labelClass = ivec2(isClassIndex(labels.x) ? int(labels.x) : 0, isClassIndex(labels.y) ? int(labels.y) : 0);`
          : ''}

        vec2 tileMax = vec2(-infinity);
        vec2 mass = vec2(0.0);
        vec2 finiteMass = vec2(0.0);
        vec2 gap = vec2(0.0);
        bvec2 infiniteGap = bvec2(false);
        for (int k = 0; k < ${tileSize}; k += 2) {
          int c = tileStart + k;
          if (c >= ${numClasses}) {
            break;
          }
          vec4 x = logitPair(r, c);

          // The finite classes summed so far move from the old maximum to the new one.
          vec2 newMax = max(tileMax, pairMaximum(x));
          newMax = vec2(isnan(newMax.x) ? tileMax.x : newMax.x, isnan(newMax.y) ? tileMax.y : newMax.y);
          vec2 rise = finiteMass * (newMax - tileMax);
          gap += vec2(finiteMass.x != 0.0 ? rise.x : 0.0, finiteMass.y != 0.0 ? rise.y : 0.0);
          tileMax = newMax;

          vec2 pairWeight = getWeight(c).xy;
          pairWeight.y = c + 1 < ${numClasses} ? pairWeight.y : 0.0;
          ${pairMass}

          // Mass on a -Infinity logit makes the gap +Infinity; it is flagged,
          // not summed, so that it cannot meet a -Infinity maximum.
          bvec4 finite = greaterThan(x, vec4(-infinity));
          vec4 finitePairMass = vec4(finite) * pairMass;
          vec4 terms = finitePairMass * (tileMax.xxyy - x);
          terms = vec4(finitePairMass.x != 0.0 ? terms.x : 0.0, finitePairMass.y != 0.0 ? terms.y : 0.0,
                       finitePairMass.z != 0.0 ? terms.z : 0.0, finitePairMass.w != 0.0 ? terms.w : 0.0);
          bvec4 infinite = bvec4(!finite.x && pairMass.x != 0.0, !finite.y && pairMass.y != 0.0,
                                 !finite.z && pairMass.z != 0.0, !finite.w && pairMass.w != 0.0);
          infiniteGap = bvec2(infiniteGap.x || infinite.x || infinite.y, infiniteGap.y || infinite.z || infinite.w);
          mass += pairMass.xz + pairMass.yw;
          finiteMass += finitePairMass.xz + finitePairMass.yw;
          gap += terms.xz + terms.yw;
        }
        ${labelTerm}

        // A tile of only -Infinity has no gaps of its own; the combining step
        // adds its mass times (row maximum - (-Infinity)).
        if (infiniteGap.x) {
          gap.x = infinity;
        }
        if (infiniteGap.y) {
          gap.y = infinity;
        }
        if (tileMax.x == -infinity) {
          gap.x = 0.0;
        }
        if (tileMax.y == -infinity) {
          gap.y = 0.0;
        }
        setOutput(vec4(mass.x, gap.x, mass.y, gap.y));
      }
    `;
  }
}
