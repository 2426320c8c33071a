// Forward kernels: per-position losses, row maximum, shifted log-sum-exp
// and 'mean' denominator share, for the `[outerSize, numClasses, innerSize]` view of the logits.
//
// Every row takes two passes: its maximum m, then Σ exp(x_c - m) and the
// smoothing sum Σ w_c q_c (m - x_c), whose terms are all non-negative, so
// logits far apart do not cancel. A class with zero target mass is skipped,
// so a -Infinity logit there adds nothing instead of 0 · Infinity = NaN.
//
// Three layouts of a row:
// - innerSize == 1: the row is contiguous; four classes per vector.
// - innerSize >= 4: four neighbouring positions per vector, one class at a
//   time; the last group of a block of positions overlaps the previous one
//   when innerSize is not a multiple of 4 and recomputes the same values.
// - innerSize 2 or 3: one position at a time with scalar loads.
//
// Pointers are byte offsets into the imported memory; the only stores go to
// `losses`, `maxLogit`, `shiftedLogSumExp` and `targetWeight`, one float32
// per position.

import { expScalar, expVector, logScalar, maxLanes, sumLanes } from './math';

/** Classes summed in float32 lanes before the partial sums are added in float64. */
export const BLOCK_CLASSES: i32 = 256;

// @ts-ignore: decorator
@inline function elementAddress(base: usize, index: usize): usize {
  return base + (index << 2);
}

/** Adds `count` float32 weights in float64. */
export function sumWeights(weight: usize, count: i32): f64 {
  let total: f64 = 0;
  for (let c = 0; c < count; c++) {
    total += <f64>load<f32>(elementAddress(weight, c));
  }
  return total;
}

/**
 * Writes the three outputs of one position with index label `label` from its
 * row statistics: maximum `max`, `sumExp` = Σ exp(x_c - max), `gap` = the
 * smoothing sum Σ w_c (max - x_c) over the classes the smoothing term covers,
 * and `targetLogit` = x_label.
 */
// @ts-ignore: decorator
@inline function finishIndexPosition(
  position: usize, label: i32, max: f32, sumExp: f64, gap: f64, targetLogit: f32,
  weight: usize, numClasses: i32, totalWeight: f64,
  targetCoefficient: f64, otherCoefficient: f64, sumIncludesTarget: bool, ignoreIndex: i32, ignoreEnabled: bool,
  losses: usize, maxLogit: usize, shiftedLogSumExp: usize, targetWeight: usize,
): void {
  if (ignoreEnabled && label == ignoreIndex) {
    store<f32>(elementAddress(losses, position), 0);
    store<f32>(elementAddress(maxLogit, position), 0);
    store<f32>(elementAddress(shiftedLogSumExp, position), 0);
    store<f32>(elementAddress(targetWeight, position), 0);
    return;
  }
  if (label < 0 || label >= numClasses) {
    store<f32>(elementAddress(losses, position), NaN);
    store<f32>(elementAddress(maxLogit, position), NaN);
    store<f32>(elementAddress(shiftedLogSumExp, position), NaN);
    store<f32>(elementAddress(targetWeight, position), NaN);
    return;
  }

  const logOfSum = logScalar(<f32>sumExp);
  const rowLogSumExp = <f64>max + <f64>logOfSum;
  const labelWeight = <f64>load<f32>(elementAddress(weight, label));

  let loss: f64 = 0;
  if (otherCoefficient != 0) {
    const smoothedWeight = sumIncludesTarget ? totalWeight : totalWeight - labelWeight;
    loss += otherCoefficient * (gap + smoothedWeight * <f64>logOfSum);
  }
  if (targetCoefficient != 0 && labelWeight != 0) {
    loss += targetCoefficient * labelWeight * (rowLogSumExp - <f64>targetLogit);
  }
  // A NaN log-sum-exp (NaN or +Infinity logits, or a row of only -Infinity)
  // makes the row NaN, even where every term above was skipped.
  if (isNaN(rowLogSumExp)) {
    loss = NaN;
  }

  store<f32>(elementAddress(losses, position), <f32>loss);
  store<f32>(elementAddress(maxLogit, position), max);
  store<f32>(elementAddress(shiftedLogSumExp, position), logOfSum);
  store<f32>(elementAddress(targetWeight, position), <f32>labelWeight);
}

/** Maximum of a contiguous row of `count` float32 values, skipping NaN. */
// @ts-ignore: decorator
@inline function contiguousRowMax(row: usize, count: i32): f32 {
  let max0 = f32x4.splat(-Infinity);
  let max1 = f32x4.splat(-Infinity);
  let c = 0;
  for (; c + 8 <= count; c += 8) {
    max0 = f32x4.pmax(max0, v128.load(elementAddress(row, c)));
    max1 = f32x4.pmax(max1, v128.load(elementAddress(row, c + 4)));
  }
  for (; c + 4 <= count; c += 4) {
    max0 = f32x4.pmax(max0, v128.load(elementAddress(row, c)));
  }
  let max = maxLanes(f32x4.pmax(max0, max1));
  for (; c < count; c++) {
    const x = load<f32>(elementAddress(row, c));
    if (x > max) max = x;
  }
  return max;
}

/** Maximum of a row whose elements are `stride` floats apart, skipping NaN. */
// @ts-ignore: decorator
@inline function stridedRowMax(row: usize, count: i32, stride: i32): f32 {
  let max: f32 = -Infinity;
  for (let c = 0; c < count; c++) {
    const x = load<f32>(elementAddress(row, <usize>c * stride));
    if (x > max) max = x;
  }
  return max;
}

// Index labels ---------------------------------------------------------------

/**
 * Forward kernel for index labels. Argument order and meaning must stay
 * aligned with `KERNEL_MODULE_ARGUMENTS.forwardIndexLabels` in
 * src/kernel_module.ts. A label is ignored when `ignoreEnabled` is set and it
 * equals `ignoreIndex`.
 */
export function forwardIndexLabels(
  logits: usize, labels: usize, weight: usize,
  losses: usize, maxLogit: usize, shiftedLogSumExp: usize, targetWeight: usize,
  outerSize: i32, numClasses: i32, innerSize: i32,
  targetCoefficient: f64, otherCoefficient: f64, sumIncludesTarget: bool, ignoreIndex: i32, ignoreEnabled: bool,
): void {
  if (sumIncludesTarget) {
    forwardIndexLabelsMode(logits, labels, weight, losses, maxLogit, shiftedLogSumExp, targetWeight,
      outerSize, numClasses, innerSize, targetCoefficient, otherCoefficient, true, ignoreIndex, ignoreEnabled);
  } else {
    forwardIndexLabelsMode(logits, labels, weight, losses, maxLogit, shiftedLogSumExp, targetWeight,
      outerSize, numClasses, innerSize, targetCoefficient, otherCoefficient, false, ignoreIndex, ignoreEnabled);
  }
}

// Inlined twice with a constant `sumIncludesTarget`, so the hot loops carry
// the target-exclusion mask only in 'non-target' mode.
// @ts-ignore: decorator
@inline function forwardIndexLabelsMode(
  logits: usize, labels: usize, weight: usize,
  losses: usize, maxLogit: usize, shiftedLogSumExp: usize, targetWeight: usize,
  outerSize: i32, numClasses: i32, innerSize: i32,
  targetCoefficient: f64, otherCoefficient: f64, sumIncludesTarget: bool, ignoreIndex: i32, ignoreEnabled: bool,
): void {
  const totalWeight = sumWeights(weight, numClasses);

  if (innerSize == 1) {
    for (let outer = 0; outer < outerSize; outer++) {
      const label = load<i32>(elementAddress(labels, outer));
      const row = elementAddress(logits, <usize>outer * numClasses);
      let max: f32 = 0;
      let sumExp: f64 = 0;
      let gap: f64 = 0;
      let targetLogit: f32 = 0;
      if (!(ignoreEnabled && label == ignoreIndex) && label >= 0 && label < numClasses) {
        max = contiguousRowMax(row, numClasses);
        const maxVector = f32x4.splat(max);
        const labelVector = i32x4.splat(label);
        const vectorEnd = numClasses & ~3;
        let c = 0;
        while (c < vectorEnd) {
          const blockEnd = min(c + BLOCK_CLASSES, vectorEnd);
          let sumVector = f32x4.splat(0);
          let gapVector = f32x4.splat(0);
          for (; c < blockEnd; c += 4) {
            const x = v128.load(elementAddress(row, c));
            const w = v128.load(elementAddress(weight, c));
            sumVector = f32x4.add(sumVector, expVector(f32x4.sub(x, maxVector)));
            let keep = f32x4.ne(w, f32x4.splat(0));
            if (!sumIncludesTarget) {
              const classes = i32x4.add(i32x4.splat(c), i32x4(0, 1, 2, 3));
              keep = v128.andnot(keep, i32x4.eq(classes, labelVector));
            }
            gapVector = f32x4.add(gapVector, v128.and(f32x4.mul(w, f32x4.sub(maxVector, x)), keep));
          }
          sumExp += sumLanes(sumVector);
          gap += sumLanes(gapVector);
        }
        for (; c < numClasses; c++) {
          const x = load<f32>(elementAddress(row, c));
          const w = load<f32>(elementAddress(weight, c));
          sumExp += <f64>expScalar(x - max);
          if (w != 0 && (sumIncludesTarget || c != label)) {
            gap += <f64>(w * (max - x));
          }
        }
        targetLogit = load<f32>(elementAddress(row, label));
      }
      finishIndexPosition(outer, label, max, sumExp, gap, targetLogit,
        weight, numClasses, totalWeight, targetCoefficient, otherCoefficient, sumIncludesTarget, ignoreIndex, ignoreEnabled,
        losses, maxLogit, shiftedLogSumExp, targetWeight);
    }
    return;
  }

  if (innerSize < 4) {
    for (let outer = 0; outer < outerSize; outer++) {
      for (let inner = 0; inner < innerSize; inner++) {
        const position = <usize>outer * innerSize + inner;
        const label = load<i32>(elementAddress(labels, position));
        const row = elementAddress(logits, <usize>outer * numClasses * innerSize + inner);
        let max: f32 = 0;
        let sumExp: f64 = 0;
        let gap: f64 = 0;
        let targetLogit: f32 = 0;
        if (!(ignoreEnabled && label == ignoreIndex) && label >= 0 && label < numClasses) {
          max = stridedRowMax(row, numClasses, innerSize);
          for (let c = 0; c < numClasses; c++) {
            const x = load<f32>(elementAddress(row, <usize>c * innerSize));
            const w = load<f32>(elementAddress(weight, c));
            sumExp += <f64>expScalar(x - max);
            if (w != 0 && (sumIncludesTarget || c != label)) {
              gap += <f64>(w * (max - x));
            }
          }
          targetLogit = load<f32>(elementAddress(row, <usize>label * innerSize));
        }
        finishIndexPosition(position, label, max, sumExp, gap, targetLogit,
          weight, numClasses, totalWeight, targetCoefficient, otherCoefficient, sumIncludesTarget, ignoreIndex, ignoreEnabled,
          losses, maxLogit, shiftedLogSumExp, targetWeight);
      }
    }
    return;
  }

  const classStride = <usize>innerSize;
  for (let outer = 0; outer < outerSize; outer++) {
    for (let group = 0; group < innerSize; group += 4) {
      const inner = min(group, innerSize - 4);
      const position = <usize>outer * innerSize + inner;
      const labelVector = v128.load(elementAddress(labels, position));
      const base = elementAddress(logits, <usize>outer * numClasses * innerSize + inner);

      let maxVector = f32x4.splat(-Infinity);
      for (let c = 0; c < numClasses; c++) {
        maxVector = f32x4.pmax(maxVector, v128.load(elementAddress(base, <usize>c * classStride)));
      }

      let sumLow = f64x2.splat(0);
      let sumHigh = f64x2.splat(0);
      let gapLow = f64x2.splat(0);
      let gapHigh = f64x2.splat(0);
      let targetVector = f32x4.splat(0);
      let c = 0;
      while (c < numClasses) {
        const blockEnd = min(c + BLOCK_CLASSES, numClasses);
        let sumVector = f32x4.splat(0);
        let gapVector = f32x4.splat(0);
        for (; c < blockEnd; c++) {
          const x = v128.load(elementAddress(base, <usize>c * classStride));
          const w = load<f32>(elementAddress(weight, c));
          const isTarget = i32x4.eq(labelVector, i32x4.splat(c));
          sumVector = f32x4.add(sumVector, expVector(f32x4.sub(x, maxVector)));
          if (w != 0) {
            let term = f32x4.mul(f32x4.splat(w), f32x4.sub(maxVector, x));
            if (!sumIncludesTarget) {
              term = v128.andnot(term, isTarget);
            }
            gapVector = f32x4.add(gapVector, term);
          }
          targetVector = v128.bitselect(x, targetVector, isTarget);
        }
        sumLow = f64x2.add(sumLow, f64x2.promote_low_f32x4(sumVector));
        sumHigh = f64x2.add(sumHigh, f64x2.promote_low_f32x4(i32x4.shuffle(sumVector, sumVector, 2, 3, 2, 3)));
        gapLow = f64x2.add(gapLow, f64x2.promote_low_f32x4(gapVector));
        gapHigh = f64x2.add(gapHigh, f64x2.promote_low_f32x4(i32x4.shuffle(gapVector, gapVector, 2, 3, 2, 3)));
      }

      finishIndexPosition(position, i32x4.extract_lane(labelVector, 0), f32x4.extract_lane(maxVector, 0),
        f64x2.extract_lane(sumLow, 0), f64x2.extract_lane(gapLow, 0), f32x4.extract_lane(targetVector, 0),
        weight, numClasses, totalWeight, targetCoefficient, otherCoefficient, sumIncludesTarget, ignoreIndex, ignoreEnabled,
        losses, maxLogit, shiftedLogSumExp, targetWeight);
      finishIndexPosition(position + 1, i32x4.extract_lane(labelVector, 1), f32x4.extract_lane(maxVector, 1),
        f64x2.extract_lane(sumLow, 1), f64x2.extract_lane(gapLow, 1), f32x4.extract_lane(targetVector, 1),
        weight, numClasses, totalWeight, targetCoefficient, otherCoefficient, sumIncludesTarget, ignoreIndex, ignoreEnabled,
        losses, maxLogit, shiftedLogSumExp, targetWeight);
      finishIndexPosition(position + 2, i32x4.extract_lane(labelVector, 2), f32x4.extract_lane(maxVector, 2),
        f64x2.extract_lane(sumHigh, 0), f64x2.extract_lane(gapHigh, 0), f32x4.extract_lane(targetVector, 2),
        weight, numClasses, totalWeight, targetCoefficient, otherCoefficient, sumIncludesTarget, ignoreIndex, ignoreEnabled,
        losses, maxLogit, shiftedLogSumExp, targetWeight);
      finishIndexPosition(position + 3, i32x4.extract_lane(labelVector, 3), f32x4.extract_lane(maxVector, 3),
        f64x2.extract_lane(sumHigh, 1), f64x2.extract_lane(gapHigh, 1), f32x4.extract_lane(targetVector, 3),
        weight, numClasses, totalWeight, targetCoefficient, otherCoefficient, sumIncludesTarget, ignoreIndex, ignoreEnabled,
        losses, maxLogit, shiftedLogSumExp, targetWeight);
    }
  }
}

// Probability labels ----------------------------------------------------------

/**
 * Writes the three outputs of one position with probability labels from its
 * row statistics: `targetMass` = Σ w_c q_c and `gap` = Σ w_c q_c (max - x_c).
 */
// @ts-ignore: decorator
@inline function finishProbabilityPosition(
  position: usize, max: f32, sumExp: f64, targetMass: f64, gap: f64,
  losses: usize, maxLogit: usize, shiftedLogSumExp: usize, targetWeight: usize,
): void {
  const logOfSum = logScalar(<f32>sumExp);
  const rowLogSumExp = <f64>max + <f64>logOfSum;
  let loss = gap + targetMass * <f64>logOfSum;
  if (isNaN(rowLogSumExp)) {
    loss = NaN;
  }
  store<f32>(elementAddress(losses, position), <f32>loss);
  store<f32>(elementAddress(maxLogit, position), max);
  store<f32>(elementAddress(shiftedLogSumExp, position), logOfSum);
  store<f32>(elementAddress(targetWeight, position), 1);
}

/**
 * Forward kernel for probability labels, whose smoothed target is
 * `q_c = targetSlope · t_c + targetOffset` in both smoothing modes. Argument
 * order and meaning must stay aligned with
 * `KERNEL_MODULE_ARGUMENTS.forwardProbabilityLabels` in src/kernel_module.ts.
 */
export function forwardProbabilityLabels(
  logits: usize, labels: usize, weight: usize,
  losses: usize, maxLogit: usize, shiftedLogSumExp: usize, targetWeight: usize,
  outerSize: i32, numClasses: i32, innerSize: i32,
  targetSlope: f32, targetOffset: f32,
): void {
  const slopeVector = f32x4.splat(targetSlope);
  const offsetVector = f32x4.splat(targetOffset);

  if (innerSize == 1) {
    for (let outer = 0; outer < outerSize; outer++) {
      const rowOffset = <usize>outer * numClasses;
      const row = elementAddress(logits, rowOffset);
      const targets = elementAddress(labels, rowOffset);
      const max = contiguousRowMax(row, numClasses);
      const maxVector = f32x4.splat(max);
      let sumExp: f64 = 0;
      let targetMass: f64 = 0;
      let gap: f64 = 0;
      const vectorEnd = numClasses & ~3;
      let c = 0;
      while (c < vectorEnd) {
        const blockEnd = min(c + BLOCK_CLASSES, vectorEnd);
        let sumVector = f32x4.splat(0);
        let massVector = f32x4.splat(0);
        let gapVector = f32x4.splat(0);
        for (; c < blockEnd; c += 4) {
          const x = v128.load(elementAddress(row, c));
          const t = v128.load(elementAddress(targets, c));
          const w = v128.load(elementAddress(weight, c));
          const weightedTarget = f32x4.mul(w, f32x4.add(f32x4.mul(slopeVector, t), offsetVector));
          sumVector = f32x4.add(sumVector, expVector(f32x4.sub(x, maxVector)));
          massVector = f32x4.add(massVector, weightedTarget);
          const term = f32x4.mul(weightedTarget, f32x4.sub(maxVector, x));
          gapVector = f32x4.add(gapVector, v128.and(term, f32x4.ne(weightedTarget, f32x4.splat(0))));
        }
        sumExp += sumLanes(sumVector);
        targetMass += sumLanes(massVector);
        gap += sumLanes(gapVector);
      }
      for (; c < numClasses; c++) {
        const x = load<f32>(elementAddress(row, c));
        const weightedTarget = load<f32>(elementAddress(weight, c)) *
          (targetSlope * load<f32>(elementAddress(targets, c)) + targetOffset);
        sumExp += <f64>expScalar(x - max);
        if (weightedTarget != 0) {
          targetMass += <f64>weightedTarget;
          gap += <f64>(weightedTarget * (max - x));
        }
      }
      finishProbabilityPosition(outer, max, sumExp, targetMass, gap, losses, maxLogit, shiftedLogSumExp, targetWeight);
    }
    return;
  }

  if (innerSize < 4) {
    for (let outer = 0; outer < outerSize; outer++) {
      for (let inner = 0; inner < innerSize; inner++) {
        const position = <usize>outer * innerSize + inner;
        const rowOffset = <usize>outer * numClasses * innerSize + inner;
        const row = elementAddress(logits, rowOffset);
        const targets = elementAddress(labels, rowOffset);
        const max = stridedRowMax(row, numClasses, innerSize);
        let sumExp: f64 = 0;
        let targetMass: f64 = 0;
        let gap: f64 = 0;
        for (let c = 0; c < numClasses; c++) {
          const offset = <usize>c * innerSize;
          const x = load<f32>(elementAddress(row, offset));
          const weightedTarget = load<f32>(elementAddress(weight, c)) *
            (targetSlope * load<f32>(elementAddress(targets, offset)) + targetOffset);
          sumExp += <f64>expScalar(x - max);
          if (weightedTarget != 0) {
            targetMass += <f64>weightedTarget;
            gap += <f64>(weightedTarget * (max - x));
          }
        }
        finishProbabilityPosition(position, max, sumExp, targetMass, gap, losses, maxLogit, shiftedLogSumExp, targetWeight);
      }
    }
    return;
  }

  const classStride = <usize>innerSize;
  for (let outer = 0; outer < outerSize; outer++) {
    for (let group = 0; group < innerSize; group += 4) {
      const inner = min(group, innerSize - 4);
      const position = <usize>outer * innerSize + inner;
      const rowOffset = <usize>outer * numClasses * innerSize + inner;
      const base = elementAddress(logits, rowOffset);
      const targets = elementAddress(labels, rowOffset);

      let maxVector = f32x4.splat(-Infinity);
      for (let c = 0; c < numClasses; c++) {
        maxVector = f32x4.pmax(maxVector, v128.load(elementAddress(base, <usize>c * classStride)));
      }

      let sumLow = f64x2.splat(0);
      let sumHigh = f64x2.splat(0);
      let massLow = f64x2.splat(0);
      let massHigh = f64x2.splat(0);
      let gapLow = f64x2.splat(0);
      let gapHigh = f64x2.splat(0);
      let c = 0;
      while (c < numClasses) {
        const blockEnd = min(c + BLOCK_CLASSES, numClasses);
        let sumVector = f32x4.splat(0);
        let massVector = f32x4.splat(0);
        let gapVector = f32x4.splat(0);
        for (; c < blockEnd; c++) {
          const offset = <usize>c * classStride;
          const x = v128.load(elementAddress(base, offset));
          const t = v128.load(elementAddress(targets, offset));
          const w = f32x4.splat(load<f32>(elementAddress(weight, c)));
          const weightedTarget = f32x4.mul(w, f32x4.add(f32x4.mul(slopeVector, t), offsetVector));
          sumVector = f32x4.add(sumVector, expVector(f32x4.sub(x, maxVector)));
          massVector = f32x4.add(massVector, weightedTarget);
          const term = f32x4.mul(weightedTarget, f32x4.sub(maxVector, x));
          gapVector = f32x4.add(gapVector, v128.and(term, f32x4.ne(weightedTarget, f32x4.splat(0))));
        }
        sumLow = f64x2.add(sumLow, f64x2.promote_low_f32x4(sumVector));
        sumHigh = f64x2.add(sumHigh, f64x2.promote_low_f32x4(i32x4.shuffle(sumVector, sumVector, 2, 3, 2, 3)));
        massLow = f64x2.add(massLow, f64x2.promote_low_f32x4(massVector));
        massHigh = f64x2.add(massHigh, f64x2.promote_low_f32x4(i32x4.shuffle(massVector, massVector, 2, 3, 2, 3)));
        gapLow = f64x2.add(gapLow, f64x2.promote_low_f32x4(gapVector));
        gapHigh = f64x2.add(gapHigh, f64x2.promote_low_f32x4(i32x4.shuffle(gapVector, gapVector, 2, 3, 2, 3)));
      }

      finishProbabilityPosition(position, f32x4.extract_lane(maxVector, 0), f64x2.extract_lane(sumLow, 0),
        f64x2.extract_lane(massLow, 0), f64x2.extract_lane(gapLow, 0), losses, maxLogit, shiftedLogSumExp, targetWeight);
      finishProbabilityPosition(position + 1, f32x4.extract_lane(maxVector, 1), f64x2.extract_lane(sumLow, 1),
        f64x2.extract_lane(massLow, 1), f64x2.extract_lane(gapLow, 1), losses, maxLogit, shiftedLogSumExp, targetWeight);
      finishProbabilityPosition(position + 2, f32x4.extract_lane(maxVector, 2), f64x2.extract_lane(sumHigh, 0),
        f64x2.extract_lane(massHigh, 0), f64x2.extract_lane(gapHigh, 0), losses, maxLogit, shiftedLogSumExp, targetWeight);
      finishProbabilityPosition(position + 3, f32x4.extract_lane(maxVector, 3), f64x2.extract_lane(sumHigh, 1),
        f64x2.extract_lane(massHigh, 1), f64x2.extract_lane(gapHigh, 1), losses, maxLogit, shiftedLogSumExp, targetWeight);
    }
  }
}
