/**
 * Builds the page's MNIST subset in Node, at build time, from the `mnist`
 * package. Only this subset is bundled, as base64 bytes, so the page
 * downloads about 3 MB instead of the package's 21 MB of JSON and fetches
 * nothing at run time.
 */
import { createRequire } from 'node:module';

/** Training digits per class: 10 × 200 = 2,000. */
export const TRAIN_PER_CLASS = 200;
/** Test digits per class: 10 × 50 = 500. */
export const TEST_PER_CLASS = 50;

const CLASS_COUNT = 10;

interface MnistDigit {
  length: number;
  get(index: number): number[];
}

/** Source text of the `virtual:mnist-subset` module. */
export function mnistSubsetModule(): string {
  const mnist = createRequire(import.meta.url)('mnist') as MnistDigit[];
  const train = interleaveClasses(mnist, 0, TRAIN_PER_CLASS);
  const test = interleaveClasses(mnist, TRAIN_PER_CLASS, TEST_PER_CLASS);
  return [
    `export const pixelCount = 784;`,
    `export const trainCount = ${train.labels.length};`,
    `export const testCount = ${test.labels.length};`,
    `export const trainImages = ${JSON.stringify(toBase64(train.images))};`,
    `export const trainLabels = ${JSON.stringify(toBase64(train.labels))};`,
    `export const testImages = ${JSON.stringify(toBase64(test.images))};`,
    `export const testLabels = ${JSON.stringify(toBase64(test.labels))};`,
  ].join('\n');
}

/**
 * Takes digits `[start, start + perClass)` of each class and orders them
 * 0, 1, …, 9, 0, 1, …, so that any prefix of the set and every batch is
 * close to class-balanced. Pixels in [0, 1] are stored as bytes, `round(255 · p)`.
 */
function interleaveClasses(mnist: MnistDigit[], start: number, perClass: number): { images: Uint8Array; labels: Uint8Array } {
  const images = new Uint8Array(perClass * CLASS_COUNT * 784);
  const labels = new Uint8Array(perClass * CLASS_COUNT);
  for (let index = 0; index < perClass; index++) {
    for (let digit = 0; digit < CLASS_COUNT; digit++) {
      const sample = index * CLASS_COUNT + digit;
      const pixels = mnist[digit].get(start + index);
      for (let pixel = 0; pixel < 784; pixel++) {
        images[sample * 784 + pixel] = Math.round(pixels[pixel] * 255);
      }
      labels[sample] = digit;
    }
  }
  return { images, labels };
}

function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}
