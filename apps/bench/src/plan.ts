/** The shape groups each backend measures: the main table and the scaling sweeps. */
import type { ShapeGroup, TfjsImplementation } from './measure/types.js';
import type { ShapeSpec } from './shapes.js';

const ALL_IMPLEMENTATIONS: TfjsImplementation[] = ['fused', 'composite', 'tfjs'];

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
 * Scaling sweeps of the full run: rows 16 to 2048 at 1000 classes, and
 * classes 64 to 8192 at 128 rows, eight sizes over more than two orders of
 * magnitude each, at most 2M logits so that the slow implementations finish.
 * `--quick` sweeps three small sizes each.
 */
export function scalingPlan(quick: boolean): ScalingPlan {
  if (quick) {
    return {
      rows: [8, 32, 128].map((rows) => ({ shape: [rows, 100], classAxis: -1 })),
      classes: [16, 64, 256].map((classes) => ({ shape: [8, classes], classAxis: -1 })),
    };
  }
  return {
    rows: powersOfTwo(16, 2048).map((rows) => ({ shape: [rows, 1000], classAxis: -1 })),
    classes: powersOfTwo(64, 8192).map((classes) => ({ shape: [128, classes], classAxis: -1 })),
  };
}

export const TABLE_GROUP = 'table';
export const SCALING_ROWS_GROUP = 'scaling-rows';
export const SCALING_CLASSES_GROUP = 'scaling-classes';

/** The groups of one backend: the table's shapes, and the sweeps when `scaling` is given. */
export function backendGroups(shapes: ShapeSpec[], scaling: ScalingPlan | undefined): ShapeGroup[] {
  const groups: ShapeGroup[] = [{ name: TABLE_GROUP, shapes, implementations: ALL_IMPLEMENTATIONS }];
  if (scaling) {
    groups.push({ name: SCALING_ROWS_GROUP, shapes: scaling.rows, implementations: ALL_IMPLEMENTATIONS });
    groups.push({ name: SCALING_CLASSES_GROUP, shapes: scaling.classes, implementations: ALL_IMPLEMENTATIONS });
  }
  return groups;
}
