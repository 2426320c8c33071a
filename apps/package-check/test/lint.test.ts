/**
 * Lints every published package's manifest and type declarations the way
 * registry users' tools resolve them: publint checks `exports`, `files` and
 * `sideEffects`; @arethetypeswrong/cli checks that `import` and `require`
 * each get declarations of the right module kind.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { describe, expect, test } from 'vitest';

const repositoryRoot = resolve(import.meta.dirname, '../../..');
const packagesDirectory = join(repositoryRoot, 'packages');

/** Every package under packages/ that is published (not private) and built. */
const publishedPackages = readdirSync(packagesDirectory)
  .map((folder) => join(packagesDirectory, folder))
  .filter((folder) => {
    try {
      const manifest = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as { private?: boolean };
      return manifest.private !== true;
    } catch {
      return false;
    }
  });

const binary = (name: string) => join(repositoryRoot, 'node_modules', '.bin', name);

/** Runs a command and returns its exit status and output instead of throwing. */
function run(command: string, args: string[], cwd: string): { status: number; output: string } {
  try {
    const output = execFileSync(command, args, { cwd, encoding: 'utf8', stdio: 'pipe' });
    return { status: 0, output };
  } catch (error) {
    const failed = error as { status?: number; stdout?: string; stderr?: string };
    return { status: failed.status ?? 1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

test('published packages found', () => {
  expect(publishedPackages.length).toBeGreaterThanOrEqual(2);
});

describe.each(publishedPackages.map((folder) => [folder.split('/').pop()!, folder] as const))('package %s', (name, folder) => {
  test(`${name}: publint reports no errors`, () => {
    const result = run(binary('publint'), ['--level', 'warning'], folder);
    expect(result.output).not.toMatch(/Errors?:|Warnings?:/);
    expect(result.status, result.output).toBe(0);
  });

  test(`${name}: types resolve for import and require`, () => {
    // The node16 profile skips TypeScript's legacy `node10` resolution, which
    // cannot see subpath exports such as `@label-smoothing/backend-cpu/base`.
    const result = run(binary('attw'), ['--pack', '.', '--format', 'ascii', '--profile', 'node16'], folder);
    expect(result.status, result.output).toBe(0);
  });
});
