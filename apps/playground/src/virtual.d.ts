/** The bundled MNIST subset; see `mnist_subset.ts`. */
declare module 'virtual:mnist-subset' {
  /** Pixels per image (28 × 28). */
  export const pixelCount: number;
  export const trainCount: number;
  export const testCount: number;
  /** Base64 of `[trainCount, pixelCount]` bytes, `round(255 · intensity)`. */
  export const trainImages: string;
  /** Base64 of one byte per image, its digit. */
  export const trainLabels: string;
  export const testImages: string;
  export const testLabels: string;
}

declare module '*?url' {
  const url: string;
  export default url;
}
