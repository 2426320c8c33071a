/**
 * Logits shapes with their class axis: parsing from the command line,
 * formatting for tables, and the sizes the benchmark derives from them.
 * Browser-safe: the page imports this file too.
 */

/** A logits shape and the axis that contains its classes. */
export interface ShapeSpec {
  shape: number[];
  /** Negative values count from the end, as in `classAxis` of the loss. */
  classAxis: number;
}

/** The sizes of a shape seen as `positions × classes`. */
export interface ShapeSizes {
  /** Number of classes C. */
  classes: number;
  /** Number of positions (rows): every element of the labels, `elements / C`. */
  positions: number;
  /** Number of logits. */
  elements: number;
  /** Shape of index labels: the logits' shape without the class axis. */
  labelsShape: number[];
  /** The class axis as a non-negative index. */
  axis: number;
}

/** The five shapes of the full run, in the order tables list them. */
export const DEFAULT_SHAPES: readonly ShapeSpec[] = [
  { shape: [4096, 1000], classAxis: -1 },
  { shape: [512, 32000], classAxis: -1 },
  { shape: [64, 128000], classAxis: -1 },
  { shape: [8, 128, 50257], classAxis: -1 },
  { shape: [16, 21, 64, 64], classAxis: 1 },
];

/** The one small shape of `--quick`. */
export const QUICK_SHAPES: readonly ShapeSpec[] = [{ shape: [256, 1000], classAxis: -1 }];

/** Returns the class count, positions, element count and labels shape of a shape. */
export function shapeSizes(spec: ShapeSpec): ShapeSizes {
  const axis = spec.classAxis < 0 ? spec.classAxis + spec.shape.length : spec.classAxis;
  const classes = spec.shape[axis];
  const elements = spec.shape.reduce((product, dimension) => product * dimension, 1);
  return {
    classes,
    positions: elements / classes,
    elements,
    labelsShape: spec.shape.filter((_, dimension) => dimension !== axis),
    axis,
  };
}

/** Formats a shape as in the tables: `[4096, 1000]`, with `, class axis 1` when the classes are not last. */
export function formatShape(spec: ShapeSpec): string {
  const text = `[${spec.shape.join(', ')}]`;
  const axis = spec.classAxis < 0 ? spec.classAxis + spec.shape.length : spec.classAxis;
  return axis === spec.shape.length - 1 ? text : `${text}, class axis ${axis}`;
}

/** Returns a stable key for a shape, such as `4096x1000` or `16x21x64x64:1`. */
export function shapeKey(spec: ShapeSpec): string {
  const axis = spec.classAxis < 0 ? spec.classAxis + spec.shape.length : spec.classAxis;
  const text = spec.shape.join('x');
  return axis === spec.shape.length - 1 ? text : `${text}:${axis}`;
}

/**
 * Parses one shape in the command line's form: dimensions joined by `x`,
 * optionally followed by `:AXIS` for the class axis (default: the last axis),
 * such as `4096x1000` or `16x21x64x64:1`. Throws on anything else.
 */
export function parseShape(text: string): ShapeSpec {
  const match = /^(\d+(?:x\d+)*)(?::(-?\d+))?$/.exec(text.trim());
  if (!match) {
    throw new Error(`Invalid shape '${text}': expected dimensions joined by 'x' with an optional ':AXIS', such as 4096x1000 or 16x21x64x64:1.`);
  }
  const shape = match[1].split('x').map(Number);
  const classAxis = match[2] === undefined ? -1 : Number(match[2]);
  if (shape.some((dimension) => dimension < 1)) {
    throw new Error(`Invalid shape '${text}': every dimension must be at least 1.`);
  }
  if (classAxis < -shape.length || classAxis >= shape.length) {
    throw new Error(`Invalid shape '${text}': class axis ${classAxis} is outside a rank-${shape.length} shape.`);
  }
  return { shape, classAxis };
}

/** Parses a comma-separated list of shapes, such as `4096x1000,16x21x64x64:1`. */
export function parseShapeList(text: string): ShapeSpec[] {
  return text.split(',').filter((part) => part.trim() !== '').map(parseShape);
}
