/** The conformance harness: cases, checks, the runner and its reports. */
export {
  BACKENDS,
  activateBackend,
  addModuleBackend,
  cpuBackend,
  defineModuleBackend,
  findBackend,
  type BackendDefinition,
  type Environment,
} from './backends.js';
export { importBackendModule, loadBackendModule, loadedBackendModules, resolveBackendModule } from './backend_module.js';
export { decodeCases, type CaseFile, type ConformanceCase } from './cases.js';
export * from './checks.js';
export { loadCases, CASES_PATH } from './node_cases.js';
export { referenceLosses, referenceReduce, type ReferenceInput } from './reference.js';
export { formatFailures, formatMarkdown, formatTable } from './report.js';
export { resolveBackend, runConformance, summarize, type ConformanceOptions, type ConformanceReport, type GroupSummary } from './runner.js';
export { TOLERANCES, compareValues, type Precision, type Tolerance } from './tolerances.js';
