import type { MathBackendWebGL } from '@tensorflow/tfjs-backend-webgl';
import type { TensorInfo } from '@tensorflow/tfjs-core';

import { SumTilesProgram } from '../programs/sum_tiles_gpu.js';
import { tileClasses } from '../programs/tiling.js';

/**
 * Views a tensor under another shape of the same size without copying, as
 * tfjs' own `reshape` does. `runWebGLProgram` reads an unpacked texture in
 * flat row-major order whatever the logical shape, and it unpacks or
 * re-packs a packed texture for the requested shape first.
 */
export function viewAs(tensor: TensorInfo, shape: number[]): TensorInfo {
  return { dataId: tensor.dataId, shape, dtype: tensor.dtype };
}

/**
 * Intermediate textures of one kernel call. Every program output that is not
 * returned goes through `keep`, and `disposeAll` releases them in the
 * kernel's `finally`, also when a program fails to compile.
 */
export class Intermediates {
  private readonly tensors: TensorInfo[] = [];

  constructor(private readonly backend: MathBackendWebGL) {}

  keep(tensor: TensorInfo): TensorInfo {
    this.tensors.push(tensor);
    return tensor;
  }

  disposeAll(): void {
    for (const tensor of this.tensors) {
      this.backend.disposeIntermediateTensorInfo(tensor);
    }
    this.tensors.length = 0;
  }
}

/**
 * Sums every row of a `[rows, length]` float32 tensor times `scale`, in tiles
 * and then over the tiles' sums until one column is left. Returns
 * `[rows, 1]`; every texture it creates is added to `intermediates`.
 */
export function sumRows(
  backend: MathBackendWebGL,
  values: TensorInfo,
  intermediates: Intermediates,
  scale = 1,
): TensorInfo {
  let current = values;
  let passScale = scale;
  do {
    const [rows, length] = current.shape;
    const program = new SumTilesProgram(rows, length, tileClasses(length));
    current = intermediates.keep(backend.runWebGLProgram(program, [current], 'float32', [[passScale]]));
    passScale = 1;
  } while (current.shape[1] > 1);
  return current;
}
