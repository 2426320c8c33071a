/**
 * Float64 reference of the loss, written from the formulas directly and
 * independently of every kernel: it materializes the log-softmax and the
 * smoothed target of each class. Used for finite differences and for
 * randomized agreement; the PyTorch cases remain the primary oracle.
 */

export interface ReferenceInput {
  shape: number[];
  classAxis: number;
  logits: ArrayLike<number>;
  /** Index labels (positions) or probabilities (logits' shape). */
  labels: ArrayLike<number>;
  labelsKind: 'index' | 'probability';
  smoothing: number;
  smoothingMode: 'uniform' | 'non-target';
  weight?: ArrayLike<number>;
  ignoreIndex: number;
}

export interface ReferenceLosses {
  /** Loss per position. */
  losses: Float64Array;
  /** Each position's share of the 'mean' denominator. */
  denominators: Float64Array;
}

/** Computes per-position losses in float64. */
export function referenceLosses(input: ReferenceInput): ReferenceLosses {
  const axis = input.classAxis < 0 ? input.classAxis + input.shape.length : input.classAxis;
  const numClasses = input.shape[axis];
  const outer = input.shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = input.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const losses = new Float64Array(outer * inner);
  const denominators = new Float64Array(outer * inner);

  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const position = o * inner + i;
      const offsetOf = (c: number) => (o * numClasses + c) * inner + i;

      let max = -Infinity;
      let sawNaN = false;
      for (let c = 0; c < numClasses; c++) {
        const x = input.logits[offsetOf(c)];
        if (Number.isNaN(x)) sawNaN = true;
        if (x > max) max = x;
      }
      let sum = 0;
      for (let c = 0; c < numClasses; c++) {
        sum += Math.exp(input.logits[offsetOf(c)] - max);
      }
      const logSumExp = sawNaN ? NaN : max + Math.log(sum);

      const targets = new Float64Array(numClasses);
      if (input.labelsKind === 'index') {
        const label = input.labels[position];
        if (label === input.ignoreIndex) {
          continue;
        }
        for (let c = 0; c < numClasses; c++) {
          if (input.smoothingMode === 'uniform') {
            targets[c] = (c === label ? 1 - input.smoothing : 0) + input.smoothing / numClasses;
          } else {
            targets[c] = c === label ? 1 - input.smoothing : input.smoothing / (numClasses - 1);
          }
        }
        denominators[position] = input.weight ? input.weight[label] : 1;
      } else {
        for (let c = 0; c < numClasses; c++) {
          const t = input.labels[offsetOf(c)];
          targets[c] = input.smoothingMode === 'uniform'
            ? (1 - input.smoothing) * t + input.smoothing / numClasses
            : (1 - input.smoothing) * t + (input.smoothing / (numClasses - 1)) * (1 - t);
        }
        denominators[position] = 1;
      }

      let loss = 0;
      for (let c = 0; c < numClasses; c++) {
        const mass = (input.weight ? input.weight[c] : 1) * targets[c];
        if (mass !== 0) {
          loss += mass * (logSumExp - input.logits[offsetOf(c)]);
        }
      }
      losses[position] = Number.isNaN(logSumExp) ? NaN : loss;
    }
  }
  return { losses, denominators };
}

/** Reduces reference losses the way the contract's reductions do. */
export function referenceReduce(result: ReferenceLosses, reduction: 'mean' | 'sum'): number {
  let total = 0;
  let denominator = 0;
  for (let i = 0; i < result.losses.length; i++) {
    total += result.losses[i];
    denominator += result.denominators[i];
  }
  return reduction === 'sum' ? total : total / denominator;
}

/** Gradients of a reduced loss: with respect to the logits, and to probability labels. */
export interface ReferenceGradients {
  /** Same layout as `ReferenceInput.logits`. */
  logits: Float64Array;
  /** Same layout as the probability labels; absent for index labels, which get no gradient. */
  labels?: Float64Array;
}

/**
 * Computes the gradient of the reduced loss in float64 from the closed form,
 * not by finite differences: the inputs that matter here (logits 1e4 apart,
 * -Infinity, NaN) have no usable finite differences. Per position, with
 * `m_c = w_c·q_c` and `M = Σ_c m_c`:
 *
 *     ∂ℓ/∂x_c = M·p_c − m_c            ∂ℓ/∂t_c = −(∂q_c/∂t_c)·w_c·lp_c
 *
 * each times the position's scale: its upstream value for `'none'`, 1 for
 * `'sum'`, `1 / Σ denominators` for `'mean'`. Ignored positions get exactly
 * 0, and a position whose log-sum-exp is NaN gets NaN throughout. Products
 * follow IEEE rules, so a zero factor times an infinite log-probability is NaN,
 * as it is for float32 tensor ops.
 */
export function referenceGradients(
  input: ReferenceInput,
  reduction: 'none' | 'mean' | 'sum',
  upstream?: ArrayLike<number>,
): ReferenceGradients {
  const axis = input.classAxis < 0 ? input.classAxis + input.shape.length : input.classAxis;
  const numClasses = input.shape[axis];
  const outer = input.shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = input.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const logitsGradient = new Float64Array(input.logits.length);
  const labelsGradient = input.labelsKind === 'probability' ? new Float64Array(input.logits.length) : undefined;

  let meanScale = 1;
  if (reduction === 'mean') {
    const { denominators } = referenceLosses(input);
    meanScale = 1 / denominators.reduce((sum, value) => sum + value, 0);
  }
  if (reduction === 'none' && upstream === undefined) {
    throw new Error("referenceGradients: the 'none' reduction needs one upstream value per position.");
  }

  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const position = o * inner + i;
      const offsetOf = (c: number) => (o * numClasses + c) * inner + i;
      const scale = reduction === 'none' ? upstream![position] : reduction === 'sum' ? 1 : meanScale;

      if (input.labelsKind === 'index' && input.labels[position] === input.ignoreIndex) {
        continue;
      }
      const targets = smoothedTargets(input, numClasses, position, offsetOf);
      const logSumExp = rowLogSumExp(input.logits, numClasses, offsetOf);

      let targetMass = 0;
      for (let c = 0; c < numClasses; c++) {
        targetMass += weightOf(input, c) * targets[c];
      }
      for (let c = 0; c < numClasses; c++) {
        const offset = offsetOf(c);
        const logProbability = input.logits[offset] - logSumExp;
        const weightedTarget = weightOf(input, c) * targets[c];
        logitsGradient[offset] = Number.isNaN(logSumExp)
          ? NaN
          : scale * (targetMass * Math.exp(logProbability) - weightedTarget);
        if (labelsGradient) {
          const slope = input.smoothingMode === 'uniform'
            ? 1 - input.smoothing
            : 1 - input.smoothing - input.smoothing / (numClasses - 1);
          labelsGradient[offset] = Number.isNaN(logSumExp)
            ? NaN
            : -slope * weightOf(input, c) * logProbability * scale;
        }
      }
    }
  }
  return { logits: logitsGradient, labels: labelsGradient };
}

function weightOf(input: ReferenceInput, c: number): number {
  return input.weight ? input.weight[c] : 1;
}

/** Smoothed target `q_c` of every class at one position that is not ignored. */
function smoothedTargets(
  input: ReferenceInput,
  numClasses: number,
  position: number,
  offsetOf: (c: number) => number,
): Float64Array {
  const targets = new Float64Array(numClasses);
  for (let c = 0; c < numClasses; c++) {
    if (input.labelsKind === 'index') {
      const isLabel = c === input.labels[position];
      targets[c] = input.smoothingMode === 'uniform'
        ? (isLabel ? 1 - input.smoothing : 0) + input.smoothing / numClasses
        : isLabel ? 1 - input.smoothing : input.smoothing / (numClasses - 1);
    } else {
      const t = input.labels[offsetOf(c)];
      targets[c] = input.smoothingMode === 'uniform'
        ? (1 - input.smoothing) * t + input.smoothing / numClasses
        : (1 - input.smoothing) * t + (input.smoothing / (numClasses - 1)) * (1 - t);
    }
  }
  return targets;
}

/** Max-shifted log-sum-exp of one position's logits; NaN when any logit is NaN or all are -Infinity. */
function rowLogSumExp(logits: ArrayLike<number>, numClasses: number, offsetOf: (c: number) => number): number {
  let max = -Infinity;
  let sawNaN = false;
  for (let c = 0; c < numClasses; c++) {
    const x = logits[offsetOf(c)];
    if (Number.isNaN(x)) sawNaN = true;
    if (x > max) max = x;
  }
  let sum = 0;
  for (let c = 0; c < numClasses; c++) {
    sum += Math.exp(logits[offsetOf(c)] - max);
  }
  return sawNaN ? NaN : max + Math.log(sum);
}

/**
 * Computes each position's total weighted target mass `M = Σ_c w_c·q_c`
 * (0 where ignored), the factor that scales its log-sum-exp in the loss and
 * its probabilities in the gradient.
 */
export function referenceTargetMasses(input: ReferenceInput): Float64Array {
  const axis = input.classAxis < 0 ? input.classAxis + input.shape.length : input.classAxis;
  const numClasses = input.shape[axis];
  const outer = input.shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = input.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const masses = new Float64Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const position = o * inner + i;
      if (input.labelsKind === 'index' && input.labels[position] === input.ignoreIndex) {
        continue;
      }
      const offsetOf = (c: number) => (o * numClasses + c) * inner + i;
      const targets = smoothedTargets(input, numClasses, position, offsetOf);
      for (let c = 0; c < numClasses; c++) {
        masses[position] += weightOf(input, c) * targets[c];
      }
    }
  }
  return masses;
}
