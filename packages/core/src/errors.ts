/**
 * Raised for invalid arguments before any kernel runs. The message names the
 * function, the argument, the value received, what was expected and how to
 * fix it. The same facts are available as fields for programmatic handling.
 */
export class InvalidArgumentError extends Error {
  /** Error name, for `error.name` checks and stack traces. */
  override readonly name = 'InvalidArgumentError';

  constructor(
    /** Public function that rejected the call, e.g. `labelSmoothingCrossEntropy`. */
    readonly functionName: string,
    /** Argument or option at fault, e.g. `labels` or `options.smoothing`. */
    readonly argument: string,
    /** Short description of the value received. */
    readonly received: string,
    /** Description of a valid value. */
    readonly expected: string,
    /** Step the caller can take to fix the call. */
    readonly fix: string,
  ) {
    super(`${functionName}: invalid ${argument}: received ${received}; expected ${expected}. ${fix}`);
  }
}

/** Describes any value briefly for an error message: its type and a bounded preview. */
export function describeValue(value: unknown): string {
  if (value === undefined) {
    return 'undefined';
  }
  if (value === null) {
    return 'null';
  }
  if (typeof value === 'string') {
    return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  }
  if (typeof value === 'number') {
    return `${formatNumber(value)}`;
  }
  if (Array.isArray(value)) {
    const preview = JSON.stringify(value);
    return `an array ${preview.length > 60 ? `${preview.slice(0, 60)}…` : preview}`;
  }
  if (typeof value === 'object') {
    const shape = (value as { shape?: unknown }).shape;
    const dtype = (value as { dtype?: unknown }).dtype;
    if (Array.isArray(shape) && typeof dtype === 'string') {
      const article = /^[aeiou]/i.test(dtype) ? 'an' : 'a';
      return `${article} ${dtype} tensor of shape ${formatShape(shape as number[])}`;
    }
    return `an object (${Object.prototype.toString.call(value)})`;
  }
  return `a ${typeof value}`;
}

/** Formats a number the way JavaScript source writes it, keeping -0 and the non-finite values readable. */
export function formatNumber(value: number): string {
  if (Object.is(value, -0)) {
    return '-0';
  }
  return String(value);
}

/** Formats a shape as `[2, 3]`. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
