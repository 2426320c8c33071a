/**
 * Sizes of the `[outerSize, numClasses, innerSize]` view of a tensor whose
 * classes lie on `classAxis`. Element `(o, c, i)` is at flat offset
 * `(o * numClasses + c) * innerSize + i`, and position `(o, i)` at
 * `o * innerSize + i` in a tensor of `positionsShape`.
 */
export interface ClassAxisLayout {
  /** Product of the sizes before the class axis. */
  outerSize: number;
  /** Size of the class axis, C. */
  numClasses: number;
  /** Product of the sizes after the class axis; the stride between classes. */
  innerSize: number;
  /** The shape without the class axis: the shape of index labels and of per-position outputs. */
  positionsShape: number[];
}

/** Computes the `[outer, C, inner]` view of `shape` around a non-negative `classAxis`. */
export function classAxisLayout(shape: readonly number[], classAxis: number): ClassAxisLayout {
  let outerSize = 1;
  for (let axis = 0; axis < classAxis; axis++) {
    outerSize *= shape[axis];
  }

  let innerSize = 1;
  for (let axis = classAxis + 1; axis < shape.length; axis++) {
    innerSize *= shape[axis];
  }

  const positionsShape = shape.filter((_, axis) => axis !== classAxis);
  return { outerSize, numClasses: shape[classAxis], innerSize, positionsShape };
}

/**
 * Per-class target coefficients for index labels, derived once here so that no
 * backend restates the smoothing rule.
 *
 * With index label `y`, the smoothed target is `q_c = otherCoefficient` for
 * every class that `sumIncludesTarget` allows, plus `targetCoefficient` on `y`:
 *
 * - `'uniform'`: `q = (1 - ε)·onehot + ε/C`, so `targetCoefficient = 1 - ε`,
 *   `otherCoefficient = ε/C` and the `ε/C` term covers every class, `y` included.
 * - `'non-target'`: `q_y = 1 - ε` and `q_c = ε/(C - 1)` for `c ≠ y`, so the
 *   `ε/(C - 1)` term skips `y` (`sumIncludesTarget = false`).
 */
export interface SmoothingCoefficients {
  /** Extra target mass on the label's class: `1 - ε`. */
  targetCoefficient: number;
  /** Target mass of each class in the smoothing term: `ε/C` or `ε/(C - 1)`. */
  otherCoefficient: number;
  /** Whether the smoothing term also covers the label's class (`'uniform'`). */
  sumIncludesTarget: boolean;
}

/** Computes the index-label target coefficients for `numClasses` classes. */
export function smoothingCoefficients(
  smoothing: number,
  smoothingMode: 'uniform' | 'non-target',
  numClasses: number,
): SmoothingCoefficients {
  if (smoothingMode === 'uniform') {
    return {
      targetCoefficient: 1 - smoothing,
      otherCoefficient: numClasses > 0 ? smoothing / numClasses : 0,
      sumIncludesTarget: true,
    };
  }
  return {
    targetCoefficient: 1 - smoothing,
    otherCoefficient: numClasses > 1 ? smoothing / (numClasses - 1) : 0,
    sumIncludesTarget: false,
  };
}

/**
 * Smoothed target of one class for probability labels:
 * `(1 - ε)·t + ε/C` (`'uniform'`) or `(1 - ε)·t + ε/(C - 1)·(1 - t)` (`'non-target'`).
 */
export function smoothProbability(
  target: number,
  smoothing: number,
  smoothingMode: 'uniform' | 'non-target',
  numClasses: number,
): number {
  if (smoothingMode === 'uniform') {
    return (1 - smoothing) * target + smoothing / numClasses;
  }
  return (1 - smoothing) * target + (smoothing / (numClasses - 1)) * (1 - target);
}

/**
 * Derivative of the smoothed target with respect to the label, `∂q_c/∂t_c`:
 * `1 - ε` (`'uniform'`) or `1 - ε - ε/(C - 1)` (`'non-target'`).
 */
export function smoothedTargetSlope(
  smoothing: number,
  smoothingMode: 'uniform' | 'non-target',
  numClasses: number,
): number {
  if (smoothingMode === 'uniform') {
    return 1 - smoothing;
  }
  return 1 - smoothing - smoothing / (numClasses - 1);
}
