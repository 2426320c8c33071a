/**
 * The parts of the webgpu programs that run without a GPU: the choice of
 * lanes per row, the uniform layout shared by WGSL and TypeScript, and what
 * the compiled-program keys contain. The kernels themselves are tested in
 * headless Chromium by the conformance harness (`apps/conformance`).
 */
import { describe, expect, test } from 'vitest';

import {
  GradientProgram,
  LOSS_UNIFORMS,
  MAX_LANES,
  MIN_CLASSES_PER_LANE,
  RowStatisticsProgram,
  TARGET_INVOCATIONS,
  lossUniformValues,
  rowLanes,
  rowWorkgroups,
} from '../src/base.js';

describe('rowLanes', () => {
  test.each([
    // [positions, numClasses, expected lanes]
    [5, 1, 1],
    [5, 32, 1],
    [5, 33, 2],
    [5, 256, 8],
    [5, 257, 16],
    [5, 2048, 64],
    [5, 2049, 128],
    [4, 50_000, 256],
    [4, 10_000_000, MAX_LANES],
    [4096, 1000, 4],
    [TARGET_INVOCATIONS, 100_000, 1],
    [10_000, 10, 1],
  ])('%i rows of %i classes get %i lanes', (positions, numClasses, lanes) => {
    const result = rowLanes(positions, numClasses);

    expect(result.lanes).toBe(lanes);
    expect(result.workgroupSize % result.lanes).toBe(0);
    expect(result.workgroupSize).toBeLessThanOrEqual(256);
  });

  test('every lane reads enough classes', () => {
    for (const numClasses of [2, 31, 64, 65, 1000, 8193]) {
      const { lanes } = rowLanes(1, numClasses);
      expect(lanes === 1 || (lanes / 2) * MIN_CLASSES_PER_LANE < numClasses).toBe(true);
    }
  });

  test('workgroups cover every row', () => {
    for (const [positions, numClasses] of [[1, 5], [65, 5], [3, 5000], [4097, 1000]]) {
      const lanesInfo = rowLanes(positions, numClasses);
      const invocations = rowWorkgroups(positions, lanesInfo) * lanesInfo.workgroupSize;
      expect(invocations).toBeGreaterThanOrEqual(positions * lanesInfo.lanes);
      expect(invocations - positions * lanesInfo.lanes).toBeLessThan(lanesInfo.workgroupSize);
    }
  });
});

describe('loss uniforms', () => {
  /** Names and WGSL types declared in `LOSS_UNIFORMS`, in order. */
  const declared = [...LOSS_UNIFORMS.matchAll(/(\w+)\s*:\s*(\w+)\s*,/g)].map((match) => ({ name: match[1], type: match[2] }));

  test('values follow the declaration', () => {
    const layout = { outerSize: 2, numClasses: 7, innerSize: 3, positionsShape: [2, 3] };
    const values = lossUniformValues(layout, {
      smoothing: 0.2, smoothingMode: 'non-target', ignoreIndex: -100, labelsKind: 'index', classAxis: 1,
    });

    expect(values.map((value) => value.type)).toEqual(declared.map((field) => (field.type === 'i32' ? 'int32' : 'float32')));
    const byName = Object.fromEntries(declared.map((field, index) => [field.name, values[index].data]));
    expect(byName).toEqual({
      outerSize: [2],
      numClasses: [7],
      innerSize: [3],
      positions: [6],
      ignoreIndex: [-100],
      targetCoefficient: [0.8],
      otherCoefficient: [0.2 / 6],
      otherSkipsTarget: [1],
    });
  });

  test('uniform mode covers the target', () => {
    const layout = { outerSize: 4, numClasses: 5, innerSize: 1, positionsShape: [4] };
    const values = lossUniformValues(layout, {
      smoothing: 0.1, smoothingMode: 'uniform', ignoreIndex: 3, labelsKind: 'probability', classAxis: 1,
    });
    const byName = Object.fromEntries(declared.map((field, index) => [field.name, values[index].data[0]]));

    expect(byName.targetCoefficient).toBeCloseTo(0.9, 12);
    expect(byName.otherCoefficient).toBeCloseTo(0.02, 12);
    expect(byName.otherSkipsTarget).toBe(0);
    expect(byName.ignoreIndex).toBe(3);
  });
});

describe('program keys', () => {
  test('keys name only labels kind and lanes', () => {
    const small = new RowStatisticsProgram(4, rowLanes(4, 5), 'index');
    const otherClasses = new RowStatisticsProgram(9, rowLanes(9, 7), 'index');
    const probability = new RowStatisticsProgram(4, rowLanes(4, 5), 'probability');
    const manyLanes = new RowStatisticsProgram(4, rowLanes(4, 3000), 'index');

    expect(small.shaderKey).toBe('labelSmoothingRowStatistics_index_lanes1');
    expect(otherClasses.shaderKey).toBe(small.shaderKey);
    expect(probability.shaderKey).toBe('labelSmoothingRowStatistics_probability_lanes1');
    expect(manyLanes.shaderKey).toBe('labelSmoothingRowStatistics_index_lanes128');
    expect(new GradientProgram(20, 4, rowLanes(4, 5), 'index').shaderKey).toBe('labelSmoothingGradient_index_lanes1');
  });

  test('source does not depend on sizes', () => {
    // Programs with one key must have one source, because tfjs compiles a key once.
    const source = (positions: number, numClasses: number) =>
      new GradientProgram(positions * numClasses, positions, rowLanes(positions, numClasses), 'probability').getUserCode();

    expect(source(4, 5)).toBe(source(9, 7));
    expect(new RowStatisticsProgram(4, rowLanes(4, 5), 'index').getUserCode())
      .toBe(new RowStatisticsProgram(30, rowLanes(30, 11), 'index').getUserCode());
  });
});
