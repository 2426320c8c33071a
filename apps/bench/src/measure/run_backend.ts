/**
 * Measures every requested implementation, pass and shape on the active tfjs
 * backend. Browser-safe: the Node worker and the Chromium page both call
 * `measureBackend` after activating the backend.
 */
import * as tf from '@tensorflow/tfjs-core';

import { formatShape, shapeKey, shapeSizes, type ShapeSpec } from '../shapes.js';
import { createInputs, disposeInputs, lossFunction, type LossFunction, type ShapeInputs } from './implementations.js';
import { trackMemory } from './memory.js';
import { median } from './statistics.js';
import {
  PASSES,
  type BackendRequest,
  type Measurement,
  type Pass,
  type ShapeGroup,
  type TfjsImplementation,
} from './types.js';

/** Progress lines, such as one per finished measurement. */
export type Logger = (line: string) => void;

/**
 * A first warm-up run may take this many budgets before the measurement is
 * skipped, because it also pays one-time costs: JIT compilation, WebGL shader
 * compilation, WebAssembly heap growth. A second warm-up run then decides.
 */
const FIRST_RUN_ALLOWANCE = 3;

/**
 * Reads one element of a tensor, which waits for the work that produces it
 * to finish on GPU backends. It gathers the element instead of slicing it,
 * because the tfjs 4.22 wasm Slice kernel copies its whole input into
 * JavaScript first (16 MB for a [4096, 1000] gradient).
 */
function readFirstElement(tensor: tf.Tensor): number {
  const element = tensor.rank === 0 ? tensor : tf.gather(tf.reshape(tensor, [-1]), [0]);
  return element.dataSync()[0];
}

/**
 * Runs one call of a loss and returns its loss value and duration. The
 * gradient's first element is read as well as the loss, so the time covers
 * the whole computation on asynchronous backends. Only a number leaves
 * `tf.tidy`: a typed array returned from it would be walked element by
 * element in search of tensors.
 */
function timeCall(loss: LossFunction, logits: tf.Tensor, pass: Pass): { ms: number; loss: number } {
  const start = performance.now();
  const value = tf.tidy(() => {
    if (pass === 'forward') {
      return readFirstElement(loss(logits));
    }
    const { value: lossValue, grad } = tf.valueAndGrad(loss)(logits);
    readFirstElement(grad);
    return readFirstElement(lossValue);
  });
  return { ms: performance.now() - start, loss: value };
}

/**
 * Runs one call with memory tracking, timed like `timeCall`. The outputs are
 * read only after tracking stops, so reading them back (which on webgl
 * allocates a download texture) does not count.
 */
function trackedCall(loss: LossFunction, logits: tf.Tensor, pass: Pass): { ms: number } & Required<Pick<Measurement, 'memory' | 'loss'>> {
  const start = performance.now();
  const { result: outputs, memory } = trackMemory(() => tf.tidy(() => {
    if (pass === 'forward') {
      return [loss(logits)];
    }
    const { value, grad } = tf.valueAndGrad(loss)(logits);
    return [value, grad];
  }));
  if (outputs.length > 1) {
    readFirstElement(outputs[1]);
  }
  const lossValue = readFirstElement(outputs[0]);
  const ms = performance.now() - start;
  tf.dispose(outputs);
  return { ms, memory, loss: lossValue };
}

/** Milliseconds per logit of an earlier measurement, used to predict larger shapes. */
interface Rate {
  msPerElement: number;
  from: ShapeSpec;
}

/** Peak bytes per logit of an earlier measurement, used to predict the memory of larger shapes. */
interface MemoryRate {
  bytesPerElement: number;
  from: ShapeSpec;
}

function gigabytes(bytes: number): string {
  return `${(bytes / 1e9).toFixed(1)} GB`;
}

/**
 * Returns why the active backend no longer works, or undefined when a small
 * sum still computes. A failed call can take a backend down: the wasm
 * backend aborts its module when it cannot grow its heap, and every later
 * call then fails or reads garbage.
 */
function backendFailure(): string | undefined {
  try {
    const sum = tf.tidy(() => tf.sum(tf.tensor1d([1, 2, 3])).dataSync()[0]);
    return sum === 6 ? undefined : `a check sum of [1, 2, 3] returned ${sum}`;
  } catch (error) {
    return messageOf(error);
  }
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}

/**
 * Whether a measurement is one the performance goals compare: the
 * forward+backward pass of a goal implementation at a goal shape. These get
 * `goalBudgetMs` per run, so that the goals get measured even where the
 * baseline is slow, and the group's time limit does not skip them.
 */
function isGoalMeasurement(group: ShapeGroup, spec: ShapeSpec, implementation: TfjsImplementation, pass: Pass, request: BackendRequest): boolean {
  return pass === 'forward+backward' && (group.goalImplementations?.includes(implementation) ?? false) &&
    request.goalShapes.some((goalSpec) => shapeKey(goalSpec) === shapeKey(spec));
}

/** Returns the per-run budget of one measurement. */
function budgetFor(group: ShapeGroup, spec: ShapeSpec, implementation: TfjsImplementation, pass: Pass, request: BackendRequest): number {
  const goal = isGoalMeasurement(group, spec, implementation, pass, request);
  return goal ? Math.max(request.goalBudgetMs, request.budgetMs) : request.budgetMs;
}

/** Calls the garbage collector where Node exposes it (`--expose-gc`), so that one measurement's garbage does not slow the next. */
function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
}

/**
 * Measures one group's shapes on the active backend, smallest first, so that
 * each shape's time can be predicted from a smaller one's.
 *
 * For each shape and pass, each implementation is first warmed up, with
 * memory tracking in its first call. Then the timed runs of the
 * implementations alternate, so that a slow phase of a shared machine
 * affects all of them alike. An
 * implementation is skipped, with the reason recorded, when
 * - its time per logit at a smaller shape with classes on the same kind of
 *   axis (last or not) predicts more than its budget per run (`budgetFor`),
 * - its peak memory per logit at such a shape predicts more than the memory budget,
 * - an earlier failure left the backend unusable (`backendFailure`),
 * - its forward pass at this shape was skipped for time (the backward pass costs more),
 * - its first warm-up run takes more than `FIRST_RUN_ALLOWANCE` budgets, or a
 *   second warm-up run after a slow first one takes more than one budget,
 * - the group's time limit has run out, unless it is a goal measurement or
 *   one of the group's `unlimitedImplementations`, or
 * - a call throws, such as when a backend runs out of memory.
 */
export function measureGroup(group: ShapeGroup, request: BackendRequest, log: Logger): Measurement[] {
  const groupStart = performance.now();
  const measurements: Measurement[] = [];
  const rates = new Map<string, Rate>();
  const memoryRates = new Map<string, MemoryRate>();
  let broken: string | undefined;
  const ordered = [...group.shapes].sort((a, b) => shapeSizes(a).elements - shapeSizes(b).elements);

  for (const spec of ordered) {
    const sizes = shapeSizes(spec);
    const elements = sizes.elements;
    // Classes on another axis than the last cost differently per logit, so
    // their times predict only shapes of the same kind.
    const kind = sizes.axis === spec.shape.length - 1 ? 'classes-last' : 'classes-inner';
    const overBudgetForward = new Set<TfjsImplementation>();
    let inputs: ShapeInputs;
    try {
      inputs = createInputs(spec, group.implementations.includes('tfjs'));
    } catch (error) {
      for (const implementation of group.implementations) {
        for (const pass of PASSES) {
          measurements.push({ group: group.name, implementation, pass, spec, skipped: `failed to create the inputs: ${messageOf(error)}` });
        }
      }
      continue;
    }

    try {
      for (const pass of PASSES) {
        const active: { measurement: Measurement; loss: LossFunction }[] = [];
        for (const implementation of group.implementations) {
          const measurement: Measurement = { group: group.name, implementation, pass, spec };
          measurements.push(measurement);
          const rateKey = `${implementation}/${pass}/${kind}`;
          const rate = rates.get(rateKey);
          const predictedMs = rate ? rate.msPerElement * elements : 0;
          const memoryRate = memoryRates.get(rateKey);
          const predictedBytes = memoryRate ? memoryRate.bytesPerElement * elements : 0;
          const budgetMs = budgetFor(group, spec, implementation, pass, request);
          const forwardBudgetMs = budgetFor(group, spec, implementation, 'forward', request);
          const elapsedMs = performance.now() - groupStart;
          // Whether this measurement was skipped because it is too slow, which the larger shapes inherit.
          let overBudget = false;

          const limited = !isGoalMeasurement(group, spec, implementation, pass, request) &&
            !(group.unlimitedImplementations?.includes(implementation) ?? false);
          if (elapsedMs > request.groupTimeLimitMs && limited) {
            measurement.skipped = `the ${seconds(request.groupTimeLimitMs)} time limit of this backend's ${group.name} shapes ran out`;
          } else if (pass === 'forward+backward' && overBudgetForward.has(implementation) && budgetMs <= forwardBudgetMs) {
            measurement.skipped = `its forward pass already exceeded the ${seconds(budgetMs)} budget per run`;
            overBudget = true;
          } else if (broken !== undefined) {
            measurement.skipped = `the backend stopped working after an earlier failure: ${broken}`;
          } else if (predictedMs > budgetMs) {
            measurement.skipped = `predicted ${seconds(predictedMs)} per run from ${formatShape(rate!.from)}, over the ${seconds(budgetMs)} budget`;
            overBudget = true;
          } else if (predictedBytes > request.memoryBudgetBytes) {
            measurement.skipped = `predicted a peak of ${gigabytes(predictedBytes)} of tensors from ${formatShape(memoryRate!.from)}, ` +
              `over the ${gigabytes(request.memoryBudgetBytes)} memory budget`;
          } else {
            const loss = lossFunction(implementation, spec, inputs, request.smoothing);
            const status = warmUp(loss, inputs.logits, pass, request, budgetMs, measurement);
            if (status === 'ready') {
              active.push({ measurement, loss });
            }
            overBudget = status === 'over-budget';
            if (status === 'failed') {
              broken = backendFailure();
            }
          }

          if (overBudget && pass === 'forward') {
            overBudgetForward.add(implementation);
          }
          // A warm-up that ran over budget still predicts larger shapes.
          const slowestWarmup = measurement.warmupMs?.at(-1);
          if (overBudget && slowestWarmup !== undefined) {
            rates.set(rateKey, { msPerElement: slowestWarmup / elements, from: spec });
          }
          if (measurement.memory) {
            memoryRates.set(rateKey, { bytesPerElement: measurement.memory.peakBytes / elements, from: spec });
          }
          if (measurement.skipped) {
            log(`${group.name} ${formatShape(spec)} ${pass} ${implementation}: skipped: ${measurement.skipped}`);
          }
        }

        const runs = new Map(active.map(({ measurement }) => [measurement, [] as number[]]));
        for (let run = 0; run < request.runs; run++) {
          for (const { measurement, loss } of active) {
            if (measurement.skipped) {
              continue;
            }
            try {
              runs.get(measurement)!.push(timeCall(loss, inputs.logits, pass).ms);
            } catch (error) {
              measurement.skipped = `failed: ${messageOf(error)}`;
              broken ??= backendFailure();
            }
          }
        }

        for (const { measurement } of active) {
          const samples = runs.get(measurement)!;
          if (measurement.skipped) {
            log(`${group.name} ${formatShape(spec)} ${pass} ${measurement.implementation}: skipped: ${measurement.skipped}`);
            continue;
          }
          const timing = { medianMs: median(samples), minMs: Math.min(...samples), maxMs: Math.max(...samples), runsMs: samples };
          measurement.timing = timing;
          rates.set(`${measurement.implementation}/${pass}/${kind}`, { msPerElement: timing.medianMs / elements, from: spec });
          log(`${group.name} ${formatShape(spec)} ${pass} ${measurement.implementation}: median ${timing.medianMs.toFixed(1)} ms ` +
            `(${timing.minMs.toFixed(1)} to ${timing.maxMs.toFixed(1)}), loss ${measurement.loss}`);
        }
        collectGarbage();
      }
    } finally {
      disposeInputs(inputs);
      collectGarbage();
    }
  }

  // Report in the group's own order of shapes, not in measuring order.
  const order = new Map(group.shapes.map((spec, index) => [shapeKey(spec), index]));
  return measurements.sort((a, b) => order.get(shapeKey(a.spec))! - order.get(shapeKey(b.spec))!);
}

/**
 * Runs the warm-up calls of one measurement, the first of them with memory
 * tracking. Returns `'ready'`, or sets `measurement.skipped` and returns
 * `'over-budget'` when a warm-up run exceeds `budgetMs` or `'failed'` when a
 * call throws.
 */
function warmUp(
  loss: LossFunction,
  logits: tf.Tensor,
  pass: Pass,
  request: BackendRequest,
  budgetMs: number,
  measurement: Measurement,
): 'ready' | 'over-budget' | 'failed' {
  const warmupMs: number[] = [];
  measurement.warmupMs = warmupMs;
  try {
    const first = trackedCall(loss, logits, pass);
    warmupMs.push(first.ms);
    measurement.memory = first.memory;
    measurement.loss = first.loss;
    if (first.ms > FIRST_RUN_ALLOWANCE * budgetMs) {
      measurement.skipped = `the first warm-up run took ${seconds(first.ms)}, over ${FIRST_RUN_ALLOWANCE} times the ${seconds(budgetMs)} budget per run`;
      return 'over-budget';
    }
    for (let run = 1; run < request.warmupRuns; run++) {
      warmupMs.push(timeCall(loss, logits, pass).ms);
    }
    if (warmupMs[warmupMs.length - 1] > budgetMs) {
      const { ms } = timeCall(loss, logits, pass);
      warmupMs.push(ms);
      if (ms > budgetMs) {
        measurement.skipped = `a warm-up run took ${seconds(ms)}, over the ${seconds(budgetMs)} budget per run`;
        return 'over-budget';
      }
    }
  } catch (error) {
    measurement.skipped = `failed: ${messageOf(error)}`;
    return 'failed';
  }
  return 'ready';
}

function messageOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  // Table cells hold one line, and a pipe would end the cell.
  return text.split('\n')[0].replace(/\|/g, '/').slice(0, 300);
}

/** Measures every group of the request on the active backend. */
export function measureBackend(request: BackendRequest, log: Logger): Measurement[] {
  return request.groups.flatMap((group) => measureGroup(group, request, log));
}
