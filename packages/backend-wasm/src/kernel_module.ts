import { KERNEL_MODULE_BASE64, SHARED_KERNEL_MODULE_BASE64 } from './generated/kernel_module_bytes.js';

/**
 * Argument names of every function the kernel module exports, in order. The
 * AssemblyScript signatures in assembly/ must list the same arguments; a test
 * checks each export's arity against this table.
 *
 * Conventions at the boundary:
 * - pointers are byte offsets into the tfjs wasm backend's memory (`usize`);
 * - tensors use the `[outerSize, numClasses, innerSize]` view of the kernel
 *   contract; index labels and per-position tensors are `[outerSize, innerSize]`;
 * - `sumIncludesTarget` and `ignoreEnabled` are 0 or 1;
 * - `ignoreIndex` is an int32; `ignoreEnabled` is 0 when the contract's
 *   ignore index lies outside the int32 range, where no int32 label equals it;
 * - probability labels are smoothed as `q = targetSlope · t + targetOffset`.
 */
export const KERNEL_MODULE_ARGUMENTS = {
  forwardIndexLabels: [
    'logits', 'labels', 'weight', 'losses', 'maxLogit', 'shiftedLogSumExp', 'targetWeight',
    'outerSize', 'numClasses', 'innerSize',
    'targetCoefficient', 'otherCoefficient', 'sumIncludesTarget', 'ignoreIndex', 'ignoreEnabled',
  ],
  forwardProbabilityLabels: [
    'logits', 'labels', 'weight', 'losses', 'maxLogit', 'shiftedLogSumExp', 'targetWeight',
    'outerSize', 'numClasses', 'innerSize',
    'targetSlope', 'targetOffset',
  ],
  backwardIndexLabels: [
    'dy', 'logits', 'labels', 'weight', 'maxLogit', 'shiftedLogSumExp', 'gradient',
    'outerSize', 'numClasses', 'innerSize',
    'targetCoefficient', 'otherCoefficient', 'sumIncludesTarget', 'ignoreIndex', 'ignoreEnabled',
  ],
  backwardProbabilityLabels: [
    'dy', 'logits', 'labels', 'weight', 'maxLogit', 'shiftedLogSumExp', 'gradient',
    'outerSize', 'numClasses', 'innerSize',
    'targetSlope', 'targetOffset',
  ],
  expElements: ['input', 'output', 'count'],
  logElements: ['input', 'output', 'count'],
} as const;

/**
 * Converts the contract's ignore index, any integer, to the kernel module's
 * `ignoreIndex, ignoreEnabled` pair. Labels are int32, so an ignore index
 * outside that range matches no label, and passing it as a wrapped int32
 * would ignore a real class.
 */
export function ignoreIndexArguments(ignoreIndex: number): [ignoreIndex: number, ignoreEnabled: number] {
  return ignoreIndex === (ignoreIndex | 0) ? [ignoreIndex, 1] : [0, 0];
}

/** A kernel module function: every argument is a number (pointer, size, flag or coefficient). */
type KernelModuleFunction = (...args: number[]) => void;

/** The functions of one kernel module instance, named as in `KERNEL_MODULE_ARGUMENTS`. */
export type KernelModuleExports = { [name in keyof typeof KERNEL_MODULE_ARGUMENTS]: KernelModuleFunction };

/** Compiled variant for a memory, because WebAssembly only imports a shared memory into a module declared shared. */
export type KernelModuleVariant = 'unshared' | 'shared';

const compiledModules = new Map<KernelModuleVariant, WebAssembly.Module>();
const instances = new WeakMap<WebAssembly.Memory, KernelModuleExports>();

/** Decodes base64 with `atob`, which Node (16+) and browsers provide. */
function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index++) {
    bytes[index] = binary.charCodeAt(index);
  }
  return bytes;
}

/** Returns the kernel module's binary for one variant. */
export function kernelModuleBytes(variant: KernelModuleVariant): Uint8Array<ArrayBuffer> {
  return decodeBase64(variant === 'shared' ? SHARED_KERNEL_MODULE_BASE64 : KERNEL_MODULE_BASE64);
}

/**
 * Compiles a variant once per process. Compiling is synchronous because tfjs
 * kernels are. The module is about 32 KB, well below the 8 MB that Chromium
 * compiles synchronously on the main thread, and Node sets no limit.
 */
function compiledModule(variant: KernelModuleVariant): WebAssembly.Module {
  let compiled = compiledModules.get(variant);
  if (compiled === undefined) {
    compiled = new WebAssembly.Module(kernelModuleBytes(variant));
    compiledModules.set(variant, compiled);
  }
  return compiled;
}

/**
 * Returns the kernel module instantiated on `memory`, creating it on first
 * use. The instance computes in place on that memory: it has no memory, data
 * segments or allocator of its own, so instantiating it writes nothing.
 */
export function kernelModuleFor(memory: WebAssembly.Memory): KernelModuleExports {
  let instance = instances.get(memory);
  if (instance === undefined) {
    const variant: KernelModuleVariant =
      typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer ? 'shared' : 'unshared';
    const created = new WebAssembly.Instance(compiledModule(variant), { env: { memory } });
    instance = created.exports as unknown as KernelModuleExports;
    instances.set(memory, instance);
  }
  return instance;
}
