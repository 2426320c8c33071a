/**
 * The benchmark as a user runs it: `--quick` (one small shape per backend,
 * three-point scaling sweeps) through the built CLI into a temporary folder,
 * then checks of the files it wrote. Nothing here asserts a time: timings
 * on a shared machine vary too much. The helpers it is built from get unit
 * tests of their own below.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

import { PASSES, TFJS_IMPLEMENTATIONS } from '../src/measure/types.js';
import { END_MARKER, START_MARKER, insertSection, writeSection } from '../src/report/docs_file.js';
import type { BenchResults } from '../src/report/results.js';
import { parseOptions } from '../src/options.js';
import { QUICK_SHAPES, parseShape, shapeKey } from '../src/shapes.js';
import { renderLogLogChart } from '../src/report/svg.js';
import { allTargets, selectTargets, targetLabel } from '../src/targets.js';
import { affineFit, logLogSlope, median } from '../src/measure/statistics.js';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

/** Runs the built CLI and returns its exit code and output. */
function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Splits the Markdown tables of a document into rows of trimmed cells. */
function markdownTables(markdown: string): string[][][] {
  const tables: string[][][] = [];
  let current: string[][] | undefined;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('|')) {
      current ??= [];
      current.push(line.slice(1, -1).split('|').map((cell) => cell.trim()));
    } else if (current) {
      tables.push(current);
      current = undefined;
    }
  }
  if (current) {
    tables.push(current);
  }
  return tables;
}

describe('quick run', () => {
  let outDirectory: string;
  let run: { code: number | null; stdout: string; stderr: string };
  let results: BenchResults;
  let markdown: string;

  beforeAll(async () => {
    outDirectory = mkdtempSync(join(tmpdir(), 'label-smoothing-bench-'));
    writeFileSync(join(outDirectory, 'benchmarks.md'), '# Benchmarks\n\nIntro.\n\n## Hand-written section\n\nKept as it is.\n');
    run = await runCli(['--quick', '--out', outDirectory]);
    if (run.code === 0) {
      results = JSON.parse(readFileSync(join(outDirectory, 'benchmarks', 'results.json'), 'utf8')) as BenchResults;
      markdown = readFileSync(join(outDirectory, 'benchmarks.md'), 'utf8');
    }
  });

  afterAll(() => {
    rmSync(outDirectory, { recursive: true, force: true });
  });

  test('CLI exits with 0', () => {
    expect(run.code, run.stderr.slice(-2000)).toBe(0);
  });

  test('results have every backend and implementation row', () => {
    for (const spec of QUICK_SHAPES) {
      for (const pass of PASSES) {
        for (const target of allTargets()) {
          for (const implementation of TFJS_IMPLEMENTATIONS) {
            const matches = results.rows.filter((row) => row.group === 'table' && row.backend === target.backend &&
              row.environment === target.environment && row.implementation === implementation && row.pass === pass && shapeKey(row) === shapeKey(spec));
            expect(matches, `${targetLabel(target)} ${implementation} ${pass}`).toHaveLength(1);
          }
        }
        for (const implementation of ['pytorch-1-thread', 'pytorch-all-threads']) {
          const matches = results.rows.filter((row) => row.group === 'table' && row.implementation === implementation && row.pass === pass);
          expect(matches, `${implementation} ${pass}`).toHaveLength(1);
        }
      }
    }
  });

  test('rows have timings or skip reasons', () => {
    for (const row of results.rows) {
      const name = `${row.backend} ${row.environment} ${row.implementation} ${row.pass} ${shapeKey(row)}`;
      if (row.medianMs === null) {
        expect(row.skipped, name).toMatch(/\S/);
        continue;
      }
      expect(row.skipped, name).toBeNull();
      expect(row.timedRuns, name).toBeGreaterThanOrEqual(5);
      expect(row.minMs!, name).toBeLessThanOrEqual(row.medianMs);
      expect(row.maxMs!, name).toBeGreaterThanOrEqual(row.medianMs);
    }
  });

  test('speed-ups use the same run baseline', () => {
    for (const row of results.rows.filter((candidate) => candidate.speedupVsTfjs)) {
      const baseline = results.rows.find((candidate) => candidate.implementation === 'tfjs' && candidate.backend === row.backend &&
        candidate.environment === row.environment && candidate.group === row.group && candidate.pass === row.pass && shapeKey(candidate) === shapeKey(row))!;
      expect(row.speedupVsTfjs!.median).toBeCloseTo(baseline.medianMs! / row.medianMs!, 10);
    }
  });

  test('timed tfjs rows have memory figures', () => {
    const timed = results.rows.filter((row) => row.environment !== 'python' && row.medianMs !== null);
    expect(timed.length).toBeGreaterThan(0);
    for (const row of timed) {
      const name = `${row.backend} ${row.environment} ${row.implementation} ${row.pass}`;
      expect(row.memory, name).not.toBeNull();
      expect(row.memory!.peakBytes, name).toBeGreaterThanOrEqual(row.memory!.outputBytes);
      // Forward+backward returns the [rows, C] float32 gradient, so its peak is at least that.
      if (row.pass === 'forward+backward') {
        expect(row.memory!.peakBytes, name).toBeGreaterThanOrEqual(4 * row.shape.reduce((a, b) => a * b, 1));
      }
    }
  });

  test.for(allTargets().map((target) => [targetLabel(target), target] as const))('implementations agree on the loss, %s', ([, target], context) => {
    const backend = results.backends.find((result) => result.backend === target.backend && result.environment === target.environment);
    // Without Chromium the browser backends report why they did not run; the row test above checks that reason.
    context.skip(backend?.failed !== undefined, `${targetLabel(target)} did not run: ${backend?.failed}`);
    const rows = results.rows.filter((row) => row.backend === target.backend && row.environment === target.environment && row.loss !== null);
    const fusedRows = rows.filter((row) => row.implementation === 'fused');
    expect(fusedRows.length, 'fused rows with a loss').toBeGreaterThan(0);
    for (const fused of fusedRows) {
      const others = rows.filter((row) => row.implementation !== 'fused' && row.group === fused.group && row.pass === fused.pass && shapeKey(row) === shapeKey(fused));
      for (const other of others) {
        if (target.backend === 'webgpu' && other.implementation === 'composite') {
          // Skipped: core's composite returns zeros for index labels on
          // tfjs-backend-webgpu 4.22, because a Transpose it runs gets an int32
          // buffer behind a float32 tensor and its WGSL fails to compile.
          continue;
        }
        expect(other.loss!, `${other.implementation} ${other.group} ${other.pass} ${shapeKey(other)}`).toBeCloseTo(fused.loss!, 4);
      }
    }
  });

  test('Markdown keeps the hand-written section', () => {
    expect(markdown.startsWith('# Benchmarks\n\nIntro.\n\n<!-- bench:start')).toBe(true);
    expect(markdown).toContain(`${END_MARKER}\n\n## Hand-written section\n\nKept as it is.\n`);
  });

  test('Markdown tables are well formed', () => {
    const tables = markdownTables(markdown);
    expect(tables.length).toBeGreaterThanOrEqual(2 * allTargets().length + 1);
    for (const table of tables) {
      const [header, separator, ...body] = table;
      expect(separator.every((cell) => /^-{3,}:?$/.test(cell)), separator.join('|')).toBe(true);
      expect(separator).toHaveLength(header.length);
      expect(body.length).toBe(QUICK_SHAPES.length * PASSES.length);
      for (const row of body) {
        expect(row, row.join(' | ')).toHaveLength(header.length);
        expect(row.every((cell) => cell.length > 0), row.join(' | ')).toBe(true);
      }
    }
  });

  test('Markdown names machine, versions and command', () => {
    expect(markdown).toContain(`Machine: ${results.machine.cpuModel}, ${results.machine.cores} cores`);
    expect(markdown).toContain('load averages');
    expect(markdown).toContain(`tfjs ${results.versions.tfjs}`);
    expect(markdown).toContain(`\`npm run bench -- --quick --out ${outDirectory}\``);
    for (const target of allTargets()) {
      expect(markdown).toContain(`#### ${targetLabel(target)}`);
    }
  });

  test('charts are valid SVG files', () => {
    const charts = readdirSync(join(outDirectory, 'benchmarks')).filter((name) => name.endsWith('.svg'));
    const nodeTargets = allTargets().filter((target) => target.environment === 'node');
    expect(charts).toHaveLength(4 * nodeTargets.length);
    for (const name of charts) {
      const svg = readFileSync(join(outDirectory, 'benchmarks', name), 'utf8');
      expect(XMLValidator.validate(svg), name).toBe(true);
      expect(svg, name).toContain('<polyline');
      expect(markdown, name).toContain(`(benchmarks/${name})`);
    }
  });
});

describe('insertSection', () => {
  const document = '# Benchmarks\n\nIntro.\n\n## WebAssembly backend\n\nFigures.\n';

  test('adds markers before the first section', () => {
    const updated = insertSection(document, 'Generated.');
    expect(updated).toBe(`# Benchmarks\n\nIntro.\n\n${START_MARKER}\n\nGenerated.\n\n${END_MARKER}\n\n## WebAssembly backend\n\nFigures.\n`);
  });

  test('replaces only between the markers', () => {
    const once = insertSection(document, 'First.');
    const twice = insertSection(once, 'Second.');
    expect(twice).toBe(once.replace('First.', 'Second.'));
  });

  test('rejects a lone marker', () => {
    expect(() => insertSection(`${document}\n${END_MARKER}\n`, 'Generated.')).toThrow(/Only one of the bench markers/);
  });

  test('creates a missing file', () => {
    const directory = mkdtempSync(join(tmpdir(), 'label-smoothing-bench-docs-'));
    try {
      writeSection(join(directory, 'benchmarks.md'), 'Generated.');
      expect(readFileSync(join(directory, 'benchmarks.md'), 'utf8')).toBe(`# Benchmarks\n\n${START_MARKER}\n\nGenerated.\n\n${END_MARKER}\n`);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});

describe('command line', () => {
  test('parses shapes with a class axis', () => {
    expect(parseShape('16x21x64x64:1')).toEqual({ shape: [16, 21, 64, 64], classAxis: 1 });
    expect(parseShape('4096x1000')).toEqual({ shape: [4096, 1000], classAxis: -1 });
  });

  test.each(['4096x', '0x10', '4x10:2', 'ax10', '4x10:-3'])('rejects shape %s', (text) => {
    expect(() => parseShape(text)).toThrow(/Invalid shape/);
  });

  test('rejects fewer than five runs', () => {
    expect(() => parseOptions(['--runs', '4'])).toThrow(/--runs 4/);
  });

  test('quick defaults to one shape', () => {
    const options = parseOptions(['--quick']);
    expect(options.shapes).toEqual(QUICK_SHAPES);
    expect(options.runs).toBe(5);
  });

  test('selects a backend in one environment', () => {
    expect(selectTargets(['wasm@browser'])).toEqual([{ backend: 'wasm', environment: 'browser', primary: false }]);
    expect(selectTargets(['wasm'])).toEqual([
      { backend: 'wasm', environment: 'node', primary: true },
      { backend: 'wasm', environment: 'browser', primary: false },
    ]);
  });

  test('rejects an unknown backend', () => {
    expect(() => selectTargets(['tpu'])).toThrow(/Unknown --backend tpu.*cpu@node/);
  });
});

describe('helpers', () => {
  test('median of even and odd lists', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  test('affine fit of a line', () => {
    const fit = affineFit([1, 2, 4, 8].map((x) => ({ x, y: 5 + 0.5 * x })));
    expect(fit.intercept).toBeCloseTo(5, 10);
    expect(fit.slope).toBeCloseTo(0.5, 10);
  });

  test('log-log slope of a power law', () => {
    const points = [1, 10, 100, 1000].map((x) => ({ x, y: 3 * x ** 1.5 }));
    expect(logLogSlope(points)).toBeCloseTo(1.5, 10);
  });

  test('chart without points says so', () => {
    const svg = renderLogLogChart({ title: 'Empty', xLabel: 'x', yLabel: 'y', series: [], formatX: String, formatY: String });
    expect(XMLValidator.validate(svg)).toBe(true);
    expect(svg).toContain('no measured points');
  });
});

