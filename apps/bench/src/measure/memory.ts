/**
 * Measures the tensor bytes a call allocates on the active backend. Every
 * tfjs 4.22 backend (cpu, wasm, webgl, webgpu) keeps its tensor data in a
 * tfjs-core `DataStorage`, which the engine and the kernels, including their
 * internal intermediates, write with `set` and release with `delete`. The
 * tracker wraps those two methods for the duration of a call, so it counts
 * every allocation, also those that `tf.memory()` misses because they never
 * become engine tensors.
 */
import * as tf from '@tensorflow/tfjs-core';

import type { MemoryFigures } from './types.js';

/** The parts of tfjs-core's `DataStorage` the tracker wraps; `data` is its WeakMap of entries. */
interface DataStorageLike {
  data: WeakMap<object, unknown>;
  set(dataId: object, value: unknown): void;
  delete(dataId: object): boolean;
  numDataIds(): number;
}

/** Fields of a backend's storage entry that give its size; which ones exist differs by backend. */
interface StorageEntry {
  shape?: number[];
  dtype?: tf.DataType;
  values?: ArrayBufferView | unknown[];
}

function isDataStorage(value: unknown): value is DataStorageLike {
  const candidate = value as Partial<DataStorageLike> | null;
  return typeof candidate === 'object' && candidate !== null && candidate.data instanceof WeakMap &&
    typeof candidate.set === 'function' && typeof candidate.delete === 'function' && typeof candidate.numDataIds === 'function';
}

/** Finds the backend's `DataStorage` among its own fields (`data`, `dataIdMap`, `texData` or `tensorMap` in tfjs 4.22). */
function findDataStorage(backend: tf.KernelBackend): DataStorageLike | undefined {
  return Object.values(backend as unknown as Record<string, unknown>).find(isDataStorage);
}

/**
 * Bytes of one storage entry: element count times element size when the
 * entry has a shape and dtype (wasm, webgl, webgpu), else the byte length of
 * its typed array (cpu entries have no shape).
 */
function entryBytes(entry: unknown): number {
  const { shape, dtype, values } = (entry ?? {}) as StorageEntry;
  if (shape && dtype && dtype !== 'string') {
    return tf.util.sizeFromShape(shape) * tf.util.bytesPerElement(dtype);
  }
  if (values && ArrayBuffer.isView(values)) {
    return values.byteLength;
  }
  return 0;
}

/** Returns the byte length of the backend's WebAssembly heap, for backends built on emscripten (the wasm backend). */
function heapBytes(backend: tf.KernelBackend): number | undefined {
  const module = (backend as unknown as { wasm?: { HEAPU8?: Uint8Array } }).wasm;
  return module?.HEAPU8?.buffer.byteLength;
}

/**
 * Runs `call` with the backend's tensor storage tracked and returns its
 * result and memory figures. Bytes allocated before the call (the inputs)
 * are not counted, and releasing them during the call does not lower the
 * count. Throws when the active backend has no `DataStorage` to track.
 */
export function trackMemory<T>(call: () => T): { result: T; memory: MemoryFigures } {
  const backend = tf.backend();
  const storage = findDataStorage(backend);
  if (!storage) {
    throw new Error(`Cannot measure memory on backend '${tf.getBackend()}': it keeps no tfjs-core DataStorage among its fields.`);
  }

  const allocated = new Map<object, number>();
  let liveBytes = 0;
  let peakBytes = 0;
  const originalSet = storage.set;
  const originalDelete = storage.delete;
  storage.set = function trackedSet(this: DataStorageLike, dataId: object, value: unknown) {
    // A backend may overwrite an entry (a move between backends); count only the difference.
    const bytes = entryBytes(value);
    liveBytes += bytes - (allocated.get(dataId) ?? 0);
    allocated.set(dataId, bytes);
    peakBytes = Math.max(peakBytes, liveBytes);
    originalSet.call(this, dataId, value);
  };
  storage.delete = function trackedDelete(this: DataStorageLike, dataId: object) {
    const bytes = allocated.get(dataId);
    if (bytes !== undefined) {
      liveBytes -= bytes;
      allocated.delete(dataId);
    }
    return originalDelete.call(this, dataId);
  };

  const heapBefore = heapBytes(backend);
  let result: T;
  try {
    result = call();
  } finally {
    storage.set = originalSet;
    storage.delete = originalDelete;
  }
  const heapAfter = heapBytes(backend);

  const memory: MemoryFigures = { peakBytes, outputBytes: liveBytes };
  if (heapBefore !== undefined && heapAfter !== undefined) {
    memory.heapGrowthBytes = heapAfter - heapBefore;
  }
  return { result, memory };
}
