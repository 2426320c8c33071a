import * as tf from '@tensorflow/tfjs-core';

import { BACKENDS, findBackend, type BackendDefinition } from './backends.js';
import type { ConformanceCase } from './cases.js';
import {
  checkFiniteDifferences,
  checkFusedAgainstComposite,
  checkReferenceCase,
  checkShiftInvariance,
  type CheckResult,
} from './checks.js';
import { TOLERANCES, type Tolerance } from './tolerances.js';

export interface ConformanceOptions {
  /** A shipped backend's name (see `BACKENDS`) or a definition of another one. */
  backend: string | BackendDefinition;
  /** The decoded cases; in Node, `loadCases()` from the package's `node` entry reads them. */
  cases: ConformanceCase[];
  /** Only cases whose name contains this text. */
  filter?: string;
  /** Skip the property checks (finite differences, shift invariance, fused against composite). */
  referenceOnly?: boolean;
}

/** Everything one backend run produced. */
export interface ConformanceReport {
  backend: string;
  precision: string;
  tolerance: Tolerance;
  /** Whether fused kernels were registered; false means core's composite ran. */
  fused: boolean;
  results: CheckResult[];
  /** Per group: checks passed and failed, largest finite errors. */
  groups: GroupSummary[];
  passed: number;
  failed: number;
}

export interface GroupSummary {
  group: string;
  passed: number;
  failed: number;
  maxAbsoluteError: number;
  maxRelativeError: number;
}

/** Resolves a backend name to its definition, or throws listing the known names. */
export function resolveBackend(backend: string | BackendDefinition): BackendDefinition {
  if (typeof backend !== 'string') {
    return backend;
  }
  const found = findBackend(backend);
  if (!found) {
    throw new Error(`Unknown backend '${backend}'. Known backends: ${BACKENDS.map((b) => b.name).join(', ')}; ` +
      'load another one with --backend-module.');
  }
  return found;
}

/** Activates the backend and runs every check on it. */
export async function runConformance(options: ConformanceOptions): Promise<ConformanceReport> {
  const backend = resolveBackend(options.backend);
  await backend.activate();
  const tolerance = TOLERANCES[backend.precision];

  const cases = options.filter ? options.cases.filter((c) => c.name.includes(options.filter!)) : options.cases;
  const results: CheckResult[] = [];
  for (const testCase of cases) {
    results.push(...checkReferenceCase(testCase, tolerance));
  }
  if (!options.referenceOnly) {
    results.push(...checkFiniteDifferences(tolerance));
    results.push(...checkShiftInvariance(tolerance));
    results.push(...checkFusedAgainstComposite(tolerance));
  }

  return summarize(backend, tolerance, results);
}

export function summarize(backend: BackendDefinition, tolerance: Tolerance, results: CheckResult[]): ConformanceReport {
  const byGroup = new Map<string, GroupSummary>();
  for (const result of results) {
    const summary = byGroup.get(result.group) ??
      { group: result.group, passed: 0, failed: 0, maxAbsoluteError: 0, maxRelativeError: 0 };
    if (result.passed) {
      summary.passed++;
      summary.maxAbsoluteError = Math.max(summary.maxAbsoluteError, result.maxAbsoluteError);
      summary.maxRelativeError = Math.max(summary.maxRelativeError, result.maxRelativeError);
    } else {
      summary.failed++;
    }
    byGroup.set(result.group, summary);
  }
  const groups = [...byGroup.values()];
  return {
    backend: backend.name,
    precision: backend.precision,
    tolerance,
    fused: tf.getKernel('LabelSmoothingCrossEntropy', backend.name) !== undefined,
    results,
    groups,
    passed: results.filter((r) => r.passed).length,
    failed: results.filter((r) => !r.passed).length,
  };
}
