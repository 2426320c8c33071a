/**
 * The results file, `benchmarks/results.json`: everything a run measured,
 * with one flat row per backend, implementation, shape and pass, so that
 * readers and the tests need not walk the nested per-backend results.
 */
import type { BackendResult, MemoryFigures, Pass, TfjsImplementation } from '../measure/types.js';
import type { PytorchResult } from '../pytorch/run_pytorch.js';
import type { ShapeSpec } from '../shapes.js';
import type { Machine } from './machine.js';

/** The implementations of the rows: the tfjs ones, and PyTorch on one and on all threads. */
export type RowImplementation = TfjsImplementation | 'pytorch-1-thread' | 'pytorch-all-threads';

export interface ResultRow {
  group: string;
  /** tfjs backend name, or `pytorch`. */
  backend: string;
  /** `node` and `browser` for tfjs backends, `python` for PyTorch. */
  environment: 'node' | 'browser' | 'python';
  implementation: RowImplementation;
  pass: Pass;
  shape: number[];
  classAxis: number;
  /** Median, minimum and maximum of the timed runs in ms; null when skipped. */
  medianMs: number | null;
  minMs: number | null;
  maxMs: number | null;
  timedRuns: number;
  /**
   * The tfjs baseline's time divided by this row's, for the median, the
   * minimum and the maximum, both from the same backend run: above 1 means
   * faster than tf.losses.softmaxCrossEntropy. Null for PyTorch rows and
   * where either side was skipped.
   */
  speedupVsTfjs: { median: number; min: number; max: number } | null;
  memory: MemoryFigures | null;
  loss: number | null;
  /** Why there is no time: over budget, failed, or the backend or PyTorch unavailable. */
  skipped: string | null;
}

export interface BenchResults {
  /** Incremented when a field changes meaning or is removed. */
  formatVersion: 1;
  generatedAt: string;
  /** The command that produced this file, as typed at the repository root. */
  command: string;
  quick: boolean;
  machine: Machine;
  versions: Record<string, string>;
  settings: {
    runs: number;
    warmupRuns: number;
    budgetMs: number;
    goalBudgetMs: number;
    groupTimeLimitS: number;
    memoryBudgetMb: number;
    smoothing: number;
    reduction: 'mean';
    labels: 'index';
  };
  shapes: ShapeSpec[];
  scaling: { rows: ShapeSpec[]; classes: ShapeSpec[] } | null;
  backends: BackendResult[];
  pytorch: PytorchResult | null;
  rows: ResultRow[];
  elapsedSeconds: number;
}

function tfjsRows(result: BackendResult): ResultRow[] {
  const rows: ResultRow[] = result.measurements.map((measurement) => ({
    group: measurement.group,
    backend: result.backend,
    environment: result.environment,
    implementation: measurement.implementation,
    pass: measurement.pass,
    shape: measurement.spec.shape,
    classAxis: measurement.spec.classAxis,
    medianMs: measurement.timing?.medianMs ?? null,
    minMs: measurement.timing?.minMs ?? null,
    maxMs: measurement.timing?.maxMs ?? null,
    timedRuns: measurement.timing?.runsMs.length ?? 0,
    speedupVsTfjs: null,
    memory: measurement.memory ?? null,
    loss: measurement.loss ?? null,
    skipped: measurement.skipped ?? null,
  }));

  for (const row of rows) {
    const baseline = rows.find((candidate) => candidate.implementation === 'tfjs' && sameCell(candidate, row));
    if (baseline?.medianMs != null && row.medianMs != null) {
      row.speedupVsTfjs = {
        median: baseline.medianMs / row.medianMs,
        min: baseline.minMs! / row.minMs!,
        max: baseline.maxMs! / row.maxMs!,
      };
    }
  }
  return rows;
}

/** Returns whether two rows measure the same group, shape and pass. */
export function sameCell(a: Pick<ResultRow, 'group' | 'shape' | 'classAxis' | 'pass'>, b: Pick<ResultRow, 'group' | 'shape' | 'classAxis' | 'pass'>): boolean {
  return a.group === b.group && a.pass === b.pass && a.classAxis === b.classAxis &&
    a.shape.length === b.shape.length && a.shape.every((dimension, index) => dimension === b.shape[index]);
}

function pytorchRows(result: PytorchResult): ResultRow[] {
  return result.measurements.map((measurement) => ({
    group: measurement.group,
    backend: 'pytorch',
    environment: 'python',
    implementation: measurement.threads === 1 ? 'pytorch-1-thread' : 'pytorch-all-threads',
    pass: measurement.pass,
    shape: measurement.spec.shape,
    classAxis: measurement.spec.classAxis,
    medianMs: measurement.timing?.medianMs ?? null,
    minMs: measurement.timing?.minMs ?? null,
    maxMs: measurement.timing?.maxMs ?? null,
    timedRuns: measurement.timing?.runsMs.length ?? 0,
    speedupVsTfjs: null,
    memory: null,
    loss: measurement.loss,
    skipped: measurement.skipped,
  }));
}

/**
 * Rows of a backend that could not run at all: one per group, implementation,
 * shape and pass, each skipped with the backend's failure, so that the table
 * still has every cell.
 */
export function failedRows(
  backend: string,
  environment: ResultRow['environment'],
  implementations: readonly RowImplementation[],
  groups: readonly { name: string; shapes: ShapeSpec[] }[],
  reason: string,
): ResultRow[] {
  const rows: ResultRow[] = [];
  for (const group of groups) {
    for (const spec of group.shapes) {
      for (const pass of ['forward', 'forward+backward'] as const) {
        for (const implementation of implementations) {
          rows.push({
            group: group.name, backend, environment, implementation, pass, shape: spec.shape, classAxis: spec.classAxis,
            medianMs: null, minMs: null, maxMs: null, timedRuns: 0, speedupVsTfjs: null, memory: null, loss: null, skipped: reason,
          });
        }
      }
    }
  }
  return rows;
}

/** Flattens per-backend and PyTorch results into rows, filling in failed backends. */
export function resultRows(
  backends: readonly BackendResult[],
  backendGroups: (result: BackendResult) => { name: string; shapes: ShapeSpec[] }[],
  pytorch: PytorchResult | null,
  pytorchGroups: { name: string; shapes: ShapeSpec[] }[],
): ResultRow[] {
  const rows: ResultRow[] = [];
  for (const result of backends) {
    rows.push(...(result.failed
      ? failedRows(result.backend, result.environment, ['fused', 'composite', 'tfjs'], backendGroups(result), `backend failed: ${result.failed}`)
      : tfjsRows(result)));
  }
  if (pytorch) {
    rows.push(...(pytorch.unavailable
      ? failedRows('pytorch', 'python', ['pytorch-1-thread', 'pytorch-all-threads'], pytorchGroups, `PyTorch unavailable: ${pytorch.unavailable}`)
      : pytorchRows(pytorch)));
  }
  return rows;
}
