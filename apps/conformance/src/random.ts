import seedrandom from 'seedrandom';

/** Seeded generator of the synthetic inputs the property checks use. */
export class SeededRandom {
  private readonly next: () => number;

  constructor(seed: string | number) {
    this.next = seedrandom(String(seed));
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    return this.next();
  }

  /** Whole number in [low, high]. */
  integer(low: number, high: number): number {
    return low + Math.floor(this.next() * (high - low + 1));
  }

  /** Standard normal, by the Box-Muller transform. */
  normal(): number {
    const u = Math.max(this.next(), Number.MIN_VALUE);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  /**
   * Logits as multiples of 1/64 in about [-8, 8]: exact in float32, and still
   * exact after adding a multiple of 64 up to 2^10, which the shift check needs.
   */
  exactLogits(size: number, scale = 2): Float32Array {
    return Float32Array.from({ length: size }, () => Math.round(this.normal() * scale * 64) / 64);
  }
}
