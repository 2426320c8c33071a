/**
 * The package as a user meets it: its entry points from plain Node (ESM and
 * CommonJS, no bundler and no path setup), the 32-bit heap limit, heap
 * growth between calls, the shared-memory variant, and tensor bookkeeping.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { beforeAll, describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { labelSmoothingCrossEntropy, type LabelSmoothingAttrs } from '@label-smoothing/core';
import {
  WASM_HEAP_MAX_BYTES,
  kernelModuleFor,
  labelSmoothingBackward,
  labelSmoothingForward,
} from '@label-smoothing/backend-wasm/base';

import { SeededRandom, runWasmKernels, useWasmBackend, type KernelCase } from './helpers.js';

const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));

beforeAll(useWasmBackend);

/** Runs a script in a fresh Node process from the package directory and returns its standard output. */
function runNode(args: string[]): string {
  const result = spawnSync(process.execPath, args, { cwd: PACKAGE_DIR, encoding: 'utf8', timeout: 60_000 });
  expect(result.stderr, 'standard error').toBe('');
  expect(result.status, 'exit status').toBe(0);
  return result.stdout.trim();
}

const LOGITS = [[2, 0.5, -1], [0, 1, 3]];
const LABELS = [0, 2];

describe('entry points from plain Node', () => {
  let expected: number;

  beforeAll(() => {
    const loss = labelSmoothingCrossEntropy(LOGITS, LABELS, { smoothing: 0.1 });
    expected = loss.dataSync()[0];
    loss.dispose();
  });

  test('import registers the kernels', () => {
    const output = runNode(['--input-type=module', '-e', `
      import * as tf from '@tensorflow/tfjs-core';
      import '@tensorflow/tfjs-backend-wasm';
      import { hasFusedKernels, labelSmoothingCrossEntropyWith } from '@label-smoothing/core';
      import '@label-smoothing/backend-wasm';
      tf.env().set('PROD', true);
      await tf.setBackend('wasm');
      const loss = labelSmoothingCrossEntropyWith('fused', ${JSON.stringify(LOGITS)}, ${JSON.stringify(LABELS)}, { smoothing: 0.1 });
      console.log(JSON.stringify({ fused: hasFusedKernels('wasm'), loss: loss.dataSync()[0] }));
    `]);
    expect(JSON.parse(output)).toEqual({ fused: true, loss: expected });
  });

  test('require registers the kernels', () => {
    const output = runNode(['-e', `
      const tf = require('@tensorflow/tfjs-core');
      require('@tensorflow/tfjs-backend-wasm');
      const { hasFusedKernels, labelSmoothingCrossEntropyWith } = require('@label-smoothing/core');
      require('@label-smoothing/backend-wasm');
      tf.env().set('PROD', true);
      tf.setBackend('wasm').then(() => {
        const loss = labelSmoothingCrossEntropyWith('fused', ${JSON.stringify(LOGITS)}, ${JSON.stringify(LABELS)}, { smoothing: 0.1 });
        console.log(JSON.stringify({ fused: hasFusedKernels('wasm'), loss: loss.dataSync()[0] }));
      });
    `]);
    expect(JSON.parse(output)).toEqual({ fused: true, loss: expected });
  });

  test('base entry registers nothing', () => {
    for (const [flags, load] of [
      [['--input-type=module'], "import * as tf from '@tensorflow/tfjs-core'; await import('@label-smoothing/backend-wasm/base');"],
      [[], "const tf = require('@tensorflow/tfjs-core'); require('@label-smoothing/backend-wasm/base');"],
    ] as const) {
      const output = runNode([...flags, '-e', `${load}
        console.log(String(tf.getKernel('LabelSmoothingCrossEntropy', 'wasm') === undefined));`]);
      expect(output).toBe('true');
    }
  });
});

/** A tensor description whose data never exists: the heap check must reject it before touching any data. */
function unallocated(shape: number[], dtype: 'float32' | 'int32' = 'float32'): tf.TensorInfo {
  return { dataId: {}, shape, dtype };
}

describe('32-bit heap limit', () => {
  const attrs: LabelSmoothingAttrs = { smoothing: 0.1, smoothingMode: 'uniform', ignoreIndex: -100, labelsKind: 'index', classAxis: 1 };
  // 65536 · 16384 float32 logits are exactly 4 GiB.
  const shape = [65536, 16384];

  test('forward rejects inputs larger than the heap', () => {
    const call = () => labelSmoothingForward({
      inputs: { logits: unallocated(shape), labels: unallocated([65536], 'int32'), weight: unallocated([16384]) },
      backend: tf.backend(),
      attrs: attrs as unknown as tf.NamedAttrMap,
    });
    expect(call).toThrow(/logits of shape \[65536, 16384\] \(4294967296 bytes\)/);
    expect(call).toThrow(`more than the ${WASM_HEAP_MAX_BYTES} bytes`);
  });

  test('backward rejects a gradient that cannot fit beside its logits', () => {
    // 2.5 GB of logits would fit alone; with their gradient they need 5 GB.
    const rows = 40000;
    const call = () => labelSmoothingBackward({
      inputs: {
        dy: unallocated([rows]),
        logits: unallocated([rows, 16384]),
        labels: unallocated([rows], 'int32'),
        weight: unallocated([16384]),
        maxLogit: unallocated([rows]),
        shiftedLogSumExp: unallocated([rows]),
      },
      backend: tf.backend(),
      attrs: attrs as unknown as tf.NamedAttrMap,
    });
    expect(call).toThrow(/logits' gradient of shape \[40000, 16384\] \(2621440000 bytes\)/);
  });
});

function smallCase(seed: string): KernelCase {
  const random = new SeededRandom(seed);
  return {
    shape: [3, 10, 5],
    logits: random.normals(150, 2),
    labels: Int32Array.from({ length: 15 }, () => random.integer(0, 9)),
    weight: Float32Array.from({ length: 10 }, () => random.uniform(0.5, 2)),
    attrs: { smoothing: 0.2, smoothingMode: 'non-target', ignoreIndex: -100, labelsKind: 'index', classAxis: 1 },
  };
}

test('results survive heap growth between calls', () => {
  const testCase = smallCase('growth');
  const dy = new Float32Array(15).fill(1);
  const before = runWasmKernels(testCase, dy);

  const memory = (tf.backend() as unknown as { wasm: { asm: { memory: WebAssembly.Memory } } }).wasm.asm.memory;
  const heapBytes = memory.buffer.byteLength;
  // A 256 MB tensor makes the backend grow its heap, which detaches every old view.
  const filler = tf.zeros([64, 1024, 1024]);
  expect(memory.buffer.byteLength).toBeGreaterThan(heapBytes);
  const after = runWasmKernels(testCase, dy);
  filler.dispose();

  expect(after.forward.losses).toEqual(before.forward.losses);
  expect(after.gradient).toEqual(before.gradient);
});

test('shared-memory module computes the same bits', () => {
  const random = new SeededRandom('shared');
  const [outer, numClasses, inner] = [3, 37, 6];
  const size = outer * numClasses * inner;
  const positions = outer * inner;
  const logits = random.normals(size, 2);
  const labels = Int32Array.from({ length: positions }, () => random.integer(0, numClasses - 1));
  const weight = Float32Array.from({ length: numClasses }, () => random.uniform(0.5, 2));

  const results = [false, true].map((shared) => {
    const memory = shared
      ? new WebAssembly.Memory({ initial: 2, maximum: 65536, shared: true })
      : new WebAssembly.Memory({ initial: 2 });
    const floats = new Float32Array(memory.buffer);
    const words = new Int32Array(memory.buffer);
    // Byte offsets of logits, labels, weight and the four outputs.
    const offsets = [0, size * 4, (size + positions) * 4, (size + positions + numClasses) * 4];
    for (let k = 1; k < 4; k++) offsets.push(offsets[3] + k * positions * 4);
    floats.set(logits, 0);
    words.set(labels, offsets[1] / 4);
    floats.set(weight, offsets[2] / 4);
    kernelModuleFor(memory).forwardIndexLabels(...offsets, outer, numClasses, inner, 0.9, 0.1 / numClasses, 1, -100, 1);
    return new Float32Array(memory.buffer, offsets[3], positions * 4).slice();
  });
  expect(results[1]).toEqual(results[0]);
});

test('loss and gradient through core leak no tensors', () => {
  const testCase = smallCase('core-leaks');
  const before = tf.memory().numTensors;
  const logits = tf.tensor(testCase.logits, testCase.shape);
  const labels = tf.tensor(testCase.labels, [3, 5], 'int32');
  for (const reduction of ['mean', 'sum', 'none'] as const) {
    const options = { classAxis: 1, weight: Array.from(testCase.weight), reduction };
    const { value, grad } = tf.valueAndGrad((x: tf.Tensor) => labelSmoothingCrossEntropy(x, labels, options))(logits);
    tf.dispose([value, grad]);
  }
  tf.dispose([logits, labels]);
  expect(tf.memory().numTensors).toBe(before);
});
