/**
 * The randomized agreement for the command line's `--runs`: many inputs on
 * each chosen backend, in Node or, for browser targets, in Chromium.
 */
import { findBackend } from '../backends.js';
import { BrowserRunner } from '../browser/runner.js';
import type { BrowserTarget } from '../browser/targets.js';
import { TOLERANCES } from '../tolerances.js';
import { runAgreement, type AgreementRun } from './agreement.js';

export interface BackendAgreementRun extends AgreementRun {
  backend: string;
}

/** Runs `runs` random inputs from `seed` on each Node backend and browser target. */
export async function runAgreementOnBackends(
  nodeNames: readonly string[],
  targets: readonly BrowserTarget[],
  options: { seed: number; runs: number },
): Promise<BackendAgreementRun[]> {
  const runs: BackendAgreementRun[] = [];
  for (const name of nodeNames) {
    const backend = findBackend(name)!;
    await backend.activate();
    runs.push({ backend: name, ...runAgreement(TOLERANCES[backend.precision], { seed: options.seed, numRuns: options.runs }) });
  }

  if (targets.length > 0) {
    const runner = await BrowserRunner.start();
    try {
      for (const target of targets) {
        // leakSteps 0: the page still runs its quick checks, only the 1000-step training is skipped.
        const report = await runner.runRobustness({ target, seed: options.seed, runs: options.runs, leakSteps: 0 });
        runs.push({ backend: target.name, ...report.agreement });
      }
    } finally {
      await runner.close();
    }
  }
  return runs;
}

/** Formats one line per backend, followed by fast-check's report for each failure. */
export function formatAgreementRuns(runs: readonly BackendAgreementRun[]): string {
  return runs.map((run) => {
    const line = `randomized agreement on ${run.backend}: ${run.runsExecuted} of ${run.numRuns} inputs, seed ${run.seed}: ` +
      (run.failed ? 'FAILED' : 'passed');
    return run.failed ? `${line}\n${run.report}` : line;
  }).join('\n');
}
