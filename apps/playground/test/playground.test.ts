import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

import { CHROMIUM_INSTALL_HINT, chromiumInstalled, launchChromium } from '@label-smoothing/conformance/browser/chromium';
import { PNG } from 'pngjs';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const APP_ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
};

const runInBrowser = chromiumInstalled() || process.env.CI === 'true';
if (!runInBrowser) {
  console.warn(`Skipping the playground browser test: Chromium is not installed. Install it with: ${CHROMIUM_INSTALL_HINT}`);
}

/** Serves `root` on 127.0.0.1 with an ephemeral port; 404 for paths outside it. */
async function serveDirectory(root: string): Promise<{ url: string; server: Server }> {
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    const file = normalize(join(root, path === '/' ? 'index.html' : decodeURIComponent(path)));
    if (!file.startsWith(root + sep)) {
      response.writeHead(404).end();
      return;
    }
    try {
      const body = readFileSync(file);
      response.writeHead(200, { 'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream' });
      response.end(body);
    } catch {
      response.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: ${path}\n`);
    }
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', done);
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server };
}

/** Counts pixels in a rectangle of `png` that differ from white by more than a faint anti-aliasing shade. */
function countInkPixels(png: PNG, box: { x: number; y: number; width: number; height: number }): number {
  let ink = 0;
  for (let y = Math.max(0, Math.floor(box.y)); y < Math.min(png.height, box.y + box.height); y++) {
    for (let x = Math.max(0, Math.floor(box.x)); x < Math.min(png.width, box.x + box.width); x++) {
      const offset = (y * png.width + x) * 4;
      const darkness = 765 - (png.data[offset] + png.data[offset + 1] + png.data[offset + 2]);
      if (darkness > 60) {
        ink++;
      }
    }
  }
  return ink;
}

const describeInBrowser = runInBrowser ? describe : describe.skip;
const suiteName = runInBrowser ? 'playground page' : `playground page (skipped: install Chromium with ${CHROMIUM_INSTALL_HINT})`;

describeInBrowser(suiteName, () => {
  let outDir = '';

  beforeAll(async () => {
    // A fresh build of the current sources, so the test never checks a stale dist.
    outDir = mkdtempSync(join(tmpdir(), 'label-smoothing-playground-'));
    await build({ root: APP_ROOT, configFile: join(APP_ROOT, 'vite.config.ts'), logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  });

  afterAll(() => {
    if (outDir !== '') {
      rmSync(outDir, { recursive: true, force: true });
    }
  });

  it('cpu training draws both charts', async () => {
    const { url, server } = await serveDirectory(outDir);
    const chromium = await launchChromium();
    try {
      const page = await chromium.context.newPage();
      page.setDefaultTimeout(90_000);
      await page.setViewportSize({ width: 1280, height: 1100 });
      const pageErrors: string[] = [];
      page.on('pageerror', (error) => pageErrors.push(error.message));
      await page.goto(url);

      await page.waitForSelector('#train:not([disabled])');
      const cpuStatus = page.locator('#backend-status li[data-backend="cpu"]');
      expect(await cpuStatus.getAttribute('data-available')).toBe('true');
      for (const name of ['webgl', 'webgpu', 'wasm']) {
        // Every backend gets a status line; an unavailable one states its reason.
        const item = page.locator(`#backend-status li[data-backend="${name}"]`);
        const text = await item.textContent();
        if ((await item.getAttribute('data-available')) === 'false') {
          expect(text).toMatch(new RegExp(`^${name}: unavailable, .+`));
          expect(await page.locator(`#backend option[value="${name}"]`).isDisabled()).toBe(true);
        } else {
          expect(text).toBe(`${name}: ready`);
        }
      }

      await page.selectOption('#backend', 'cpu');
      await page.fill('#smoothing', '0.1');
      await page.fill('#train-size', '500');
      await page.fill('#epochs', '2');
      await page.fill('#batch-size', '32');
      await page.click('#train');
      await page.waitForSelector('#results[data-state="done"], #results[data-state="error"]', { state: 'attached' });

      const state = await page.locator('#results').getAttribute('data-state');
      expect(state, (await page.locator('#status').textContent()) ?? '').toBe('done');
      const read = async (name: string): Promise<number> => Number(await page.locator('#results').getAttribute(`data-${name}`));
      const batchCount = await read('batch-count');
      const firstLoss = await read('first-loss');
      const lastLoss = await read('last-loss');
      const firstEpochLoss = await read('first-epoch-loss');
      const lastEpochLoss = await read('last-epoch-loss');
      const testAccuracy = await read('test-accuracy');
      const seconds = await read('seconds');
      console.log(
        `playground cpu ε 0.1, 500 digits, 2 epochs: ${seconds.toFixed(1)} s, loss ${firstLoss.toFixed(3)} → ${lastLoss.toFixed(3)}, ` +
          `epoch loss ${firstEpochLoss.toFixed(3)} → ${lastEpochLoss.toFixed(3)}, test accuracy ${testAccuracy.toFixed(3)}`,
      );

      // 500 digits in batches of 32 is 16 batches per epoch.
      expect(batchCount).toBe(32);
      expect(await page.locator('#results').getAttribute('data-backend')).toBe('cpu');
      expect(Number.isFinite(firstLoss)).toBe(true);
      // Untrained logits give about ln 10 = 2.30 nats.
      expect(firstLoss).toBeGreaterThan(1.5);
      expect(lastLoss).toBeLessThan(firstLoss);
      expect(lastEpochLoss).toBeLessThan(firstEpochLoss);
      expect(testAccuracy).toBeGreaterThan(0.3);
      expect(pageErrors).toEqual([]);

      const lossSeries = page.locator('#loss-chart polyline.loss-series');
      expect(await lossSeries.count()).toBe(1);
      expect(await lossSeries.getAttribute('data-point-count')).toBe('32');
      expect((await lossSeries.getAttribute('points'))?.trim().split(/\s+/)).toHaveLength(32);
      expect(await page.locator('#loss-chart line.epoch-boundary').count()).toBe(1);

      const reliabilitySeries = page.locator('#reliability g.series');
      expect(await reliabilitySeries.count()).toBe(1);
      expect(await reliabilitySeries.getAttribute('data-smoothing')).toBe('0.1');
      // One marker title per non-empty confidence bin: at least two of the 15 bins hold digits.
      const markerCount = await page.locator('#reliability g.series title').count();
      expect(markerCount).toBeGreaterThanOrEqual(2);
      expect(markerCount).toBeLessThanOrEqual(15);

      const screenshot = await page.screenshot({ fullPage: true });
      writeFileSync(join(APP_ROOT, 'playground-screenshot.png'), screenshot);
      const png = PNG.sync.read(screenshot);
      for (const id of ['loss-chart', 'reliability']) {
        const box = await page.locator(`#${id} svg`).boundingBox();
        expect(box, `#${id} svg has no layout box`).not.toBeNull();
        const ink = countInkPixels(png, box!);
        // A drawn chart has axes, labels and a line; an empty area has none.
        expect(ink, `non-white pixels in #${id}`).toBeGreaterThan(2000);
      }
    } finally {
      await chromium.close();
      await new Promise<void>((done) => server.close(() => done()));
    }
  });

  // A short run per backend: each must train with its fused kernels and
  // report finite numbers. Unavailable backends are skipped, because the page
  // disables them.
  it('other backends train in page', async () => {
    const { url, server } = await serveDirectory(outDir);
    const chromium = await launchChromium();
    try {
      const page = await chromium.context.newPage();
      page.setDefaultTimeout(90_000);
      const pageErrors: string[] = [];
      page.on('pageerror', (error) => pageErrors.push(error.message));
      await page.goto(url);
      await page.waitForSelector('#train:not([disabled])');

      for (const name of ['wasm', 'webgl', 'webgpu']) {
        const available = await page.locator(`#backend-status li[data-backend="${name}"]`).getAttribute('data-available');
        if (available !== 'true') {
          console.log(`playground ${name}: unavailable in this Chromium, not trained`);
          continue;
        }
        await page.selectOption('#backend', name);
        await page.fill('#smoothing', '0.2');
        await page.fill('#train-size', '300');
        await page.fill('#epochs', '1');
        await page.fill('#batch-size', '32');
        // Clears the previous run's "done", so the wait below sees this run's result.
        await page.locator('#results').evaluate((results) => results.setAttribute('data-state', 'idle'));
        await page.click('#train');
        await page.waitForSelector('#results[data-state="done"], #results[data-state="error"]', { state: 'attached' });

        const results = page.locator('#results');
        expect(await results.getAttribute('data-state'), (await page.locator('#status').textContent()) ?? '').toBe('done');
        expect(await results.getAttribute('data-backend')).toBe(name);
        const firstLoss = Number(await results.getAttribute('data-first-loss'));
        const lastLoss = Number(await results.getAttribute('data-last-loss'));
        const testAccuracy = Number(await results.getAttribute('data-test-accuracy'));
        const seconds = Number(await results.getAttribute('data-seconds'));
        console.log(`playground ${name} ε 0.2, 300 digits, 1 epoch: ${seconds.toFixed(1)} s, loss ${firstLoss.toFixed(3)} → ${lastLoss.toFixed(3)}, test accuracy ${testAccuracy.toFixed(3)}`);

        // 300 digits in batches of 32 is 10 batches.
        expect(await results.getAttribute('data-batch-count')).toBe('10');
        expect(Number.isFinite(firstLoss)).toBe(true);
        expect(lastLoss).toBeLessThan(firstLoss);
        expect(testAccuracy).toBeGreaterThan(0.2);
        expect(await page.locator('#reliability g.series').getAttribute('data-smoothing')).toBe('0.2');
      }
      expect(pageErrors).toEqual([]);
    } finally {
      await chromium.close();
      await new Promise<void>((done) => server.close(() => done()));
    }
  });
});
