/**
 * The package in a browser bundle: esbuild bundles a page that imports it,
 * a server on 127.0.0.1 serves the page and tfjs' own wasm binaries, and
 * headless Chromium runs the loss and its gradient there. The page runs
 * once as a plain page (tfjs' single-threaded SIMD build) and once cross-origin
 * isolated (tfjs' threaded build, whose heap is a shared memory).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { build } from 'esbuild';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { labelSmoothingCrossEntropy } from '@label-smoothing/core';

import type { PageInput, PageOutput } from './browser/page.js';
import { SeededRandom, firstMismatch, useWasmBackend } from './helpers.js';

const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const TFJS_WASM_DIR = join(fileURLToPath(import.meta.resolve('@tensorflow/tfjs-backend-wasm')), '..');

/** Headless flags that keep Chromium off every host but the local server; no sandbox because tests run as root. */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Headers that make a page cross-origin isolated, so tfjs picks its threaded build. */
const ISOLATION_HEADERS = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

function pageInputs(): PageInput[] {
  const random = new SeededRandom('browser');
  const logits = Array.from(random.normals(3 * 37 * 6, 2));
  return [
    {
      shape: [3, 37, 6], logits, labelsShape: [3, 6], labelsDtype: 'int32',
      labels: Array.from({ length: 18 }, (_, p) => (p === 4 ? -100 : random.integer(0, 36))),
      options: { classAxis: 1, smoothing: 0.1, weight: Array.from({ length: 37 }, (_, c) => 0.5 + (c % 4) / 2) },
    },
    {
      shape: [18, 37], logits, labelsShape: [18], labelsDtype: 'int32',
      labels: Array.from({ length: 18 }, () => random.integer(0, 36)),
      options: { smoothing: 0.2, smoothingMode: 'non-target', reduction: 'sum' },
    },
    {
      shape: [6, 111], logits, labelsShape: [6, 111], labelsDtype: 'float32',
      labels: Array.from({ length: 666 }, (_, i) => (i % 111 === i % 7 ? 1 : 0)),
      options: { smoothing: 0.1 },
    },
  ];
}

/** The same computation in this Node process, on the wasm backend. */
function nodeOutputs(inputs: PageInput[]): { loss: number[]; gradient: number[] }[] {
  return inputs.map((input) => tf.tidy(() => {
    const logits = tf.tensor(input.logits, input.shape, 'float32');
    const labels = tf.tensor(input.labels, input.labelsShape, input.labelsDtype);
    const { value, grad } = tf.valueAndGrad((x: tf.Tensor) => labelSmoothingCrossEntropy(x, labels, input.options))(logits);
    return { loss: Array.from(value.dataSync()), gradient: Array.from(grad.dataSync()) };
  }));
}

/** Serves the page (plain and isolated), its bundle and tfjs' wasm binaries on 127.0.0.1. */
async function startServer(bundle: string): Promise<{ url: string; server: Server }> {
  const html = '<!doctype html><meta charset="utf-8"><script type="module" src="/bundle.js"></script>';
  const server = createServer((request, response) => {
    const path = request.url ?? '/';
    const isolation = path.startsWith('/isolated') ? ISOLATION_HEADERS : {};
    if (path === '/plain/' || path === '/isolated/') {
      response.writeHead(200, { 'Content-Type': 'text/html', ...isolation }).end(html);
    } else if (path === '/bundle.js') {
      response.writeHead(200, { 'Content-Type': 'text/javascript', 'Cross-Origin-Resource-Policy': 'same-origin' }).end(bundle);
    } else if (path.startsWith('/tfjs-wasm/') && path.endsWith('.wasm') && existsSync(join(TFJS_WASM_DIR, basename(path)))) {
      response.writeHead(200, { 'Content-Type': 'application/wasm', 'Cross-Origin-Resource-Policy': 'same-origin' })
        .end(readFileSync(join(TFJS_WASM_DIR, basename(path))));
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

const chromiumFound = existsSync(CHROMIUM_PATH);

describe.skipIf(!chromiumFound)(
  chromiumFound ? 'browser bundle in Chromium' : `browser bundle (skipped: no Chromium at ${CHROMIUM_PATH})`, () => {
  let server: Server;
  let baseUrl: string;
  let context: BrowserContext;
  let userDataDir: string;
  const inputs = pageInputs();
  let expected: { loss: number[]; gradient: number[] }[];

  beforeAll(async () => {
    await useWasmBackend();
    expected = nodeOutputs(inputs);

    const bundled = await build({
      entryPoints: [fileURLToPath(new URL('./browser/page.ts', import.meta.url))],
      bundle: true, format: 'esm', platform: 'browser', target: 'es2020', write: false, logLevel: 'error',
    });
    ({ url: baseUrl, server } = await startServer(bundled.outputFiles[0].text));
    userDataDir = mkdtempSync(join(tmpdir(), 'backend-wasm-chromium-'));
    context = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await new Promise((resolve) => server?.close(resolve));
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
  });

  test.each([
    { page: 'plain', sharedHeap: false },
    { page: 'isolated', sharedHeap: true },
  ])('$page page matches Node', async ({ page: pageName, sharedHeap }) => {
    const page = await context.newPage();
    try {
      await page.goto(`${baseUrl}/${pageName}/`);
      await page.waitForFunction(() => 'runLoss' in window);
      const outputs = await page.evaluate(
        (pageInputs) => (window as unknown as { runLoss(i: PageInput[]): Promise<PageOutput[]> }).runLoss(pageInputs), inputs);

      outputs.forEach((output, index) => {
        expect(output.fused, `case ${index}: fused kernels registered`).toBe(true);
        expect(output.sharedHeap, `case ${index}: heap is a shared memory`).toBe(sharedHeap);
        expect(firstMismatch(output.loss, expected[index].loss, 1e-6, 1e-6), `case ${index}: loss`).toBeUndefined();
        expect(firstMismatch(output.gradient, expected[index].gradient, 1e-7, 1e-6), `case ${index}: gradient`).toBeUndefined();
      });
    } finally {
      await page.close();
    }
  }, 60_000);
});
