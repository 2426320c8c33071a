/**
 * Checks specific to the webgpu kernels, run in the page after the webgpu
 * backend is active. They cover every lanes-per-row variant of the programs
 * at the class counts where the variant changes, 50,000 classes with mostly
 * -Infinity logits, and labels the host cannot check. They also cover the
 * compiled-program cache and buffer leaks over training steps. Each compares
 * with the float64 reference.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { labelSmoothingCrossEntropy, type LabelSmoothingOptions } from '@label-smoothing/core';

import type { CheckResult } from '../checks.js';
import { SeededRandom } from '../random.js';
import { referenceGradients, referenceLosses, type ReferenceInput } from '../reference.js';
import { TOLERANCES, compareValues, type Comparison, type Tolerance } from '../tolerances.js';

const GROUP = 'webgpu';

function result(caseName: string, check: string, comparison: Comparison): CheckResult {
  return {
    caseName,
    group: GROUP,
    check,
    passed: comparison.passed,
    maxAbsoluteError: comparison.maxAbsoluteError,
    maxRelativeError: comparison.maxRelativeError,
    message: comparison.firstMismatch,
  };
}

function failed(caseName: string, check: string, message: string): CheckResult {
  return { caseName, group: GROUP, check, passed: false, maxAbsoluteError: Infinity, maxRelativeError: Infinity, message };
}

function passedIf(caseName: string, check: string, condition: boolean, message: string): CheckResult {
  return condition
    ? { caseName, group: GROUP, check, passed: true, maxAbsoluteError: 0, maxRelativeError: 0 }
    : failed(caseName, check, message);
}

/** Runs `body`, turning an exception into a failed check. */
async function guarded(caseName: string, body: () => CheckResult[] | Promise<CheckResult[]>): Promise<CheckResult[]> {
  try {
    return await body();
  } catch (error) {
    return [failed(caseName, 'run', `threw ${error instanceof Error ? error.message : String(error)}`)];
  }
}

function positionsShapeOf(input: ReferenceInput): number[] {
  const axis = input.classAxis < 0 ? input.classAxis + input.shape.length : input.classAxis;
  return input.shape.filter((_, dimension) => dimension !== axis);
}

function optionsOf(input: ReferenceInput): LabelSmoothingOptions {
  return {
    smoothing: input.smoothing,
    smoothingMode: input.smoothingMode,
    classAxis: input.classAxis,
    weight: input.weight ? Array.from(input.weight) : undefined,
    ignoreIndex: input.labelsKind === 'index' ? input.ignoreIndex : undefined,
  };
}

/** Per-position losses and the `'sum'` gradients from the fused kernels, read back asynchronously. */
async function evaluate(input: ReferenceInput): Promise<{ losses: Float32Array; logitsGradient: Float32Array; labelsGradient?: Float32Array }> {
  const logits = tf.tensor(Float32Array.from(input.logits), input.shape, 'float32');
  const labels = input.labelsKind === 'index'
    ? tf.tensor(Int32Array.from(input.labels), positionsShapeOf(input), 'int32')
    : tf.tensor(Float32Array.from(input.labels), input.shape, 'float32');
  const options = optionsOf(input);
  try {
    const losses = labelSmoothingCrossEntropy(logits, labels, { ...options, reduction: 'none' });
    const sumLoss = (x: tf.Tensor, t: tf.Tensor) => labelSmoothingCrossEntropy(x, t, { ...options, reduction: 'sum' });
    const gradients = input.labelsKind === 'probability'
      ? tf.grads(sumLoss)([logits, labels])
      : [tf.grad((x: tf.Tensor) => sumLoss(x, labels))(logits)];
    const values = await Promise.all([losses, ...gradients].map((tensor) => tensor.data()));
    tf.dispose([losses, ...gradients]);
    return {
      losses: values[0] as Float32Array,
      logitsGradient: values[1] as Float32Array,
      labelsGradient: values[2] as Float32Array | undefined,
    };
  } finally {
    tf.dispose([logits, labels]);
  }
}

/** Compares losses and gradients of one input with the float64 reference. */
function checkAgainstReference(caseName: string, input: ReferenceInput, tolerance: Tolerance): Promise<CheckResult[]> {
  return guarded(caseName, async () => {
    const actual = await evaluate(input);
    const expected = referenceGradients(input, 'sum');
    const results = [
      result(caseName, 'loss:none', compareValues(actual.losses, referenceLosses(input).losses, tolerance.loss)),
      result(caseName, 'logits-gradient:sum', compareValues(actual.logitsGradient, expected.logits, tolerance.gradient)),
    ];
    if (actual.labelsGradient && expected.labels) {
      results.push(result(caseName, 'labels-gradient:sum', compareValues(actual.labelsGradient, expected.labels, tolerance.gradient)));
    }
    return results;
  });
}

/** Draws a random input of `shape` with its classes on `classAxis`. */
function randomInput(
  random: SeededRandom,
  shape: number[],
  classAxis: number,
  labelsKind: 'index' | 'probability',
  options: Partial<Pick<ReferenceInput, 'smoothing' | 'smoothingMode' | 'weight' | 'ignoreIndex'>> = {},
): ReferenceInput {
  const axis = classAxis < 0 ? classAxis + shape.length : classAxis;
  const numClasses = shape[axis];
  const size = shape.reduce((a, b) => a * b, 1);
  const ignoreIndex = options.ignoreIndex ?? -100;
  const labels = labelsKind === 'index'
    ? Int32Array.from({ length: size / numClasses }, () => (random.uniform() < 0.15 ? ignoreIndex : random.integer(0, numClasses - 1)))
    : Float32Array.from({ length: size }, () => Math.round(random.uniform() * 64) / 64);
  return {
    shape,
    classAxis,
    logits: random.exactLogits(size),
    labels,
    labelsKind,
    smoothing: options.smoothing ?? 0.1,
    smoothingMode: options.smoothingMode ?? 'uniform',
    weight: options.weight,
    ignoreIndex,
  };
}

/**
 * Checks class counts on both sides of changes of lanes per row. With at
 * most 6 rows, C = 32 gets 1 lane, 33 gets 2, 256 gets 8, 257 gets 16, 2048
 * gets 64 and 2049 gets 128 (`rowLanes` of the webgpu package). The inputs
 * use both label forms, class weights and both smoothing modes, and some put
 * the classes on a middle or first axis, so the lanes read strided logits.
 */
async function checkLaneBoundaries(tolerance: Tolerance): Promise<CheckResult[]> {
  const random = new SeededRandom('webgpu-lanes');
  const results: CheckResult[] = [];
  for (const numClasses of [32, 33, 256, 257, 2048, 2049]) {
    const weight = Float32Array.from({ length: numClasses }, (_, c) => 0.25 + (c % 7) / 4);
    results.push(...await checkAgainstReference(`lanes-c${numClasses}-index-last-axis`,
      randomInput(random, [5, numClasses], -1, 'index', { smoothing: 0.2 }), tolerance));
    results.push(...await checkAgainstReference(`lanes-c${numClasses}-index-middle-axis-non-target`,
      randomInput(random, [2, numClasses, 3], 1, 'index', { smoothing: 0.3, smoothingMode: 'non-target', weight }), tolerance));
    results.push(...await checkAgainstReference(`lanes-c${numClasses}-probability-first-axis`,
      randomInput(random, [numClasses, 2], 0, 'probability', { smoothing: 0.1, weight }), tolerance));
  }
  return results;
}

/**
 * 50,000 classes in 4 rows, so 256 lanes per row read about 196 classes
 * each. Row 1 is -Infinity except for its last class, so all lanes but one
 * see only -Infinity and must not poison the maximum: with ε = 0 its loss is
 * exactly 0, with ε = 0.1 it is +Infinity. Row 2 contains one NaN and must
 * be NaN.
 */
async function checkManyClasses(tolerance: Tolerance): Promise<CheckResult[]> {
  const numClasses = 50_000;
  const random = new SeededRandom('webgpu-many-classes');
  const input = randomInput(random, [4, numClasses], -1, 'index', { smoothing: 0.1 });
  const logits = input.logits as Float32Array;
  const labels = input.labels as Int32Array;
  logits.fill(-Infinity, numClasses, 2 * numClasses);
  logits[2 * numClasses - 1] = 2.5;
  labels[1] = numClasses - 1;
  logits[2 * numClasses + 31_337] = NaN;
  labels[2] = 7;
  labels[3] = -100;

  return [
    ...await checkAgainstReference('many-classes-smoothing', input, tolerance),
    ...await checkAgainstReference('many-classes-no-smoothing', { ...input, smoothing: 0 }, tolerance),
  ];
}

/**
 * Labels outside [0, C) that are not the ignore index: core cannot read them
 * on webgpu, so the kernels must make those rows NaN, never a finite value.
 * The ignore index here is a real class id (1), which must still be skipped.
 */
async function checkInvalidLabels(tolerance: Tolerance): Promise<CheckResult[]> {
  const caseName = 'invalid-labels';
  return guarded(caseName, async () => {
    const random = new SeededRandom('webgpu-invalid-labels');
    const input = randomInput(random, [6, 4], -1, 'index', { smoothing: 0.1, ignoreIndex: 1 });
    (input.labels as Int32Array).set([0, 4, -1, 1, 3, 1000]);
    const invalidRows = [1, 2, 5];

    const actual = await evaluate(input);
    // The reference has no notion of an invalid label; those rows are NaN.
    const expectedLosses = referenceLosses({ ...input, labels: Int32Array.from(input.labels, (label, row) => (invalidRows.includes(row) ? 1 : label)) }).losses;
    const expectedGradient = referenceGradients({ ...input, labels: Int32Array.from(input.labels, (label, row) => (invalidRows.includes(row) ? 1 : label)) }, 'sum').logits;
    for (const row of invalidRows) {
      expectedLosses[row] = NaN;
      expectedGradient.fill(NaN, row * 4, row * 4 + 4);
    }
    return [
      result(caseName, 'loss:none', compareValues(actual.losses, expectedLosses, tolerance.loss)),
      result(caseName, 'logits-gradient:sum', compareValues(actual.logitsGradient, expectedGradient, tolerance.gradient)),
    ];
  });
}

/**
 * Logits 30,000 apart: the smoothing sum is formed relative to the row
 * maximum, so 0.1/4 · 90,000 = 2250 comes out exactly.
 */
async function checkLargeGap(): Promise<CheckResult[]> {
  const caseName = 'large-gap-2250';
  return guarded(caseName, async () => {
    const loss = labelSmoothingCrossEntropy(
      tf.tensor2d([[0, -30000, -30000, -30000]]), tf.tensor1d([0], 'int32'), { smoothing: 0.1, reduction: 'none' });
    const value = (await loss.data())[0];
    loss.dispose();
    return [result(caseName, 'loss:none', compareValues([value], [2250], { absolute: 0, relative: 1e-6 }))];
  });
}

/** Keys of the compiled loss programs in the webgpu backend's pipeline cache. */
function lossProgramKeys(): string[] {
  const backend = tf.backend() as unknown as { pipelineCache: Record<string, unknown> };
  return Object.keys(backend.pipelineCache).filter((key) => key.startsWith('labelSmoothing'));
}

/**
 * Alternates ε, smoothing mode, ignore index and C. They are uniforms, so
 * within one lanes-per-row variant the loss programs compile once and every
 * call still gets its own values. A C that needs other lanes compiles new
 * programs. Every call is compared with the reference, so a program reused
 * with another call's values would fail here.
 */
async function checkProgramCache(tolerance: Tolerance): Promise<CheckResult[]> {
  const caseName = 'program-cache';
  return guarded(caseName, async () => {
    const random = new SeededRandom('webgpu-program-cache');
    const five = randomInput(random, [4, 5], -1, 'index', { smoothing: 0.1 });
    const seven = randomInput(random, [4, 7], -1, 'index', { smoothing: 0.1 });
    const forty = randomInput(random, [4, 40], -1, 'index', { smoothing: 0.1 });
    const results: CheckResult[] = [];

    results.push(...await checkAgainstReference('program-cache-c5-eps-0.1', five, tolerance));
    const afterFirst = lossProgramKeys();
    results.push(...await checkAgainstReference('program-cache-c5-eps-0.4', { ...five, smoothing: 0.4 }, tolerance));
    results.push(...await checkAgainstReference('program-cache-c7-eps-0.4', { ...seven, smoothing: 0.4 }, tolerance));
    results.push(...await checkAgainstReference('program-cache-c5-non-target', { ...five, smoothingMode: 'non-target' }, tolerance));
    results.push(...await checkAgainstReference('program-cache-c7-ignore-2', { ...seven, ignoreIndex: 2, labels: Int32Array.from([2, 0, 2, 6]) }, tolerance));
    const afterUniforms = lossProgramKeys();
    results.push(passedIf(caseName, 'new-uniforms-reuse-programs', afterUniforms.length === afterFirst.length,
      `changing ε, mode, ignore index or C within one lanes variant compiled ${afterUniforms.length - afterFirst.length} new program(s)`));

    results.push(...await checkAgainstReference('program-cache-c40-eps-0.4', { ...forty, smoothing: 0.4 }, tolerance));
    results.push(passedIf(caseName, 'new-lanes-compile', lossProgramKeys().length > afterUniforms.length,
      'a C that needs more lanes per row compiled no new program'));
    results.push(...await checkAgainstReference('program-cache-c5-eps-0', { ...five, smoothing: 0 }, tolerance));
    results.push(...await checkAgainstReference('program-cache-c7-eps-1', { ...seven, smoothing: 1 }, tolerance));

    const unexpected = lossProgramKeys().filter((key) => !/^labelSmoothing(RowStatistics|Gradient)_(index|probability)_lanes\d+_|^labelSmoothingExtractStatistic_/.test(key));
    results.push(passedIf(caseName, 'keys-name-labels-kind-and-lanes', unexpected.length === 0, `unexpected keys: ${unexpected.join(', ')}`));
    return results;
  });
}

/**
 * 200 training steps of a linear classifier: after a warm-up step, the
 * tensor count, the bytes and the GPU bytes in use must not grow. Each step
 * reads its loss back, so the queue is flushed and buffers released before
 * the next one.
 */
async function checkNoBufferLeak(): Promise<CheckResult[]> {
  const caseName = 'training-200-steps';
  return guarded(caseName, async () => {
    const random = new SeededRandom('webgpu-training');
    const features = tf.tensor2d(random.exactLogits(32 * 8, 0.5), [32, 8]);
    const labels = tf.tensor1d(Int32Array.from({ length: 32 }, () => random.integer(0, 9)), 'int32');
    const kernel = tf.variable(tf.tensor2d(random.exactLogits(8 * 10, 0.1), [8, 10]));
    const optimizer = tf.train.sgd(0.1);
    const step = async () => {
      const cost = optimizer.minimize(() =>
        labelSmoothingCrossEntropy(tf.matMul(features, kernel), labels, { smoothing: 0.1 }) as tf.Scalar, true);
      await cost?.data();
      cost?.dispose();
    };

    try {
      await step();
      const before = tf.memory() as tf.MemoryInfo & { numBytesInGPU: number };
      for (let index = 0; index < 200; index++) {
        await step();
      }
      const after = tf.memory() as tf.MemoryInfo & { numBytesInGPU: number };
      const growth = `numTensors ${before.numTensors} -> ${after.numTensors}, numBytes ${before.numBytes} -> ${after.numBytes}, ` +
        `numBytesInGPU ${before.numBytesInGPU} -> ${after.numBytesInGPU}`;
      return [
        passedIf(caseName, 'numTensors', after.numTensors === before.numTensors, growth),
        passedIf(caseName, 'numBytes', after.numBytes === before.numBytes, growth),
        passedIf(caseName, 'numBytesInGPU', after.numBytesInGPU === before.numBytesInGPU, growth),
      ];
    } finally {
      optimizer.dispose();
      tf.dispose([features, labels, kernel]);
    }
  });
}

/** Runs every webgpu check on the active webgpu backend. */
export async function runWebGPUChecks(): Promise<CheckResult[]> {
  const tolerance = TOLERANCES.float32;
  // The cache check runs first, while only its own loss programs are compiled.
  return [
    ...await checkProgramCache(tolerance),
    ...await checkLaneBoundaries(tolerance),
    ...await checkManyClasses(tolerance),
    ...await checkInvalidLabels(tolerance),
    ...await checkLargeGap(),
    ...await checkNoBufferLeak(),
  ];
}
