/** Builders of `CheckResult`s for the robustness checks. */
import type { CheckResult } from '../checks.js';
import type { Comparison } from '../tolerances.js';

/** Builds a result from a comparison of values. */
export function compared(caseName: string, group: string, check: string, comparison: Comparison): CheckResult {
  return {
    caseName,
    group,
    check,
    passed: comparison.passed,
    maxAbsoluteError: comparison.maxAbsoluteError,
    maxRelativeError: comparison.maxRelativeError,
    message: comparison.firstMismatch,
  };
}

/** Builds a result that passes when `condition` is true and otherwise fails with `message`. */
export function expectThat(caseName: string, group: string, check: string, condition: boolean, message: string): CheckResult {
  return {
    caseName,
    group,
    check,
    passed: condition,
    maxAbsoluteError: condition ? 0 : Infinity,
    maxRelativeError: condition ? 0 : Infinity,
    message: condition ? undefined : message,
  };
}

/** Runs `body`, turning an exception into one failed result. */
export function guarded(caseName: string, group: string, check: string, body: () => CheckResult[]): CheckResult[] {
  try {
    return body();
  } catch (error) {
    return [expectThat(caseName, group, check, false, `threw ${describeError(error)}`)];
  }
}

/** Runs an async `body`, turning an exception into one failed result. */
export async function guardedAsync(
  caseName: string,
  group: string,
  check: string,
  body: () => Promise<CheckResult[]>,
): Promise<CheckResult[]> {
  try {
    return await body();
  } catch (error) {
    return [expectThat(caseName, group, check, false, `threw ${describeError(error)}`)];
  }
}

export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
