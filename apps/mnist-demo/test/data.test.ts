import { describe, expect, it } from 'vitest';

import { availableSampleCount, CLASS_COUNT, loadMnistSplit, PIXEL_COUNT, type DigitSet } from '../src/data.js';

function imageKeys(set: DigitSet): string[] {
  const keys: string[] = [];
  for (let sample = 0; sample < set.count; sample++) {
    const image = set.images.subarray(sample * PIXEL_COUNT, (sample + 1) * PIXEL_COUNT);
    keys.push(Buffer.from(image.buffer, image.byteOffset, image.byteLength).toString('base64'));
  }
  return keys;
}

describe('loadMnistSplit', () => {
  const split = loadMnistSplit(600, 400, 3);

  it('finds the 10,000 digits of the mnist package', () => {
    expect(availableSampleCount()).toBe(10000);
  });

  it('returns the requested sizes', () => {
    expect(split.train.count).toBe(600);
    expect(split.train.images).toHaveLength(600 * PIXEL_COUNT);
    expect(split.train.labels).toHaveLength(600);
    expect(split.test.count).toBe(400);
  });

  it('keeps test images out of training', () => {
    const trainImages = new Set(imageKeys(split.train));
    const shared = imageKeys(split.test).filter((key) => trainImages.has(key));
    expect(shared).toEqual([]);
  });

  it('scales pixels to [0, 1]', () => {
    const pixels = split.train.images;
    const min = pixels.reduce((lowest, value) => Math.min(lowest, value), Infinity);
    const max = pixels.reduce((highest, value) => Math.max(highest, value), -Infinity);
    expect(min).toBe(0);
    expect(max).toBeLessThanOrEqual(1);
    expect(max).toBeGreaterThan(0.9);
  });

  it('draws every digit into both sets', () => {
    for (const set of [split.train, split.test]) {
      const digits = new Set(set.labels);
      expect(digits.size).toBe(CLASS_COUNT);
    }
  });

  it('repeats the split for the same seed', () => {
    const again = loadMnistSplit(600, 400, 3);
    expect(again.train.labels).toEqual(split.train.labels);
    // Buffer.equals compares the bytes; a deep toEqual over 313,600 floats takes seconds.
    expect(Buffer.from(again.test.images.buffer).equals(Buffer.from(split.test.images.buffer))).toBe(true);
  });

  it('changes the split with the seed', () => {
    const other = loadMnistSplit(600, 400, 4);
    expect(other.train.labels).not.toEqual(split.train.labels);
  });

  it('rejects sizes above the data set', () => {
    expect(() => loadMnistSplit(9000, 1001, 0)).toThrow(/need 10001 digits/);
  });
});
