/**
 * Browser benchmark of the fused webgl kernels against tf.losses.softmaxCrossEntropy
 * (one-hot labels, same smoothing), forward plus backward, in headless Chromium.
 * Prints the median of the timed runs after warm-up.
 *
 * Usage: npm run -w @label-smoothing/conformance benchmark:webgl -- [--rows N] [--classes C] [--runs N]
 */
import { parseArgs } from 'node:util';

import { BENCHMARK_PAGE_ENTRY, bundlePage } from './bundle.js';
import type { BenchmarkRequest, BenchmarkResult } from './benchmark_page.js';
import { launchChromium } from './chromium.js';
import { startPageServer } from './server.js';

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string', default: '4096' },
      classes: { type: 'string', default: '1000' },
      runs: { type: 'string', default: '7' },
      warmup: { type: 'string', default: '2' },
    },
  });
  const request: BenchmarkRequest = {
    rows: Number(values.rows),
    numClasses: Number(values.classes),
    smoothing: 0.1,
    warmupRuns: Number(values.warmup),
    timedRuns: Number(values.runs),
  };
  if (!(request.timedRuns >= 1 && request.rows >= 1 && request.numClasses >= 1)) {
    throw new Error(`Invalid sizes: --rows ${values.rows} --classes ${values.classes} --runs ${values.runs}; expected positive integers.`);
  }

  const server = await startPageServer(await bundlePage(BENCHMARK_PAGE_ENTRY));
  let result: BenchmarkResult;
  try {
    const chromium = await launchChromium();
    try {
      const page = await chromium.context.newPage();
      page.setDefaultTimeout(15 * 60 * 1000);
      await page.goto(server.url);
      await page.waitForFunction(() => window.labelSmoothingBenchmark !== undefined);
      result = await page.evaluate((pageRequest) => window.labelSmoothingBenchmark!(pageRequest), request);
    } finally {
      await chromium.close();
    }
  } finally {
    await server.close();
  }

  const fused = median(result.fusedMs);
  const baseline = median(result.baselineMs);
  const format = (runs: number[]) => runs.map((ms) => ms.toFixed(0)).join(', ');
  console.log(`webgl, [${request.rows}, ${request.numClasses}], smoothing ${request.smoothing}, forward + backward`);
  console.log(`renderer: ${result.renderer}; float32 textures: ${result.float32Textures}`);
  console.log(`fused kernels:                  median ${fused.toFixed(1)} ms (runs: ${format(result.fusedMs)}), loss ${result.fusedLoss}`);
  console.log(`tf.losses.softmaxCrossEntropy: median ${baseline.toFixed(1)} ms (runs: ${format(result.baselineMs)}), loss ${result.baselineLoss}`);
  console.log(`speed-up: ${(baseline / fused).toFixed(2)}x (median of ${request.timedRuns} runs after ${request.warmupRuns} warm-up runs each)`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack ?? error.message : error);
  process.exit(1);
});
