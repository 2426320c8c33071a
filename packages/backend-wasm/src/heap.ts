import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { DataType, TensorInfo } from '@tensorflow/tfjs-core';

/**
 * Largest heap the tfjs wasm backend can grow to: its emscripten runtime
 * (4.22.0, every build) reports `getHeapMax() = 4294901760`, 64 KiB short of
 * the 4 GiB that 32-bit addresses reach.
 */
export const WASM_HEAP_MAX_BYTES = 4294901760;

/** The parts of the emscripten module behind `BackendWasm.wasm` that the kernels read. */
interface EmscriptenMemoryAccess {
  /** The instance's exports; the single-threaded builds export their memory here. */
  asm?: { memory?: WebAssembly.Memory };
  /** The threaded build creates its shared memory in JavaScript and keeps it here. */
  wasmMemory?: WebAssembly.Memory;
}

/**
 * Returns the WebAssembly memory of a tfjs wasm backend. Offsets into it stay
 * valid when it grows; only JavaScript views of its old buffer detach.
 */
export function backendMemory(backend: BackendWasm): WebAssembly.Memory {
  const module = backend.wasm as unknown as EmscriptenMemoryAccess | null;
  const memory = module?.asm?.memory ?? module?.wasmMemory;
  if (!(memory instanceof WebAssembly.Memory)) {
    throw new Error(
      '@label-smoothing/backend-wasm: the wasm backend exposes no WebAssembly.Memory at backend.wasm.asm.memory ' +
        'or backend.wasm.wasmMemory. Use @tensorflow/tfjs-backend-wasm 4.22.0, and do not dispose the backend ' +
        'while computing the loss.',
    );
  }
  return memory;
}

/** Byte offset of a tensor's data in the backend's memory; moves the data there first if it lives on another backend. */
export function memoryOffset(backend: BackendWasm, tensor: TensorInfo): number {
  return backend.dataIdMap.get(tensor.dataId).memoryOffset;
}

/** A tensor a kernel reads or writes, described for the heap check. */
export interface HeapTensor {
  role: string;
  shape: readonly number[];
}

/** Bytes of a float32 or int32 tensor of `shape`. */
export function tensorBytes(shape: readonly number[]): number {
  return shape.reduce((size, dimension) => size * dimension, 1) * 4;
}

function describe(tensors: readonly HeapTensor[]): string {
  return tensors.map((t) => `${t.role} of shape [${t.shape.join(', ')}] (${tensorBytes(t.shape)} bytes)`).join(', ');
}

/**
 * Throws when the inputs and outputs of one kernel call cannot fit on the
 * backend's 32-bit heap together, before anything is allocated or moved.
 */
export function assertFitsHeap(kernelName: string, inputs: readonly HeapTensor[], outputs: readonly HeapTensor[]): void {
  const totalBytes = [...inputs, ...outputs].reduce((sum, t) => sum + tensorBytes(t.shape), 0);
  if (totalBytes > WASM_HEAP_MAX_BYTES) {
    throw new Error(
      `${kernelName} on the wasm backend: the inputs (${describe(inputs)}) and outputs (${describe(outputs)}) ` +
        `need ${totalBytes} bytes together, more than the ${WASM_HEAP_MAX_BYTES} bytes the 32-bit WebAssembly ` +
        'heap can hold. Split the batch into smaller chunks, or use the cpu backend.',
    );
  }
}

/**
 * Allocates float32 outputs on the backend's heap with `makeOutput`. Throws,
 * after releasing what it allocated, when the heap cannot grow enough: the
 * backend's allocator then returns offset 0.
 */
export function allocateOutputs(
  backend: BackendWasm,
  kernelName: string,
  outputs: readonly HeapTensor[],
  dtype: DataType = 'float32',
): TensorInfo[] {
  const allocated: TensorInfo[] = [];
  for (const output of outputs) {
    const info = backend.makeOutput([...output.shape], dtype);
    allocated.push(info);
    if (tensorBytes(output.shape) > 0 && memoryOffset(backend, info) === 0) {
      for (const tensor of allocated) {
        backend.disposeData(tensor.dataId, true);
      }
      throw new Error(
        `${kernelName} on the wasm backend: could not allocate ${tensorBytes(output.shape)} bytes for the ` +
          `${output.role} of shape [${output.shape.join(', ')}]; the heap has ${backendMemory(backend).buffer.byteLength} ` +
          `bytes and can grow to at most ${WASM_HEAP_MAX_BYTES}. Dispose unused tensors or split the batch.`,
      );
    }
  }
  return allocated;
}
