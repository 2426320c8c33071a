/**
 * Side-effect-free entry: the wasm kernels and their WebAssembly module,
 * without registering anything. Import `@label-smoothing/backend-wasm` to register.
 */
export { labelSmoothingForward, labelSmoothingForwardConfig } from './kernels/label_smoothing_forward.js';
export { labelSmoothingBackward, labelSmoothingBackwardConfig } from './kernels/label_smoothing_backward.js';
export { registerWasmKernels } from './register.js';
export {
  KERNEL_MODULE_ARGUMENTS,
  kernelModuleBytes,
  kernelModuleFor,
  type KernelModuleExports,
  type KernelModuleVariant,
} from './kernel_module.js';
export { WASM_HEAP_MAX_BYTES, backendMemory } from './heap.js';
