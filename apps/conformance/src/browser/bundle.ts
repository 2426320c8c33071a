import { fileURLToPath } from 'node:url';

import { build } from 'esbuild';

/** The page's entry, as TypeScript source, from either `src/browser` or `dist/browser`. */
const PAGE_ENTRY = fileURLToPath(new URL('../../src/browser/page.ts', import.meta.url));

/**
 * Bundles the page script (the harness's cases, checks and backends, with
 * tfjs) into one ES module, in memory.
 */
export async function bundlePage(): Promise<string> {
  const result = await build({
    entryPoints: [PAGE_ENTRY],
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
