import { findBackend } from '../backends.js';
import type { ConformanceCase } from '../cases.js';
import type { ConformanceReport } from '../runner.js';
import { CHROMIUM_INSTALL_HINT, CHROMIUM_PATH, chromiumInstalled } from './chromium.js';
import { applyExclusions, type SkippedCheck } from './exclusions.js';
import type { BundledBackendModule } from './bundle.js';
import { BrowserRunner } from './runner.js';
import type { BrowserTarget } from './targets.js';

export interface BrowserTargetsResult {
  reports: ConformanceReport[];
  skipped: SkippedCheck[];
  /** Set when Chromium is missing and nothing ran: what to tell the user. */
  unavailable?: string;
}

/**
 * Runs the conformance suite on each browser target in one Chromium, one
 * page per target, and applies the targets' exclusions. Without Chromium it
 * runs nothing and returns the install command in `unavailable`.
 */
export async function runBrowserTargets(
  targets: readonly BrowserTarget[],
  options: { cases: ConformanceCase[]; filter?: string; backendModules?: readonly BundledBackendModule[] },
): Promise<BrowserTargetsResult> {
  if (targets.length === 0) {
    return { reports: [], skipped: [] };
  }
  if (!chromiumInstalled()) {
    return {
      reports: [],
      skipped: [],
      unavailable: `Chromium not found at ${CHROMIUM_PATH}; skipped the browser backends ` +
        `${targets.map((target) => target.name).join(', ')}. Install it with: ${CHROMIUM_INSTALL_HINT}`,
    };
  }

  const reports: ConformanceReport[] = [];
  const skipped: SkippedCheck[] = [];
  const runner = await BrowserRunner.start(options.backendModules);
  try {
    for (const target of targets) {
      const raw = await runner.runConformance(target, options);
      const excluded = applyExclusions(raw, target, findBackend(target.backend)!);
      reports.push(excluded.report);
      skipped.push(...excluded.skipped);
    }
  } finally {
    await runner.close();
  }
  return { reports, skipped };
}

/** Summarizes skipped checks as one line per target and reason. */
export function formatSkipped(skipped: readonly SkippedCheck[]): string {
  const counts = new Map<string, number>();
  for (const check of skipped) {
    const key = `${check.target}: ${check.reason}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([key, count]) => `${count} check(s) skipped on ${key}`).join('\n');
}
