/**
 * Dry run of the release flow: in a throwaway clone, a changeset for core
 * makes `changeset version` bump core and every backend together (they are
 * `fixed`) by the same step, write each one's CHANGELOG.md with the entry,
 * and leave the private apps alone.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { afterAll, expect, test } from 'vitest';

const repositoryRoot = resolve(import.meta.dirname, '../../..');
const clones: string[] = [];

afterAll(() => {
  for (const clone of clones) {
    rmSync(clone, { recursive: true, force: true });
  }
});

function versionOf(clone: string, folder: string): string {
  return (JSON.parse(readFileSync(join(clone, folder, 'package.json'), 'utf8')) as { version: string }).version;
}

test.each([
  ['patch', '0.1.1'],
  ['minor', '0.2.0'],
] as const)('changeset version: %s bumps the group to %s', (bump, expectedVersion) => {
  const clone = mkdtempSync(join(tmpdir(), 'label-smoothing-release-'));
  clones.push(clone);
  execFileSync('git', ['clone', '--quiet', '--no-hardlinks', repositoryRoot, clone], { stdio: 'pipe' });
  symlinkSync(join(repositoryRoot, 'node_modules'), join(clone, 'node_modules'));
  writeFileSync(join(clone, '.changeset', 'core-change.md'),
    `---\n"@label-smoothing/core": ${bump}\n---\n\nClarify the smoothing option in the API reference.\n`);

  execFileSync(join(repositoryRoot, 'node_modules', '.bin', 'changeset'), ['version'], { cwd: clone, stdio: 'pipe' });

  const published = readdirSync(join(clone, 'packages'))
    .filter((folder) => existsSync(join(clone, 'packages', folder, 'package.json')));
  expect(published).toContain('core');
  for (const folder of published) {
    expect(versionOf(clone, join('packages', folder)), folder).toBe(expectedVersion);
    const changelog = readFileSync(join(clone, 'packages', folder, 'CHANGELOG.md'), 'utf8');
    expect(changelog, folder).toContain(`## ${expectedVersion}`);
  }
  const coreChangelog = readFileSync(join(clone, 'packages', 'core', 'CHANGELOG.md'), 'utf8');
  expect(coreChangelog).toContain('Clarify the smoothing option in the API reference.');
  expect(versionOf(clone, 'apps/conformance')).toBe('0.1.0');
});
