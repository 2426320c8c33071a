import { describe, expect, test } from 'vitest';

import { MAX_TILE_SIZE, tileClassPairs, tileClasses } from '../src/programs/tiling.js';
import { smoothingUniformValues } from '../src/programs/smoothing_glsl.js';

describe('tileClasses', () => {
  test.each([1, 2, 999, 1000, 1024, 1025, 50_000, 256_000, 300_001])('covers C = %i', (numClasses) => {
    const { tileSize, numTiles } = tileClasses(numClasses);
    expect(tileSize).toBeLessThanOrEqual(MAX_TILE_SIZE);
    expect(tileSize * numTiles).toBeGreaterThanOrEqual(numClasses);
    expect(tileSize * (numTiles - 1)).toBeLessThan(numClasses);
  });

  test('one tile up to the maximum', () => {
    expect(tileClasses(1000)).toEqual({ tileSize: 1000, numTiles: 1 });
    expect(tileClasses(MAX_TILE_SIZE)).toEqual({ tileSize: MAX_TILE_SIZE, numTiles: 1 });
  });

  test('even tiles for 50,000 classes', () => {
    expect(tileClasses(50_000)).toEqual({ tileSize: 1021, numTiles: 49 });
  });
});

describe('tileClassPairs', () => {
  test.each([1, 3, 1000, 1025, 50_000, 256_000, 300_001])('even tiles cover C = %i', (numClasses) => {
    const { tileSize, numTiles } = tileClassPairs(numClasses);
    expect(tileSize % 2).toBe(0);
    expect(tileSize * numTiles).toBeGreaterThanOrEqual(numClasses);
    expect(tileSize * (numTiles - 1)).toBeLessThan(numClasses);
  });
});

describe('smoothingUniformValues', () => {
  const attrs = { smoothing: 0.1, ignoreIndex: -100, labelsKind: 'index' as const, classAxis: 1 };

  test('uniform mode covers every class', () => {
    const [target, other, skips, ignoreIndex, infinity] = smoothingUniformValues({ ...attrs, smoothingMode: 'uniform' }, 4);
    expect(target[0]).toBeCloseTo(0.9, 12);
    expect(other[0]).toBeCloseTo(0.025, 12);
    expect(skips).toEqual([0]);
    expect(ignoreIndex).toEqual([-100]);
    expect(infinity).toEqual([Infinity]);
  });

  test('non-target mode skips the label', () => {
    const [target, other, skips] = smoothingUniformValues({ ...attrs, smoothingMode: 'non-target' }, 5);
    expect(target[0]).toBeCloseTo(0.9, 12);
    expect(other[0]).toBeCloseTo(0.025, 12);
    expect(skips).toEqual([1]);
  });
});
