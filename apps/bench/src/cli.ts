/**
 * `npm run bench`: measures every selected backend (Node ones in child
 * processes, browser ones in headless Chromium) and PyTorch, then writes
 * benchmarks.md, benchmarks/results.json and the scaling charts.
 */
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { runBrowserBackends } from './browser/run_browser.js';
import type { BackendRequest, BackendResult } from './measure/types.js';
import { runNodeBackend } from './node/run_node.js';
import { SMOOTHING, helpText, parseOptions, type BenchOptions } from './options.js';
import { GOAL_SHAPES, TABLE_GROUP, backendGroups, scalingPlan, type ScalingPlan } from './plan.js';
import { runPytorch, type PytorchResult } from './pytorch/run_pytorch.js';
import { scalingCharts, type ChartFile } from './report/charts.js';
import { writeSection } from './report/docs_file.js';
import { checkGoals } from './report/goals.js';
import { currentLoadAverage, describeMachine, gitDescription } from './report/machine.js';
import { renderSection } from './report/markdown.js';
import { resultRows, type BenchResults, type ResultRow } from './report/results.js';
import { allTargets, selectTargets, targetLabel, type BenchTarget } from './targets.js';

const APP_DIRECTORY = fileURLToPath(new URL('..', import.meta.url));
const REPOSITORY_ROOT = resolve(APP_DIRECTORY, '../..');
/** Subfolder of the output folder for the JSON and the charts, linked from the Markdown file. */
const ASSET_FOLDER = 'benchmarks';

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** Returns the output folder: `--out` relative to where npm was started, or the mode's default. */
function outputDirectory(options: BenchOptions): string {
  if (options.out !== undefined) {
    return resolve(process.env.INIT_CWD ?? process.cwd(), options.out);
  }
  return options.quick ? join(APP_DIRECTORY, 'reports') : join(REPOSITORY_ROOT, 'docs');
}

function request(target: BenchTarget, options: BenchOptions, scaling: ScalingPlan | undefined): BackendRequest {
  return {
    backend: target.backend,
    // Scaling sweeps run in Node only: in Chromium they would take as long
    // again, on the same CPU.
    groups: backendGroups(options.shapes, target.environment === 'node' ? scaling : undefined),
    runs: options.runs,
    warmupRuns: options.warmupRuns,
    budgetMs: options.budgetMs,
    memoryBudgetBytes: options.memoryBudgetMb * 1e6,
    // The goals get their own budget once per backend, in its first
    // environment, because a second one runs the same kernels on the same CPU.
    goalShapes: target.primary ? [...GOAL_SHAPES] : [],
    goalBudgetMs: options.goalBudgetMs,
    groupTimeLimitMs: options.groupTimeLimitS * 1000,
    smoothing: SMOOTHING,
  };
}

function packageVersion(name: string): string {
  try {
    return (createRequire(import.meta.url)(`${name}/package.json`) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

function collectVersions(backends: readonly BackendResult[], pytorch: PytorchResult | null): Record<string, string> {
  const versions: Record<string, string> = {
    '@label-smoothing/core': packageVersion('@label-smoothing/core'),
    commit: gitDescription(REPOSITORY_ROOT),
    Node: process.version,
    tfjs: packageVersion('@tensorflow/tfjs-core'),
  };
  const userAgent = backends.find((result) => result.details.userAgent)?.details.userAgent;
  const chromium = userAgent ? /(?:HeadlessChrome|Chrome)\/(\S+)/.exec(userAgent)?.[1] : undefined;
  if (chromium) {
    versions.Chromium = chromium;
  }
  if (pytorch?.torch) {
    versions.PyTorch = pytorch.torch;
    versions.Python = pytorch.python ?? 'unknown';
  }
  return versions;
}

async function measureAll(options: BenchOptions, targets: BenchTarget[], scaling: ScalingPlan | undefined): Promise<{ backends: BackendResult[]; pytorch: PytorchResult | null }> {
  const backends: BackendResult[] = [];
  for (const target of targets.filter((candidate) => candidate.environment === 'node')) {
    log(`bench: measuring ${targetLabel(target)}`);
    backends.push(await runNodeBackend(request(target, options, scaling)));
  }
  const browserTargets = targets.filter((target) => target.environment === 'browser');
  if (browserTargets.length > 0) {
    log(`bench: measuring ${browserTargets.map(targetLabel).join(', ')}`);
    backends.push(...await runBrowserBackends(browserTargets.map((target) => request(target, options, scaling)), log));
  }

  let pytorch: PytorchResult | null = null;
  if (options.pytorch) {
    log('bench: measuring PyTorch');
    const loadStart = loadavg()[0];
    pytorch = await runPytorch({
      groups: pytorchGroups(options, scaling),
      threads: [1, cpus().length],
      runs: options.runs,
      warmupRuns: options.warmupRuns,
      budgetMs: options.budgetMs,
      smoothing: SMOOTHING,
    }, log);
    pytorch.loadAverage = { start: loadStart, end: loadavg()[0] };
  }
  return { backends, pytorch };
}

function pytorchGroups(options: BenchOptions, scaling: ScalingPlan | undefined): { name: string; shapes: BenchOptions['shapes'] }[] {
  return backendGroups(options.shapes, scaling).map((group) => ({ name: group.name, shapes: group.shapes }));
}

/** Removes the charts of an earlier run, so the folder holds only this run's. */
function removeOldCharts(folder: string): void {
  for (const name of readdirSync(folder)) {
    if (/^scaling-.*\.svg$/.test(name)) {
      rmSync(join(folder, name));
    }
  }
}

function targetOf(row: Pick<ResultRow, 'backend' | 'environment'>): string {
  return row.environment === 'python' ? 'PyTorch' : targetLabel({ backend: row.backend, environment: row.environment });
}

/** Measures every selected target and PyTorch, and returns everything the outputs are written from. */
async function measure(argv: string[], options: BenchOptions): Promise<BenchResults> {
  const targets = selectTargets(options.backends);
  const scaling = options.scaling ? scalingPlan(options.quick) : undefined;
  const machine = describeMachine();
  const started = performance.now();
  log(`bench: ${targets.map(targetLabel).join(', ')}${options.pytorch ? ', PyTorch' : ''}; ${options.runs} runs, ` +
    `budget ${options.budgetMs} ms per run; load average ${machine.loadAverageStart.join(' / ')}`);

  const { backends, pytorch } = await measureAll(options, targets, scaling);
  machine.loadAverageEnd = currentLoadAverage();

  const groupsOf = (result: BackendResult) => request({ backend: result.backend, environment: result.environment, primary: false }, options, scaling).groups;
  return {
    formatVersion: 1,
    generatedAt: new Date().toISOString(),
    command: `npm run bench${argv.length > 0 ? ` -- ${argv.join(' ')}` : ''}`,
    quick: options.quick,
    machine,
    versions: collectVersions(backends, pytorch),
    settings: {
      runs: options.runs,
      warmupRuns: options.warmupRuns,
      budgetMs: options.budgetMs,
      goalBudgetMs: options.goalBudgetMs,
      groupTimeLimitS: options.groupTimeLimitS,
      memoryBudgetMb: options.memoryBudgetMb,
      smoothing: SMOOTHING,
      reduction: 'mean',
      labels: 'index',
    },
    shapes: options.shapes,
    scaling: scaling ?? null,
    backends,
    pytorch,
    rows: resultRows(backends, groupsOf, pytorch, pytorchGroups(options, scaling)),
    elapsedSeconds: (performance.now() - started) / 1000,
  };
}

/** Writes benchmarks.md (its generated section), the charts and results.json into `outDirectory`. */
function writeOutputs(results: BenchResults, outDirectory: string): void {
  const { rows, backends } = results;
  const pytorchRows = rows.filter((row) => row.environment === 'python');
  const charts: ChartFile[] = backends.flatMap((result) => scalingCharts(
    targetLabel(result),
    `${result.backend}-${result.environment}`,
    rows.filter((row) => row.backend === result.backend && row.environment === result.environment),
    pytorchRows,
  ));
  const section = renderSection({
    results,
    targets: backends.map((result) => ({
      label: targetLabel(result),
      rows: rows.filter((row) => row.backend === result.backend && row.environment === result.environment && row.group === TABLE_GROUP),
      loadAverage: result.loadAverage,
      elapsedSeconds: result.elapsedSeconds,
      details: result.details,
      failed: result.failed,
    })),
    goals: checkGoals(rows, targetOf),
    charts,
    chartFolder: ASSET_FOLDER,
  });

  const assetDirectory = join(outDirectory, ASSET_FOLDER);
  mkdirSync(assetDirectory, { recursive: true });
  removeOldCharts(assetDirectory);
  for (const chart of charts) {
    writeFileSync(join(assetDirectory, chart.fileName), chart.svg);
  }
  writeFileSync(join(assetDirectory, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  const markdownPath = join(outDirectory, 'benchmarks.md');
  writeSection(markdownPath, section);

  process.stdout.write(`${section}\n`);
  log(`bench: wrote ${relative(process.cwd(), markdownPath)}, ${relative(process.cwd(), assetDirectory)}/results.json ` +
    `and ${charts.length} chart(s)`);
}

async function main(argv: string[]): Promise<number> {
  const options = parseOptions(argv);
  if (options.help) {
    process.stdout.write(helpText(allTargets().map((target) => `${target.backend}@${target.environment}`)));
    return 0;
  }

  let results: BenchResults;
  if (options.render !== undefined) {
    const path = resolve(process.env.INIT_CWD ?? process.cwd(), options.render);
    results = JSON.parse(readFileSync(path, 'utf8')) as BenchResults;
    if (results.formatVersion !== 1) {
      throw new Error(`Cannot render ${path}: it has format version ${String(results.formatVersion)}, and this version reads 1.`);
    }
  } else {
    results = await measure(argv, options);
  }
  writeOutputs(results, outputDirectory(options));
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(`bench: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  },
);
