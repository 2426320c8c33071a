/** Decodes the bundled MNIST subset into arrays that tfjs reads. */
import * as subset from 'virtual:mnist-subset';

export const PIXEL_COUNT = subset.pixelCount;
export const CLASS_COUNT = 10;

/** Images and labels, sample by sample. */
export interface DigitSet {
  /** `[count, PIXEL_COUNT]` row-major intensities in [0, 1]. */
  images: Float32Array;
  /** Digit of each image, 0 to 9. */
  labels: Int32Array;
  count: number;
}

/** Returns the first `count` training digits, near class-balanced because the subset interleaves classes. */
export function trainingDigits(count: number): DigitSet {
  return decode(subset.trainImages, subset.trainLabels, Math.min(count, subset.trainCount));
}

/** Returns all test digits. */
export function testDigits(): DigitSet {
  return decode(subset.testImages, subset.testLabels, subset.testCount);
}

/** Number of training digits in the bundle. */
export const TRAIN_DIGITS_AVAILABLE = subset.trainCount;

function decode(imagesBase64: string, labelsBase64: string, count: number): DigitSet {
  const pixelBytes = base64Bytes(imagesBase64);
  const labelBytes = base64Bytes(labelsBase64);
  const images = new Float32Array(count * PIXEL_COUNT);
  for (let index = 0; index < images.length; index++) {
    images[index] = pixelBytes[index] / 255;
  }
  const labels = Int32Array.from(labelBytes.subarray(0, count));
  return { images, labels, count };
}

function base64Bytes(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index++) {
    bytes[index] = binary.charCodeAt(index);
  }
  return bytes;
}
