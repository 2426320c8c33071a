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
