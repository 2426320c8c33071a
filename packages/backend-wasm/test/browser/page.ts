/**
 * Page script of the browser test, bundled with esbuild: runs the loss and
 * its gradient on the tfjs wasm backend in Chromium and returns the values.
 */
import * as tf from '@tensorflow/tfjs-core';
import { setWasmPaths, type BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { hasFusedKernels, labelSmoothingCrossEntropy, type LabelSmoothingOptions } from '@label-smoothing/core';
import { backendMemory } from '@label-smoothing/backend-wasm/base';
import '@label-smoothing/backend-wasm';

/** One loss computation, as plain arrays so that it crosses into the page as JSON. */
export interface PageInput {
  shape: number[];
  logits: number[];
  labelsShape: number[];
  labels: number[];
  labelsDtype: 'int32' | 'float32';
  options: LabelSmoothingOptions;
}

export interface PageOutput {
  fused: boolean;
  /** Whether tfjs runs its threaded build, whose heap is a shared memory. */
  sharedHeap: boolean;
  loss: number[];
  gradient: number[];
}

async function runLoss(inputs: PageInput[]): Promise<PageOutput[]> {
  // The tfjs backend's own binaries are served next to the page; this
  // package's kernel module is embedded in the bundle and needs no path.
  setWasmPaths('/tfjs-wasm/');
  tf.env().set('PROD', true);
  if (!(await tf.setBackend('wasm'))) {
    throw new Error("tf.setBackend('wasm') failed in the page");
  }
  // SharedArrayBuffer exists only on cross-origin isolated pages.
  const heap = backendMemory(tf.backend() as BackendWasm).buffer;
  const sharedHeap = typeof SharedArrayBuffer !== 'undefined' && heap instanceof SharedArrayBuffer;

  return inputs.map((input) => tf.tidy(() => {
    const logits = tf.tensor(input.logits, input.shape, 'float32');
    const labels = tf.tensor(input.labels, input.labelsShape, input.labelsDtype);
    const lossFunction = (x: tf.Tensor) => labelSmoothingCrossEntropy(x, labels, input.options);
    const { value, grad } = tf.valueAndGrad(lossFunction)(logits);
    return {
      fused: hasFusedKernels('wasm'),
      sharedHeap,
      loss: Array.from(value.dataSync()),
      gradient: Array.from(grad.dataSync()),
    };
  }));
}

(window as unknown as { runLoss: typeof runLoss }).runLoss = runLoss;
