import type { GPGPUProgram } from '@tensorflow/tfjs-backend-webgl';
import type { ClassAxisLayout, LabelsKind } from '@label-smoothing/core';

import { SMOOTHING_UNIFORMS, smoothingSnippet } from './smoothing_glsl.js';

/** Which per-position forward output a `CombineTilesProgram` writes. */
export type CombinedStatistic = 'losses' | 'maxLogit' | 'shiftedLogSumExp';

/**
 * Combines the tile statistics of `TileStatisticsProgram` into one forward
 * output per position, shaped `[outer, inner]`. With `m = max_t m_t`:
 *
 *     shiftedLogSumExp = log Σ_t exp(m_t - m + s_t)
 *     losses           = Σ_t (A_t + B_t (m - m_t)) + (Σ_t B_t) · shiftedLogSumExp
 *
 * which is the reference's `Σ_c w_c q_c (m - x_c) + (Σ_c w_c q_c)(LSE - m)`
 * regrouped by tile. Tiles with `m_t = -Infinity` add nothing to the sum of
 * exponentials, and their mass adds `+Infinity` to the loss only when it is
 * non-zero. A row whose maximum is ±Infinity, or that holds a NaN, gets NaN
 * for the loss and the log-sum-exp.
 *
 * For index labels, ignored positions get 0 and positions whose label is not
 * a class index get NaN, in all three statistics.
 *
 * Inputs: `statistics` as the unpacked `[positions * numTiles, 2, 2]` output
 * of `TileStatisticsProgram`, and for index labels `labels` as `[outer, inner]`.
 *
 * Compiled-program key: the source bakes in `statistic`, `numTiles`,
 * `numClasses`, `innerSize` and `labelsKind`; the label checks read the
 * uniforms of `SMOOTHING_UNIFORMS`. Everything else as for
 * `TileStatisticsProgram`.
 */
export class CombineTilesProgram implements GPGPUProgram {
  variableNames: string[];
  outputShape: number[];
  customUniforms = SMOOTHING_UNIFORMS;
  userCode: string;

  constructor(layout: ClassAxisLayout, numTiles: number, labelsKind: LabelsKind, statistic: CombinedStatistic) {
    const { outerSize, numClasses, innerSize } = layout;
    this.outputShape = [outerSize, innerSize];
    this.variableNames = labelsKind === 'index' ? ['statistics', 'labels'] : ['statistics'];

    const labelChecks = labelsKind === 'index'
      ? `
        float label = getLabels(coords.x, coords.y);
        if (label == ignoreIndex) {
          setOutput(0.0);
          return;
        }
        if (!isClassIndex(label)) {
          setOutput(NAN);
          return;
        }`
      : '';

    const result = {
      losses: 'undefinedRow ? NAN : gap + mass * shiftedLogSumExp',
      maxLogit: 'rowMax',
      shiftedLogSumExp: 'undefinedRow ? NAN : shiftedLogSumExp',
    }[statistic];

    this.userCode = `
      ${smoothingSnippet(numClasses)}

      void main() {
        ivec2 coords = getOutputCoords();
        ${labelChecks}
        int first = (coords.x * ${innerSize} + coords.y) * ${numTiles};

        float rowMax = -infinity;
        bool undefinedRow = false;
        for (int t = 0; t < ${numTiles}; t++) {
          rowMax = max(rowMax, getStatistics(first + t, 0, 0));
          undefinedRow = undefinedRow || isnan(getStatistics(first + t, 0, 1));
        }
        undefinedRow = undefinedRow || rowMax == infinity || rowMax == -infinity;

        float sumExp = 0.0;
        float mass = 0.0;
        float gap = 0.0;
        for (int t = 0; t < ${numTiles}; t++) {
          float tileMax = getStatistics(first + t, 0, 0);
          float tileMass = getStatistics(first + t, 1, 0);
          if (tileMax > -infinity) {
            sumExp += exp(tileMax - rowMax + getStatistics(first + t, 0, 1));
          }
          mass += tileMass;
          gap += getStatistics(first + t, 1, 1);
          if (tileMass != 0.0) {
            gap += tileMass * (rowMax - tileMax);
          }
        }
        float shiftedLogSumExp = undefinedRow ? 0.0 : log(sumExp);

        setOutput(${result});
      }
    `;
  }
}
