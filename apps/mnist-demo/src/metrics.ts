/**
 * Accuracy and calibration metrics of a classifier, from its logits and the
 * true labels. Plain arrays in, numbers out, in float64, with no TensorFlow.js
 * dependency, so the numbers can be checked by hand.
 */

/** Bins of the reliability diagram and of the expected calibration error. */
export const DEFAULT_BIN_COUNT = 15;

/** One confidence bin, `(lower, upper]`; the first bin also contains 0. */
export interface ReliabilityBin {
  lower: number;
  upper: number;
  /** Number of samples whose confidence falls in the bin. */
  count: number;
  /** Mean confidence of those samples, or `null` when the bin is empty. */
  meanConfidence: number | null;
  /** Fraction of those samples that are classified correctly, or `null` when the bin is empty. */
  accuracy: number | null;
}

export interface CalibrationMetrics {
  sampleCount: number;
  /** Fraction of samples whose most probable class is the label. */
  accuracy: number;
  /** Mean of `-ln p(label)` over the samples, in nats. */
  meanNegativeLogLikelihood: number;
  /** Mean of the largest class probability. */
  meanConfidence: number;
  /** `Σ_b (n_b / N)·|accuracy_b − meanConfidence_b|` over the bins. */
  expectedCalibrationError: number;
  /** `meanConfidence − accuracy`; positive means over-confident. */
  overconfidence: number;
  bins: ReliabilityBin[];
}

/** Summary of one sample's softmax, as the metrics need it. */
export interface SamplePrediction {
  /** Index of the largest probability; the first one on ties. */
  predictedClass: number;
  /** The largest probability. */
  confidence: number;
  /** `-ln p(label)`. */
  negativeLogLikelihood: number;
}

/**
 * Computes accuracy, negative log-likelihood, confidence and calibration of
 * `logits` (`[sampleCount, classCount]`, row-major) against class-index
 * `labels`.
 *
 * @throws RangeError when the shapes disagree, a label is not a class index,
 *   or there are no samples.
 */
export function evaluateLogits(
  logits: ArrayLike<number>,
  labels: ArrayLike<number>,
  classCount: number,
  binCount: number = DEFAULT_BIN_COUNT,
): CalibrationMetrics {
  checkPositiveInteger('classCount', classCount);
  if (logits.length !== labels.length * classCount) {
    throw new RangeError(
      `evaluateLogits: ${logits.length} logits do not form ${labels.length} rows of ${classCount} classes; ` +
        'pass one row of logits per label.',
    );
  }
  if (labels.length === 0) {
    throw new RangeError('evaluateLogits: there are no samples; pass at least one row of logits and its label.');
  }

  const predictions: SamplePrediction[] = [];
  for (let row = 0; row < labels.length; row++) {
    const label = labels[row];
    if (!Number.isInteger(label) || label < 0 || label >= classCount) {
      throw new RangeError(`evaluateLogits: label ${label} at row ${row} is not a class index in [0, ${classCount}).`);
    }
    predictions.push(predictFromLogits(logits, row, classCount, label));
  }
  return summarizePredictions(predictions, labels, binCount);
}

/**
 * Reads one row of logits through a max-shifted log-softmax, so logits of any
 * magnitude give finite probabilities.
 */
export function predictFromLogits(logits: ArrayLike<number>, row: number, classCount: number, label: number): SamplePrediction {
  const start = row * classCount;

  let maxLogit = -Infinity;
  let predictedClass = 0;
  for (let c = 0; c < classCount; c++) {
    if (logits[start + c] > maxLogit) {
      maxLogit = logits[start + c];
      predictedClass = c;
    }
  }

  let sumOfShiftedExponentials = 0;
  for (let c = 0; c < classCount; c++) {
    sumOfShiftedExponentials += Math.exp(logits[start + c] - maxLogit);
  }
  const logSumExp = maxLogit + Math.log(sumOfShiftedExponentials);

  return {
    predictedClass,
    // The largest logit's probability is exp(max - logSumExp) = 1 / Σ exp(x_c - max).
    confidence: 1 / sumOfShiftedExponentials,
    negativeLogLikelihood: logSumExp - logits[start + label],
  };
}

/** Aggregates per-sample predictions into the metrics. */
export function summarizePredictions(
  predictions: readonly SamplePrediction[],
  labels: ArrayLike<number>,
  binCount: number = DEFAULT_BIN_COUNT,
): CalibrationMetrics {
  const sampleCount = predictions.length;
  const confidences = predictions.map((prediction) => prediction.confidence);
  const correct = predictions.map((prediction, row) => prediction.predictedClass === labels[row]);

  const accuracy = correct.filter(Boolean).length / sampleCount;
  const meanConfidence = mean(confidences);
  const bins = reliabilityBins(confidences, correct, binCount);

  return {
    sampleCount,
    accuracy,
    meanNegativeLogLikelihood: mean(predictions.map((prediction) => prediction.negativeLogLikelihood)),
    meanConfidence,
    expectedCalibrationError: expectedCalibrationError(bins, sampleCount),
    overconfidence: meanConfidence - accuracy,
    bins,
  };
}

/**
 * Sorts samples into `binCount` equal-width confidence bins. Bin `b` covers
 * `(b / binCount, (b + 1) / binCount]`, so a confidence on an edge belongs to
 * the lower bin, and a confidence of exactly 0 belongs to the first bin.
 */
export function reliabilityBins(
  confidences: readonly number[],
  correct: readonly boolean[],
  binCount: number = DEFAULT_BIN_COUNT,
): ReliabilityBin[] {
  checkPositiveInteger('binCount', binCount);
  if (confidences.length !== correct.length) {
    throw new RangeError(
      `reliabilityBins: ${confidences.length} confidences but ${correct.length} correctness flags; pass one of each per sample.`,
    );
  }

  const counts = new Array<number>(binCount).fill(0);
  const confidenceSums = new Array<number>(binCount).fill(0);
  const correctCounts = new Array<number>(binCount).fill(0);
  confidences.forEach((confidence, sample) => {
    if (!(confidence >= 0 && confidence <= 1)) {
      throw new RangeError(`reliabilityBins: confidence ${confidence} of sample ${sample} is not in [0, 1].`);
    }
    const bin = binIndex(confidence, binCount);
    counts[bin] += 1;
    confidenceSums[bin] += confidence;
    correctCounts[bin] += correct[sample] ? 1 : 0;
  });

  return counts.map((count, bin) => ({
    lower: bin / binCount,
    upper: (bin + 1) / binCount,
    count,
    meanConfidence: count === 0 ? null : confidenceSums[bin] / count,
    accuracy: count === 0 ? null : correctCounts[bin] / count,
  }));
}

/** Weighted mean gap between accuracy and confidence over the non-empty bins. */
export function expectedCalibrationError(bins: readonly ReliabilityBin[], sampleCount: number): number {
  let error = 0;
  for (const bin of bins) {
    if (bin.count > 0 && bin.accuracy !== null && bin.meanConfidence !== null) {
      error += (bin.count / sampleCount) * Math.abs(bin.accuracy - bin.meanConfidence);
    }
  }
  return error;
}

/**
 * Finds the bin of `confidence` by comparing with the same edges that
 * `reliabilityBins` reports (`b / binCount`), rather than by `ceil(c·binCount)`,
 * whose rounding can move a value that sits on an edge into the bin above.
 */
function binIndex(confidence: number, binCount: number): number {
  let bin = Math.min(binCount - 1, Math.max(0, Math.ceil(confidence * binCount) - 1));
  while (bin > 0 && confidence <= bin / binCount) {
    bin -= 1;
  }
  while (bin < binCount - 1 && confidence > (bin + 1) / binCount) {
    bin += 1;
  }
  return bin;
}

function mean(values: readonly number[]): number {
  let sum = 0;
  for (const value of values) {
    sum += value;
  }
  return sum / values.length;
}

function checkPositiveInteger(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`${name} must be a positive whole number, but it is ${value}.`);
  }
}
