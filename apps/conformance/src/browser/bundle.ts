import { fileURLToPath } from 'node:url';

import { build } from 'esbuild';

/** The conformance page's entry, as TypeScript source, from either `src/browser` or `dist/browser`. */
export const PAGE_ENTRY = fileURLToPath(new URL('../../src/browser/page.ts', import.meta.url));

/** The benchmark page's entry, as TypeScript source. */
export const BENCHMARK_PAGE_ENTRY = fileURLToPath(new URL('../../src/browser/benchmark_page.ts', import.meta.url));

/**
 * Bundles a page script (by default the harness's cases, checks and
 * backends, with tfjs) into one ES module, in memory.
 */
export async function bundlePage(entry: string = PAGE_ENTRY): Promise<string> {
  const result = await build({
    entryPoints: [entry],
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
