/**
 * Benchmark targets: the registered backends and the environments they run
 * in. A backend joins the benchmark through its entry in the conformance
 * harness's `BACKENDS`. It runs in every environment of its
 * `benchmarkEnvironments`, or else of its `environments`.
 */
import { BACKENDS, type Environment } from '@label-smoothing/conformance/backends';

export interface BenchTarget {
  backend: string;
  environment: Environment;
  /**
   * Whether this is the first environment the backend is registered for.
   * Only there do the goal measurements get the goal budget, since a second
   * environment runs the same kernels on the same CPU.
   */
  primary: boolean;
}

/** Returns every target, Node ones first, in the registry's order. */
export function allTargets(): BenchTarget[] {
  const targets: BenchTarget[] = [];
  for (const environment of ['node', 'browser'] as const) {
    for (const definition of BACKENDS) {
      const environments = definition.benchmarkEnvironments ?? definition.environments;
      if (environments.includes(environment)) {
        targets.push({ backend: definition.name, environment, primary: environments[0] === environment });
      }
    }
  }
  return targets;
}

/** Returns a target's name in tables and logs, such as `wasm in Node` or `webgl in Chromium`. */
export function targetLabel(target: Pick<BenchTarget, 'backend' | 'environment'>): string {
  return `${target.backend} in ${target.environment === 'node' ? 'Node' : 'Chromium'}`;
}

/**
 * Selects targets by `--backend` values: `NAME` picks every environment of a
 * backend, `NAME@node` or `NAME@browser` one. No values select every target.
 * Throws, listing the known targets, on a name that matches none.
 */
export function selectTargets(names: readonly string[]): BenchTarget[] {
  const targets = allTargets();
  if (names.length === 0) {
    return targets;
  }
  const selected: BenchTarget[] = [];
  for (const name of names) {
    const [backend, environment] = name.split('@');
    const matches = targets.filter((target) => target.backend === backend && (environment === undefined || target.environment === environment));
    if (matches.length === 0) {
      const known = targets.map((target) => `${target.backend}@${target.environment}`).join(', ');
      throw new Error(`Unknown --backend ${name}: expected a backend name or NAME@node / NAME@browser, one of ${known}.`);
    }
    selected.push(...matches.filter((match) => !selected.includes(match)));
  }
  return targets.filter((target) => selected.includes(target));
}
