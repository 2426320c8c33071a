import type { LabelsKind } from '@label-smoothing/core';
import type { WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu/dist/webgpu_program';

import { combineLanesSnippet, rowWorkgroups, type RowLanes } from './row_lanes.js';
import { LOSS_HELPERS, LOSS_UNIFORMS } from './uniforms.js';

/** Row of the statistics output that contains each forward output, in the contract's order. */
export const STATISTIC_ROW = { losses: 0, maxLogit: 1, shiftedLogSumExp: 2, targetWeight: 3 } as const;

/**
 * The forward pass of every position in one dispatch: writes the four
 * per-position forward outputs of the kernel contract as a flat
 * `[4 * positions]` buffer, output `k` of position `p` at `k * positions + p`
 * (see `STATISTIC_ROW`).
 *
 * Each row is read twice by its lanes (see `RowLanes`): first for the
 * maximum `m` (NaN skipped), then for `Σ exp(x_c - m)` and the two
 * smoothing sums relative to `m`. The loss is formed as
 * `Σ w_c q_c (m - x_c) + (Σ w_c q_c)(LSE - m)`: every term is non-negative,
 * and a class with zero target mass is skipped, so a -Infinity logit there
 * adds nothing. A row with a NaN or +Infinity logit, or with only
 * -Infinity, gets NaN for its loss and `shiftedLogSumExp` and skips the
 * second read.
 *
 * For index labels the second read sums `w_c` and `w_c (m - x_c)` (without
 * the label's class in `'non-target'` mode), and the label's own `(1 - ε)`
 * term is added once per row. Ignored positions get 0 in all four outputs
 * and read no logits. A label that is neither a class index nor the ignore
 * index gives NaN in all four.
 *
 * Inputs, all flat: `logits` `[outer * C * inner]`; `labels` int32
 * `[positions]` (index) or float32 like the logits (probability); `weight`
 * `[C]`. Sizes, coefficients and the ignore index are `LOSS_UNIFORMS`.
 *
 * Compiled-program key: `shaderKey` names the labels kind and the lanes per
 * row, the only things baked into the source; tfjs appends the workgroup
 * size, the inputs' ranks and dtypes, the variable names and whether the
 * dispatch is flat. C, the sizes, ε, the smoothing mode and the ignore index
 * are uniforms, so changing them reuses the program and cannot pick up
 * another call's values.
 */
export class RowStatisticsProgram implements WebGPUProgram {
  variableNames = ['logits', 'labels', 'weight'];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];
  uniforms = LOSS_UNIFORMS;
  private readonly lanes: number;
  private readonly labelsKind: LabelsKind;

  constructor(positions: number, rowLanesInfo: RowLanes, labelsKind: LabelsKind) {
    this.outputShape = [4 * positions];
    this.dispatchLayout = { x: [0] };
    this.workgroupSize = [rowLanesInfo.workgroupSize, 1, 1];
    this.dispatch = [rowWorkgroups(positions, rowLanesInfo), 1, 1];
    this.lanes = rowLanesInfo.lanes;
    this.labelsKind = labelsKind;
    this.shaderKey = `labelSmoothingRowStatistics_${labelsKind}_lanes${rowLanesInfo.lanes}`;
  }

  getUserCode(): string {
    const { lanes } = this;
    const index = this.labelsKind === 'index';
    const workgroupArrays = lanes === 1 ? '' : ['maxPartials', 'undefinedPartials', 'sumExpPartials', 'massPartials', 'gapPartials']
      .map((name) => `var<workgroup> ${name} : array<f32, ${this.workgroupSize[0]}>;`).join('\n    ');
    // The combined value of a row: the lane's own with one lane, the row's first slot otherwise.
    const rowValue = (local: string, array: string) => (lanes === 1 ? local : `${array}[rowSlot]`);
    const share = (pairs: Array<[string, string]>) => (lanes === 1 ? '' :
      pairs.map(([array, local]) => `${array}[slot] = ${local};`).join('\n      '));

    const labelSetup = index
      ? `
      var labelClass = -1;
      var ignored = false;
      if (rowValid) {
        let label = labels[position];
        ignored = label == uniforms.ignoreIndex;
        if (!ignored && isClassIndex(label)) {
          labelClass = label;
        }
      }
      // Padding invocations, ignored positions and invalid labels read no classes.
      let rowClasses = select(0, uniforms.numClasses, rowValid && labelClass >= 0);`
      : `
      let rowClasses = select(0, uniforms.numClasses, rowValid);`;

    // Index labels: mass sums the smoothed weights w_c (the label's class
    // left out in 'non-target' mode) and gap sums w_c (m - x_c).
    // Probability labels: mass sums w_c q_c and gap sums w_c q_c (m - x_c).
    const secondReadBody = index
      ? `
        let classMass = select(weight[c], 0.0, c == labelClass && uniforms.otherSkipsTarget == 1.0);`
      : `
        let classMass = weightedTarget(weight[c], labels[offset]);`;

    const finish = index
      ? `
        if (ignored) {
          writeStatistics(position, 0.0, 0.0, 0.0, 0.0);
          return;
        }
        if (labelClass < 0) {
          writeStatistics(position, uniforms.NAN, uniforms.NAN, uniforms.NAN, uniforms.NAN);
          return;
        }
        let labelWeight = weight[labelClass];
        let labelMass = uniforms.targetCoefficient * labelWeight;
        let totalMass = uniforms.otherCoefficient * rowMass + labelMass;
        var totalGap = 0.0;
        if (uniforms.otherCoefficient != 0.0) {
          totalGap = uniforms.otherCoefficient * rowGap;
        }
        if (labelMass != 0.0 && !undefinedRow) {
          totalGap = totalGap + labelMass * (rowMax - logits[logitOffset(position, labelClass)]);
        }
        let targetWeight = labelWeight;`
      : `
        let totalMass = rowMass;
        let totalGap = rowGap;
        let targetWeight = 1.0;`;

    return `
    ${workgroupArrays}

    ${LOSS_HELPERS}

    fn writeStatistics(position : i32, loss : f32, rowMax : f32, shiftedLogSumExp : f32, targetWeight : f32) {
      setOutputAtIndex(${STATISTIC_ROW.losses} * uniforms.positions + position, loss);
      setOutputAtIndex(${STATISTIC_ROW.maxLogit} * uniforms.positions + position, rowMax);
      setOutputAtIndex(${STATISTIC_ROW.shiftedLogSumExp} * uniforms.positions + position, shiftedLogSumExp);
      setOutputAtIndex(${STATISTIC_ROW.targetWeight} * uniforms.positions + position, targetWeight);
    }

    fn main(index : i32) {
      // Phase 1: which row and which of its lanes this invocation is.
      let slot = i32(localIndex);
      let lane = slot % ${lanes};
      let rowSlot = slot - lane;
      let position = index / ${lanes};
      let rowValid = position < uniforms.positions;
      ${labelSetup}

      // Phase 2: the row maximum, NaN skipped. NaN and +Infinity make the
      // row's log-sum-exp undefined.
      var laneMax = -uniforms.INFINITY;
      var laneUndefined = 0.0;
      for (var c = lane; c < rowClasses; c = c + ${lanes}) {
        let x = logits[logitOffset(position, c)];
        if (isnan(x) || x == uniforms.INFINITY) {
          laneUndefined = 1.0;
        }
        if (x > laneMax) {
          laneMax = x;
        }
      }
      ${share([['maxPartials', 'laneMax'], ['undefinedPartials', 'laneUndefined']])}
      ${combineLanesSnippet(lanes, ['maxPartials', 'undefinedPartials'], (a, b) => `select(${a}, ${b}, ${b} > ${a})`)}
      let rowMax = ${rowValue('laneMax', 'maxPartials')};
      // A row of only -Infinity has no finite log-sum-exp either.
      let undefinedRow = ${rowValue('laneUndefined', 'undefinedPartials')} != 0.0 || rowMax == -uniforms.INFINITY;

      // Phase 3: the sums relative to the maximum. A -Infinity logit adds
      // exp(-Infinity) = 0, and +Infinity to the gap when its class has mass.
      let sumClasses = select(rowClasses, 0, undefinedRow);
      var laneSumExp = 0.0;
      var laneMass = 0.0;
      var laneGap = 0.0;
      for (var c = lane; c < sumClasses; c = c + ${lanes}) {
        let offset = logitOffset(position, c);
        let x = logits[offset];
        laneSumExp = laneSumExp + accurateExp(x - rowMax);
        ${secondReadBody}
        laneMass = laneMass + classMass;
        if (classMass != 0.0) {
          laneGap = laneGap + classMass * (rowMax - x);
        }
      }
      ${share([['sumExpPartials', 'laneSumExp'], ['massPartials', 'laneMass'], ['gapPartials', 'laneGap']])}
      ${combineLanesSnippet(lanes, ['sumExpPartials', 'massPartials', 'gapPartials'], (a, b) => `${a} + ${b}`)}

      // Phase 4: the row's first lane writes the four outputs.
      if (lane == 0 && rowValid) {
        let rowSumExp = ${rowValue('laneSumExp', 'sumExpPartials')};
        let rowMass = ${rowValue('laneMass', 'massPartials')};
        let rowGap = ${rowValue('laneGap', 'gapPartials')};
        ${finish}
        let shiftedLogSumExp = log(rowSumExp);
        if (undefinedRow) {
          writeStatistics(position, uniforms.NAN, rowMax, uniforms.NAN, targetWeight);
        } else {
          writeStatistics(position, totalGap + totalMass * shiftedLogSumExp, rowMax, shiftedLogSumExp, targetWeight);
        }
      }
    }
    `;
  }
}
