/**
 * The project's performance goals, checked against one run's rows. They are
 * reported, never asserted: timings on a shared machine vary too much.
 */
import { GOAL_SHAPES, SCALING_CLASSES_GROUP, SCALING_ROWS_GROUP, TABLE_GROUP } from '../plan.js';
import { affineFit, logLogSlope } from '../measure/statistics.js';
import { formatShape, shapeKey, shapeSizes, type ShapeSpec } from '../shapes.js';
import { formatBytes, formatRatio } from './format.js';
import type { ResultRow } from './results.js';

export interface GoalCheck {
  goal: string;
  target: string;
  status: 'met' | 'missed' | 'not measured';
  detail: string;
}

/** Minimum forward+backward speed-up of the fused kernels over tf.losses.softmaxCrossEntropy, per backend. */
export const SPEEDUP_GOALS: Readonly<Record<string, number>> = { cpu: 15, wasm: 5, webgl: 2 };

/** Maximum time of the fused wasm kernels relative to PyTorch on one thread. */
export const PYTORCH_RATIO_GOAL = 1.5;

/**
 * Allowance for the O(rows) part of the memory goals: bytes per position
 * (the forward kernel's four per-position outputs take 16) and per class
 * (core builds a [C] weight vector of ones when none is given), plus a few
 * scalars.
 */
const BYTES_PER_POSITION_ALLOWED = 64;
const BYTES_PER_CLASS_ALLOWED = 8;
const CONSTANT_BYTES_ALLOWED = 4096;

/**
 * Largest log-log slope of time against size that counts as linear growth.
 * A slope below 1 only shows a fixed cost per call, which the affine fit
 * reports separately.
 */
const MAX_LINEAR_SLOPE = 1.15;
/** Largest deviation, relative to the measured time, of a fitted `fixed + per-logit` time that counts as linear. */
const MAX_AFFINE_DEVIATION = 0.2;
/** How many of the largest sweep sizes the slope is fitted to; the smallest are dominated by fixed costs. */
const SLOPE_POINTS = 4;
/**
 * Logits below which a call's fixed costs (validation, kernel dispatch,
 * reading back) outweigh the per-logit work, so that a slope there shows
 * nothing about linearity. The `--quick` sweeps stay below it.
 */
const SLOPE_MIN_ELEMENTS = 100_000;

type TargetOf = (row: ResultRow) => string;

function find(rows: readonly ResultRow[], where: Partial<ResultRow> & { spec?: ShapeSpec }): ResultRow | undefined {
  return rows.find((row) =>
    (where.group === undefined || row.group === where.group) &&
    (where.implementation === undefined || row.implementation === where.implementation) &&
    (where.pass === undefined || row.pass === where.pass) &&
    (where.spec === undefined || shapeKey(row) === shapeKey(where.spec)));
}

function speedupChecks(rows: readonly ResultRow[], targets: readonly string[], targetOf: TargetOf): GoalCheck[] {
  const checks: GoalCheck[] = [];
  for (const target of targets) {
    const targetRows = rows.filter((row) => targetOf(row) === target);
    const goal = SPEEDUP_GOALS[targetRows[0]?.backend ?? ''];
    if (goal === undefined) {
      continue;
    }
    for (const spec of GOAL_SHAPES) {
      const fused = find(targetRows, { group: TABLE_GROUP, implementation: 'fused', pass: 'forward+backward', spec });
      const baseline = find(targetRows, { group: TABLE_GROUP, implementation: 'tfjs', pass: 'forward+backward', spec });
      const name = `forward+backward at ${formatShape(spec)} at least ${goal}x faster than tf.losses.softmaxCrossEntropy`;
      if (!fused?.speedupVsTfjs) {
        let reason = 'shape not in this run';
        if (fused?.skipped) {
          reason = `fused: ${fused.skipped}`;
        } else if (baseline?.skipped) {
          reason = `baseline: ${baseline.skipped}`;
        }
        checks.push({ goal: name, target, status: 'not measured', detail: reason });
        continue;
      }
      const speedup = fused.speedupVsTfjs;
      const met = speedup.median >= goal;
      checks.push({
        goal: name,
        target,
        status: met ? 'met' : 'missed',
        detail: `${formatRatio(speedup.median)} (median; ${formatRatio(speedup.min)} from the fastest runs, ` +
          `${formatRatio(speedup.max)} from the slowest)${met ? '' : `, ${formatRatio(goal / speedup.median)} short`}`,
      });
    }
  }
  return checks;
}

function pytorchChecks(rows: readonly ResultRow[], targets: readonly string[], targetOf: TargetOf): GoalCheck[] {
  const checks: GoalCheck[] = [];
  const pytorch = rows.filter((row) => row.implementation === 'pytorch-1-thread');
  for (const target of targets) {
    const targetRows = rows.filter((row) => targetOf(row) === target);
    if (targetRows[0]?.backend !== 'wasm') {
      continue;
    }
    for (const spec of GOAL_SHAPES) {
      for (const pass of ['forward', 'forward+backward'] as const) {
        const fused = find(targetRows, { group: TABLE_GROUP, implementation: 'fused', pass, spec });
        const reference = find(pytorch, { group: TABLE_GROUP, pass, spec });
        const name = `${pass} at ${formatShape(spec)} within ${PYTORCH_RATIO_GOAL}x of PyTorch on one thread`;
        if (fused?.medianMs == null || reference?.medianMs == null) {
          const reason = fused?.skipped ?? reference?.skipped ?? 'not in this run';
          checks.push({ goal: name, target, status: 'not measured', detail: reason });
          continue;
        }
        const ratio = fused.medianMs / reference.medianMs;
        checks.push({
          goal: name,
          target,
          status: ratio <= PYTORCH_RATIO_GOAL ? 'met' : 'missed',
          detail: `fused takes ${formatRatio(ratio)} PyTorch's median time (${fused.medianMs.toFixed(1)} ms against ${reference.medianMs.toFixed(1)} ms, separate processes)`,
        });
      }
    }
  }
  return checks;
}

function memoryChecks(rows: readonly ResultRow[], targets: readonly string[], targetOf: TargetOf): GoalCheck[] {
  const checks: GoalCheck[] = [];
  for (const target of targets) {
    const fusedRows = rows.filter((row) => targetOf(row) === target && row.group === TABLE_GROUP && row.implementation === 'fused');
    for (const pass of ['forward', 'forward+backward'] as const) {
      const measured = fusedRows.filter((row) => row.pass === pass && row.memory);
      const allowance = `${BYTES_PER_POSITION_ALLOWED} B per row, ${BYTES_PER_CLASS_ALLOWED} B per class and ${formatBytes(CONSTANT_BYTES_ALLOWED)}`;
      const name = pass === 'forward'
        ? `fused forward allocates O(rows) bytes beyond its inputs (allowed: ${allowance})`
        : `fused forward+backward allocates at most one [rows, C] float32 buffer plus O(rows) (allowed: the buffer plus ${allowance})`;
      if (measured.length === 0) {
        checks.push({ goal: name, target, status: 'not measured', detail: 'no memory figures for the fused kernels' });
        continue;
      }
      const details: string[] = [];
      let met = true;
      for (const row of measured) {
        const sizes = shapeSizes(row);
        const buffer = pass === 'forward' ? 0 : 4 * sizes.elements;
        const allowed = buffer + BYTES_PER_POSITION_ALLOWED * sizes.positions + BYTES_PER_CLASS_ALLOWED * sizes.classes + CONSTANT_BYTES_ALLOWED;
        const peak = row.memory!.peakBytes;
        met &&= peak <= allowed;
        const baseline = find(rows.filter((candidate) => targetOf(candidate) === target), { group: TABLE_GROUP, implementation: 'tfjs', pass, spec: row });
        const baselineText = baseline?.memory ? `, tf.losses ${formatBytes(baseline.memory.peakBytes)}` : '';
        details.push(`${formatShape(row)}: ${formatBytes(peak)} of ${formatBytes(allowed)} allowed${peak <= allowed ? '' : ' (over)'}${baselineText}`);
      }
      checks.push({ goal: name, target, status: met ? 'met' : 'missed', detail: details.join('. ') });
    }
  }
  return checks;
}

function linearityChecks(rows: readonly ResultRow[], targets: readonly string[], targetOf: TargetOf): GoalCheck[] {
  const checks: GoalCheck[] = [];
  for (const target of targets) {
    for (const [group, sweep] of [[SCALING_ROWS_GROUP, 'rows'], [SCALING_CLASSES_GROUP, 'classes']] as const) {
      const points = rows
        .filter((row) => targetOf(row) === target && row.group === group && row.implementation === 'fused' &&
          row.pass === 'forward+backward' && row.medianMs != null)
        .map((row) => ({ x: shapeSizes(row).elements, y: row.medianMs! }))
        .sort((a, b) => a.x - b.x);
      if (points.length === 0) {
        continue;
      }
      const name = `fused forward+backward time grows linearly with ${sweep}`;
      if (points.length < 2) {
        checks.push({ goal: name, target, status: 'not measured', detail: 'fewer than two sizes measured' });
        continue;
      }
      const fitted = points.slice(-SLOPE_POINTS);
      if (fitted[0].x < SLOPE_MIN_ELEMENTS) {
        checks.push({ goal: name, target, status: 'not measured', detail: `the sweep's sizes start below ${SLOPE_MIN_ELEMENTS.toLocaleString('en-US')} logits, where fixed costs dominate` });
        continue;
      }
      const slope = logLogSlope(fitted);
      const fit = affineFit(fitted);
      const deviation = Math.max(...fitted.map((point) => Math.abs(fit.intercept + fit.slope * point.x - point.y) / point.y));
      const linear = slope <= MAX_LINEAR_SLOPE && deviation <= MAX_AFFINE_DEVIATION;
      checks.push({
        goal: name,
        target,
        status: linear ? 'met' : 'missed',
        detail: `over the largest ${fitted.length} sizes, ${fit.intercept.toFixed(2)} ms plus ${(fit.slope * 1e6).toFixed(1)} ns per logit ` +
          `fits every time within ${(100 * deviation).toFixed(0)}% (at most ${100 * MAX_AFFINE_DEVIATION}% counts as linear), ` +
          `and the log-log slope is ${slope.toFixed(2)} (at most ${MAX_LINEAR_SLOPE}; 1 is proportional)`,
      });
    }
  }
  return checks;
}

/** Checks every goal on every target that has rows; `targetOf` names a row's target. */
export function checkGoals(rows: readonly ResultRow[], targetOf: TargetOf): GoalCheck[] {
  const targets = [...new Set(rows.filter((row) => row.environment !== 'python').map(targetOf))];
  return [
    ...speedupChecks(rows, targets, targetOf),
    ...pytorchChecks(rows, targets, targetOf),
    ...memoryChecks(rows, targets, targetOf),
    ...linearityChecks(rows, targets, targetOf),
  ];
}
