/**
 * Command line: runs the conformance suite on one or more backends in Node,
 * and on the browser backends in headless Chromium, prints a table
 * (backend × case group) and writes JSON and Markdown reports.
 * Exits 1 when any check fails.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { loadBackendModule, loadedBackendModules } from './backend_module.js';
import { BACKENDS, findBackend } from './backends.js';
import { formatSkipped, runBrowserTargets } from './browser/run_targets.js';
import { browserTargets, findBrowserTarget, type BrowserTarget } from './browser/targets.js';
import { loadCases } from './node_cases.js';
import { formatFailures, formatMarkdown, formatTable } from './report.js';
import { formatAgreementRuns, runAgreementOnBackends } from './robustness/agreement_cli.js';
import { runConformance, type ConformanceReport } from './runner.js';

const HELP = `Usage: npm run conformance -- [options]

Runs the PyTorch reference cases and the property checks on each backend.

Options:
  --backend NAME    backend to test; repeat for several (default: every Node backend: ${
    BACKENDS.filter((b) => b.environments.includes('node')).map((b) => b.name).join(', ')},
                    then the browser-only ones in Chromium: ${
    browserTargets().filter((t) => !findBackend(t.backend)?.environments.includes('node')).map((t) => t.name).join(', ')})
                    webgl-f16 is webgl with 16-bit textures and float16 tolerances
  --backend-module PATH_OR_PACKAGE
                    load a module that registers kernels for a tfjs backend this
                    harness does not ship, and test that backend; repeat for
                    several. A path is relative to the folder npm was run from.
                    Without --backend, only these backends run.
                    docs/adding-a-backend.md describes what the module exports
  --browser         run the chosen backends in headless Chromium even when they run in Node
  --filter TEXT     only reference cases whose name contains TEXT
  --out DIR         folder for conformance.json and conformance.md (default: reports)
  --runs N          also run the randomized agreement with N random inputs per backend
  --seed N          seed of the randomized agreement (default: a new one, printed)
  --help            print this help
`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      backend: { type: 'string', multiple: true },
      'backend-module': { type: 'string', multiple: true },
      filter: { type: 'string' },
      out: { type: 'string', default: 'reports' },
      help: { type: 'boolean', default: false },
      browser: { type: 'boolean', default: false },
      runs: { type: 'string' },
      seed: { type: 'string' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  let agreementOptions: { runs: number; seed: number } | undefined;
  if (values.runs !== undefined) {
    agreementOptions = { runs: Number(values.runs), seed: values.seed === undefined ? Date.now() % 2 ** 31 : Number(values.seed) };
    if (!Number.isInteger(agreementOptions.runs) || agreementOptions.runs < 1 || !Number.isInteger(agreementOptions.seed)) {
      throw new Error(`Invalid --runs ${values.runs} or --seed ${values.seed}: expected whole numbers, --runs at least 1.`);
    }
  }

  const defaultNames = [
    ...BACKENDS.filter((b) => b.environments.includes('node')).map((b) => b.name),
    ...browserTargets().filter((t) => !findBackend(t.backend)?.environments.includes('node')).map((t) => t.name),
  ];
  // `npm run conformance` runs this script in the workspace folder; npm sets
  // INIT_CWD to the folder it was started from, which module paths are relative to.
  const moduleBaseDirectory = process.env.INIT_CWD ?? process.cwd();
  const moduleNames: string[] = [];
  for (const specifier of values['backend-module'] ?? []) {
    moduleNames.push((await loadBackendModule(specifier, moduleBaseDirectory)).name);
  }
  const names = [...(values.backend ?? (moduleNames.length > 0 ? [] : defaultNames)), ...moduleNames];
  const nodeNames: string[] = [];
  const targets: BrowserTarget[] = [];
  for (const name of names) {
    const target = findBrowserTarget(name);
    if (findBackend(name)?.environments.includes('node') && !(values.browser && target)) {
      nodeNames.push(name);
    } else if (target) {
      targets.push(target);
    } else {
      throw new Error(`Unknown backend '${name}' for ${values.browser ? 'the browser' : 'Node'}. ` +
        `Browser backends: ${browserTargets().map((t) => t.name).join(', ')}.`);
    }
  }

  const cases = loadCases();
  const reports: ConformanceReport[] = [];
  for (const name of nodeNames) {
    reports.push(await runConformance({ backend: name, cases, filter: values.filter }));
  }
  const browser = await runBrowserTargets(targets, { cases, filter: values.filter, backendModules: loadedBackendModules() });
  reports.push(...browser.reports);
  if (browser.unavailable) {
    console.log(browser.unavailable);
  }
  if (browser.skipped.length > 0) {
    console.log(`${formatSkipped(browser.skipped)}\n`);
  }

  console.log(formatTable(reports));
  const failures = formatFailures(reports);
  if (failures) {
    console.log(`\nFailures:\n${failures}`);
  }

  const outDir = resolve(values.out);
  mkdirSync(outDir, { recursive: true });
  const command = `npm run conformance -- ${process.argv.slice(2).join(' ')}`.trim();
  writeFileSync(resolve(outDir, 'conformance.json'), `${JSON.stringify(reports, jsonNumbers, 2)}\n`);
  writeFileSync(resolve(outDir, 'conformance.md'), formatMarkdown(reports, { command, date: new Date().toISOString() }));

  let agreementFailed = false;
  if (agreementOptions) {
    const agreement = await runAgreementOnBackends(nodeNames, targets, agreementOptions);
    console.log(`\n${formatAgreementRuns(agreement)}`);
    agreementFailed = agreement.some((run) => run.failed);
  }

  const passed = reports.reduce((sum, r) => sum + r.passed, 0);
  const failed = reports.reduce((sum, r) => sum + r.failed, 0);
  console.log(`\n${cases.length} reference cases on ${reports.map((r) => r.backend).join(', ')}: ${passed} checks passed, ${failed} failed.`);
  console.log(`Reports: ${resolve(outDir, 'conformance.md')} and conformance.json`);
  return failed === 0 && !agreementFailed ? 0 : 1;
}

/** JSON has no Infinity or NaN; write them as strings, as the cases file does. */
function jsonNumbers(_key: string, value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) {
    return String(value);
  }
  return value;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.stack ?? error.message : error);
    process.exit(2);
  },
);
