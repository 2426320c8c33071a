// Backward kernels: the logits' gradient dy · ((Σ_k w_k q_k) · p_c − w_c q_c).
// The softmax p_c = exp(x_c − maxLogit − shiftedLogSumExp) is recomputed from
// the saved row statistics. The three row layouts are those of forward.ts.
// Ignored positions get exactly 0, and positions with an out-of-range index
// label get NaN.
//
// The only stores go to `gradient`, which has the logits' shape.

import { expScalar, expVector, sumLanes } from './math';
import { BLOCK_CLASSES, sumWeights } from './forward';

// @ts-ignore: decorator
@inline function elementAddress(base: usize, index: usize): usize {
  return base + (index << 2);
}

/** Writes `value` into the `count` elements of a row whose elements are `stride` floats apart. */
// @ts-ignore: decorator
@inline function fillRow(row: usize, count: i32, stride: usize, value: f32): void {
  for (let c = 0; c < count; c++) {
    store<f32>(elementAddress(row, <usize>c * stride), value);
  }
}

// Index labels ---------------------------------------------------------------

/**
 * Backward kernel for index labels. Argument order and meaning must stay
 * aligned with `KERNEL_MODULE_ARGUMENTS.backwardIndexLabels` in
 * src/kernel_module.ts. A label is ignored when `ignoreEnabled` is set and it
 * equals `ignoreIndex`.
 */
export function backwardIndexLabels(
  dy: usize, logits: usize, labels: usize, weight: usize, maxLogit: usize, shiftedLogSumExp: usize,
  gradient: usize,
  outerSize: i32, numClasses: i32, innerSize: i32,
  targetCoefficient: f64, otherCoefficient: f64, sumIncludesTarget: bool, ignoreIndex: i32, ignoreEnabled: bool,
): void {
  const totalWeight = sumWeights(weight, numClasses);
  // q_y: the smoothed target of the labelled class itself.
  const labelTarget = <f32>(targetCoefficient + (sumIncludesTarget ? otherCoefficient : 0));
  const other = <f32>otherCoefficient;

  if (innerSize == 1) {
    for (let outer = 0; outer < outerSize; outer++) {
      const label = load<i32>(elementAddress(labels, outer));
      const rowOffset = <usize>outer * numClasses;
      const row = elementAddress(logits, rowOffset);
      const out = elementAddress(gradient, rowOffset);
      if (ignoreEnabled && label == ignoreIndex) {
        fillRow(out, numClasses, 1, 0);
        continue;
      }
      if (label < 0 || label >= numClasses) {
        fillRow(out, numClasses, 1, NaN);
        continue;
      }

      const upstream = load<f32>(elementAddress(dy, outer));
      const rowMax = load<f32>(elementAddress(maxLogit, outer));
      const rowShift = load<f32>(elementAddress(shiftedLogSumExp, outer));
      const labelWeight = load<f32>(elementAddress(weight, label));
      const targetMass = indexTargetMass(weight, label, numClasses, totalWeight,
        targetCoefficient, otherCoefficient, sumIncludesTarget);
      const probabilityScale = f32x4.splat(upstream * targetMass);
      const weightScale = f32x4.splat(upstream * other);
      const maxVector = f32x4.splat(rowMax);
      const shiftVector = f32x4.splat(rowShift);

      const vectorEnd = numClasses & ~3;
      let c = 0;
      for (; c < vectorEnd; c += 4) {
        const x = v128.load(elementAddress(row, c));
        const w = v128.load(elementAddress(weight, c));
        const probability = expVector(f32x4.sub(f32x4.sub(x, maxVector), shiftVector));
        v128.store(elementAddress(out, c),
          f32x4.sub(f32x4.mul(probabilityScale, probability), f32x4.mul(weightScale, w)));
      }
      for (; c < numClasses; c++) {
        const probability = expScalar(load<f32>(elementAddress(row, c)) - rowMax - rowShift);
        store<f32>(elementAddress(out, c),
          upstream * targetMass * probability - upstream * other * load<f32>(elementAddress(weight, c)));
      }

      // The loops above used the non-target q_c = other for every class; the
      // labelled class has q_y = labelTarget.
      const labelProbability = expScalar(load<f32>(elementAddress(row, label)) - rowMax - rowShift);
      store<f32>(elementAddress(out, label), upstream * (targetMass * labelProbability - labelWeight * labelTarget));
    }
    return;
  }

  if (innerSize < 4) {
    const stride = <usize>innerSize;
    for (let outer = 0; outer < outerSize; outer++) {
      for (let inner = 0; inner < innerSize; inner++) {
        const position = <usize>outer * innerSize + inner;
        const label = load<i32>(elementAddress(labels, position));
        const rowOffset = <usize>outer * numClasses * innerSize + inner;
        const row = elementAddress(logits, rowOffset);
        const out = elementAddress(gradient, rowOffset);
        if (ignoreEnabled && label == ignoreIndex) {
          fillRow(out, numClasses, stride, 0);
          continue;
        }
        if (label < 0 || label >= numClasses) {
          fillRow(out, numClasses, stride, NaN);
          continue;
        }

        const upstream = load<f32>(elementAddress(dy, position));
        const rowMax = load<f32>(elementAddress(maxLogit, position));
        const rowShift = load<f32>(elementAddress(shiftedLogSumExp, position));
        const targetMass = indexTargetMass(weight, label, numClasses, totalWeight,
          targetCoefficient, otherCoefficient, sumIncludesTarget);
        for (let c = 0; c < numClasses; c++) {
          const offset = <usize>c * stride;
          const probability = expScalar(load<f32>(elementAddress(row, offset)) - rowMax - rowShift);
          const target = c == label ? labelTarget : other;
          store<f32>(elementAddress(out, offset),
            upstream * (targetMass * probability - load<f32>(elementAddress(weight, c)) * target));
        }
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
      const out = elementAddress(gradient, rowOffset);

      const labelVector = v128.load(elementAddress(labels, position));
      const upstream = v128.load(elementAddress(dy, position));
      const maxVector = v128.load(elementAddress(maxLogit, position));
      const shiftVector = v128.load(elementAddress(shiftedLogSumExp, position));
      const ignored = v128.and(i32x4.eq(labelVector, i32x4.splat(ignoreIndex)), i32x4.splat(ignoreEnabled ? -1 : 0));
      const outOfRange = v128.or(i32x4.lt_s(labelVector, i32x4.splat(0)), i32x4.ge_s(labelVector, i32x4.splat(numClasses)));
      const invalid = v128.andnot(outOfRange, ignored);

      // Σ_k w_k q_k per lane, rounded from float64 as in the other layouts.
      // Lanes whose label is not a class get 0 and are overwritten below.
      let targetMass = f32x4.splat(0);
      targetMass = f32x4.replace_lane(targetMass, 0, indexTargetMass(weight, i32x4.extract_lane(labelVector, 0),
        numClasses, totalWeight, targetCoefficient, otherCoefficient, sumIncludesTarget));
      targetMass = f32x4.replace_lane(targetMass, 1, indexTargetMass(weight, i32x4.extract_lane(labelVector, 1),
        numClasses, totalWeight, targetCoefficient, otherCoefficient, sumIncludesTarget));
      targetMass = f32x4.replace_lane(targetMass, 2, indexTargetMass(weight, i32x4.extract_lane(labelVector, 2),
        numClasses, totalWeight, targetCoefficient, otherCoefficient, sumIncludesTarget));
      targetMass = f32x4.replace_lane(targetMass, 3, indexTargetMass(weight, i32x4.extract_lane(labelVector, 3),
        numClasses, totalWeight, targetCoefficient, otherCoefficient, sumIncludesTarget));
      const probabilityScale = f32x4.mul(upstream, targetMass);
      const weightScale = f32x4.mul(upstream, f32x4.splat(other));
      const labelWeightScale = f32x4.mul(upstream, f32x4.splat(labelTarget));

      for (let c = 0; c < numClasses; c++) {
        const offset = <usize>c * classStride;
        const x = v128.load(elementAddress(base, offset));
        const w = f32x4.splat(load<f32>(elementAddress(weight, c)));
        const probability = expVector(f32x4.sub(f32x4.sub(x, maxVector), shiftVector));
        const isTarget = i32x4.eq(labelVector, i32x4.splat(c));
        const scale = v128.bitselect(labelWeightScale, weightScale, isTarget);
        let g = f32x4.sub(f32x4.mul(probabilityScale, probability), f32x4.mul(scale, w));
        g = v128.andnot(g, ignored);
        g = v128.bitselect(f32x4.splat(NaN), g, invalid);
        v128.store(elementAddress(out, offset), g);
      }
    }
  }
}

/**
 * Computes Σ_k w_k q_k for index label `label` in float64 and rounds it once:
 * `otherCoefficient` times the weights the smoothing term covers plus
 * `targetCoefficient · w_label`. Returns 0 for a label outside [0, numClasses).
 */
// @ts-ignore: decorator
@inline function indexTargetMass(
  weight: usize, label: i32, numClasses: i32, totalWeight: f64,
  targetCoefficient: f64, otherCoefficient: f64, sumIncludesTarget: bool,
): f32 {
  if (label < 0 || label >= numClasses) {
    return 0;
  }
  const labelWeight = <f64>load<f32>(elementAddress(weight, label));
  const smoothedWeight = sumIncludesTarget ? totalWeight : totalWeight - labelWeight;
  return <f32>(otherCoefficient * smoothedWeight + targetCoefficient * labelWeight);
}

// Probability labels ----------------------------------------------------------

/**
 * Backward kernel for probability labels, whose smoothed target is
 * `q_c = targetSlope · t_c + targetOffset`. Argument order and meaning must
 * stay aligned with `KERNEL_MODULE_ARGUMENTS.backwardProbabilityLabels` in
 * src/kernel_module.ts.
 */
export function backwardProbabilityLabels(
  dy: usize, logits: usize, labels: usize, weight: usize, maxLogit: usize, shiftedLogSumExp: usize,
  gradient: usize,
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
      const out = elementAddress(gradient, rowOffset);
      const vectorEnd = numClasses & ~3;

      let targetMass: f64 = 0;
      let c = 0;
      while (c < vectorEnd) {
        const blockEnd = min(c + BLOCK_CLASSES, vectorEnd);
        let massVector = f32x4.splat(0);
        for (; c < blockEnd; c += 4) {
          const t = v128.load(elementAddress(targets, c));
          const w = v128.load(elementAddress(weight, c));
          massVector = f32x4.add(massVector, f32x4.mul(w, f32x4.add(f32x4.mul(slopeVector, t), offsetVector)));
        }
        targetMass += sumLanes(massVector);
      }
      for (; c < numClasses; c++) {
        targetMass += <f64>(load<f32>(elementAddress(weight, c)) *
          (targetSlope * load<f32>(elementAddress(targets, c)) + targetOffset));
      }

      const upstream = load<f32>(elementAddress(dy, outer));
      const rowMax = load<f32>(elementAddress(maxLogit, outer));
      const rowShift = load<f32>(elementAddress(shiftedLogSumExp, outer));
      const upstreamVector = f32x4.splat(upstream);
      const massVector = f32x4.splat(<f32>targetMass);
      const maxVector = f32x4.splat(rowMax);
      const shiftVector = f32x4.splat(rowShift);
      c = 0;
      for (; c < vectorEnd; c += 4) {
        const x = v128.load(elementAddress(row, c));
        const t = v128.load(elementAddress(targets, c));
        const w = v128.load(elementAddress(weight, c));
        const weightedTarget = f32x4.mul(w, f32x4.add(f32x4.mul(slopeVector, t), offsetVector));
        const probability = expVector(f32x4.sub(f32x4.sub(x, maxVector), shiftVector));
        v128.store(elementAddress(out, c),
          f32x4.mul(upstreamVector, f32x4.sub(f32x4.mul(massVector, probability), weightedTarget)));
      }
      for (; c < numClasses; c++) {
        const weightedTarget = load<f32>(elementAddress(weight, c)) *
          (targetSlope * load<f32>(elementAddress(targets, c)) + targetOffset);
        const probability = expScalar(load<f32>(elementAddress(row, c)) - rowMax - rowShift);
        store<f32>(elementAddress(out, c), upstream * (<f32>targetMass * probability - weightedTarget));
      }
    }
    return;
  }

  if (innerSize < 4) {
    const stride = <usize>innerSize;
    for (let outer = 0; outer < outerSize; outer++) {
      for (let inner = 0; inner < innerSize; inner++) {
        const position = <usize>outer * innerSize + inner;
        const rowOffset = <usize>outer * numClasses * innerSize + inner;
        const row = elementAddress(logits, rowOffset);
        const targets = elementAddress(labels, rowOffset);
        const out = elementAddress(gradient, rowOffset);

        let targetMass: f64 = 0;
        for (let c = 0; c < numClasses; c++) {
          targetMass += <f64>(load<f32>(elementAddress(weight, c)) *
            (targetSlope * load<f32>(elementAddress(targets, <usize>c * stride)) + targetOffset));
        }

        const upstream = load<f32>(elementAddress(dy, position));
        const rowMax = load<f32>(elementAddress(maxLogit, position));
        const rowShift = load<f32>(elementAddress(shiftedLogSumExp, position));
        for (let c = 0; c < numClasses; c++) {
          const offset = <usize>c * stride;
          const weightedTarget = load<f32>(elementAddress(weight, c)) *
            (targetSlope * load<f32>(elementAddress(targets, offset)) + targetOffset);
          const probability = expScalar(load<f32>(elementAddress(row, offset)) - rowMax - rowShift);
          store<f32>(elementAddress(out, offset), upstream * (<f32>targetMass * probability - weightedTarget));
        }
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
      const out = elementAddress(gradient, rowOffset);

      let massLow = f64x2.splat(0);
      let massHigh = f64x2.splat(0);
      let c = 0;
      while (c < numClasses) {
        const blockEnd = min(c + BLOCK_CLASSES, numClasses);
        let massVector = f32x4.splat(0);
        for (; c < blockEnd; c++) {
          const t = v128.load(elementAddress(targets, <usize>c * classStride));
          const w = f32x4.splat(load<f32>(elementAddress(weight, c)));
          massVector = f32x4.add(massVector, f32x4.mul(w, f32x4.add(f32x4.mul(slopeVector, t), offsetVector)));
        }
        massLow = f64x2.add(massLow, f64x2.promote_low_f32x4(massVector));
        massHigh = f64x2.add(massHigh, f64x2.promote_low_f32x4(i32x4.shuffle(massVector, massVector, 2, 3, 2, 3)));
      }
      const targetMass = i32x4.shuffle(f32x4.demote_f64x2_zero(massLow), f32x4.demote_f64x2_zero(massHigh), 0, 1, 4, 5);

      const upstream = v128.load(elementAddress(dy, position));
      const maxVector = v128.load(elementAddress(maxLogit, position));
      const shiftVector = v128.load(elementAddress(shiftedLogSumExp, position));
      for (c = 0; c < numClasses; c++) {
        const offset = <usize>c * classStride;
        const x = v128.load(elementAddress(base, offset));
        const t = v128.load(elementAddress(targets, offset));
        const w = f32x4.splat(load<f32>(elementAddress(weight, c)));
        const weightedTarget = f32x4.mul(w, f32x4.add(f32x4.mul(slopeVector, t), offsetVector));
        const probability = expVector(f32x4.sub(f32x4.sub(x, maxVector), shiftVector));
        v128.store(elementAddress(out, offset),
          f32x4.mul(upstream, f32x4.sub(f32x4.mul(targetMass, probability), weightedTarget)));
      }
    }
  }
}
