/** Command-line flags of the demo: defaults, help text and validation. */
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

/** The tfjs backends that `--backend` accepts. */
export const BACKEND_NAMES = ['wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

/** The values that the flags set. */
export interface DemoOptions {
  backend: BackendName;
  epochs: number;
  trainSize: number;
  testSize: number;
  smoothing: number[];
  seed: number;
  /** Absolute path of the report folder. */
  outDirectory: string;
}

export type CommandLine = { help: true } | { help: false; options: DemoOptions };

/** A flag value that the demo cannot use; the message names the flag, the value and the fix. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** `reports/` inside this package, next to `src/` and `dist/`. */
export const DEFAULT_OUT_DIRECTORY = fileURLToPath(new URL('../reports', import.meta.url));

// Measured with `npm run demo` on a 2-core machine that other jobs kept busy
// (load average 4 to 5): 2.5 minutes in all, test accuracy 0.95 with ε = 0 and
// 0.96 with ε = 0.1. An idle machine takes about half as long.
export const DEFAULTS = {
  backend: 'wasm' as BackendName,
  epochs: 20,
  trainSize: 8000,
  testSize: 2000,
  smoothing: [0, 0.1],
  seed: 42,
} as const;

const MAX_EPOCHS = 1000;
const MAX_SEED = 2 ** 32 - 1;

/** The flags for `util.parseArgs`; every value is parsed and checked afterwards. */
const FLAGS = {
  backend: { type: 'string' },
  epochs: { type: 'string' },
  'train-size': { type: 'string' },
  'test-size': { type: 'string' },
  smoothing: { type: 'string' },
  seed: { type: 'string' },
  out: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Returns the help text, one line per flag with its unit and default. */
export function helpText(): string {
  return [
    'Usage: npm run demo -- [flags]',
    '',
    'Trains a dense 784-128-10 network on MNIST digits once per label-smoothing value, from the same',
    'initial weights and with the same batches, then reports test accuracy and calibration.',
    '',
    'Flags:',
    `  --backend NAME     tfjs backend to train on: ${BACKEND_NAMES.join(' or ')} (default: ${DEFAULTS.backend})`,
    `  --epochs N         passes over the training set, 1 to ${MAX_EPOCHS} (default: ${DEFAULTS.epochs})`,
    `  --train-size N     number of training digits (default: ${DEFAULTS.trainSize})`,
    `  --test-size N      number of test digits, never trained on (default: ${DEFAULTS.testSize});`,
    '                     the two sizes together may use at most the 10,000 digits of the mnist package',
    `  --smoothing LIST   comma-separated label-smoothing values ε, each in [0, 1] (default: ${DEFAULTS.smoothing.join(',')})`,
    `  --seed N           seed of the data split, the initial weights and the batch order, 0 to ${MAX_SEED} (default: ${DEFAULTS.seed})`,
    '  --out DIR          folder for report.json, report.md and reliability-diagram.svg, relative to the',
    '                     directory the command was started from (default: apps/mnist-demo/reports)',
    '  -h, --help         print this help and exit',
    '',
  ].join('\n');
}

/**
 * Parses the demo's flags. A relative `--out` is resolved against
 * `startDirectory`. npm runs workspace scripts inside the package folder, so
 * the caller passes npm's INIT_CWD, the directory `npm run` started in.
 *
 * @throws UsageError for an unknown flag, a missing value or an invalid value.
 */
export function parseCommandLine(args: readonly string[], startDirectory: string): CommandLine {
  let values: ReturnType<typeof parseFlags>['values'];
  try {
    values = parseFlags(args).values;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new UsageError(`${message.replace(/\.$/, '')}. Run with --help to list the flags.`);
  }
  if (values.help) {
    return { help: true };
  }

  const options: DemoOptions = {
    backend: parseBackend(values.backend),
    epochs: parseWholeNumber('--epochs', values.epochs, DEFAULTS.epochs, 1, MAX_EPOCHS),
    trainSize: parseWholeNumber('--train-size', values['train-size'], DEFAULTS.trainSize, 1, Number.MAX_SAFE_INTEGER),
    testSize: parseWholeNumber('--test-size', values['test-size'], DEFAULTS.testSize, 1, Number.MAX_SAFE_INTEGER),
    smoothing: parseSmoothingList(values.smoothing),
    seed: parseWholeNumber('--seed', values.seed, DEFAULTS.seed, 0, MAX_SEED),
    outDirectory: parseOutDirectory(values.out, startDirectory),
  };
  return { help: false, options };
}

/**
 * Checks that the two set sizes together fit in the `available` digits.
 * `parseCommandLine` checks each size alone, because this check needs the
 * data set loaded.
 *
 * @throws UsageError naming both flags.
 */
export function checkSetSizes(options: DemoOptions, available: number): void {
  if (options.trainSize + options.testSize > available) {
    throw new UsageError(
      `Invalid --train-size ${options.trainSize} with --test-size ${options.testSize}: together they need ` +
        `${options.trainSize + options.testSize} digits, but the mnist package has ${available}. ` +
        `Lower one of them, e.g. --train-size ${available - options.testSize}.`,
    );
  }
}

function parseFlags(args: readonly string[]) {
  return parseArgs({ args: [...args], options: FLAGS, strict: true, allowPositionals: false });
}

function parseBackend(value: string | undefined): BackendName {
  if (value === undefined) {
    return DEFAULTS.backend;
  }
  if (!(BACKEND_NAMES as readonly string[]).includes(value)) {
    throw new UsageError(`Invalid --backend value '${value}': expected ${BACKEND_NAMES.join(' or ')}, e.g. --backend wasm.`);
  }
  return value as BackendName;
}

function parseWholeNumber(flag: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) {
    return fallback;
  }
  const parsed = /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `${min} or more` : `from ${min} to ${max}`;
    throw new UsageError(`Invalid ${flag} value '${value}': expected a whole number ${range}, e.g. ${flag} ${fallback}.`);
  }
  return parsed;
}

function parseSmoothingList(value: string | undefined): number[] {
  if (value === undefined) {
    return [...DEFAULTS.smoothing];
  }
  const entries = value.split(',').map((entry) => entry.trim());
  const smoothing: number[] = [];
  for (const entry of entries) {
    const parsed = entry === '' ? Number.NaN : Number(entry);
    if (!(parsed >= 0 && parsed <= 1)) {
      throw new UsageError(
        `Invalid --smoothing value '${value}': '${entry}' is not a number in [0, 1]. ` +
          'Pass comma-separated numbers, e.g. --smoothing 0,0.1,0.2.',
      );
    }
    if (smoothing.includes(parsed)) {
      throw new UsageError(`Invalid --smoothing value '${value}': ${parsed} appears twice. List each value once.`);
    }
    smoothing.push(parsed);
  }
  return smoothing;
}

function parseOutDirectory(value: string | undefined, startDirectory: string): string {
  if (value === undefined) {
    return DEFAULT_OUT_DIRECTORY;
  }
  if (value.trim() === '') {
    throw new UsageError(`Invalid --out value '${value}': expected a folder path, e.g. --out reports.`);
  }
  return isAbsolute(value) ? value : resolve(startDirectory, value);
}
