/**
 * Runs the conformance suite in headless Chromium: bundles the page once,
 * serves it from 127.0.0.1, opens one fresh page per target (tfjs flags such
 * as 16-bit textures are read once per page) and returns the page's reports.
 */
import type { Page } from 'playwright-core';

import type { ConformanceCase } from '../cases.js';
import type { CheckResult } from '../checks.js';
import type { ConformanceReport } from '../runner.js';
import { PAGE_ENTRY, bundlePage, type BundledBackendModule } from './bundle.js';
import { launchChromium, type ChromiumSession } from './chromium.js';
import type { RobustnessReport } from '../robustness/index.js';
import type { PageApi, PageRobustnessRequest } from './page_api.js';
import { startPageServer, tfjsWasmBinaries, type PageServer } from './server.js';
import type { BrowserTarget } from './targets.js';

/** SwiftShader compiles every shader on the CPU, so a whole suite can take minutes. */
const PAGE_TIMEOUT_MS = 10 * 60 * 1000;

export interface BrowserRunOptions {
  cases: ConformanceCase[];
  filter?: string;
  referenceOnly?: boolean;
}

/** A running Chromium and page server; `close` it in a `finally`. */
export class BrowserRunner {
  private constructor(
    private readonly chromium: ChromiumSession,
    private readonly server: PageServer,
    /** Messages the pages logged as errors, for the failure reports. */
    readonly pageErrors: string[],
  ) {}

  /** Bundles the page with any backend modules, starts the server and launches Chromium. */
  static async start(backendModules: readonly BundledBackendModule[] = []): Promise<BrowserRunner> {
    const server = await startPageServer(await bundlePage(PAGE_ENTRY, backendModules), tfjsWasmBinaries());
    try {
      return new BrowserRunner(await launchChromium(), server, []);
    } catch (error) {
      await server.close();
      throw error;
    }
  }

  /** Runs the conformance suite on one target in a new page; the report is named after the target. */
  async runConformance(target: BrowserTarget, options: BrowserRunOptions): Promise<ConformanceReport> {
    const report = await this.withPage((page) => page.evaluate(
      (request) => (window.labelSmoothingConformance as PageApi).runConformance(request),
      { target, cases: options.cases, filter: options.filter, referenceOnly: options.referenceOnly },
    ));
    return { ...report, backend: target.name };
  }

  /** Runs the webgl-specific checks on a webgl target in a new page. */
  async runWebGLChecks(target: BrowserTarget): Promise<CheckResult[]> {
    return this.withPage((page) => page.evaluate(
      (pageTarget) => (window.labelSmoothingConformance as PageApi).runWebGLChecks(pageTarget),
      target,
    ));
  }

  /** Runs the robustness checks on one target in a new page. */
  async runRobustness(request: PageRobustnessRequest): Promise<RobustnessReport> {
    return this.withPage((page) => page.evaluate(
      (pageRequest) => (window.labelSmoothingConformance as PageApi).runRobustness(pageRequest),
      request,
    ));
  }

  /** Runs the webgpu-specific checks on the webgpu target in a new page. */
  async runWebGPUChecks(target: BrowserTarget): Promise<CheckResult[]> {
    return this.withPage((page) => page.evaluate(
      (pageTarget) => (window.labelSmoothingConformance as PageApi).runWebGPUChecks(pageTarget),
      target,
    ));
  }

  async close(): Promise<void> {
    try {
      await this.chromium.close();
    } finally {
      await this.server.close();
    }
  }

  private async withPage<T>(body: (page: Page) => Promise<T>): Promise<T> {
    const page = await this.chromium.context.newPage();
    page.setDefaultTimeout(PAGE_TIMEOUT_MS);
    page.on('pageerror', (error) => this.pageErrors.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') {
        this.pageErrors.push(`console error: ${message.text()}`);
      }
    });
    try {
      await page.goto(this.server.url);
      await page.waitForFunction(() => window.labelSmoothingConformance !== undefined);
      return await body(page);
    } finally {
      await page.close();
    }
  }
}
