/**
 * Entry point of `npm run demo`: parses the flags, trains one model per
 * label-smoothing value, prints the metrics table and writes the report.
 */
import { basename } from 'node:path';

import { checkSetSizes, helpText, parseCommandLine, UsageError } from './cli.js';

async function main(): Promise<number> {
  let commandLine;
  try {
    commandLine = parseCommandLine(process.argv.slice(2), process.env.INIT_CWD ?? process.cwd());
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`mnist-demo: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  if (commandLine.help) {
    process.stdout.write(helpText());
    return 0;
  }
  const { options } = commandLine;

  // Loaded after the flags are checked, so `--help` and flag errors do not wait for TensorFlow.js and the data.
  const { availableSampleCount } = await import('./data.js');
  try {
    checkSetSizes(options, availableSampleCount());
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`mnist-demo: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const { runExperiment } = await import('./experiment.js');
  const { createProgressObserver } = await import('./progress.js');
  const { formatResultsTable, writeReportFiles } = await import('./report.js');

  const log = (line: string): void => {
    process.stdout.write(`${line}\n`);
  };
  const runLabel = (smoothing: number): string => `ε=${smoothing}`;
  const labelWidth = Math.max(...options.smoothing.map((smoothing) => runLabel(smoothing).length));
  const { report, results } = await runExperiment(options, {
    log,
    observerFor: (smoothing) => createProgressObserver(runLabel(smoothing).padEnd(labelWidth), options.epochs, process.stdout),
  });

  log('');
  log(`Test-set metrics (${options.testSize} digits, ${report.settings.binCount} calibration bins):`);
  log(formatResultsTable(results));
  log('');
  const paths = await writeReportFiles(options.outDirectory, report, results);
  log(`Report written to ${options.outDirectory}: ${paths.map((path) => basename(path)).join(', ')}`);
  log(`Total time: ${report.totalSeconds.toFixed(1)} s.`);
  return 0;
}

main().then(
  (exitCode) => {
    process.exitCode = exitCode;
  },
  (error: unknown) => {
    process.stderr.write(`mnist-demo: failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
