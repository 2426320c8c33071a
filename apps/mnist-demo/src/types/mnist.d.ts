// Types for the part of the `mnist` package (1.1.0, untyped CommonJS) that
// this demo uses.
declare module 'mnist' {
  interface MnistDigit {
    /** Number of stored images of this digit. */
    readonly length: number;
    /**
     * Returns image `index` (0 <= index < length) as 784 pixel intensities in
     * [0, 1], row by row. An index outside that range returns a random image.
     */
    get(index: number): number[];
  }

  /** One entry per digit, 0 to 9. */
  const mnist: Readonly<Record<number, MnistDigit>>;
  export = mnist;
}
