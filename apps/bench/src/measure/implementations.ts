/**
 * The inputs of one shape and the loss of each tfjs implementation on them.
 * Browser-safe: the same code runs in Node and in the Chromium page.
 */
import * as tf from '@tensorflow/tfjs-core';
import { labelSmoothingCrossEntropyWith } from '@label-smoothing/core';

import { shapeSizes, type ShapeSpec } from '../shapes.js';
import type { TfjsImplementation } from './types.js';

/** Tensors every implementation of one shape reads; created before, and disposed after, its measurements. */
export interface ShapeInputs {
  logits: tf.Tensor;
  /** int32 class indices, the logits' shape without the class axis. */
  labels: tf.Tensor;
  /** float32 `[positions, C]` one-hot labels for `tf.losses.softmaxCrossEntropy`; only when that implementation runs. */
  oneHot?: tf.Tensor;
}

/** A loss as a function of the logits, returning the `'mean'`-reduced scalar. */
export type LossFunction = (logits: tf.Tensor) => tf.Scalar;

/**
 * Fills `size` logits in about [-4, 4) from a seeded linear congruential
 * generator. tf.randomNormal takes seconds for the largest shapes on the cpu
 * backend, and the loss's cost does not depend on the logits' distribution.
 */
export function seededLogits(size: number, seed: number): Float32Array {
  const values = new Float32Array(size);
  let state = seed >>> 0;
  for (let index = 0; index < size; index++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    values[index] = state / 536870912 - 4;
  }
  return values;
}

/** Draws `size` class indices in [0, classes) from a seeded generator. */
export function seededLabels(size: number, classes: number, seed: number): Int32Array {
  const values = new Int32Array(size);
  let state = seed >>> 0;
  for (let index = 0; index < size; index++) {
    state = (Math.imul(state, 22695477) + 1) >>> 0;
    values[index] = Math.floor((state / 4294967296) * classes);
  }
  return values;
}

/** Creates the logits and labels of one shape, and the one-hot labels when `withOneHot` is set. */
export function createInputs(spec: ShapeSpec, withOneHot: boolean): ShapeInputs {
  const sizes = shapeSizes(spec);
  const logits = tf.tensor(seededLogits(sizes.elements, 1), spec.shape, 'float32');
  const labels = tf.tensor(seededLabels(sizes.positions, sizes.classes, 2), sizes.labelsShape, 'int32');
  if (!withOneHot) {
    return { logits, labels };
  }
  // oneHot is built as int32 and cast: the wasm OneHot kernel of tfjs 4.22
  // writes int32 bits into a float32 output when asked for float32.
  const oneHot = tf.tidy(() => tf.cast(tf.oneHot(tf.reshape(labels, [sizes.positions]), sizes.classes), 'float32'));
  return { logits, labels, oneHot };
}

/**
 * Returns the loss of one implementation with smoothing ε and the `'mean'`
 * reduction.
 *
 * `tf.losses.softmaxCrossEntropy` gets `[positions, C]` logits and one-hot
 * labels: it takes the classes on the last axis, and in tfjs 4.22 it
 * smooths with `shape[1]` as the class count, which is C only for rank 2. So
 * its loss reshapes the logits to that view inside the measured call,
 * transposing them first when the classes are not last, as a caller with
 * such logits would have to.
 */
export function lossFunction(implementation: TfjsImplementation, spec: ShapeSpec, inputs: ShapeInputs, smoothing: number): LossFunction {
  const { axis, positions, classes } = shapeSizes(spec);
  if (implementation === 'fused' || implementation === 'composite') {
    const options = { smoothing, classAxis: axis, reduction: 'mean' as const };
    return (logits) => labelSmoothingCrossEntropyWith(implementation, logits, inputs.labels, options) as tf.Scalar;
  }

  const oneHot = inputs.oneHot;
  if (!oneHot) {
    throw new Error('The tf.losses.softmaxCrossEntropy loss needs one-hot labels; create the inputs with withOneHot set.');
  }
  const rank = spec.shape.length;
  const classesLast = axis === rank - 1;
  const permutation = [...Array(rank).keys()].filter((dimension) => dimension !== axis).concat(axis);
  return (logits) => {
    const channelsLast = classesLast ? logits : tf.transpose(logits, permutation);
    const matrix = tf.reshape(channelsLast, [positions, classes]);
    return tf.losses.softmaxCrossEntropy(oneHot, matrix, undefined, smoothing, tf.Reduction.MEAN) as tf.Scalar;
  };
}

/** Disposes the tensors of one shape. */
export function disposeInputs(inputs: ShapeInputs): void {
  tf.dispose([inputs.logits, inputs.labels, ...(inputs.oneHot ? [inputs.oneHot] : [])]);
}
