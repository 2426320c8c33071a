/**
 * 262,144 classes (256k) per row on the wasm kernels against a float64
 * reference written here from the loss's definition: the losses within 1e-5
 * relative and the logits' gradient within 1e-6 absolute. Contiguous rows
 * have 256k classes; rows spread over 4 and 2 positions (the SIMD lane and
 * scalar strided paths) have 64k.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { classAxisLayout, type LabelSmoothingAttrs, type SmoothingMode } from '@label-smoothing/core';

import { SeededRandom, firstMismatch, runWasmKernels, useWasmBackend, type KernelCase } from './helpers.js';

const NUM_CLASSES = 262144;

beforeAll(useWasmBackend);

/** Float64 losses and gradient of index or probability labels, straight from the formulas. */
function float64Reference(testCase: KernelCase, dy: Float32Array): { losses: Float64Array; gradient: Float64Array } {
  const { outerSize, numClasses, innerSize } = classAxisLayout(testCase.shape, testCase.attrs.classAxis);
  const { smoothing, smoothingMode, labelsKind } = testCase.attrs;
  const losses = new Float64Array(outerSize * innerSize);
  const gradient = new Float64Array(testCase.logits.length);

  for (let outer = 0; outer < outerSize; outer++) {
    for (let inner = 0; inner < innerSize; inner++) {
      const position = outer * innerSize + inner;
      const offset = (c: number) => (outer * numClasses + c) * innerSize + inner;

      // q_c, the smoothed target of every class.
      const target = new Float64Array(numClasses);
      for (let c = 0; c < numClasses; c++) {
        if (labelsKind === 'index') {
          const label = testCase.labels[position];
          if (smoothingMode === 'uniform') {
            target[c] = smoothing / numClasses;
          } else if (c !== label) {
            target[c] = smoothing / (numClasses - 1);
          }
          if (c === label) {
            target[c] += 1 - smoothing;
          }
        } else {
          const t = testCase.labels[offset(c)];
          target[c] = smoothingMode === 'uniform'
            ? (1 - smoothing) * t + smoothing / numClasses
            : (1 - smoothing) * t + (smoothing / (numClasses - 1)) * (1 - t);
        }
      }

      let max = -Infinity;
      for (let c = 0; c < numClasses; c++) max = Math.max(max, testCase.logits[offset(c)]);
      let sumExp = 0;
      for (let c = 0; c < numClasses; c++) sumExp += Math.exp(testCase.logits[offset(c)] - max);
      const logSumExp = max + Math.log(sumExp);

      let loss = 0;
      let targetMass = 0;
      for (let c = 0; c < numClasses; c++) {
        const weighted = testCase.weight[c] * target[c];
        loss -= weighted * (testCase.logits[offset(c)] - logSumExp);
        targetMass += weighted;
      }
      losses[position] = loss;
      for (let c = 0; c < numClasses; c++) {
        const probability = Math.exp(testCase.logits[offset(c)] - logSumExp);
        gradient[offset(c)] = dy[position] * (targetMass * probability - testCase.weight[c] * target[c]);
      }
    }
  }
  return { losses, gradient };
}

function largeCase(shape: number[], labelsKind: 'index' | 'probability', smoothingMode: SmoothingMode): KernelCase {
  const random = new SeededRandom(`large-${shape.join('x')}-${labelsKind}-${smoothingMode}`);
  const layout = classAxisLayout(shape, 1);
  const size = shape.reduce((a, b) => a * b, 1);
  const attrs: LabelSmoothingAttrs = { smoothing: 0.1, smoothingMode, ignoreIndex: -100, labelsKind, classAxis: 1 };
  const weight = Float32Array.from({ length: layout.numClasses }, () => random.uniform(0.5, 1.5));

  let labels: Int32Array | Float32Array;
  if (labelsKind === 'index') {
    labels = Int32Array.from({ length: layout.outerSize * layout.innerSize }, () => random.integer(0, layout.numClasses - 1));
  } else {
    const raw = Float32Array.from({ length: size }, () => random.uniform() ** 8);
    labels = new Float32Array(size);
    for (let outer = 0; outer < layout.outerSize; outer++) {
      for (let inner = 0; inner < layout.innerSize; inner++) {
        const offset = (c: number) => (outer * layout.numClasses + c) * layout.innerSize + inner;
        let total = 0;
        for (let c = 0; c < layout.numClasses; c++) total += raw[offset(c)];
        for (let c = 0; c < layout.numClasses; c++) labels[offset(c)] = raw[offset(c)] / total;
      }
    }
  }
  // Scale 4 puts the dominant probabilities near 1e-3, so gradients are not all tiny.
  return { shape, logits: random.normals(size, 4), labels, weight, attrs };
}

describe('256k classes', () => {
  test.each([
    { layout: 'contiguous rows', shape: [1, NUM_CLASSES], labelsKind: 'index', smoothingMode: 'uniform' },
    { layout: 'contiguous rows', shape: [2, NUM_CLASSES], labelsKind: 'index', smoothingMode: 'non-target' },
    { layout: 'contiguous rows', shape: [1, NUM_CLASSES], labelsKind: 'probability', smoothingMode: 'uniform' },
    // Strided rows at a quarter of the classes keep the suite fast; the
    // accumulation per position is the same code as with 256k classes.
    { layout: 'lanes of 4 positions', shape: [1, NUM_CLASSES / 4, 4], labelsKind: 'index', smoothingMode: 'uniform' },
    { layout: 'scalar strided rows', shape: [1, NUM_CLASSES / 4, 2], labelsKind: 'probability', smoothingMode: 'non-target' },
  ] as const)('$layout, $labelsKind labels, $smoothingMode', ({ shape, labelsKind, smoothingMode }) => {
    const testCase = largeCase([...shape], labelsKind, smoothingMode);
    const positions = shape[0] * (shape[2] ?? 1);
    const dy = Float32Array.from({ length: positions }, (_, p) => 1 + p / 2);

    const wasm = runWasmKernels(testCase, dy);
    const reference = float64Reference(testCase, dy);

    expect(firstMismatch(wasm.forward.losses, reference.losses, 0, 1e-5), 'losses').toBeUndefined();
    expect(firstMismatch(wasm.gradient, reference.gradient, 1e-6, 0), 'gradient').toBeUndefined();
    // The float64 reference in JavaScript takes seconds on a busy 2-core machine.
  }, 30_000);
});
