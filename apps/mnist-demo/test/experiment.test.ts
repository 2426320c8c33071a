import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { runExperiment, type ExperimentResult } from '../src/experiment.js';
import { REPORT_FILES, writeReportFiles, type DemoReport } from '../src/report.js';

describe('runExperiment on the cpu backend', () => {
  const logLines: string[] = [];
  const finishedEpochs: number[] = [];
  let outDirectory: string;
  let experiment: ExperimentResult;
  let written: DemoReport;

  beforeAll(async () => {
    outDirectory = await mkdtemp(join(tmpdir(), 'mnist-demo-test-'));
    experiment = await runExperiment(
      { backend: 'cpu', epochs: 1, trainSize: 300, testSize: 200, smoothing: [0, 0.1], seed: 1 },
      {
        log: (line) => logLines.push(line),
        observerFor: (smoothing) => ({ epochFinished: () => finishedEpochs.push(smoothing) }),
      },
    );
    await writeReportFiles(outDirectory, experiment.report, experiment.results);
    written = JSON.parse(await readFile(join(outDirectory, REPORT_FILES.json), 'utf8')) as DemoReport;
  });

  afterAll(async () => {
    await rm(outDirectory, { recursive: true, force: true });
  });

  it('trains one run per smoothing value', () => {
    expect(written.runs.map((run) => run.smoothing)).toEqual([0, 0.1]);
    expect(finishedEpochs).toEqual([0, 0.1]);
  });

  it('logs the backend and the data', () => {
    expect(logLines[0]).toMatch(/^Backend: tfjs cpu 4\.22\.0; loss computed by fused kernels/);
    expect(logLines[1]).toBe('Data: 300 training and 200 test digits, split with seed 1.');
  });

  it('bins every test digit once per run', () => {
    for (const series of written.reliabilityDiagram.series) {
      expect(series.bins).toHaveLength(15);
      expect(series.bins.reduce((sum, bin) => sum + bin.count, 0)).toBe(200);
    }
  });

  it('agrees between the bins and the run metrics', () => {
    written.runs.forEach((run, index) => {
      const bins = written.reliabilityDiagram.series[index].bins;
      const correct = bins.reduce((sum, bin) => sum + bin.count * (bin.accuracy ?? 0), 0);
      const confidence = bins.reduce((sum, bin) => sum + bin.count * (bin.meanConfidence ?? 0), 0);
      expect(correct / 200).toBeCloseTo(run.test.accuracy, 9);
      expect(confidence / 200).toBeCloseTo(run.test.meanConfidence, 9);
    });
  });

  it('learns beyond chance in one epoch', () => {
    for (const run of written.runs) {
      expect(run.test.accuracy).toBeGreaterThan(0.3);
    }
  });

  it('writes the Markdown table and a valid SVG', async () => {
    const markdown = await readFile(join(outDirectory, REPORT_FILES.markdown), 'utf8');
    const svg = await readFile(join(outDirectory, REPORT_FILES.svg), 'utf8');
    expect(markdown).toContain('| ε   | accuracy | NLL (nats) |');
    expect(markdown).toContain(`![Reliability diagram](${REPORT_FILES.svg})`);
    expect(XMLValidator.validate(svg)).toBe(true);
  });
});
