/** One comparison: the same model trained once per smoothing value, then evaluated on the test set. */
import * as tf from '@tensorflow/tfjs-core';

import { activateBackend, type BackendInfo } from './backend.js';
import type { DemoOptions } from './cli.js';
import { CLASS_COUNT, loadMnistSplit, type MnistSplit } from './data.js';
import { DEFAULT_BIN_COUNT, evaluateLogits } from './metrics.js';
import { buildReport, type DemoReport, type DemoSettings, type RunResult } from './report.js';
import { compileModel, createModel, predictLogits, trainModel, type TrainingObserver } from './train.js';

/** Settings that have no flag: the model and optimizer are fixed so that runs stay comparable. */
export const FIXED_SETTINGS = {
  batchSize: 64,
  learningRate: 0.001,
  hiddenUnits: 128,
  binCount: DEFAULT_BIN_COUNT,
} as const;

export interface ExperimentHooks {
  /** Receives one line of status text, without a trailing newline. */
  log(line: string): void;
  /** Returns the progress observer of the run with `smoothing`. */
  observerFor(smoothing: number): TrainingObserver;
}

export interface ExperimentResult {
  report: DemoReport;
  results: RunResult[];
}

/** Activates the backend, loads the data, trains and evaluates one model per smoothing value. */
export async function runExperiment(options: Omit<DemoOptions, 'outDirectory'>, hooks: ExperimentHooks): Promise<ExperimentResult> {
  const started = performance.now();
  const backendInfo = await activateBackend(options.backend);
  hooks.log(describeBackend(backendInfo));

  const split = loadMnistSplit(options.trainSize, options.testSize, options.seed);
  hooks.log(`Data: ${split.train.count} training and ${split.test.count} test digits, split with seed ${options.seed}.`);

  const settings: DemoSettings = {
    backend: options.backend,
    epochs: options.epochs,
    trainSize: options.trainSize,
    testSize: options.testSize,
    smoothing: options.smoothing,
    seed: options.seed,
    ...FIXED_SETTINGS,
  };
  const results: RunResult[] = [];
  for (const smoothing of options.smoothing) {
    results.push(await runOnce(settings, smoothing, split, hooks.observerFor(smoothing)));
  }

  const environment = { ...backendInfo, node: process.versions.node, tfjs: tf.version_core };
  const report = buildReport(settings, environment, results, (performance.now() - started) / 1000);
  return { report, results };
}

/** Trains a fresh model from the shared seed with `smoothing`, then evaluates it on the test set. */
export async function runOnce(
  settings: DemoSettings,
  smoothing: number,
  split: MnistSplit,
  observer: TrainingObserver,
): Promise<RunResult> {
  const model = createModel(settings.seed, settings.hiddenUnits);
  compileModel(model, smoothing, settings.learningRate);

  try {
    const started = performance.now();
    const history = await trainModel(model, split.train, { ...settings, smoothing }, observer);
    const trainingSeconds = (performance.now() - started) / 1000;

    const logits = await predictLogits(model, split.test);
    const test = evaluateLogits(logits, split.test.labels, CLASS_COUNT, settings.binCount);
    return { smoothing, trainingSeconds, history, test };
  } finally {
    model.optimizer?.dispose();
    model.dispose();
  }
}

function describeBackend(info: BackendInfo): string {
  const loss =
    info.lossImplementation === 'fused'
      ? `fused kernels from ${info.kernelPackage}`
      : 'the composite fallback of @label-smoothing/core';
  const notice = info.notice === null ? '' : ` (${info.notice})`;
  return `Backend: tfjs ${info.backend} ${tf.version_core}; loss computed by ${loss}${notice}.`;
}
