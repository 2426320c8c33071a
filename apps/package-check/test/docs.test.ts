/**
 * Builds the API reference with TypeDoc. The configuration (typedoc.json)
 * treats warnings as errors, so an undocumented export, an export that
 * references an unexported type, or a broken `{@link}` fails this test.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { expect, test } from 'vitest';

const repositoryRoot = resolve(import.meta.dirname, '../../..');

test('API reference builds without warnings', () => {
  let output = '';
  let status = 0;
  try {
    output = execFileSync(join(repositoryRoot, 'node_modules', '.bin', 'typedoc'), ['--options', 'typedoc.json'], {
      cwd: repositoryRoot,
      encoding: 'utf8',
      stdio: 'pipe',
    });
  } catch (error) {
    const failed = error as { status?: number; stdout?: string; stderr?: string };
    status = failed.status ?? 1;
    output = `${failed.stdout ?? ''}${failed.stderr ?? ''}`;
  }

  expect(output).not.toContain('[warning]');
  expect(status, output).toBe(0);
  expect(existsSync(join(repositoryRoot, 'docs', 'api', 'functions', 'labelSmoothingCrossEntropy.html'))).toBe(true);
});
