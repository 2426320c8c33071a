/**
 * The heap-size check at the real limit: a gradient that the nearly full
 * 32-bit heap cannot take is rejected with an error before tfjs' allocator
 * runs (which would abort the whole wasm module), and the backend stays usable.
 * It allocates about 4 GB, so it runs in its own test file (its own process)
 * and only when asked for.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { LabelSmoothingBackward, LabelSmoothingForward } from '@label-smoothing/core';

import { useWasmBackend } from './helpers.js';

beforeAll(useWasmBackend);

const LARGE_HEAP_TESTS = process.env.LARGE_HEAP_TESTS === '1';

describe.skipIf(!LARGE_HEAP_TESTS)(
  LARGE_HEAP_TESTS ? 'full heap' : 'full heap (skipped: set LARGE_HEAP_TESTS=1 to allocate about 4 GB)', () => {
  test('backward rejects gradient on full heap', () => {
    const [rows, numClasses] = [30000, 16384];
    const attrs = { smoothing: 0.1, smoothingMode: 'uniform', ignoreIndex: -100, labelsKind: 'index', classAxis: 1 };
    // 2 GiB held elsewhere plus 1.97 GB of logits leave no room for a 1.97 GB gradient.
    const ballast = tf.fill([512, 1024, 1024], 0);
    const logits = tf.fill([rows, numClasses], 0.5);
    const labels = tf.fill([rows], 1, 'int32');
    const weight = tf.ones([numClasses]);
    const [losses, maxLogit, shiftedLogSumExp, targetWeight] =
      tf.engine().runKernel(LabelSmoothingForward, { logits, labels, weight }, attrs) as tf.Tensor[];
    const dy = tf.onesLike(losses);
    const backward = () =>
      tf.engine().runKernel(LabelSmoothingBackward, { dy, logits, labels, weight, maxLogit, shiftedLogSumExp }, attrs) as tf.Tensor;

    expect(backward).toThrow(/cannot allocate logits' gradient of shape \[30000, 16384\] \(1966080000 bytes\)/);

    ballast.dispose();
    const gradient = backward();
    expect(gradient.shape).toEqual([rows, numClasses]);
    expect(Number.isFinite(gradient.dataSync()[0])).toBe(true);
    tf.dispose([gradient, logits, labels, weight, losses, maxLogit, shiftedLogSumExp, targetWeight, dy]);
  }, 120_000);
});
