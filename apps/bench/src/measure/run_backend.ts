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

/** Reads one element of a tensor, which waits for the work that produces it to finish on GPU backends. */
function readFirstElement(tensor: tf.Tensor): number {
  const corner = tensor.rank === 0 ? tensor : tf.slice(tensor, new Array(tensor.rank).fill(0), new Array(tensor.rank).fill(1));
  return corner.dataSync()[0];
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

/** Runs one call with memory tracking; outputs are read only after tracking stops. */
function measureMemoryCall(loss: LossFunction, logits: tf.Tensor, pass: Pass): Pick<Measurement, 'memory' | 'loss'> {
  const { result: outputs, memory } = trackMemory(() => tf.tidy(() => {
    if (pass === 'forward') {
      return [loss(logits)];
    }
    const { value, grad } = tf.valueAndGrad(loss)(logits);
    return [value, grad];
  }));
  const lossValue = outputs[0].dataSync()[0];
  tf.dispose(outputs);
  return { memory, loss: lossValue };
}

/** Milliseconds per logit of an earlier measurement, used to predict larger shapes. */
interface Rate {
  msPerElement: number;
  from: ShapeSpec;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
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
 * For each shape and pass, each implementation is first warmed up and its
 * memory measured; then the timed runs of the implementations alternate, so
 * that a slow phase of a shared machine affects all of them alike. An
 * implementation is skipped, with the reason recorded, when
 * - its time per logit at a smaller shape with classes on the same kind of
 *   axis (last or not) predicts more than the budget per run,
 * - its forward pass at this shape was skipped for time (the backward pass costs more),
 * - its first warm-up run takes more than `FIRST_RUN_ALLOWANCE` budgets, or a
 *   second warm-up run after a slow first one takes more than one budget, or
 * - a call throws, such as when a backend runs out of memory.
 */
export function measureGroup(group: ShapeGroup, request: BackendRequest, log: Logger): Measurement[] {
  const measurements: Measurement[] = [];
  const rates = new Map<string, Rate>();
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

          if (pass === 'forward+backward' && overBudgetForward.has(implementation)) {
            measurement.skipped = `its forward pass already exceeded the ${seconds(request.budgetMs)} budget per run`;
          } else if (predictedMs > request.budgetMs) {
            measurement.skipped = `predicted ${seconds(predictedMs)} per run from ${formatShape(rate!.from)}, over the ${seconds(request.budgetMs)} budget`;
          } else {
            const loss = lossFunction(implementation, spec, inputs, request.smoothing);
            const warmed = warmUp(loss, inputs.logits, pass, request, measurement);
            if (warmed) {
              active.push({ measurement, loss });
            }
          }
          if (measurement.skipped) {
            if (pass === 'forward' && !measurement.skipped.startsWith('failed')) {
              overBudgetForward.add(implementation);
            }
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
            }
          }
        }

        for (const { measurement } of active) {
          const samples = runs.get(measurement)!;
          if (measurement.skipped) {
            delete measurement.timing;
            log(`${group.name} ${formatShape(spec)} ${pass} ${measurement.implementation}: skipped: ${measurement.skipped}`);
            continue;
          }
          const timing = measurement.timing!;
          timing.runsMs = samples;
          timing.medianMs = median(samples);
          timing.minMs = Math.min(...samples);
          timing.maxMs = Math.max(...samples);
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
 * Runs the warm-up calls and the memory call of one measurement. Returns
 * false, with `measurement.skipped` set, when it is over budget or fails.
 */
function warmUp(loss: LossFunction, logits: tf.Tensor, pass: Pass, request: BackendRequest, measurement: Measurement): boolean {
  const warmupMs: number[] = [];
  try {
    for (let run = 0; run < Math.max(1, request.warmupRuns); run++) {
      const { ms } = timeCall(loss, logits, pass);
      warmupMs.push(ms);
      if (run === 0 && ms > FIRST_RUN_ALLOWANCE * request.budgetMs) {
        measurement.skipped = `the first warm-up run took ${seconds(ms)}, over ${FIRST_RUN_ALLOWANCE} times the ${seconds(request.budgetMs)} budget per run`;
        return false;
      }
    }
    if (warmupMs[warmupMs.length - 1] > request.budgetMs) {
      const { ms } = timeCall(loss, logits, pass);
      warmupMs.push(ms);
      if (ms > request.budgetMs) {
        measurement.skipped = `a warm-up run took ${seconds(ms)}, over the ${seconds(request.budgetMs)} budget per run`;
        return false;
      }
    }
    Object.assign(measurement, measureMemoryCall(loss, logits, pass));
  } catch (error) {
    measurement.skipped = `failed: ${messageOf(error)}`;
    return false;
  }
  measurement.timing = { medianMs: NaN, minMs: NaN, maxMs: NaN, runsMs: [], warmupMs };
  return true;
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
