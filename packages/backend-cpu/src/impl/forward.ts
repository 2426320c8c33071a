import { smoothProbability, smoothingCoefficients, type ClassAxisLayout, type LabelSmoothingAttrs } from '@label-smoothing/core';

/** Per-position outputs of the forward pass, each of length `outerSize * innerSize`. */
export interface ForwardResult {
  losses: Float32Array;
  maxLogit: Float32Array;
  shiftedLogSumExp: Float32Array;
  targetWeight: Float32Array;
}

/**
 * Computes the forward kernel on typed arrays: two passes over each row (max,
 * then the sums), float64 accumulation, float32 results.
 *
 * The smoothing sum is accumulated as `Σ w_c q_c (m - x_c) + (Σ w_c q_c)(LSE - m)`
 * with `m` the row maximum. Each term is non-negative, so logits far apart do
 * not cancel, and classes with zero target mass are skipped, so a -Infinity
 * logit there adds nothing instead of NaN.
 *
 * Inputs follow the kernel contract: `logits` and probability `labels` in the
 * `[outer, C, inner]` view of `layout`, index `labels` as `[outer, inner]`.
 */
export function forwardImpl(
  logits: Float32Array,
  labels: Int32Array | Float32Array,
  weight: Float32Array,
  layout: ClassAxisLayout,
  attrs: LabelSmoothingAttrs,
): ForwardResult {
  const positions = layout.outerSize * layout.innerSize;
  const result: ForwardResult = {
    losses: new Float32Array(positions),
    maxLogit: new Float32Array(positions),
    shiftedLogSumExp: new Float32Array(positions),
    targetWeight: new Float32Array(positions),
  };
  if (positions === 0) {
    return result;
  }

  if (attrs.labelsKind === 'index') {
    forwardIndexLabels(logits, labels as Int32Array, weight, layout, attrs, result);
  } else {
    forwardProbabilityLabels(logits, labels as Float32Array, weight, layout, attrs, result);
  }
  return result;
}

function forwardIndexLabels(
  logits: Float32Array,
  labels: Int32Array,
  weight: Float32Array,
  layout: ClassAxisLayout,
  attrs: LabelSmoothingAttrs,
  result: ForwardResult,
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
        result.losses[position] = NaN;
        result.maxLogit[position] = NaN;
        result.shiftedLogSumExp[position] = NaN;
        result.targetWeight[position] = NaN;
        continue;
      }

      const max = rowMax(logits, base, numClasses, innerSize);
      let sumExp = 0;
      let weightedGap = 0;
      for (let c = 0; c < numClasses; c++) {
        const x = logits[base + c * innerSize];
        sumExp += Math.exp(x - max);
        if (weight[c] !== 0 && (sumIncludesTarget || c !== label)) {
          weightedGap += weight[c] * (max - x);
        }
      }
      const shiftedLogSumExp = Math.log(sumExp);
      const logSumExp = max + shiftedLogSumExp;
      const targetWeight = weight[label];

      let loss = 0;
      if (otherCoefficient !== 0) {
        const smoothedWeight = sumIncludesTarget ? totalWeight : totalWeight - targetWeight;
        loss += otherCoefficient * (weightedGap + smoothedWeight * (logSumExp - max));
      }
      if (targetCoefficient !== 0 && targetWeight !== 0) {
        loss += targetCoefficient * targetWeight * (logSumExp - logits[base + label * innerSize]);
      }

      // A NaN log-sum-exp (NaN or +Infinity logits, or a row of only -Infinity)
      // makes the whole row NaN, even where every term above was skipped.
      result.losses[position] = Number.isNaN(logSumExp) ? NaN : loss;
      result.maxLogit[position] = max;
      result.shiftedLogSumExp[position] = shiftedLogSumExp;
      result.targetWeight[position] = targetWeight;
    }
  }
}

function forwardProbabilityLabels(
  logits: Float32Array,
  labels: Float32Array,
  weight: Float32Array,
  layout: ClassAxisLayout,
  attrs: LabelSmoothingAttrs,
  result: ForwardResult,
): void {
  const { outerSize, numClasses, innerSize } = layout;
  const { smoothing, smoothingMode } = attrs;

  for (let outer = 0; outer < outerSize; outer++) {
    for (let inner = 0; inner < innerSize; inner++) {
      const position = outer * innerSize + inner;
      const base = outer * numClasses * innerSize + inner;

      const max = rowMax(logits, base, numClasses, innerSize);
      let sumExp = 0;
      let targetMass = 0;
      let weightedGap = 0;
      for (let c = 0; c < numClasses; c++) {
        const offset = base + c * innerSize;
        const x = logits[offset];
        sumExp += Math.exp(x - max);
        const weightedTarget = weight[c] * smoothProbability(labels[offset], smoothing, smoothingMode, numClasses);
        if (weightedTarget !== 0) {
          targetMass += weightedTarget;
          weightedGap += weightedTarget * (max - x);
        }
      }
      const shiftedLogSumExp = Math.log(sumExp);
      const logSumExp = max + shiftedLogSumExp;
      const loss = weightedGap + targetMass * (logSumExp - max);

      result.losses[position] = Number.isNaN(logSumExp) ? NaN : loss;
      result.maxLogit[position] = max;
      result.shiftedLogSumExp[position] = shiftedLogSumExp;
      result.targetWeight[position] = 1;
    }
  }
}

/** Maximum of one row, skipping NaN (a NaN still reaches the sum of exponentials and poisons the row there). */
export function rowMax(logits: Float32Array, base: number, numClasses: number, stride: number): number {
  let max = -Infinity;
  for (let c = 0; c < numClasses; c++) {
    const x = logits[base + c * stride];
    if (x > max) {
      max = x;
    }
  }
  return max;
}

export function sumOf(values: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    sum += values[i];
  }
  return sum;
}
