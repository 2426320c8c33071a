/**
 * Checks that a browser target skips, each with its reason. A skipped check
 * is left out of the target's totals and listed by the CLI and the tests.
 */
import type { BackendDefinition } from '../backends.js';
import { syntheticCases, type CheckResult } from '../checks.js';
import { summarize, type ConformanceReport } from '../runner.js';
import type { BrowserTarget } from './targets.js';

export interface BrowserExclusion {
  /** Names of the targets it applies to. */
  targets: readonly string[];
  /** Reference case names it applies to; absent means every case of `groups`. */
  caseNames?: readonly string[];
  /** Check groups it applies to; absent means any group. */
  groups?: readonly string[];
  /** Checks it applies to, such as `loss:mean`; absent means every check. */
  checks?: RegExp;
  reason: string;
}

/** Cases whose logits hold ±Infinity. */
const INFINITE_LOGIT_CASES = [
  'numerics-inf-mask-eps-0',
  'numerics-inf-mask-with-mass',
  'numerics-inf-mask-probability-with-mass',
  'numerics-one-finite-logit-eps-0',
  'numerics-one-finite-logit-smoothing',
  'numerics-one-finite-logit-target-masked',
  'non-target-inf-mask-with-mass',
  'non-target-inf-mask-zero-weight',
  'non-target-inf-mask-eps-0',
  'reported-inf-mask-eps-0',
  'reported-inf-mask-smoothing',
];

/**
 * The index-label cases of `checkFusedAgainstComposite` with its default
 * arguments (seed 3, 16 cases of up to 40 classes).
 */
const COMPOSITE_INDEX_LABEL_CASES = syntheticCases(3, 16, 40)
  .filter((synthetic) => synthetic.input.labelsKind === 'index')
  .map((synthetic) => synthetic.name);

export const BROWSER_EXCLUSIONS: readonly BrowserExclusion[] = [
  {
    targets: ['webgl-f16'],
    caseNames: INFINITE_LOGIT_CASES,
    reason: '16-bit textures on SwiftShader turn ±Infinity into NaN on upload and on render ' +
      '(tf.neg([-Infinity]) gives NaN there too), so masked logits cannot reach the kernels',
  },
  {
    targets: ['webgl-f16'],
    caseNames: ['numerics-large-c'],
    reason: 'float16 rounds whole numbers above 2048, so class indices of C = 5000 do not survive a 16-bit texture',
  },
  {
    targets: ['webgl-f16'],
    caseNames: ['numerics-logits-large-offset', 'numerics-probability-labels-gradient-near-1e4'],
    reason: 'float16 spacing near 1e4 is 8, so logits near 1e4 that differ by less than that become equal',
  },
  {
    targets: ['webgl-f16'],
    groups: ['shift-invariance'],
    reason: 'the shifted logits (multiples of 1/64 plus shifts up to 1024) are not exact in float16',
  },
  {
    targets: ['webgpu'],
    caseNames: COMPOSITE_INDEX_LABEL_CASES,
    groups: ['fused-vs-composite'],
    reason: "core's composite, the other side of this comparison, returns zeros for index labels on " +
      'tfjs-backend-webgpu 4.22: a Transpose it runs gets an int32 buffer behind a float32 tensor, its WGSL ' +
      'fails to compile, and the invalid command buffer drops every op queued with it. The fused kernels are ' +
      'checked against the PyTorch cases and finite differences instead',
  },
];

/** Finds the exclusion that covers one check of a target, if any. */
export function exclusionFor(targetName: string, result: Pick<CheckResult, 'caseName' | 'group' | 'check'>): BrowserExclusion | undefined {
  return BROWSER_EXCLUSIONS.find((exclusion) =>
    exclusion.targets.includes(targetName) &&
    (exclusion.caseNames === undefined || exclusion.caseNames.includes(result.caseName)) &&
    (exclusion.groups === undefined || exclusion.groups.includes(result.group)) &&
    (exclusion.checks === undefined || exclusion.checks.test(result.check)));
}

/** A check left out of a report, with the reason. */
export interface SkippedCheck {
  target: string;
  caseName: string;
  check: string;
  reason: string;
}

/**
 * Removes a target's excluded checks from its report and recomputes the
 * totals; the removed checks come back as `skipped`.
 */
export function applyExclusions(
  report: ConformanceReport,
  target: BrowserTarget,
  definition: BackendDefinition,
): { report: ConformanceReport; skipped: SkippedCheck[] } {
  const kept: CheckResult[] = [];
  const skipped: SkippedCheck[] = [];
  for (const result of report.results) {
    const exclusion = exclusionFor(target.name, result);
    if (exclusion) {
      skipped.push({ target: target.name, caseName: result.caseName, check: result.check, reason: exclusion.reason });
    } else {
      kept.push(result);
    }
  }
  const precision = target.float16 ? 'float16' : definition.precision;
  const summary = summarize({ ...definition, precision }, report.tolerance, kept);
  // `fused` was measured in the page, where the kernels are registered.
  return { report: { ...summary, backend: target.name, fused: report.fused }, skipped };
}
