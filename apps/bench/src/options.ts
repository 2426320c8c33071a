/** Command-line options of `npm run bench`, their defaults and the help text. */
import { parseArgs } from 'node:util';

import { GOAL_SHAPES } from './plan.js';
import { DEFAULT_SHAPES, QUICK_SHAPES, parseShapeList, shapeKey, type ShapeSpec } from './shapes.js';

export interface BenchOptions {
  quick: boolean;
  /** `--backend` values as given, such as `wasm` or `wasm@browser`; empty means every target. */
  backends: string[];
  runs: number;
  warmupRuns: number;
  budgetMs: number;
  goalBudgetMs: number;
  memoryBudgetMb: number;
  groupTimeLimitS: number;
  shapes: ShapeSpec[];
  scaling: boolean;
  pytorch: boolean;
  /** Folder for `benchmarks.md` and `benchmarks/`; undefined means the default for the mode. */
  out?: string;
  /** A results.json to write the outputs from, instead of measuring. */
  render?: string;
  help: boolean;
}

/** Smoothing ε of every measurement, the value most papers and the tfjs and PyTorch examples use. */
export const SMOOTHING = 0.1;

export const DEFAULT_RUNS = 5;
export const DEFAULT_WARMUP_RUNS = 1;
/** Per-run budget of the full run; see `measureGroup` for how measurements over it are skipped. */
export const DEFAULT_BUDGET_MS = 5000;
/** Per-run budget of `--quick`, whose one shape takes well under a second everywhere. */
export const QUICK_BUDGET_MS = 5000;
/**
 * Per-run budget of forward+backward of the fused kernels and the tfjs
 * baseline at the goal shapes, where the goals need the baseline's time even
 * on slow backends. The cpu baseline takes about 14 s per run at
 * [512, 32000] on a 2-core AMD EPYC.
 */
export const DEFAULT_GOAL_BUDGET_MS = 25_000;
/**
 * Wall-time limit of each backend's table shapes and of each of its scaling
 * sweeps in the full run. With the six targets registered now, it keeps a
 * full run near 20 minutes on 2 cores. `--quick` has no effective limit.
 */
export const DEFAULT_GROUP_TIME_LIMIT_S = 120;
/**
 * Peak tensor memory a call may be predicted to need, in MB (10^6 bytes). It
 * stays well below the wasm backend's 4 GB heap, where the composite at
 * [8, 128, 50257] would abort the backend's module.
 */
export const DEFAULT_MEMORY_BUDGET_MB = 2000;
export const QUICK_GROUP_TIME_LIMIT_S = 3600;

/** Returns the help text; `targets` lists where each registered backend runs, such as `cpu@node`. */
export function helpText(targets: readonly string[]): string {
  return `Usage: npm run bench -- [options]

Times label-smoothing cross-entropy, forward and forward+backward, on every
backend in the conformance harness's registry: this library's fused kernels, its
composite fallback, tf.losses.softmaxCrossEntropy with one-hot labels and
labelSmoothing, and PyTorch's F.cross_entropy(label_smoothing=...) on one and
on all threads when /usr/bin/python3 imports torch. Measures the peak tensor
memory of each call and, on the Node backends, how time and memory scale with
rows and classes. Writes benchmarks.md (between its bench markers),
benchmarks/results.json and benchmarks/*.svg charts.

Registered backends: ${targets.join(', ')}.

Options:
  --quick            smoke test: one small shape (${QUICK_SHAPES.map(shapeKey).join(', ')}) per backend and
                     three-point scaling sweeps, written to apps/bench/reports
                     unless --out is given
  --backend NAME     backend to measure, repeatable: a BACKENDS name (cpu, wasm,
                     webgl, ...) for every environment it runs in, or
                     NAME@node or NAME@browser for one (default: all)
  --runs N           timed runs per measurement, at least 5 (default ${DEFAULT_RUNS})
  --warmup N         warm-up runs before them, at least 1 (default ${DEFAULT_WARMUP_RUNS})
  --budget-ms MS     time budget per run in milliseconds: a measurement that is
                     predicted or found to take longer is skipped with its reason
                     (default ${DEFAULT_BUDGET_MS}; ${QUICK_BUDGET_MS} with --quick)
  --goal-budget-ms MS
                     the budget per run of forward+backward of the fused
                     kernels and the tfjs baseline at the goal shapes
                     ${GOAL_SHAPES.map(shapeKey).join(' and ')}, in the first environment each
                     backend is registered for (default ${DEFAULT_GOAL_BUDGET_MS}; never below --budget-ms)
  --memory-budget-mb MB
                     peak tensor memory a measurement may be predicted, from a
                     smaller shape, to need (default ${DEFAULT_MEMORY_BUDGET_MB})
  --time-limit-s S   wall-time limit in seconds of each backend's table shapes
                     and of each of its scaling sweeps: measurements not
                     started by then are skipped with that reason, except the
                     fused kernels and the goal measurements (default ${DEFAULT_GROUP_TIME_LIMIT_S}; ${QUICK_GROUP_TIME_LIMIT_S} with --quick)
  --shapes LIST      comma-separated logits shapes: dimensions joined by x, and
                     :AXIS when the classes are not on the last axis
                     (default ${DEFAULT_SHAPES.map(shapeKey).join(',')})
  --skip-scaling     do not run the scaling sweeps
  --skip-pytorch     do not run PyTorch
  --render FILE      measure nothing: write benchmarks.md, the charts and
                     results.json again from an earlier run's results.json
  --out DIR          folder for benchmarks.md and benchmarks/ (default: docs at
                     the repository root; apps/bench/reports with --quick)
  --help             print this help
`;
}

function positiveInteger(name: string, text: string, minimum: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < minimum) {
    throw new Error(`Invalid --${name} ${text}: expected a whole number of at least ${minimum}.`);
  }
  return value;
}

/** Parses the command line; throws with the flag and value on invalid input. */
export function parseOptions(argv: readonly string[]): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean', default: false },
      backend: { type: 'string', multiple: true },
      runs: { type: 'string' },
      warmup: { type: 'string' },
      'budget-ms': { type: 'string' },
      'goal-budget-ms': { type: 'string' },
      'time-limit-s': { type: 'string' },
      'memory-budget-mb': { type: 'string' },
      shapes: { type: 'string', multiple: true },
      'skip-scaling': { type: 'boolean', default: false },
      'skip-pytorch': { type: 'boolean', default: false },
      out: { type: 'string' },
      render: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });

  const quick = values.quick ?? false;
  const shapes = values.shapes ? values.shapes.flatMap(parseShapeList) : [...(quick ? QUICK_SHAPES : DEFAULT_SHAPES)];
  if (shapes.length === 0) {
    throw new Error('Invalid --shapes: the list is empty.');
  }
  return {
    quick,
    backends: values.backend ?? [],
    runs: positiveInteger('runs', values.runs ?? String(DEFAULT_RUNS), 5),
    warmupRuns: positiveInteger('warmup', values.warmup ?? String(DEFAULT_WARMUP_RUNS), 1),
    budgetMs: positiveInteger('budget-ms', values['budget-ms'] ?? String(quick ? QUICK_BUDGET_MS : DEFAULT_BUDGET_MS), 1),
    goalBudgetMs: positiveInteger('goal-budget-ms', values['goal-budget-ms'] ?? String(DEFAULT_GOAL_BUDGET_MS), 1),
    memoryBudgetMb: positiveInteger('memory-budget-mb', values['memory-budget-mb'] ?? String(DEFAULT_MEMORY_BUDGET_MB), 1),
    groupTimeLimitS: positiveInteger('time-limit-s', values['time-limit-s'] ?? String(quick ? QUICK_GROUP_TIME_LIMIT_S : DEFAULT_GROUP_TIME_LIMIT_S), 1),
    shapes,
    scaling: !(values['skip-scaling'] ?? false),
    pytorch: !(values['skip-pytorch'] ?? false),
    out: values.out,
    render: values.render,
    help: values.help ?? false,
  };
}
