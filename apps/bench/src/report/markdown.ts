/** The generated Markdown section of docs/benchmarks.md: setup, time, memory, goals and charts. */
import { GOAL_SHAPES, TABLE_GROUP } from '../plan.js';
import { PASSES, type Pass } from '../measure/types.js';
import { formatShape, shapeKey, shapeSizes, type ShapeSpec } from '../shapes.js';
import type { ChartFile } from './charts.js';
import { formatBytes, formatMs, formatRatio } from './format.js';
import type { GoalCheck } from './goals.js';
import type { BenchResults, ResultRow, RowImplementation } from './results.js';

const TFJS_COLUMNS: { implementation: RowImplementation; header: string }[] = [
  { implementation: 'fused', header: 'fused kernels' },
  { implementation: 'composite', header: 'composite fallback' },
  { implementation: 'tfjs', header: 'tf.losses.softmaxCrossEntropy (baseline)' },
];

/** Formats a Markdown table from header cells and body rows of the same length. */
export function markdownTable(header: readonly string[], body: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map((_, index) => (index < 2 ? '---' : '---:'))), ...body.map(line)].join('\n');
}

function skippedCell(row: ResultRow | undefined): string {
  return `skipped: ${row?.skipped ?? 'not measured'}`;
}

function timeCell(row: ResultRow | undefined, withSpeedup: boolean): string {
  if (!row || row.medianMs == null) {
    return skippedCell(row);
  }
  const time = `${formatMs(row.medianMs)} ms (${formatMs(row.minMs!)} to ${formatMs(row.maxMs!)})`;
  if (!withSpeedup) {
    return time;
  }
  return row.speedupVsTfjs ? `${time}, ${formatRatio(row.speedupVsTfjs.median)}` : `${time}, no baseline`;
}

function memoryCell(row: ResultRow | undefined): string {
  if (!row?.memory) {
    return skippedCell(row);
  }
  const buffers = row.memory.peakBytes / (4 * shapeSizes(row).elements);
  const heap = row.memory.heapGrowthBytes ? `, heap +${formatBytes(row.memory.heapGrowthBytes)}` : '';
  return `${formatBytes(row.memory.peakBytes)} (${buffers.toFixed(2)} buffers)${heap}`;
}

/** Notes a loss that differs from the fused kernels' by more than float32 round-off over the reduction. */
function lossNote(row: ResultRow | undefined, fused: ResultRow | undefined): string {
  if (row?.loss == null || fused?.loss == null || row === fused) {
    return '';
  }
  const tolerance = 1e-3 * Math.max(1, Math.abs(fused.loss));
  return Math.abs(row.loss - fused.loss) > tolerance ? ` **loss ${row.loss.toPrecision(6)} differs from fused ${fused.loss.toPrecision(6)}**` : '';
}

function rowsOf(rows: readonly ResultRow[], spec: ShapeSpec, pass: Pass): Map<RowImplementation, ResultRow> {
  const key = shapeKey(spec);
  return new Map(rows.filter((row) => row.group === TABLE_GROUP && row.pass === pass && shapeKey(row) === key)
    .map((row) => [row.implementation, row]));
}

/** Time table of one tfjs target: one line per shape and pass, one column per implementation. */
export function timeTable(rows: readonly ResultRow[], shapes: readonly ShapeSpec[]): string {
  const body: string[][] = [];
  for (const spec of shapes) {
    for (const pass of PASSES) {
      const cells = rowsOf(rows, spec, pass);
      const fused = cells.get('fused');
      body.push([formatShape(spec), pass,
        ...TFJS_COLUMNS.map(({ implementation }) => timeCell(cells.get(implementation), true) + lossNote(cells.get(implementation), fused))]);
    }
  }
  return markdownTable(['shape', 'pass', ...TFJS_COLUMNS.map((column) => column.header)], body);
}

/** Memory table of one tfjs target. */
export function memoryTable(rows: readonly ResultRow[], shapes: readonly ShapeSpec[]): string {
  const body: string[][] = [];
  for (const spec of shapes) {
    for (const pass of PASSES) {
      const cells = rowsOf(rows, spec, pass);
      body.push([formatShape(spec), pass, ...TFJS_COLUMNS.map(({ implementation }) => memoryCell(cells.get(implementation)))]);
    }
  }
  return markdownTable(['shape', 'pass', ...TFJS_COLUMNS.map((column) => column.header)], body);
}

/** PyTorch's table: one line per shape and pass, one column per thread count. */
export function pytorchTable(rows: readonly ResultRow[], shapes: readonly ShapeSpec[], cores: number): string {
  const body: string[][] = [];
  for (const spec of shapes) {
    for (const pass of PASSES) {
      const cells = rowsOf(rows, spec, pass);
      body.push([formatShape(spec), pass, timeCell(cells.get('pytorch-1-thread'), false), timeCell(cells.get('pytorch-all-threads'), false)]);
    }
  }
  return markdownTable(['shape', 'pass', 'PyTorch, 1 thread', `PyTorch, ${cores} threads`], body);
}

function goalList(goals: readonly GoalCheck[]): string {
  if (goals.length === 0) {
    return 'No goal applies to the backends and shapes of this run.';
  }
  const sentence = (text: string) => `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
  return goals.map((goal) => `- **${goal.status}**: ${goal.target}: ${goal.goal}. ${sentence(goal.detail)}.`).join('\n');
}

export interface SectionInput {
  results: BenchResults;
  /** Tables per tfjs target, in report order: its label and its rows. */
  targets: { label: string; rows: ResultRow[]; loadAverage?: { start: number; end: number }; elapsedSeconds: number; details: Record<string, string>; failed?: string }[];
  goals: GoalCheck[];
  charts: ChartFile[];
  /** Path of the chart folder relative to the Markdown file, such as `benchmarks`. */
  chartFolder: string;
}

function setupLines(results: BenchResults): string[] {
  const { machine, settings } = results;
  const versions = Object.entries(results.versions).map(([name, version]) => `${name} ${version}`).join(', ');
  return [
    `Command, from the repository root: \`${results.command}\`. Generated ${results.generatedAt} in ` +
      `${Math.round(results.elapsedSeconds / 60)} min${results.quick ? ' (a --quick smoke test, not a full run)' : ''}.`,
    '',
    `Machine: ${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.os}. One-, five- and ` +
      `fifteen-minute load averages ${machine.loadAverageStart.join(' / ')} at the start and ${machine.loadAverageEnd.join(' / ')} ` +
      'at the end. Other jobs shared the cores, so absolute times vary between runs; the ratios compare ' +
      'implementations measured in the same process or page, with their timed runs interleaved.',
    '',
    `Versions: ${versions}.`,
    '',
    `Each loss uses smoothing ${settings.smoothing}, the '${settings.reduction}' reduction and ${settings.labels} labels ` +
      '(one-hot float32 labels for tf.losses.softmaxCrossEntropy, made before the timed calls). ' +
      '"forward+backward" is `tf.valueAndGrad` of the loss with respect to the logits (`loss.backward()` in PyTorch). ' +
      `Each figure is the median, with the minimum and maximum in brackets, of ${settings.runs} timed runs after ` +
      `${settings.warmupRuns} warm-up run(s), in ms, and after it the speed-up over the tfjs baseline of the same run ` +
      '(baseline median / median). A call counts as finished when the loss and the first gradient element are read back. ' +
      `A measurement is skipped, with its reason, when a smaller shape predicts more than the ${settings.budgetMs / 1000} s budget ` +
      'per run, or when its warm-up runs take longer. The first warm-up run may take three budgets, since it also compiles shaders and JIT code. ' +
      `The forward+backward pass of the fused kernels and the baseline at the goal shapes (${GOAL_SHAPES.map(formatShape).join(' and ')}) ` +
      `gets ${settings.goalBudgetMs / 1000} s per run instead, in the first environment each backend is registered for. ` +
      `After ${settings.groupTimeLimitS} s, each backend's table shapes, and each of its scaling sweeps, start no new measurements ` +
      'of the composite and the baseline other than these goal measurements. The fused kernels are always measured. ' +
      `A measurement is also skipped when a smaller shape predicts a peak of more than ${settings.memoryBudgetMb / 1000} GB of tensors.`,
  ];
}

/** Renders the whole generated section, without the markers. */
export function renderSection(input: SectionInput): string {
  const { results } = input;
  const lines: string[] = ['## All backends, generated by `npm run bench`', '', ...setupLines(results), ''];

  lines.push('### Time', '');
  for (const target of input.targets) {
    lines.push(`#### ${target.label}`, '');
    const details = Object.entries(target.details).map(([name, value]) => `${name}: ${value}`).join('; ');
    if (target.failed) {
      lines.push(`Not measured: ${target.failed}.`, '');
      continue;
    }
    const load = target.loadAverage ? `One-minute load average ${target.loadAverage.start.toFixed(2)} at the start and ${target.loadAverage.end.toFixed(2)} at the end, ` : '';
    lines.push(`${load}${Math.round(target.elapsedSeconds)} s in all. ${details}.`, '');
    lines.push(timeTable(target.rows, results.shapes), '');
  }
  const pytorchRows = results.rows.filter((row) => row.environment === 'python');
  if (results.pytorch) {
    lines.push('#### PyTorch on the CPU', '');
    if (results.pytorch.unavailable) {
      lines.push(`Not measured: ${results.pytorch.unavailable}.`, '');
    } else {
      const load = results.pytorch.loadAverage
        ? `One-minute load average ${results.pytorch.loadAverage.start.toFixed(2)} at the start and ${results.pytorch.loadAverage.end.toFixed(2)} at the end. `
        : '';
      lines.push(`${load}\`F.cross_entropy(logits, labels, label_smoothing=${results.settings.smoothing})\` in float32 in a subprocess of ` +
        `\`/usr/bin/python3\`, timed by its own clock; PyTorch ${results.pytorch.torch}, CPU capability ${results.pytorch.cpuCapability}.`, '');
      lines.push(pytorchTable(pytorchRows, results.shapes, results.machine.cores), '');
    }
  }

  lines.push('### Memory', '',
    'Peak bytes of tensor data a call allocates beyond the tensors that existed before it (its inputs), sampled at every ' +
    "allocation and release in the backend's tensor storage, so intermediates inside kernels count too. The outputs count " +
    '(for forward+backward, the gradient). In brackets, the peak in [rows, C] float32 buffers, the size of the logits. ' +
    "On the wasm backend, \"heap\" is the growth of the WebAssembly heap during the call, which only grows when a call needs more than " +
    'any earlier one in the same process.', '');
  for (const target of input.targets.filter((candidate) => !candidate.failed)) {
    lines.push(`#### ${target.label}`, '', memoryTable(target.rows, results.shapes), '');
  }

  lines.push('### Goals', '', goalList(input.goals), '');

  if (input.charts.length > 0) {
    lines.push('### Scaling', '',
      'Each Node backend, swept over rows at a fixed class count and over classes at a fixed row count. Solid lines are ' +
      'forward+backward, dashed lines forward. A missing point was skipped for the time budget; the JSON gives the reason.', '');
    for (const chart of input.charts) {
      lines.push(`![${chart.title}](${input.chartFolder}/${chart.fileName})`, '');
    }
  }
  lines.push(`Every figure of this run, with each timed run and the skipped measurements' reasons: [${input.chartFolder}/results.json](${input.chartFolder}/results.json).`);
  return lines.join('\n');
}
