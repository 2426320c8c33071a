/**
 * Shared setup for the tests: the tfjs wasm backend with the fused kernels
 * registered, direct kernel calls on it, and the cpu backend's typed-array
 * math as the reference.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import seedrandom from 'seedrandom';
import {
  LabelSmoothingBackward,
  LabelSmoothingForward,
  classAxisLayout,
  type LabelSmoothingAttrs,
} from '@label-smoothing/core';
import { backwardImpl, forwardImpl } from '@label-smoothing/backend-cpu/base';
import '@label-smoothing/backend-wasm';

/** Makes the wasm backend active and silences tfjs' production-mode banner. */
export async function useWasmBackend(): Promise<void> {
  tf.env().set('PROD', true);
  const ready = await tf.setBackend('wasm');
  if (!ready || tf.getBackend() !== 'wasm') {
    throw new Error(`tf.setBackend('wasm') failed (returned ${ready}).`);
  }
}

/** Inputs of one direct kernel call, as typed arrays in the contract's layout. */
export interface KernelCase {
  shape: number[];
  logits: Float32Array;
  /** int32 indices with the positions' shape, or float32 probabilities with the logits' shape. */
  labels: Int32Array | Float32Array;
  weight: Float32Array;
  attrs: LabelSmoothingAttrs;
}

/** Forward outputs, in contract order. */
export interface ForwardValues {
  losses: Float32Array;
  maxLogit: Float32Array;
  shiftedLogSumExp: Float32Array;
  targetWeight: Float32Array;
}

function labelsShape(testCase: KernelCase): number[] {
  return testCase.attrs.labelsKind === 'index'
    ? classAxisLayout(testCase.shape, testCase.attrs.classAxis).positionsShape
    : testCase.shape;
}

/**
 * Runs the forward kernel, then the backward kernel with `dy`, on the active
 * (wasm) backend through `runKernel`, with no validation in front, and
 * returns every output as a typed array. Disposes every tensor it creates.
 */
export function runWasmKernels(testCase: KernelCase, dy: Float32Array): { forward: ForwardValues; gradient: Float32Array } {
  return tf.tidy(() => {
    const logits = tf.tensor(testCase.logits, testCase.shape, 'float32');
    const labels = tf.tensor(testCase.labels, labelsShape(testCase), testCase.attrs.labelsKind === 'index' ? 'int32' : 'float32');
    const weight = tf.tensor1d(testCase.weight, 'float32');
    const attrs = testCase.attrs as unknown as tf.NamedAttrMap;

    const [losses, maxLogit, shiftedLogSumExp, targetWeight] = tf.engine().runKernel(
      LabelSmoothingForward, { logits, labels, weight }, attrs) as tf.Tensor[];
    const upstream = tf.tensor(dy, losses.shape, 'float32');
    const gradient = tf.engine().runKernel(
      LabelSmoothingBackward, { dy: upstream, logits, labels, weight, maxLogit, shiftedLogSumExp }, attrs) as tf.Tensor;

    return {
      forward: {
        losses: losses.dataSync() as Float32Array,
        maxLogit: maxLogit.dataSync() as Float32Array,
        shiftedLogSumExp: shiftedLogSumExp.dataSync() as Float32Array,
        targetWeight: targetWeight.dataSync() as Float32Array,
      },
      gradient: gradient.dataSync() as Float32Array,
    };
  });
}

/** Computes the same two kernels with the cpu backend's typed-array math. */
export function runCpuReference(testCase: KernelCase, dy: Float32Array): { forward: ForwardValues; gradient: Float32Array } {
  const layout = classAxisLayout(testCase.shape, testCase.attrs.classAxis);
  const forward = forwardImpl(testCase.logits, testCase.labels, testCase.weight, layout, testCase.attrs);
  const gradient = backwardImpl(dy, testCase.logits, testCase.labels, testCase.weight,
    forward.maxLogit, forward.shiftedLogSumExp, layout, testCase.attrs);
  return { forward, gradient };
}

/**
 * Finds the first element where `actual` differs from `expected` by more than
 * `max(absolute, relative · |expected|)`; NaN must meet NaN and an infinity
 * the same infinity. Returns a description of the mismatch, or undefined.
 */
export function firstMismatch(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  absolute: number,
  relative: number,
  indices?: (index: number) => boolean,
): string | undefined {
  if (actual.length !== expected.length) {
    return `length ${actual.length}, expected ${expected.length}`;
  }
  for (let i = 0; i < expected.length; i++) {
    if (indices !== undefined && !indices(i)) continue;
    const a = actual[i];
    const e = expected[i];
    const ok = Number.isFinite(e)
      ? Math.abs(a - e) <= Math.max(absolute, relative * Math.abs(e))
      : Object.is(a, e) || (Number.isNaN(a) && Number.isNaN(e));
    if (!ok) {
      return `index ${i}: got ${a}, expected ${e}`;
    }
  }
  return undefined;
}

/** Seeded random numbers for reproducible inputs. */
export class SeededRandom {
  private readonly next: () => number;

  constructor(seed: string) {
    this.next = seedrandom(seed);
  }

  uniform(low = 0, high = 1): number {
    return low + (high - low) * this.next();
  }

  integer(low: number, high: number): number {
    return low + Math.floor(this.next() * (high - low + 1));
  }

  /** Standard normal, by the Box-Muller transform. */
  normal(): number {
    const u = Math.max(this.next(), Number.MIN_VALUE);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  normals(count: number, scale = 1): Float32Array {
    return Float32Array.from({ length: count }, () => this.normal() * scale);
  }
}
