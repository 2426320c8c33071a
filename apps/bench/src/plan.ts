/** The shape groups each backend measures: the main table and the scaling sweeps. */
import type { ShapeGroup, TfjsImplementation } from './measure/types.js';
import type { ShapeSpec } from './shapes.js';

const ALL_IMPLEMENTATIONS: TfjsImplementation[] = ['fused', 'composite', 'tfjs'];

/** The shapes the speed goals name: forward+backward of the fused kernels against the tfjs baseline. */
export const GOAL_SHAPES: readonly ShapeSpec[] = [
  { shape: [4096, 1000], classAxis: -1 },
  { shape: [512, 32000], classAxis: -1 },
];

/** The implementations the goals compare, which get the goal budget at the goal shapes. */
export const GOAL_IMPLEMENTATIONS: TfjsImplementation[] = ['fused', 'tfjs'];

/**
 * The fused kernels, the subject of the benchmark, are measured at every
 * shape within the per-run budget. The time limit only skips the slower
 * implementations they are compared with.
 */
const UNLIMITED_IMPLEMENTATIONS: TfjsImplementation[] = ['fused'];

/** Classes of the rows sweep and rows of the classes sweep. */
export interface ScalingPlan {
  rows: ShapeSpec[];
  classes: ShapeSpec[];
}

function powersOfTwo(from: number, to: number): number[] {
  const values: number[] = [];
  for (let value = from; value <= to; value *= 2) {
    values.push(value);
  }
  return values;
}

/**
 * Returns the scaling sweeps. The full run sweeps rows 8 to 1024 at 1000
 * classes and classes 32 to 4096 at 256 rows: eight sizes over more than two
 * orders of magnitude each. They stop near 1M logits, so that the slow
 * implementations finish. `--quick` sweeps three small sizes each.
 */
export function scalingPlan(quick: boolean): ScalingPlan {
  if (quick) {
    return {
      rows: [8, 32, 128].map((rows) => ({ shape: [rows, 100], classAxis: -1 })),
      classes: [16, 64, 256].map((classes) => ({ shape: [8, classes], classAxis: -1 })),
    };
  }
  return {
    rows: powersOfTwo(8, 1024).map((rows) => ({ shape: [rows, 1000], classAxis: -1 })),
    classes: powersOfTwo(32, 4096).map((classes) => ({ shape: [256, classes], classAxis: -1 })),
  };
}

export const TABLE_GROUP = 'table';
export const SCALING_ROWS_GROUP = 'scaling-rows';
export const SCALING_CLASSES_GROUP = 'scaling-classes';

/** Returns the groups of one backend: the table's shapes, and the sweeps when `scaling` is given. */
export function backendGroups(shapes: ShapeSpec[], scaling: ScalingPlan | undefined): ShapeGroup[] {
  const groups: ShapeGroup[] = [{
    name: TABLE_GROUP,
    shapes,
    implementations: ALL_IMPLEMENTATIONS,
    goalImplementations: GOAL_IMPLEMENTATIONS,
    unlimitedImplementations: UNLIMITED_IMPLEMENTATIONS,
  }];
  if (scaling) {
    for (const [name, sweep] of [[SCALING_ROWS_GROUP, scaling.rows], [SCALING_CLASSES_GROUP, scaling.classes]] as const) {
      groups.push({ name, shapes: sweep, implementations: ALL_IMPLEMENTATIONS, unlimitedImplementations: UNLIMITED_IMPLEMENTATIONS });
    }
  }
  return groups;
}
