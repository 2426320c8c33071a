/**
 * How many invocations ("lanes") of a workgroup reduce one row of classes.
 *
 * With one lane, each invocation loops over a whole row and no workgroup
 * memory or barrier is needed; that suits small C. With more lanes, the
 * lanes of a row stride over its classes (lane `l` reads classes `l`,
 * `l + lanes`, ...) and combine their partial results in workgroup memory.
 * A lane whose classes are all -Infinity keeps a partial maximum of
 * -Infinity, which the combining maximum ignores, so no such group of
 * classes can poison the row.
 */
export interface RowLanes {
  /** Invocations per row, a power of two. */
  lanes: number;
  /** Invocations per workgroup, a multiple of `lanes`. */
  workgroupSize: number;
}

/**
 * Lanes per row for `numClasses` classes: enough that each lane reads at
 * most a few dozen classes below C = 2048, and 256 lanes (the WebGPU default
 * limit of invocations per workgroup) above. These are starting points
 * measured on SwiftShader only; see the package README.
 */
export function rowLanes(numClasses: number): RowLanes {
  let lanes: number;
  if (numClasses <= 32) {
    lanes = 1;
  } else if (numClasses <= 256) {
    lanes = 8;
  } else if (numClasses <= 2048) {
    lanes = 64;
  } else {
    lanes = 256;
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
