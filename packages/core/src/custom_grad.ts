import * as tf from '@tensorflow/tfjs-core';

/** Forward function of `tf.customGrad` with its inputs typed; `save` is always the last argument. */
type TypedGradientFunc<Inputs extends tf.Tensor[]> = (
  ...args: [...inputs: Inputs, save: tf.GradSaveFunc]
) => { value: tf.Tensor; gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor | tf.Tensor[] };

/**
 * `tf.customGrad` with typed inputs. tfjs types every argument as
 * `Tensor | GradSaveFunc`, which no well-typed function accepts.
 */
export function customGradient<Inputs extends tf.Tensor[]>(
  f: TypedGradientFunc<Inputs>,
): (...inputs: Inputs) => tf.Tensor {
  return tf.customGrad(f as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (...inputs: Inputs) => tf.Tensor;
}
