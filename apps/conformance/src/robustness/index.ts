/**
 * Robustness checks of the active backend: randomized agreement with the
 * float64 reference, leaks over many training steps and on error paths,
 * invalid inputs, and use inside tfjs' machinery. The same functions run in
 * Node and, bundled, in the browser page.
 */
import type { CheckResult } from '../checks.js';
import type { Tolerance } from '../tolerances.js';
import { runAgreement, type AgreementRun } from './agreement.js';
import { checkInvalidInputs } from './invalid_inputs.js';
import { checkTrainingLeaks } from './leaks.js';
import { checkDataAsync, checkMachinery } from './machinery.js';

export { AGREEMENT_GROUP, DEFAULT_AGREEMENT_SEED, agreementResult, checkAgreement, runAgreement, type AgreementRun } from './agreement.js';
export { agreementInputs, type AgreementInput } from './agreement_input.js';
export { BACKEND_SWITCH_GROUP, checkBackendSwitch } from './backend_switch.js';
export { INVALID_INPUTS_GROUP, INVALID_INPUT_CASES, checkInvalidInputs } from './invalid_inputs.js';
export { LEAKS_GROUP, checkTrainingLeaks } from './leaks.js';
export { MACHINERY_GROUP, checkDataAsync, checkMachinery } from './machinery.js';

export interface RobustnessOptions {
  /** fast-check seed of the randomized agreement. */
  seed: number;
  /** Random inputs to try. */
  runs: number;
  /** Training steps of the leak check, after warm-up. */
  leakSteps: number;
  /** Bytes of the backend's own heap (the wasm module's memory), when it has one. */
  heapBytes?: () => number;
}

export interface RobustnessReport {
  agreement: AgreementRun;
  /** Leak, invalid-input and machinery checks. */
  results: CheckResult[];
}

/** Runs every robustness check on the active backend. */
export async function runRobustness(tolerance: Tolerance, options: RobustnessOptions): Promise<RobustnessReport> {
  const agreement = runAgreement(tolerance, { seed: options.seed, numRuns: options.runs });
  const results = [
    ...checkTrainingLeaks({ steps: options.leakSteps, heapBytes: options.heapBytes }),
    ...checkInvalidInputs(tolerance),
    ...checkMachinery(tolerance),
    ...(await checkDataAsync(tolerance)),
  ];
  return { agreement, results };
}
