import type { GPGPUProgram } from '@tensorflow/tfjs-backend-webgl';

import { rowPairSnippet } from './row_pair_glsl.js';
import { SMOOTHING_UNIFORMS } from './smoothing_glsl.js';
import type { Tiling } from './tiling.js';

/**
 * The first two tile statistics of `TileStatisticsProgram`, the tile maximum
 * `m_t` and `s_t = log Σ exp(x_c - m_t)`, for `[N, C]` logits read from a
 * packed texture. Each fragment reads one tile of a pair of rows once,
 * rescaling its sums whenever a larger logit appears.
 *
 * Output: packed `[N, 2 · numTiles]`, `m_t` in column `2t` and `s_t` in
 * column `2t + 1`. `s_t` is NaN when the tile contains a NaN or +Infinity
 * logit, and 0 when it contains only -Infinity (then `m_t = -Infinity`).
 *
 * Input: `logits`, packed `[N, C]`.
 *
 * Compiled-program key: the source bakes in `N`, `C` and the tiling.
 */
export class RowPairMaxSumProgram implements GPGPUProgram {
  variableNames = ['logits'];
  outputShape: number[];
  packedInputs = true;
  packedOutput = true;
  customUniforms = SMOOTHING_UNIFORMS;
  userCode: string;

  constructor(rows: number, numClasses: number, tiling: Tiling) {
    const { tileSize, numTiles } = tiling;
    if (tileSize % 2 !== 0) {
      throw new Error(`RowPairMaxSumProgram: the tile size must be even, got ${tileSize}.`);
    }
    this.outputShape = [rows, 2 * numTiles];

    this.userCode = `
      ${rowPairSnippet(numClasses)}

      void main() {
        ivec2 coords = getOutputCoords();
        int r = coords.x;
        int tileStart = (coords.y / 2) * ${tileSize};

        vec2 tileMax = vec2(-infinity);
        vec2 sumExp = vec2(0.0);
        bvec2 undefinedSum = bvec2(false);
        for (int k = 0; k < ${tileSize}; k += 2) {
          int c = tileStart + k;
          if (c >= ${numClasses}) {
            break;
          }
          vec4 x = logitPair(r, c);
          bvec2 undefinedPair = pairUndefined(x);
          undefinedSum = bvec2(undefinedSum.x || undefinedPair.x, undefinedSum.y || undefinedPair.y);

          // Rescale to a larger maximum; exp(-Infinity) = 0 clears an empty sum.
          vec2 newMax = max(tileMax, pairMaximum(x));
          newMax = vec2(isnan(newMax.x) ? tileMax.x : newMax.x, isnan(newMax.y) ? tileMax.y : newMax.y);
          vec2 scale = exp(tileMax - newMax);
          sumExp *= vec2(tileMax.x == newMax.x ? 1.0 : scale.x, tileMax.y == newMax.y ? 1.0 : scale.y);
          tileMax = newMax;

          // A -Infinity logit adds nothing, also while the maximum is -Infinity.
          vec4 terms = exp(x - tileMax.xxyy);
          sumExp += vec2((x.x > -infinity ? terms.x : 0.0) + (x.y > -infinity ? terms.y : 0.0),
                         (x.z > -infinity ? terms.z : 0.0) + (x.w > -infinity ? terms.w : 0.0));
        }

        // An empty sum (a tile of only -Infinity) has s_t = 0; the combining
        // step skips such tiles.
        vec2 shiftedLogSumExp = log(max(sumExp, vec2(1.0)));
        if (undefinedSum.x) {
          shiftedLogSumExp.x = NAN;
        }
        if (undefinedSum.y) {
          shiftedLogSumExp.y = NAN;
        }
        setOutput(vec4(tileMax.x, shiftedLogSumExp.x, tileMax.y, shiftedLogSumExp.y));
      }
    `;
  }
}
