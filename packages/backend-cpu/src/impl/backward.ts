import { smoothProbability, smoothingCoefficients, type ClassAxisLayout, type LabelSmoothingAttrs } from '@label-smoothing/core';

import { sumOf } from './forward.js';

/**
 * Computes the backward kernel on typed arrays: the logits' gradient
 * `dy · ((Σ_k w_k q_k) · p_c - w_c q_c)` with
 * `p_c = exp(x_c - maxLogit - shiftedLogSumExp)` recomputed from the saved row statistics. One pass over each row for index
 * labels; probability labels need a first pass over the labels for `Σ_k w_k q_k`.
 * Ignored positions get exactly 0.
 */
export function backwardImpl(
  dy: Float32Array,
  logits: Float32Array,
  labels: Int32Array | Float32Array,
  weight: Float32Array,
  maxLogit: Float32Array,
  shiftedLogSumExp: Float32Array,
  layout: ClassAxisLayout,
  attrs: LabelSmoothingAttrs,
): Float32Array {
  const gradient = new Float32Array(logits.length);
  if (gradient.length === 0) {
    return gradient;
  }

  if (attrs.labelsKind === 'index') {
    backwardIndexLabels(dy, logits, labels as Int32Array, weight, maxLogit, shiftedLogSumExp, layout, attrs, gradient);
  } else {
    backwardProbabilityLabels(dy, logits, labels as Float32Array, weight, maxLogit, shiftedLogSumExp, layout, attrs, gradient);
  }
  return gradient;
}

function backwardIndexLabels(
  dy: Float32Array,
  logits: Float32Array,
  labels: Int32Array,
  weight: Float32Array,
  maxLogit: Float32Array,
  shiftedLogSumExp: Float32Array,
  layout: ClassAxisLayout,
  attrs: LabelSmoothingAttrs,
  gradient: Float32Array,
): void {
  const { outerSize, numClasses, innerSize } = layout;
  const { targetCoefficient, otherCoefficient, sumIncludesTarget } =
    smoothingCoefficients(attrs.smoothing, attrs.smoothingMode, numClasses);
  const totalWeight = sumOf(weight);

  for (let outer = 0; outer < outerSize; outer++) {
    for (let inner = 0; inner < innerSize; inner++) {
      const position = outer * innerSize + inner;
      const base = outer * numClasses * innerSize + inner;
      const label = labels[position];

      if (label === attrs.ignoreIndex) {
        continue;
      }
      if (!(label >= 0 && label < numClasses)) {
        fillRow(gradient, base, numClasses, innerSize, NaN);
        continue;
      }

      const upstream = dy[position];
      const max = maxLogit[position];
      const shift = shiftedLogSumExp[position];
      const targetWeight = weight[label];
      const smoothedWeight = sumIncludesTarget ? totalWeight : totalWeight - targetWeight;
      const targetMass = otherCoefficient * smoothedWeight + targetCoefficient * targetWeight;

      for (let c = 0; c < numClasses; c++) {
        const offset = base + c * innerSize;
        const probability = Math.exp(logits[offset] - max - shift);
        let target = sumIncludesTarget || c !== label ? otherCoefficient : 0;
        if (c === label) {
          target += targetCoefficient;
        }
        gradient[offset] = upstream * (targetMass * probability - weight[c] * target);
      }
    }
  }
}

function backwardProbabilityLabels(
  dy: Float32Array,
  logits: Float32Array,
  labels: Float32Array,
  weight: Float32Array,
  maxLogit: Float32Array,
  shiftedLogSumExp: Float32Array,
  layout: ClassAxisLayout,
  attrs: LabelSmoothingAttrs,
  gradient: Float32Array,
): void {
  const { outerSize, numClasses, innerSize } = layout;
  const { smoothing, smoothingMode } = attrs;

  for (let outer = 0; outer < outerSize; outer++) {
    for (let inner = 0; inner < innerSize; inner++) {
      const position = outer * innerSize + inner;
      const base = outer * numClasses * innerSize + inner;

      let targetMass = 0;
      for (let c = 0; c < numClasses; c++) {
        targetMass += weight[c] * smoothProbability(labels[base + c * innerSize], smoothing, smoothingMode, numClasses);
      }

      const upstream = dy[position];
      const max = maxLogit[position];
      const shift = shiftedLogSumExp[position];
      for (let c = 0; c < numClasses; c++) {
        const offset = base + c * innerSize;
        const probability = Math.exp(logits[offset] - max - shift);
        const weightedTarget = weight[c] * smoothProbability(labels[offset], smoothing, smoothingMode, numClasses);
        gradient[offset] = upstream * (targetMass * probability - weightedTarget);
      }
    }
  }
}

function fillRow(values: Float32Array, base: number, numClasses: number, stride: number, value: number): void {
  for (let c = 0; c < numClasses; c++) {
    values[base + c * stride] = value;
  }
}
