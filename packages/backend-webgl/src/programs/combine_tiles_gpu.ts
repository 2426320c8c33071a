import type { GPGPUProgram } from '@tensorflow/tfjs-backend-webgl';
import type { ClassAxisLayout, LabelsKind } from '@label-smoothing/core';

import { SMOOTHING_UNIFORMS, smoothingSnippet } from './smoothing_glsl.js';

/** Layout of the tile statistics; see `CombineTilesProgram`. */
export type StatisticsLayout = 'tile-major' | 'row-pairs';

/** Per-position forward output that a `CombineTilesProgram` writes. */
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
 * non-zero. A row whose maximum is ±Infinity, or that contains a NaN, gets NaN
 * for the loss and the log-sum-exp.
 *
 * For index labels, ignored positions get 0 and positions whose label is not
 * a class index get NaN, in all three statistics.
 *
 * Inputs, unpacked: for the `'tile-major'` layout `statistics`
 * `[positions, 4 · numTiles]` (from `TileStatisticsProgram`, statistic `k`
 * of tile `t` in column `4t + k`); for `'row-pairs'` `maxAndSum` and
 * `massAndGap`, each `[positions, 2 · numTiles]` (from `RowPairMaxSumProgram`
 * and `RowPairMassGapProgram`); then for index labels `labels` `[outer, inner]`.
 *
 * Compiled-program key: the source bakes in `statistic`, the statistics
 * layout, `numTiles`,
 * `numClasses`, `innerSize` and `labelsKind`; the label checks read the
 * uniforms of `SMOOTHING_UNIFORMS`. Everything else as for
 * `TileStatisticsProgram`.
 */
export class CombineTilesProgram implements GPGPUProgram {
  variableNames: string[];
  outputShape: number[];
  customUniforms = SMOOTHING_UNIFORMS;
  userCode: string;

  constructor(
    layout: ClassAxisLayout,
    numTiles: number,
    statisticsLayout: StatisticsLayout,
    labelsKind: LabelsKind,
    statistic: CombinedStatistic,
  ) {
    const { outerSize, numClasses, innerSize } = layout;
    this.outputShape = [outerSize, innerSize];
    const statisticsInputs = statisticsLayout === 'tile-major' ? ['statistics'] : ['maxAndSum', 'massAndGap'];
    this.variableNames = labelsKind === 'index' ? [...statisticsInputs, 'labels'] : statisticsInputs;

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

    const read = statisticsLayout === 'tile-major'
      ? ['getStatistics(position, 4 * tile)', 'getStatistics(position, 4 * tile + 1)',
        'getStatistics(position, 4 * tile + 2)', 'getStatistics(position, 4 * tile + 3)']
      : ['getMaxAndSum(position, 2 * tile)', 'getMaxAndSum(position, 2 * tile + 1)',
        'getMassAndGap(position, 2 * tile)', 'getMassAndGap(position, 2 * tile + 1)'];

    this.userCode = `
      ${smoothingSnippet(numClasses)}

      float tileMaxOf(int position, int tile) { return ${read[0]}; }
      float shiftedLogSumExpOf(int position, int tile) { return ${read[1]}; }
      float massOf(int position, int tile) { return ${read[2]}; }
      float gapOf(int position, int tile) { return ${read[3]}; }

      void main() {
        ivec2 coords = getOutputCoords();
        ${labelChecks}
        int position = coords.x * ${innerSize} + coords.y;

        float rowMax = -infinity;
        bool undefinedRow = false;
        for (int t = 0; t < ${numTiles}; t++) {
          rowMax = max(rowMax, tileMaxOf(position, t));
          undefinedRow = undefinedRow || isnan(shiftedLogSumExpOf(position, t));
        }
        undefinedRow = undefinedRow || rowMax == infinity || rowMax == -infinity;

        float sumExp = 0.0;
        float mass = 0.0;
        float gap = 0.0;
        for (int t = 0; t < ${numTiles}; t++) {
          float tileMax = tileMaxOf(position, t);
          float tileMass = massOf(position, t);
          if (tileMax > -infinity) {
            sumExp += exp(tileMax - rowMax + shiftedLogSumExpOf(position, t));
          }
          mass += tileMass;
          gap += gapOf(position, t);
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
