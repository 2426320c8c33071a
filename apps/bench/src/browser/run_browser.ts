/**
 * Runs the browser backends in headless Chromium with the conformance
 * harness's runner parts: its page bundler, its page server on 127.0.0.1 and
 * its Chromium launcher. Each backend gets a fresh page, so tfjs starts
 * anew for each.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { bundlePage } from '@label-smoothing/conformance/browser/bundle';
import { CHROMIUM_INSTALL_HINT, CHROMIUM_PATH, chromiumInstalled, launchChromium } from '@label-smoothing/conformance/browser/chromium';
import { startPageServer, type StaticFile } from '@label-smoothing/conformance/browser/server';

import type { BackendRequest, BackendResult } from '../measure/types.js';

/** The page's entry, as TypeScript source, from either `src/browser` or `dist/browser`. */
export const PAGE_ENTRY = fileURLToPath(new URL('../../src/browser/page.ts', import.meta.url));

/**
 * tfjs' wasm binaries, served at the page's root: in a bundled module script
 * tfjs-backend-wasm 4.22 looks for them relative to the page's URL.
 */
export function wasmBinaries(): StaticFile[] {
  const directory = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'));
  return readdirSync(directory)
    .filter((name) => name.endsWith('.wasm'))
    .map((name) => ({ path: `/${name}`, contentType: 'application/wasm', body: readFileSync(join(directory, name)) }));
}

/** How many times the same page message is logged before further repeats are only counted. */
const REPEATED_MESSAGES_SHOWN = 3;

function failedResult(request: BackendRequest, reason: string): BackendResult {
  return { backend: request.backend, environment: 'browser', details: {}, measurements: [], elapsedSeconds: 0, failed: reason };
}

/**
 * Measures each requested backend in its own page of one headless Chromium.
 * Without Chromium, every result explains how to install it.
 */
export async function runBrowserBackends(requests: readonly BackendRequest[], log: (line: string) => void): Promise<BackendResult[]> {
  if (requests.length === 0) {
    return [];
  }
  if (!chromiumInstalled()) {
    const reason = `Chromium not found at ${CHROMIUM_PATH}; install it with: ${CHROMIUM_INSTALL_HINT}`;
    return requests.map((request) => failedResult(request, reason));
  }

  const server = await startPageServer(await bundlePage(PAGE_ENTRY), wasmBinaries());
  const results: BackendResult[] = [];
  try {
    const chromium = await launchChromium();
    try {
      for (const request of requests) {
        results.push(await runInPage(chromium.context, server.url, request, log));
      }
    } finally {
      await chromium.close();
    }
  } finally {
    await server.close();
  }
  return results;
}

type BrowserContext = Awaited<ReturnType<typeof launchChromium>>['context'];

async function runInPage(context: BrowserContext, url: string, request: BackendRequest, log: (line: string) => void): Promise<BackendResult> {
  const prefix = `[${request.backend} in chromium]`;
  const page = await context.newPage();
  // A failing GPU program can log the same error for every later call, so
  // each distinct first line is shown a few times and the rest counted.
  const seen = new Map<string, number>();
  const logLimited = (text: string) => {
    const key = text.split('\n')[0];
    const count = (seen.get(key) ?? 0) + 1;
    seen.set(key, count);
    if (count <= REPEATED_MESSAGES_SHOWN) {
      log(`${prefix} ${text}`);
    }
  };
  page.on('console', (message) => logLimited(message.text()));
  page.on('pageerror', (error) => logLimited(`page error: ${error.message}`));
  try {
    await page.goto(url);
    await page.waitForFunction(() => window.labelSmoothingBench !== undefined);
    const loadStart = loadavg()[0];
    const result = await page.evaluate((pageRequest) => window.labelSmoothingBench!(pageRequest), request);
    result.loadAverage = { start: loadStart, end: loadavg()[0] };
    return result;
  } catch (error) {
    return failedResult(request, `the page failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
  } finally {
    await page.close();
    for (const [key, count] of seen) {
      if (count > REPEATED_MESSAGES_SHOWN) {
        log(`${prefix} ${count - REPEATED_MESSAGES_SHOWN} more message(s) starting '${key}' not shown`);
      }
    }
  }
}
