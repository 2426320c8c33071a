import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { memory as engineMemory, type DataType, type TensorInfo } from '@tensorflow/tfjs-core';

/**
 * Largest heap the tfjs wasm backend can grow to: its emscripten runtime
 * (4.22.0, every build) reports `getHeapMax() = 4294901760`, 64 KiB short of
 * the 4 GiB that 32-bit addresses reach.
 */
export const WASM_HEAP_MAX_BYTES = 4294901760;

/**
 * Heap bytes that tensors cannot use: the backend's static data and stack
 * (its initial heap is 16 MiB) plus allocator overhead and fragmentation.
 * NOTE: an estimate, not measured at the limit for every allocation pattern.
 */
export const WASM_HEAP_RESERVE_BYTES = 64 * 1024 * 1024;

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
 * Throws, before anything is allocated or moved, when one kernel call cannot
 * fit on the backend's 32-bit heap. The backend's allocator aborts the whole
 * wasm module when it cannot grow the heap, so the call must fail here first.
 *
 * Two checks: the inputs and outputs of the call together must fit the
 * heap, and the outputs plus the bytes of every tensor tfjs keeps must fit
 * it less `WASM_HEAP_RESERVE_BYTES`. The second check counts tensors on every
 * backend (tfjs' `memory().numBytes`), so it errs on the side of rejecting.
 */
export function assertFitsHeap(kernelName: string, inputs: readonly HeapTensor[], outputs: readonly HeapTensor[]): void {
  const inputBytes = inputs.reduce((sum, t) => sum + tensorBytes(t.shape), 0);
  const outputBytes = outputs.reduce((sum, t) => sum + tensorBytes(t.shape), 0);
  if (inputBytes + outputBytes > WASM_HEAP_MAX_BYTES) {
    throw new Error(
      `${kernelName} on the wasm backend: the inputs (${describe(inputs)}) and outputs (${describe(outputs)}) ` +
        `need ${inputBytes + outputBytes} bytes together, more than the ${WASM_HEAP_MAX_BYTES} bytes the 32-bit ` +
        'WebAssembly heap can hold. Split the batch into smaller chunks, or use the cpu backend.',
    );
  }

  const heldBytes = engineMemory().numBytes;
  if (heldBytes + outputBytes > WASM_HEAP_MAX_BYTES - WASM_HEAP_RESERVE_BYTES) {
    throw new Error(
      `${kernelName} on the wasm backend: cannot allocate ${describe(outputs)}, because tensors already hold ` +
        `${heldBytes} bytes of the at most ${WASM_HEAP_MAX_BYTES} bytes of the 32-bit WebAssembly heap. ` +
        'Dispose unused tensors or split the batch into smaller chunks.',
    );
  }
}

/** Allocates outputs on the backend's heap with `makeOutput`. Call `assertFitsHeap` first. */
export function allocateOutputs(
  backend: BackendWasm,
  outputs: readonly HeapTensor[],
  dtype: DataType = 'float32',
): TensorInfo[] {
  return outputs.map((output) => backend.makeOutput([...output.shape], dtype));
}
