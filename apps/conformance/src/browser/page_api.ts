/**
 * The interface between the Node runner and the bundled page. The page sets
 * `window.labelSmoothingConformance` once its script has loaded; the runner
 * calls it through `page.evaluate`, which copies arguments and results with
 * typed arrays, NaN and infinities intact.
 */
import type { ConformanceCase } from '../cases.js';
import type { CheckResult } from '../checks.js';
import type { RobustnessReport } from '../robustness/index.js';
import type { ConformanceReport } from '../runner.js';
import type { BrowserTarget } from './targets.js';

export interface PageConformanceRequest {
  target: BrowserTarget;
  cases: ConformanceCase[];
  filter?: string;
  referenceOnly?: boolean;
}

export interface PageRobustnessRequest {
  target: BrowserTarget;
  /** fast-check seed and number of inputs of the randomized agreement. */
  seed: number;
  runs: number;
  /** Training steps of the leak check. */
  leakSteps: number;
}

export interface PageApi {
  /** Activates the target's backend and runs the conformance suite on it. */
  runConformance(request: PageConformanceRequest): Promise<ConformanceReport>;
  /** Activates a webgl target and runs the webgl-specific checks (`webgl_checks.ts`). */
  runWebGLChecks(target: BrowserTarget): Promise<CheckResult[]>;
  /** Activates the webgpu target and runs the webgpu-specific checks (`webgpu_checks.ts`). */
  runWebGPUChecks(target: BrowserTarget): Promise<CheckResult[]>;
  /** Activates the target's backend and runs the robustness checks (`src/robustness`). */
  runRobustness(request: PageRobustnessRequest): Promise<RobustnessReport>;
}

declare global {
  interface Window {
    labelSmoothingConformance?: PageApi;
  }
}
