import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';

/**
 * Views a tensor under another shape of the same size without copying. The
 * WebGPU backend stores every tensor as one flat buffer in row-major order
 * and reads only the size from a shape, so a view is a new `TensorInfo` on
 * the same data. A view is valid only during the kernel call that made it
 * and is never disposed.
 */
export function viewAs(tensor: TensorInfo, shape: number[]): TensorInfo {
  return { dataId: tensor.dataId, shape, dtype: tensor.dtype };
}

/**
 * Intermediate buffers of one kernel call. Every program output that is not
 * returned goes through `keep`, and `disposeAll` releases them in the
 * kernel's `finally`, also when a program fails to compile. The backend
 * defers the release of a buffer that queued work still uses.
 */
export class Intermediates {
  private readonly tensors: TensorInfo[] = [];

  constructor(private readonly backend: WebGPUBackend) {}

  keep(tensor: TensorInfo): TensorInfo {
    this.tensors.push(tensor);
    return tensor;
  }

  disposeAll(): void {
    for (const tensor of this.tensors) {
      this.backend.disposeData(tensor.dataId);
    }
    this.tensors.length = 0;
  }
}
