/**
 * The wasm kernels, called directly through `runKernel`, against the cpu
 * backend's typed-array math on the same inputs. The cases cover every layout
 * path of the SIMD code, both label kinds and smoothing modes, weights,
 * ignored and invalid labels, and the non-finite inputs of the contract.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { classAxisLayout, type LabelSmoothingAttrs, type SmoothingMode } from '@label-smoothing/core';

import {
  SeededRandom,
  firstMismatch,
  runCpuReference,
  runWasmKernels,
  useWasmBackend,
  type KernelCase,
} from './helpers.js';

beforeAll(useWasmBackend);

// float32 arithmetic in different orders: the cpu math accumulates in float64.
const LOSS_TOLERANCE = { absolute: 1e-6, relative: 1e-5 };
const GRADIENT_TOLERANCE = { absolute: 1e-6, relative: 1e-5 };

/** Shapes that reach every layout path: contiguous rows, lanes of 4 positions (with an overlapping last group), and scalar strided rows. */
const LAYOUTS: { name: string; shape: number[]; classAxis: number }[] = [
  { name: 'C=1', shape: [6, 1], classAxis: 1 },
  { name: 'C=3', shape: [5, 3], classAxis: 1 },
  { name: 'C=4', shape: [4, 4], classAxis: 1 },
  { name: 'C=5', shape: [7, 5], classAxis: 1 },
  { name: 'C=13', shape: [3, 13], classAxis: 1 },
  { name: 'C=1001 (several blocks)', shape: [2, 1001], classAxis: 1 },
  { name: 'rank 1', shape: [9], classAxis: 0 },
  { name: 'inner 2', shape: [2, 5, 2], classAxis: 1 },
  { name: 'inner 3', shape: [2, 5, 3], classAxis: 1 },
  { name: 'inner 4', shape: [2, 5, 4], classAxis: 1 },
  { name: 'inner 7', shape: [3, 6, 7], classAxis: 1 },
  { name: 'inner 9, C=300', shape: [2, 300, 9], classAxis: 1 },
  { name: 'inner 20, rank 4', shape: [2, 3, 4, 5], classAxis: 1 },
  { name: 'class axis 0', shape: [4, 6, 5], classAxis: 0 },
];

function attrsFor(
  labelsKind: 'index' | 'probability',
  smoothingMode: SmoothingMode,
  classAxis: number,
  overrides: Partial<LabelSmoothingAttrs> = {},
): LabelSmoothingAttrs {
  return { smoothing: 0.1, smoothingMode, ignoreIndex: -100, labelsKind, classAxis, ...overrides };
}

function randomCase(
  random: SeededRandom,
  shape: number[],
  classAxis: number,
  labelsKind: 'index' | 'probability',
  smoothingMode: SmoothingMode,
  weighted: boolean,
): KernelCase {
  const layout = classAxisLayout(shape, classAxis);
  const size = shape.reduce((a, b) => a * b, 1);
  const positions = layout.outerSize * layout.innerSize;
  const logits = random.normals(size, 3);
  // Weighted cases give every third class weight 0.
  const weight = new Float32Array(layout.numClasses).fill(1);
  if (weighted) {
    weight.forEach((_, c) => (weight[c] = c % 3 === 1 ? 0 : random.uniform(0.2, 2)));
  }

  let labels: Int32Array | Float32Array;
  if (labelsKind === 'index') {
    labels = Int32Array.from({ length: positions }, (_, p) =>
      p % 5 === 3 ? -100 : random.integer(0, layout.numClasses - 1));
  } else {
    // A distribution over the classes of every position, some of them one-hot.
    labels = new Float32Array(size);
    for (let outer = 0; outer < layout.outerSize; outer++) {
      for (let inner = 0; inner < layout.innerSize; inner++) {
        const offsets = Array.from({ length: layout.numClasses }, (_, c) =>
          (outer * layout.numClasses + c) * layout.innerSize + inner);
        if ((outer + inner) % 3 === 0) {
          labels[offsets[random.integer(0, layout.numClasses - 1)]] = 1;
        } else {
          const raw = offsets.map(() => random.uniform());
          const total = raw.reduce((a, b) => a + b, 0);
          offsets.forEach((offset, c) => (labels[offset] = raw[c] / total));
        }
      }
    }
  }
  return { shape, logits, labels, weight, attrs: attrsFor(labelsKind, smoothingMode, classAxis) };
}

function expectMatchesCpu(testCase: KernelCase, dy?: Float32Array): void {
  const layout = classAxisLayout(testCase.shape, testCase.attrs.classAxis);
  const positions = layout.outerSize * layout.innerSize;
  const upstream = dy ?? Float32Array.from({ length: positions }, (_, p) => 0.5 + (p % 7) / 4);

  const wasm = runWasmKernels(testCase, upstream);
  const cpu = runCpuReference(testCase, upstream);

  const ignored = (position: number) =>
    testCase.attrs.labelsKind === 'index' && testCase.labels[position] === testCase.attrs.ignoreIndex;
  const used = (position: number) => !ignored(position);

  expect(firstMismatch(wasm.forward.losses, cpu.forward.losses, LOSS_TOLERANCE.absolute, LOSS_TOLERANCE.relative), 'losses')
    .toBeUndefined();
  // The contract leaves the saved row statistics unspecified at ignored positions.
  expect(firstMismatch(wasm.forward.maxLogit, cpu.forward.maxLogit, 0, 0, used), 'maxLogit').toBeUndefined();
  expect(firstMismatch(wasm.forward.shiftedLogSumExp, cpu.forward.shiftedLogSumExp, 1e-6, 1e-6, used), 'shiftedLogSumExp')
    .toBeUndefined();
  expect(firstMismatch(wasm.forward.targetWeight, cpu.forward.targetWeight, 0, 0), 'targetWeight').toBeUndefined();
  expect(firstMismatch(wasm.gradient, cpu.gradient, GRADIENT_TOLERANCE.absolute, GRADIENT_TOLERANCE.relative), 'gradient')
    .toBeUndefined();
}

describe('wasm kernels match the cpu math', () => {
  const table = LAYOUTS.flatMap((layout) =>
    (['index', 'probability'] as const).flatMap((labelsKind) =>
      (['uniform', 'non-target'] as const)
        .filter((mode) => mode === 'uniform' || layout.shape[layout.classAxis] >= 2)
        .flatMap((smoothingMode) =>
          [false, true].map((weighted) => ({ ...layout, labelsKind, smoothingMode, weighted })))));

  test.each(table)('$name, $labelsKind labels, $smoothingMode, weighted $weighted', (row) => {
    const random = new SeededRandom(`${row.name}-${row.labelsKind}-${row.smoothingMode}-${row.weighted}`);
    expectMatchesCpu(randomCase(random, row.shape, row.classAxis, row.labelsKind, row.smoothingMode, row.weighted));
  });

  test.each([0, 1])('smoothing %d', (smoothing) => {
    for (const labelsKind of ['index', 'probability'] as const) {
      for (const smoothingMode of ['uniform', 'non-target'] as const) {
        const random = new SeededRandom(`smoothing-${smoothing}-${labelsKind}-${smoothingMode}`);
        const testCase = randomCase(random, [3, 6, 5], 1, labelsKind, smoothingMode, true);
        testCase.attrs.smoothing = smoothing;
        expectMatchesCpu(testCase);
      }
    }
  });
});

/** Rows of special values, laid out as [rows, C] and also transposed to [C, rows] with classAxis 0. */
function specialRowsCase(
  rows: number[][],
  labels: number[],
  options: { weight?: number[]; smoothingMode?: SmoothingMode; ignoreIndex?: number; transposed: boolean },
): KernelCase {
  const numClasses = rows[0].length;
  const logits = new Float32Array(rows.length * numClasses);
  rows.forEach((row, r) =>
    row.forEach((value, c) => {
      logits[options.transposed ? c * rows.length + r : r * numClasses + c] = value;
    }));
  return {
    shape: options.transposed ? [numClasses, rows.length] : [rows.length, numClasses],
    logits,
    labels: Int32Array.from(labels),
    weight: Float32Array.from(options.weight ?? Array(numClasses).fill(1)),
    attrs: attrsFor('index', options.smoothingMode ?? 'uniform', options.transposed ? 0 : 1,
      options.ignoreIndex === undefined ? {} : { ignoreIndex: options.ignoreIndex }),
  };
}

describe.each([false, true])('special values, transposed %s', (transposed) => {
  test('-Infinity logits with and without target mass', () => {
    const rows = [
      [-Infinity, 1, 2, 3],
      [-Infinity, -Infinity, 5, -Infinity],
      [0.5, -Infinity, 2, 1],
      [-Infinity, 2, -Infinity, 0],
    ];
    // Class 0 has weight 0, so its -Infinity logit carries no mass in rows 0 and 1.
    const testCase = specialRowsCase(rows, [1, 2, 2, 3], { weight: [0, 1, 2, 1], transposed });
    expectMatchesCpu(testCase);

    const wasm = runWasmKernels(testCase, new Float32Array(4).fill(1));
    expect(wasm.forward.losses[0]).toBeGreaterThan(0);
    expect(Number.isFinite(wasm.forward.losses[0])).toBe(true);
    // Row 2 puts smoothing mass on a -Infinity logit of weight 1: the loss is +Infinity.
    expect(wasm.forward.losses[2]).toBe(Infinity);
    expect(Array.from(wasm.gradient).every(Number.isFinite)).toBe(true);
  });

  test('only one finite logit gives its exact result', () => {
    const rows = [[-Infinity, -Infinity, 7, -Infinity, -Infinity]];
    const testCase = specialRowsCase([...rows, ...rows, ...rows, ...rows], [2, 2, 2, 2],
      { weight: [0, 0, 1, 0, 0], transposed });
    const wasm = runWasmKernels(testCase, new Float32Array(4).fill(1));
    expect(Array.from(wasm.forward.losses)).toEqual([0, 0, 0, 0]);
    expect(Array.from(wasm.forward.maxLogit)).toEqual([7, 7, 7, 7]);
    expect(Array.from(wasm.gradient).every((g) => g === 0)).toBe(true);
  });

  test('NaN poisons only its own row', () => {
    const rows = [
      [1, NaN, 2, 0],
      [1, 2, 3, 4],
      [-Infinity, -Infinity, -Infinity, -Infinity],
      [Infinity, 0, 1, 2],
    ];
    const testCase = specialRowsCase(rows, [0, 1, 2, 3], { transposed });
    expectMatchesCpu(testCase);
    const { losses } = runWasmKernels(testCase, new Float32Array(4).fill(1)).forward;
    expect(Number.isNaN(losses[0])).toBe(true);
    expect(Number.isFinite(losses[1])).toBe(true);
    expect(Number.isNaN(losses[2])).toBe(true);
    expect(Number.isNaN(losses[3])).toBe(true);
  });

  test('logits 1e4 apart stay exact', () => {
    const rows = [
      [1e4, -1e4, 0, 5],
      [-1e4, 1e4, 1e4, -1e4],
      [1e4, 1e4 - 1, 1e4 - 2, 1e4 - 3],
      [-1e4, -1e4 + 0.5, -1e4 + 1, -1e4 + 1.5],
    ];
    for (const smoothingMode of ['uniform', 'non-target'] as const) {
      const testCase = specialRowsCase(rows, [1, 0, 3, 2], { smoothingMode, transposed });
      expectMatchesCpu(testCase);
      const { losses } = runWasmKernels(testCase, new Float32Array(4).fill(1)).forward;
      expect(Array.from(losses).every(Number.isFinite)).toBe(true);
    }
  });

  test('invalid labels give NaN rows, ignored labels give zeros', () => {
    const rows = [
      [1, 2, 3, 4],
      [4, 3, 2, 1],
      [0, 0, 1, 0],
      [2, 2, 2, 2],
    ];
    // ignoreIndex 2 is a real class id: label 2 means "ignored", label 4 and -1 are invalid.
    const testCase = specialRowsCase(rows, [4, 2, -1, 1], { ignoreIndex: 2, transposed });
    expectMatchesCpu(testCase);
    const wasm = runWasmKernels(testCase, new Float32Array(4).fill(1));
    expect(Number.isNaN(wasm.forward.losses[0])).toBe(true);
    expect(wasm.forward.losses[1]).toBe(0);
    expect(wasm.forward.targetWeight[1]).toBe(0);
    expect(Number.isNaN(wasm.forward.losses[2])).toBe(true);
    expect(Number.isFinite(wasm.forward.losses[3])).toBe(true);

    const numClasses = 4;
    for (let c = 0; c < numClasses; c++) {
      const element = (row: number) => (transposed ? c * 4 + row : row * numClasses + c);
      expect(Number.isNaN(wasm.gradient[element(0)])).toBe(true);
      expect(Object.is(wasm.gradient[element(1)], 0)).toBe(true);
    }
  });

  test('ignore index beyond int32 ignores nothing', () => {
    const rows = [[1, 2, 3, 4], [4, 3, 2, 1], [0, 0, 1, 0], [2, 2, 2, 2]];
    // 2^32 + 1 wraps to 1 as an int32, so a careless conversion would ignore class 1.
    const testCase = specialRowsCase(rows, [1, 1, 0, 3], { ignoreIndex: 2 ** 32 + 1, transposed });
    expectMatchesCpu(testCase);
    const { losses, targetWeight } = runWasmKernels(testCase, new Float32Array(4).fill(1)).forward;
    expect(losses[0]).toBeGreaterThan(0);
    expect(targetWeight[0]).toBe(1);
  });

  test('ignored positions get zero gradient whatever dy', () => {
    const rows = [[1, 2, 3, 4], [1, 2, 3, 4], [1, 2, 3, 4], [1, 2, 3, 4]];
    const testCase = specialRowsCase(rows, [-100, 1, -100, 3], { transposed });
    const wasm = runWasmKernels(testCase, Float32Array.from([Infinity, 1, NaN, 1]));
    const numClasses = 4;
    for (let c = 0; c < numClasses; c++) {
      const element = (row: number) => (transposed ? c * 4 + row : row * numClasses + c);
      expect(wasm.gradient[element(0)]).toBe(0);
      expect(wasm.gradient[element(2)]).toBe(0);
    }
  });
});

test('kernels leak no tensors', () => {
  const before = tf.memory().numTensors;
  const random = new SeededRandom('leaks');
  runWasmKernels(randomCase(random, [3, 6, 5], 1, 'index', 'uniform', true), new Float32Array(15).fill(1));
  expect(tf.memory().numTensors).toBe(before);
});
