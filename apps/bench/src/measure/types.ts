/**
 * Requests from the CLI to one backend, and the results it returns. The same
 * objects cross into a child Node process and into a Chromium page, so they
 * contain only plain data.
 */
import type { ShapeSpec } from '../shapes.js';

/** The tfjs implementations compared on every backend. */
export const TFJS_IMPLEMENTATIONS = ['fused', 'composite', 'tfjs'] as const;
export type TfjsImplementation = (typeof TFJS_IMPLEMENTATIONS)[number];

/** `forward`: the loss alone. `forward+backward`: the loss and its gradient with respect to the logits. */
export const PASSES = ['forward', 'forward+backward'] as const;
export type Pass = (typeof PASSES)[number];

/** A set of shapes measured together, such as the main table or one scaling sweep. */
export interface ShapeGroup {
  /** `table`, `scaling-rows` or `scaling-classes`. */
  name: string;
  shapes: ShapeSpec[];
  implementations: TfjsImplementation[];
  /** Implementations that get the goal budget at the request's goal shapes; none when absent. */
  goalImplementations?: TfjsImplementation[];
  /** Implementations the request's time limit never skips; none when absent. */
  unlimitedImplementations?: TfjsImplementation[];
}

export interface BackendRequest {
  /** tfjs backend name, as registered in the conformance harness's `BACKENDS`. */
  backend: string;
  groups: ShapeGroup[];
  /** Timed runs per measurement, after the warm-up. */
  runs: number;
  warmupRuns: number;
  /** Per-run time budget in milliseconds; see `measureGroup` for how it skips measurements. */
  budgetMs: number;
  /**
   * Peak tensor bytes a call may be predicted to allocate. Running out of
   * memory can take a backend down for good (the wasm backend aborts its
   * module), so such calls are skipped rather than tried.
   */
  memoryBudgetBytes: number;
  /**
   * Shapes the performance goals name; see `goalImplementations` of a group.
   * Empty where the goals are not measured with their own budget.
   */
  goalShapes: ShapeSpec[];
  /** Per-run budget of the goal measurements, in milliseconds. */
  goalBudgetMs: number;
  /**
   * Wall-time limit of each group in milliseconds: measurements that have
   * not started when it runs out are skipped, except the goal measurements.
   */
  groupTimeLimitMs: number;
  smoothing: number;
}

/** Median, minimum and maximum of the timed runs, in milliseconds, with every run in order. */
export interface Timing {
  medianMs: number;
  minMs: number;
  maxMs: number;
  runsMs: number[];
}

/**
 * Bytes of backend tensor data a call allocated beyond what existed before
 * it (its inputs and every other live tensor), sampled at every allocation
 * and release of the backend's tensor storage during the call.
 */
export interface MemoryFigures {
  /** Maximum of the bytes allocated and not yet released at any point of the call. */
  peakBytes: number;
  /** Bytes still allocated when the call returned: its outputs. */
  outputBytes: number;
  /** Growth of the backend's WebAssembly heap during the call, for backends that have one. */
  heapGrowthBytes?: number;
}

/** One implementation, pass and shape on one backend: figures, or the reason there are none. */
export interface Measurement {
  group: string;
  implementation: TfjsImplementation;
  pass: Pass;
  spec: ShapeSpec;
  timing?: Timing;
  /** Milliseconds of each warm-up run, also when a slow one made the measurement skip. */
  warmupMs?: number[];
  memory?: MemoryFigures;
  /** The loss value of the memory call, to show that the implementations computed the same loss. */
  loss?: number;
  /** Why there is no timing: over the time budget, or the error the call raised. */
  skipped?: string;
}

export interface BackendResult {
  backend: string;
  environment: 'node' | 'browser';
  /** Facts about the runtime: user agent, WebGL renderer, wasm build, and so on. */
  details: Record<string, string>;
  measurements: Measurement[];
  /** One-minute load average at the start and end of this backend's measurements (Node side). */
  loadAverage?: { start: number; end: number };
  /** Wall time of the whole backend run, in seconds. */
  elapsedSeconds: number;
  /** Set when the backend could not run at all. */
  failed?: string;
}
