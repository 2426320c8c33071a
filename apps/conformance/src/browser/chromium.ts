import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { chromium, type BrowserContext } from 'playwright-core';

/** Debian's Chromium; playwright-core drives it and never downloads a browser of its own. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Command that installs Chromium, for messages when it is missing. */
export const CHROMIUM_INSTALL_HINT = 'apt-get update && apt-get install -y chromium';

/**
 * Flags for a headless run that talks to no host but the local page server:
 * no QUIC, no first-run page, no background, component or sync traffic.
 * `--no-sandbox` because the tests run as root.
 */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // WebGPU is still behind this flag on Linux; it runs on SwiftShader here.
  '--enable-unsafe-webgpu',
  // tfjs-backend-webgpu 4.22 reads tensors synchronously (dataSync) by
  // copying the buffer into a WebGPU canvas and drawing that into a 2D
  // canvas. In headless Chromium 156 that copy comes back as zeros unless
  // the compositor also runs on Vulkan SwiftShader. WebGL keeps the same
  // renderer (ANGLE on Vulkan SwiftShader) with or without these flags.
  '--enable-features=Vulkan',
  '--use-vulkan=swiftshader',
  '--use-angle=swiftshader',
];

/** Returns whether the Chromium executable exists. */
export function chromiumInstalled(): boolean {
  return existsSync(CHROMIUM_PATH);
}

/** A headless Chromium with a fresh user-data directory, removed again by `close`. */
export interface ChromiumSession {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Launches headless Chromium; the caller must `close` it in a `finally`. */
export async function launchChromium(): Promise<ChromiumSession> {
  if (!chromiumInstalled()) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}. Install it with: ${CHROMIUM_INSTALL_HINT}`);
  }
  const userDataDir = mkdtempSync(join(tmpdir(), 'label-smoothing-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_ARGS,
    });
  } catch (error) {
    rmSync(userDataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    context,
    async close() {
      try {
        await context.close();
      } finally {
        rmSync(userDataDir, { recursive: true, force: true });
      }
    },
  };
}
