import type { LabelsKind } from '@label-smoothing/core';
import type { WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu/dist/webgpu_program';

import { combineLanesSnippet, rowWorkgroups, type RowLanes } from './row_lanes.js';
import { LOSS_HELPERS, LOSS_UNIFORMS } from './uniforms.js';

/**
 * The logits' gradient of every position in one dispatch, written in the
 * logits' flat `[outer * C * inner]` order:
 *
 *     dy · ((Σ_k w_k q_k) · p_c - w_c q_c),   p_c = exp(x_c - maxLogit - shiftedLogSumExp)
 *
 * The lanes of a row (see `RowLanes`) first sum the row's target mass. For
 * index labels they sum `Σ w`, and the mass is `a·w_y + b·(Σ w - k·w_y)` (see
 * `LOSS_HELPERS`). For probability labels they sum `Σ w_c q_c`. Then each
 * lane writes its classes. Ignored positions get exactly 0 whatever their `dy`,
 * positions whose label is not a class index get NaN, and rows with a NaN
 * `shiftedLogSumExp` get NaN; that last test is explicit because `exp(NaN)`
 * is not NaN on every GPU.
 *
 * Inputs, all flat: `logits`, `labels` and `weight` as for
 * `RowStatisticsProgram`, then `dy`, `maxLogit` and `shiftedLogSumExp`
 * `[positions]`.
 *
 * Compiled-program key: as for `RowStatisticsProgram`, the labels kind and
 * the lanes per row; everything else is a uniform.
 */
export class GradientProgram implements WebGPUProgram {
  variableNames = ['logits', 'labels', 'weight', 'dy', 'maxLogit', 'shiftedLogSumExp'];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];
  uniforms = LOSS_UNIFORMS;
  private readonly lanes: number;
  private readonly labelsKind: LabelsKind;

  constructor(size: number, positions: number, rowLanesInfo: RowLanes, labelsKind: LabelsKind) {
    this.outputShape = [size];
    this.dispatchLayout = { x: [0] };
    this.workgroupSize = [rowLanesInfo.workgroupSize, 1, 1];
    this.dispatch = [rowWorkgroups(positions, rowLanesInfo), 1, 1];
    this.lanes = rowLanesInfo.lanes;
    this.labelsKind = labelsKind;
    this.shaderKey = `labelSmoothingGradient_${labelsKind}_lanes${rowLanesInfo.lanes}`;
  }

  getUserCode(): string {
    const { lanes } = this;
    const index = this.labelsKind === 'index';
    const workgroupArrays = lanes === 1 ? '' : `var<workgroup> massPartials : array<f32, ${this.workgroupSize[0]}>;`;

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
      let massClasses = select(0, rowClasses, labelClass >= 0);`
      : `
      let massClasses = rowClasses;`;

    const massTerm = index ? 'weight[c]' : 'weightedTarget(weight[c], labels[logitOffset(position, c)])';
    const rowMassValue = lanes === 1 ? 'laneMass' : 'massPartials[rowSlot]';
    const rowMass = index
      ? `
      var rowMass = 0.0;
      if (labelClass >= 0) {
        let labelWeight = weight[labelClass];
        rowMass = uniforms.targetCoefficient * labelWeight +
            uniforms.otherCoefficient * (${rowMassValue} - uniforms.otherSkipsTarget * labelWeight);
      }`
      : `
      let rowMass = ${rowMassValue};`;

    const classGradient = index
      ? `
        var gradient = 0.0;
        if (ignored) {
          gradient = 0.0;
        } else if (labelClass < 0 || undefinedRow) {
          gradient = uniforms.NAN;
        } else {
          let probability = accurateExp(logits[offset] - rowMax - rowShift);
          let classTarget = weightedTarget(weight[c], select(0.0, 1.0, c == labelClass));
          gradient = upstream * (rowMass * probability - classTarget);
        }`
      : `
        var gradient = uniforms.NAN;
        if (!undefinedRow) {
          let probability = accurateExp(logits[offset] - rowMax - rowShift);
          let classTarget = weightedTarget(weight[c], labels[offset]);
          gradient = upstream * (rowMass * probability - classTarget);
        }`;

    return `
    ${workgroupArrays}

    ${LOSS_HELPERS}

    fn main(index : i32) {
      // Phase 1: which row and which of its lanes this invocation is.
      let slot = i32(localIndex);
      let lane = slot % ${lanes};
      let rowSlot = slot - lane;
      let position = index / ${lanes};
      let rowValid = position < uniforms.positions;
      // Padding invocations write nothing; every real row writes all its classes.
      let rowClasses = select(0, uniforms.numClasses, rowValid);
      ${labelSetup}

      // Phase 2: the row's target mass.
      var laneMass = 0.0;
      for (var c = lane; c < massClasses; c = c + ${lanes}) {
        laneMass = laneMass + ${massTerm};
      }
      ${lanes === 1 ? '' : 'massPartials[slot] = laneMass;'}
      ${combineLanesSnippet(lanes, ['massPartials'], (a, b) => `${a} + ${b}`)}
      ${rowMass}

      // Phase 3: one gradient element per class of the row.
      let safePosition = min(position, uniforms.positions - 1);
      let upstream = dy[safePosition];
      let rowMax = maxLogit[safePosition];
      let rowShift = shiftedLogSumExp[safePosition];
      let undefinedRow = isnan(rowShift);
      for (var c = lane; c < rowClasses; c = c + ${lanes}) {
        let offset = logitOffset(position, c);
        ${classGradient}
        setOutputAtIndex(offset, gradient);
      }
    }
    `;
  }
}
