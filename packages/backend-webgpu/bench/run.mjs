/**
 * Times forward plus backward of the fused webgpu kernels against
 * tf.losses.softmaxCrossEntropy (one-hot labels, same smoothing, 'mean') in
 * headless Chromium, and prints the median of the timed runs.
 *
 * Chromium runs WebGPU on SwiftShader here, a CPU implementation, so the
 * figures compare the two implementations with each other, never with a
 * real GPU.
 *
 * Usage, after `npm run build`: node bench/run.mjs [--rows N] [--classes C] [--runs N] [--warmup N]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { build } from 'esbuild';
import { chromium } from 'playwright-core';

const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** The harness's flags (apps/conformance/src/browser/chromium.ts): no traffic but the local page server, WebGPU on. */
const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--enable-unsafe-webgpu',
];

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

async function bundle() {
  const result = await build({
    entryPoints: [fileURLToPath(new URL('./page.ts', import.meta.url))],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    write: false,
    logLevel: 'error',
  });
  return result.outputFiles[0].text;
}

/** Serves the page on 127.0.0.1 with an ephemeral port; WebGPU needs that secure context. */
async function startServer(script) {
  const server = createServer((request, response) => {
    if (request.url === '/page.js') {
      response.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' });
      response.end(script);
    } else if (request.url === '/') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end('<!doctype html><meta charset="utf-8"><script type="module" src="/page.js"></script>');
    } else {
      response.writeHead(404);
      response.end();
    }
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return server;
}

async function main() {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string', default: '4096' },
      classes: { type: 'string', default: '1000' },
      runs: { type: 'string', default: '7' },
      warmup: { type: 'string', default: '2' },
    },
  });
  const request = {
    rows: Number(values.rows),
    numClasses: Number(values.classes),
    smoothing: 0.1,
    warmupRuns: Number(values.warmup),
    timedRuns: Number(values.runs),
  };
  if (![request.rows, request.numClasses, request.timedRuns].every((value) => Number.isInteger(value) && value >= 1)) {
    throw new Error(`Invalid sizes: --rows ${values.rows} --classes ${values.classes} --runs ${values.runs}; expected positive integers.`);
  }

  const server = await startServer(await bundle());
  const userDataDir = mkdtempSync(join(tmpdir(), 'label-smoothing-webgpu-bench-'));
  let result;
  try {
    const context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS,
    });
    try {
      const page = await context.newPage();
      page.setDefaultTimeout(30 * 60 * 1000);
      await page.goto(`http://127.0.0.1:${server.address().port}/`);
      await page.waitForFunction(() => window.labelSmoothingWebGPUBenchmark !== undefined);
      result = await page.evaluate((pageRequest) => window.labelSmoothingWebGPUBenchmark(pageRequest), request);
    } finally {
      await context.close();
    }
  } finally {
    rmSync(userDataDir, { recursive: true, force: true });
    await new Promise((resolve) => server.close(resolve));
  }

  const fused = median(result.fusedMs);
  const baseline = median(result.baselineMs);
  const format = (runs) => runs.map((ms) => ms.toFixed(0)).join(', ');
  console.log(`webgpu, [${request.rows}, ${request.numClasses}], smoothing ${request.smoothing}, 'mean', forward + backward`);
  console.log(`adapter: ${result.adapter}; fused kernels registered: ${result.fused}`);
  console.log(`fused kernels:                 median ${fused.toFixed(1)} ms (runs: ${format(result.fusedMs)}), loss ${result.fusedLoss}`);
  console.log(`tf.losses.softmaxCrossEntropy: median ${baseline.toFixed(1)} ms (runs: ${format(result.baselineMs)}), loss ${result.baselineLoss}`);
  console.log(`speed-up: ${(baseline / fused).toFixed(2)}x (median of ${request.timedRuns} runs after ${request.warmupRuns} warm-up runs each)`);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.stack ?? error.message : error);
  process.exit(1);
});
