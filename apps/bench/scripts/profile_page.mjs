// Records a CPU profile of the benchmark page in headless Chromium, through
// the DevTools protocol, while it measures one implementation of one backend
// at one shape (both passes). Prints the page's timings and writes the
// profile, which top_functions.mjs summarizes.
//
// Usage, after `npm run build` at the repository root:
//   node apps/bench/scripts/profile_page.mjs BACKEND IMPLEMENTATION SHAPE OUT.cpuprofile
//   e.g. webgl fused 4096x1000 /tmp/webgl.cpuprofile
import { writeFileSync } from 'node:fs';

import { bundlePage } from '@label-smoothing/conformance/browser/bundle';
import { launchChromium } from '@label-smoothing/conformance/browser/chromium';
import { startPageServer } from '@label-smoothing/conformance/browser/server';

import { PAGE_ENTRY, wasmBinaries } from '../dist/browser/run_browser.js';
import { parseShape } from '../dist/shapes.js';

const [backend, implementation, shapeText, out] = process.argv.slice(2);
if (!backend || !implementation || !shapeText || !out) {
  console.error('Usage: profile_page.mjs BACKEND fused|composite|tfjs SHAPE OUT.cpuprofile');
  process.exit(2);
}

const request = {
  backend,
  groups: [{ name: 'table', shapes: [parseShape(shapeText)], implementations: [implementation] }],
  runs: 15,
  warmupRuns: 2,
  // No budget or limit skips anything here: the point is the profile.
  budgetMs: 600_000,
  memoryBudgetBytes: 16e9,
  goalShapes: [],
  goalBudgetMs: 600_000,
  groupTimeLimitMs: 3_600_000,
  smoothing: 0.1,
};

const server = await startPageServer(await bundlePage(PAGE_ENTRY), wasmBinaries());
const chromium = await launchChromium();
try {
  const page = await chromium.context.newPage();
  await page.goto(server.url);
  await page.waitForFunction(() => window.labelSmoothingBench !== undefined);
  const session = await chromium.context.newCDPSession(page);
  await session.send('Profiler.enable');
  await session.send('Profiler.setSamplingInterval', { interval: 200 });
  await session.send('Profiler.start');
  const result = await page.evaluate((pageRequest) => window.labelSmoothingBench(pageRequest), request);
  const { profile } = await session.send('Profiler.stop');
  writeFileSync(out, JSON.stringify(profile));
  for (const measurement of result.measurements) {
    const time = measurement.timing ? `median ${measurement.timing.medianMs.toFixed(1)} ms` : `skipped: ${measurement.skipped}`;
    console.log(`${backend} ${implementation} ${measurement.pass} ${shapeText}: ${time}`);
  }
  if (result.failed) {
    console.error(`${backend}: ${result.failed}`);
  }
} finally {
  await chromium.close();
  await server.close();
}
