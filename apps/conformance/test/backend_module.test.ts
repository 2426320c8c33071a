/**
 * `--backend-module`: the CLI loads a backend it has never seen from a
 * module, runs the whole suite on it, and reports wrong kernels as
 * failures, in Node and in Chromium. The fixtures register copies of tfjs'
 * cpu backend: 'cpu-wrong' with kernels that ignore the 'non-target' mode,
 * 'cpu-copy' with the correct cpu kernels.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

import { afterAll, describe, expect, test } from 'vitest';

import { defineModuleBackend } from '../src/backends.js';
import { chromiumInstalled } from '../src/browser/chromium.js';
import type { ConformanceReport } from '../src/runner.js';

const appDirectory = resolve(import.meta.dirname, '..');
const cli = join(appDirectory, 'dist/cli.js');
const outDirectories: string[] = [];
/** The CLI runs every reference case and property check on the cpu backend copy. */
const CLI_TIMEOUT_MS = 120_000;

afterAll(() => {
  for (const directory of outDirectories) {
    rmSync(directory, { recursive: true, force: true });
  }
});

interface CliRun {
  exitCode: number;
  stdout: string;
  reports: ConformanceReport[];
}

/** Runs the built CLI as `npm run conformance` would from the fixtures folder, and reads the JSON report it writes. */
async function runCli(args: string[]): Promise<CliRun> {
  const out = mkdtempSync(join(tmpdir(), 'label-smoothing-backend-module-'));
  outDirectories.push(out);
  let exitCode = 0;
  let stdout = '';
  try {
    // Relative module paths resolve against INIT_CWD, which npm sets to the folder it was started from.
    ({ stdout } = await promisify(execFile)(process.execPath, [cli, ...args, '--out', out], {
      cwd: appDirectory,
      env: { ...process.env, INIT_CWD: join(appDirectory, 'test/fixtures') },
      maxBuffer: 16 * 1024 * 1024,
    }));
  } catch (error) {
    const failure = error as { code?: number; stdout?: string; stderr?: string };
    exitCode = failure.code ?? -1;
    stdout = `${failure.stdout ?? ''}${failure.stderr ?? ''}`;
  }
  const reportPath = join(out, 'conformance.json');
  const reports = existsSync(reportPath) ? JSON.parse(readFileSync(reportPath, 'utf8')) as ConformanceReport[] : [];
  return { exitCode, stdout, reports };
}

describe('--backend-module', () => {
  test('wrong kernels fail the run', async () => {
    const run = await runCli(['--backend-module', './cpu_wrong_backend.mjs']);

    expect(run.exitCode).toBe(1);
    expect(run.reports.map((report) => report.backend)).toEqual(['cpu-wrong']);
    const [report] = run.reports;
    expect(report.fused).toBe(true);
    expect(report.failed).toBeGreaterThan(0);
    expect(run.stdout).toContain('cpu-wrong: non-target-');

    const groups = new Map(report.groups.map((group) => [group.group, group]));
    expect(groups.get('non-target')?.failed).toBeGreaterThan(0);
    expect(groups.get('fused-vs-composite')?.failed).toBeGreaterThan(0);
    // Only 'non-target' results are wrong, so the 'uniform' groups pass.
    expect(groups.get('index')?.failed).toBe(0);
    expect(groups.get('index')?.passed).toBeGreaterThan(0);
    expect(groups.get('probability')?.failed).toBe(0);
  }, CLI_TIMEOUT_MS);

  test('correct kernels pass the run', async () => {
    const run = await runCli(['--backend-module', './cpu_copy_backend.mjs']);

    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.reports.map((report) => report.backend)).toEqual(['cpu-copy']);
    const [report] = run.reports;
    expect(report.fused).toBe(true);
    expect(report.failed).toBe(0);
    const groups = report.groups.map((group) => group.group);
    for (const group of ['index', 'probability', 'non-target', 'numerics', 'finite-differences', 'fused-vs-composite']) {
      expect(groups).toContain(group);
    }
  }, CLI_TIMEOUT_MS);

  test('missing module is reported', async () => {
    const run = await runCli(['--backend-module', './no_such_backend.mjs']);

    expect(run.exitCode).toBe(2);
    expect(run.stdout).toContain('Backend module not found');
    expect(run.stdout).toContain('no_such_backend.mjs');
    expect(run.reports).toEqual([]);
  }, CLI_TIMEOUT_MS);
});

// Without Chromium the browser run is skipped, except under CI=true, where
// browser.test.ts fails the run instead.
describe.skipIf(!chromiumInstalled())('--backend-module in Chromium', () => {
  test('browser-only module runs in the page', async () => {
    // Only the 'non-target' reference cases, to keep the Chromium run short; the property checks still run.
    const run = await runCli(['--backend-module', './cpu_wrong_browser_backend.mjs', '--filter', 'non-target']);

    expect(run.exitCode).toBe(1);
    expect(run.reports.map((report) => report.backend)).toEqual(['cpu-wrong']);
    const [report] = run.reports;
    expect(report.fused).toBe(true);
    const groups = new Map(report.groups.map((group) => [group.group, group]));
    expect(groups.get('non-target')?.failed).toBeGreaterThan(0);
    expect(groups.get('fused-vs-composite')?.failed).toBeGreaterThan(0);
    expect(groups.get('shift-invariance')?.failed).toBe(0);
  }, CLI_TIMEOUT_MS);
});

describe('defineModuleBackend', () => {
  test('backendName export activates that backend', () => {
    const definition = defineModuleBackend({ backendName: 'my-backend', precision: 'float16' }, './my.mjs');

    expect(definition.name).toBe('my-backend');
    expect(definition.precision).toBe('float16');
    expect(definition.environments).toEqual(['node']);
    expect(definition.kernelsPackage).toBe('./my.mjs');
  });

  test('default export is a definition', () => {
    const activate = async () => {};
    const definition = defineModuleBackend({ default: { name: 'other', activate, environments: ['browser'] } }, 'pkg');

    expect(definition.name).toBe('other');
    expect(definition.environments).toEqual(['browser']);
    expect(definition.precision).toBe('float32');
  });

  test.each([
    [{}, /exports no backend name/],
    [{ backendName: '' }, /exports no backend name/],
    [{ backend: { name: 'x' } }, /has no activate\(\) function/],
    [{ backendName: 'x', precision: 'float64' }, /invalid precision "float64"/],
    [{ backendName: 'x', environments: ['deno'] }, /invalid environments \["deno"\]/],
  ])('invalid exports %j are rejected', (moduleExports, message) => {
    expect(() => defineModuleBackend(moduleExports, './bad.mjs')).toThrow(message);
  });
});
