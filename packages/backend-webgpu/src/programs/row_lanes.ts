/**
 * How many invocations ("lanes") of a workgroup reduce one row of classes.
 *
 * With one lane, each invocation loops over a whole row and no workgroup
 * memory or barrier is needed. With more lanes, the lanes of a row stride
 * over its classes (lane `l` reads classes `l`, `l + lanes`, ...) and
 * combine their partial results in workgroup memory. A lane whose classes
 * are all -Infinity keeps a partial maximum of -Infinity, which the
 * combining maximum ignores, so no such group of classes can poison the row.
 */
export interface RowLanes {
  /** Invocations per row, a power of two from 1 to `MAX_LANES`. */
  lanes: number;
  /** Invocations per workgroup, a multiple of `lanes`. */
  workgroupSize: number;
}

/** The WebGPU default limit of invocations per workgroup. */
export const MAX_LANES = 256;

/**
 * Invocations a dispatch should have before rows get more than one lane.
 * Enough to fill a mid-range GPU; not measured on one, because only
 * SwiftShader was available (see the package README).
 */
export const TARGET_INVOCATIONS = 16_384;

/** A lane reads at least this many classes, so that its loop outweighs the combining step. */
export const MIN_CLASSES_PER_LANE = 32;

/**
 * Lanes per row for `positions` rows of `numClasses` classes: one lane while
 * the rows alone give `TARGET_INVOCATIONS` invocations, otherwise doubled
 * until they do, until a lane would read fewer than `MIN_CLASSES_PER_LANE`
 * classes, or until `MAX_LANES`.
 *
 * On SwiftShader each barrier is expensive. At [1024, 1000], forward plus
 * backward took about 0.18 s with 1 or 8 lanes, 0.7 s with 64 and 9 s with
 * 256 (one run each, on a loaded 2-core machine). So many rows get few lanes,
 * and only few rows of many classes get many.
 */
export function rowLanes(positions: number, numClasses: number): RowLanes {
  let lanes = 1;
  while (lanes < MAX_LANES && positions * lanes < TARGET_INVOCATIONS && lanes * MIN_CLASSES_PER_LANE < numClasses) {
    lanes *= 2;
  }
  return { lanes, workgroupSize: Math.max(64, lanes) };
}

/** Number of workgroups that give every one of `positions` rows its lanes. */
export function rowWorkgroups(positions: number, rowLanesInfo: RowLanes): number {
  return Math.max(1, Math.ceil((positions * rowLanesInfo.lanes) / rowLanesInfo.workgroupSize));
}

/**
 * WGSL that combines the values that each lane of a row wrote to the
 * workgroup arrays `arrays`, pairwise within each row's `lanes` slots, so
 * that the row's first slot ends up with the combined value. `combine` maps
 * two values (`a`, `b`) to one, such as `a + b`. Every invocation of the
 * workgroup must run this code, because it contains barriers; the first
 * barrier makes the lanes' own writes visible.
 */
export function combineLanesSnippet(lanes: number, arrays: readonly string[], combine: (a: string, b: string) => string): string {
  if (lanes === 1) {
    return '';
  }
  const steps = arrays.map((name) =>
    `${name}[slot] = ${combine(`${name}[slot]`, `${name}[slot + stride]`)};`).join('\n          ');
  return `
      workgroupBarrier();
      for (var stride = ${lanes / 2}; stride > 0; stride = stride / 2) {
        if (lane < stride) {
          ${steps}
        }
        workgroupBarrier();
      }`;
}
