/**
 * Random inputs for the randomized agreement check, drawn with fast-check so
 * that a failure shrinks to a small input and replays from its seed.
 *
 * Every value is exact in float32, so the backend and the float64 reference
 * see the same numbers. Logits are multiples of 1/64, also near ±1e4, and
 * labels, weights and upstream values are short binary fractions.
 */
import fc from 'fast-check';
import type { LabelSmoothingOptions, Reduction, SmoothingMode } from '@label-smoothing/core';

import type { ReferenceInput } from '../reference.js';

/** Distribution of the logits of one input. */
export type LogitsStyle = 'moderate' | 'wide' | 'masked' | 'with-nan';

/** One random call of the loss, with everything needed to build its tensors and its reference. */
export interface AgreementInput {
  shape: number[];
  /** As passed to the loss, negative or not. */
  classAxis: number;
  smoothing: number;
  smoothingMode: SmoothingMode;
  reduction: Reduction;
  labelsKind: 'index' | 'probability';
  /** dtype of index labels: int32, or float32 holding whole numbers. */
  indexDtype: 'int32' | 'float32';
  logitsStyle: LogitsStyle;
  logits: number[];
  /** Index labels, one per position, or probabilities with the logits' layout. */
  labels: number[];
  weight?: number[];
  /** Whether the weights are passed as a tensor or as a plain array. */
  weightAsTensor: boolean;
  /** Undefined leaves the option unset (default -100). Never set with probability labels. */
  ignoreIndex?: number;
  /** Upstream gradient, one value per position; used with the `'none'` reduction. */
  upstream: number[];
}

/** Largest class count drawn, and the class count above which the other axes stay at most 2 long. */
const MAX_CLASSES = 300;
const SMALL_CLASS_LIMIT = 64;

/** Axis sizes other than the class axis are drawn from 0 to 4, and 0 about once in twenty. */
const otherDimension = fc.oneof(
  { weight: 1, arbitrary: fc.constant(0) },
  { weight: 20, arbitrary: fc.integer({ min: 1, max: 4 }) },
);

const moderateLogit = fc.integer({ min: -512, max: 512 }).map((k) => k / 64);

/** 1e4 and 1e4 + k/64 are exact in float32, whose spacing near 1e4 is 2^-10. */
const wideLogit = fc.tuple(fc.constantFrom(-1e4, 1e4), fc.integer({ min: -256, max: 256 })).map(([base, k]) => base + k / 64);

const LOGIT_VALUES: Record<LogitsStyle, fc.Arbitrary<number>> = {
  moderate: moderateLogit,
  wide: fc.oneof({ weight: 2, arbitrary: moderateLogit }, { weight: 1, arbitrary: wideLogit }),
  masked: fc.oneof({ weight: 2, arbitrary: moderateLogit }, { weight: 1, arbitrary: fc.constant(-Infinity) }),
  'with-nan': fc.oneof(
    { weight: 30, arbitrary: moderateLogit },
    { weight: 2, arbitrary: fc.constant(-Infinity) },
    { weight: 1, arbitrary: wideLogit },
    { weight: 1, arbitrary: fc.constant(NaN) },
  ),
};

/**
 * ε is 0, 0.1, 1 or a multiple of 2^-16. Far smaller values are not ones
 * users pass. Near the float32 underflow, the float32 kernels and the float64
 * reference round a target mass such as ε·w/(C - 1) to 0 at different points,
 * and that decides between a finite loss and +Infinity at a -Infinity logit.
 */
const smoothingValue = fc.oneof(
  fc.constantFrom(0, 0.1, 1),
  fc.integer({ min: 0, max: 65536 }).map((k) => k / 65536),
);

/** Everything about an input except its values. */
const header = fc.record({
  rank: fc.integer({ min: 1, max: 4 }),
  classAxisChoice: fc.nat(),
  negativeClassAxis: fc.boolean(),
  numClasses: fc.oneof(
    { weight: 3, arbitrary: fc.integer({ min: 1, max: 8 }) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: MAX_CLASSES }) },
  ),
  otherDimensions: fc.array(otherDimension, { minLength: 3, maxLength: 3 }),
  smoothing: smoothingValue,
  smoothingMode: fc.constantFrom<SmoothingMode>('uniform', 'non-target'),
  reduction: fc.constantFrom<Reduction>('none', 'mean', 'sum'),
  labelsKind: fc.constantFrom<'index' | 'probability'>('index', 'probability'),
  indexDtype: fc.constantFrom<'int32' | 'float32'>('int32', 'float32'),
  logitsStyle: fc.constantFrom<LogitsStyle>('moderate', 'wide', 'masked', 'with-nan'),
  weighted: fc.boolean(),
  weightAsTensor: fc.boolean(),
  ignoreIndexChoice: fc.constantFrom('unset', '-100', '-1', 'a class'),
  ignoredClassChoice: fc.nat(),
});

/** Arbitrary of loss inputs: ranks 1 to 4, any class axis, C from 1 to 300, every option. */
export function agreementInputs(): fc.Arbitrary<AgreementInput> {
  return header.chain((h) => {
    // 'non-target' needs two classes.
    const numClasses = h.smoothingMode === 'non-target' ? Math.max(2, h.numClasses) : h.numClasses;
    const axis = h.classAxisChoice % h.rank;
    const maxOther = numClasses > SMALL_CLASS_LIMIT ? 2 : 4;
    const shape = Array.from({ length: h.rank }, (_, dimension) => {
      const other = h.otherDimensions[dimension < axis ? dimension : dimension - 1] ?? 1;
      return dimension === axis ? numClasses : Math.min(other, maxOther);
    });
    const size = shape.reduce((a, b) => a * b, 1);
    const positions = size / numClasses;

    let ignoreIndex: number | undefined;
    if (h.labelsKind === 'index') {
      ignoreIndex = {
        unset: undefined,
        '-100': -100,
        '-1': -1,
        'a class': h.ignoredClassChoice % numClasses,
      }[h.ignoreIndexChoice];
    }
    const ignoredLabel = ignoreIndex ?? -100;

    const labels = h.labelsKind === 'index'
      ? fc.array(fc.oneof(
        { weight: 4, arbitrary: fc.integer({ min: 0, max: numClasses - 1 }) },
        { weight: 1, arbitrary: fc.constant(ignoredLabel) },
      ), { minLength: positions, maxLength: positions })
      : fc.array(fc.integer({ min: 0, max: 64 }).map((k) => k / 64), { minLength: size, maxLength: size });
    const weight = h.weighted
      ? fc.array(fc.integer({ min: 0, max: 32 }).map((k) => k / 16), { minLength: numClasses, maxLength: numClasses })
      : fc.constant(undefined);
    const upstream = fc.array(fc.integer({ min: -128, max: 128 }).map((k) => k / 64), { minLength: positions, maxLength: positions });

    return fc.record({
      logits: fc.array(LOGIT_VALUES[h.logitsStyle], { minLength: size, maxLength: size }),
      labels,
      weight,
      upstream,
    }).map((values): AgreementInput => ({
      shape,
      classAxis: h.negativeClassAxis ? axis - h.rank : axis,
      smoothing: h.smoothing,
      smoothingMode: h.smoothingMode,
      reduction: h.reduction,
      labelsKind: h.labelsKind,
      indexDtype: h.indexDtype,
      logitsStyle: h.logitsStyle,
      logits: values.logits,
      labels: values.labels,
      weight: values.weight,
      weightAsTensor: h.weightAsTensor,
      ignoreIndex,
      upstream: values.upstream,
    }));
  });
}

/** Converts an input to the float64 reference's form. */
export function referenceInputOf(input: AgreementInput): ReferenceInput {
  return {
    shape: input.shape,
    classAxis: input.classAxis,
    logits: input.logits,
    labels: input.labels,
    labelsKind: input.labelsKind,
    smoothing: input.smoothing,
    smoothingMode: input.smoothingMode,
    weight: input.weight,
    ignoreIndex: input.ignoreIndex ?? -100,
  };
}

/** Builds the loss options of an input without the weights, which the caller builds because they may be a tensor. */
export function optionsOf(input: AgreementInput): LabelSmoothingOptions {
  const options: LabelSmoothingOptions = {
    smoothing: input.smoothing,
    smoothingMode: input.smoothingMode,
    reduction: input.reduction,
    classAxis: input.classAxis,
  };
  if (input.ignoreIndex !== undefined) {
    options.ignoreIndex = input.ignoreIndex;
  }
  return options;
}

/** Computes the shape of index labels and per-position values: the logits' shape without the class axis. */
export function positionsShapeOf(input: AgreementInput): number[] {
  const axis = input.classAxis < 0 ? input.classAxis + input.shape.length : input.classAxis;
  return input.shape.filter((_, dimension) => dimension !== axis);
}
