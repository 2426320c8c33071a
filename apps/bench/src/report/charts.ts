/** The scaling charts: time and peak memory against rows and against classes, one file each per backend. */
import { SCALING_CLASSES_GROUP, SCALING_ROWS_GROUP } from '../plan.js';
import type { Pass } from '../measure/types.js';
import { shapeSizes } from '../shapes.js';
import { formatBytes, formatCount, formatMs } from './format.js';
import type { ResultRow, RowImplementation } from './results.js';
import { renderLogLogChart, type ChartSeries } from './svg.js';

export interface ChartFile {
  /** File name inside `benchmarks/`. */
  fileName: string;
  title: string;
  svg: string;
}

/** Line colours per implementation, from the colour-blind-safe Okabe-Ito palette. */
const COLORS: Record<RowImplementation, string> = {
  fused: '#0072B2',
  composite: '#E69F00',
  tfjs: '#009E73',
  'pytorch-1-thread': '#D55E00',
  'pytorch-all-threads': '#CC79A7',
};

export const IMPLEMENTATION_LABELS: Record<RowImplementation, string> = {
  fused: 'fused kernels',
  composite: 'composite fallback',
  tfjs: 'tf.losses.softmaxCrossEntropy',
  'pytorch-1-thread': 'PyTorch, 1 thread',
  'pytorch-all-threads': 'PyTorch, all threads',
};

const SWEEPS = [
  { group: SCALING_ROWS_GROUP, name: 'rows', axis: 'rows (positions)', size: (row: ResultRow) => shapeSizes(row).positions, fixed: 'classes' },
  { group: SCALING_CLASSES_GROUP, name: 'classes', axis: 'classes C', size: (row: ResultRow) => shapeSizes(row).classes, fixed: 'rows' },
] as const;

function seriesOf(rows: readonly ResultRow[], implementation: RowImplementation, pass: Pass, sweep: (typeof SWEEPS)[number],
  value: (row: ResultRow) => number | null | undefined): ChartSeries {
  const points = rows
    .filter((row) => row.group === sweep.group && row.implementation === implementation && row.pass === pass)
    .map((row) => ({ x: sweep.size(row), y: value(row) ?? NaN }))
    .filter((point) => Number.isFinite(point.y))
    .sort((a, b) => a.x - b.x);
  return {
    label: `${IMPLEMENTATION_LABELS[implementation]}, ${pass}`,
    color: COLORS[implementation],
    dashed: pass === 'forward',
    points,
  };
}

/** Describes the size the sweep keeps fixed, such as `1000 classes`, from its first row. */
function fixedSize(rows: readonly ResultRow[], sweep: (typeof SWEEPS)[number]): string {
  const first = rows.find((row) => row.group === sweep.group);
  if (!first) {
    return '';
  }
  const sizes = shapeSizes(first);
  return sweep.fixed === 'classes' ? `${formatCount(sizes.classes)} classes` : `${formatCount(sizes.positions)} rows`;
}

/**
 * Builds the four charts of one backend target (time and memory, against
 * rows and against classes), with PyTorch's times on the time charts when
 * `pytorchRows` has any. Returns none when the target has no scaling rows.
 */
export function scalingCharts(targetName: string, fileStem: string, rows: readonly ResultRow[], pytorchRows: readonly ResultRow[]): ChartFile[] {
  if (!rows.some((row) => row.group === SCALING_ROWS_GROUP || row.group === SCALING_CLASSES_GROUP)) {
    return [];
  }
  const charts: ChartFile[] = [];
  const passes: Pass[] = ['forward+backward', 'forward'];
  for (const sweep of SWEEPS) {
    const timeSeries: ChartSeries[] = [];
    for (const implementation of ['fused', 'composite', 'tfjs'] as const) {
      for (const pass of passes) {
        timeSeries.push(seriesOf(rows, implementation, pass, sweep, (row) => row.medianMs));
      }
    }
    for (const pass of passes) {
      const series = seriesOf(pytorchRows, 'pytorch-1-thread', pass, sweep, (row) => row.medianMs);
      if (series.points.length > 0) {
        timeSeries.push(series);
      }
    }
    const timeTitle = `Time against ${sweep.name}, ${targetName}`;
    charts.push({
      fileName: `scaling-${fileStem}-time-${sweep.name}.svg`,
      title: timeTitle,
      svg: renderLogLogChart({
        title: timeTitle,
        subtitle: `${fixedSize(rows, sweep)}; median of the timed runs; log-log`,
        xLabel: sweep.axis,
        yLabel: 'time per call (ms)',
        series: timeSeries,
        formatX: formatCount,
        formatY: (value) => `${formatMs(value)} ms`,
      }),
    });

    const memorySeries: ChartSeries[] = [];
    for (const implementation of ['fused', 'composite', 'tfjs'] as const) {
      for (const pass of passes) {
        memorySeries.push(seriesOf(rows, implementation, pass, sweep, (row) => row.memory?.peakBytes));
      }
    }
    const memoryTitle = `Peak tensor memory against ${sweep.name}, ${targetName}`;
    charts.push({
      fileName: `scaling-${fileStem}-memory-${sweep.name}.svg`,
      title: memoryTitle,
      svg: renderLogLogChart({
        title: memoryTitle,
        subtitle: `${fixedSize(rows, sweep)}; bytes allocated beyond the inputs at the peak of one call; log-log`,
        xLabel: sweep.axis,
        yLabel: 'peak bytes',
        series: memorySeries,
        formatX: formatCount,
        formatY: formatBytes,
      }),
    });
  }
  return charts;
}
