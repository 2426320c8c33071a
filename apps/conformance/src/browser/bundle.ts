import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

import { build } from 'esbuild';

/** The conformance page's entry, as TypeScript source, from either `src/browser` or `dist/browser`. */
export const PAGE_ENTRY = fileURLToPath(new URL('../../src/browser/page.ts', import.meta.url));

/** The benchmark page's entry, as TypeScript source. */
export const BENCHMARK_PAGE_ENTRY = fileURLToPath(new URL('../../src/browser/benchmark_page.ts', import.meta.url));

/** The harness's backend registry, which a bundled backend module is added to. */
const BACKENDS_SOURCE = fileURLToPath(new URL('../../src/backends.ts', import.meta.url));

/** A backend module to bundle into the page: its file, and the name it was given on the command line. */
export interface BundledBackendModule {
  specifier: string;
  path: string;
}

/**
 * Bundles a page script (by default the harness's cases, checks and
 * backends, with tfjs) into one ES module, in memory. Each backend module is
 * bundled too and added to the page's backend registry
 * (`addModuleBackend`), so the page can activate it by name.
 */
export async function bundlePage(entry: string = PAGE_ENTRY, backendModules: readonly BundledBackendModule[] = []): Promise<string> {
  const lines = [
    `import { addModuleBackend, defineModuleBackend } from ${JSON.stringify(BACKENDS_SOURCE)};`,
    ...backendModules.map((module, index) => `import * as backendModule${index} from ${JSON.stringify(module.path)};`),
    `import ${JSON.stringify(entry)};`,
    ...backendModules.map((module, index) =>
      `addModuleBackend(defineModuleBackend(backendModule${index}, ${JSON.stringify(module.specifier)}));`),
  ];
  const input = backendModules.length === 0
    ? { entryPoints: [entry] }
    : { stdin: { contents: lines.join('\n'), resolveDir: dirname(entry), sourcefile: 'page-with-backend-modules.ts', loader: 'ts' as const } };
  const result = await build({
    ...input,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    write: false,
    sourcemap: 'inline',
    logLevel: 'error',
    // Dynamic imports of the backends stay in the one file.
    splitting: false,
  });
  return result.outputFiles[0].text;
}
