import { describe, expect, it } from 'vitest';

import { evaluateLogits, expectedCalibrationError, reliabilityBins } from '../src/metrics.js';

// Four samples, three classes, 15 bins of width 1/15 ≈ 0.0667. The logits are
// ln(p) plus a per-row shift, so the softmax recovers p exactly up to rounding
// and the shift checks that only differences between logits matter.
//
//   row  p                   label  predicted  confidence  bin (lower, upper]       correct  -ln p(label)
//   0    [0.9, 0.05, 0.05]   0      0          0.9         13: (0.8667, 0.9333]     yes      -ln 0.9  = 0.1053605157
//   1    [0.9, 0.05, 0.05]   1      0          0.9         13                       no       -ln 0.05 = 2.9957322736
//   2    [0.25, 0.5, 0.25]   2      1          0.5          7: (0.4667, 0.5333]     no       -ln 0.25 = 1.3862943611
//   3    [0.7, 0.2, 0.1]     0      0          0.7         10: (0.6667, 0.7333]     yes      -ln 0.7  = 0.3566749439
//
// accuracy        = 2/4 = 0.5
// mean confidence = (0.9 + 0.9 + 0.5 + 0.7) / 4 = 0.75
// over-confidence = 0.75 - 0.5 = 0.25
// NLL             = (0.1053605157 + 2.9957322736 + 1.3862943611 + 0.3566749439) / 4
//                 = 4.8440620943 / 4 = 1.2110155236   (= -ln(0.9·0.05·0.25·0.7) / 4 = -ln(0.007875) / 4)
// ECE             = (2/4)·|0.5 - 0.9| + (1/4)·|0 - 0.5| + (1/4)·|1 - 0.7|
//                 = 0.2 + 0.125 + 0.075 = 0.4
const probabilities = [
  [0.9, 0.05, 0.05],
  [0.9, 0.05, 0.05],
  [0.25, 0.5, 0.25],
  [0.7, 0.2, 0.1],
];
const shifts = [0, 3, -7.5, 1000];
const labels = [0, 1, 2, 0];
const logits = probabilities.flatMap((row, index) => row.map((p) => Math.log(p) + shifts[index]));

describe('evaluateLogits', () => {
  const metrics = evaluateLogits(logits, labels, 3, 15);

  it('matches the hand-computed accuracy', () => {
    expect(metrics.sampleCount).toBe(4);
    expect(metrics.accuracy).toBe(0.5);
  });

  it('matches the hand-computed NLL', () => {
    expect(metrics.meanNegativeLogLikelihood).toBeCloseTo(1.2110155236, 9);
    expect(metrics.meanNegativeLogLikelihood).toBeCloseTo(-Math.log(0.007875) / 4, 9);
  });

  it('matches the hand-computed confidence', () => {
    expect(metrics.meanConfidence).toBeCloseTo(0.75, 12);
    expect(metrics.overconfidence).toBeCloseTo(0.25, 12);
  });

  it('matches the hand-computed ECE', () => {
    expect(metrics.expectedCalibrationError).toBeCloseTo(0.4, 12);
  });

  it('fills only the expected bins', () => {
    const filled = metrics.bins.flatMap((bin, index) => (bin.count > 0 ? [index] : []));
    expect(filled).toEqual([7, 10, 13]);
    expect(metrics.bins[13].count).toBe(2);
    expect(metrics.bins[13].accuracy).toBe(0.5);
    expect(metrics.bins[13].meanConfidence).toBeCloseTo(0.9, 12);
    expect(metrics.bins[7].accuracy).toBe(0);
    expect(metrics.bins[10].accuracy).toBe(1);
  });

  it('reports empty bins as null', () => {
    expect(metrics.bins).toHaveLength(15);
    expect(metrics.bins[0]).toEqual({ lower: 0, upper: 1 / 15, count: 0, meanConfidence: null, accuracy: null });
  });

  it('rejects a label outside the classes', () => {
    expect(() => evaluateLogits([0, 1, 2], [3], 3)).toThrow(/label 3 at row 0/);
  });

  it('rejects logits of the wrong length', () => {
    expect(() => evaluateLogits([0, 1, 2, 3], [0, 1], 3)).toThrow(/4 logits do not form 2 rows of 3 classes/);
  });
});

describe('reliabilityBins', () => {
  it('puts an edge value in the lower bin', () => {
    // 0.6 is the edge between bin 2, (0.4, 0.6], and bin 3, (0.6, 0.8], of 5 bins.
    const bins = reliabilityBins([0.6, 0.6000001, 1, 0], [true, false, true, false], 5);
    expect(bins.map((bin) => bin.count)).toEqual([1, 0, 1, 1, 1]);
    expect(bins[2].accuracy).toBe(1);
    expect(bins[3].accuracy).toBe(0);
  });

  it('weights ECE by bin size', () => {
    // Bin (0.8, 1]: confidences 0.9, 0.9, 0.9, accuracy 2/3, gap 0.2333 over 3 of 4 samples.
    // Bin (0.2, 0.4]: confidence 0.3, accuracy 1, gap 0.7 over 1 of 4 samples.
    // ECE = 0.75·(0.9 - 2/3) + 0.25·0.7 = 0.175 + 0.175 = 0.35.
    const bins = reliabilityBins([0.9, 0.9, 0.9, 0.3], [true, true, false, true], 5);
    expect(expectedCalibrationError(bins, 4)).toBeCloseTo(0.35, 12);
  });

  it('rejects a confidence outside [0, 1]', () => {
    expect(() => reliabilityBins([1.5], [true])).toThrow(/confidence 1.5 of sample 0/);
  });
});
