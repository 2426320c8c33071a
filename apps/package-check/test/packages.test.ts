/**
 * Packs each published package with `npm pack`, installs core plus one
 * backend package and only their tfjs peers into a fresh folder, and runs a
 * training step there from plain Node, once by `import` and once by
 * `require`. This is what a user who installs from the registry gets.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const repositoryRoot = resolve(import.meta.dirname, '../../..');
const TFJS_VERSION = '4.22.0';

/** A backend package, the tfjs peers it needs, and whether its backend runs in Node. */
interface BackendPackage {
  workspace: string;
  backendName: string;
  tfjsBackend: string;
  /**
   * `train` runs a training step in Node; `register` only checks that import
   * and require register the kernels, because GPU backends cannot start in
   * Node (the conformance suite trains with them in Chromium).
   */
  check: 'train' | 'register';
}

const BACKEND_PACKAGES: BackendPackage[] = [
  { workspace: 'backend-cpu', backendName: 'cpu', tfjsBackend: '@tensorflow/tfjs-backend-cpu', check: 'train' },
  { workspace: 'backend-wasm', backendName: 'wasm', tfjsBackend: '@tensorflow/tfjs-backend-wasm', check: 'train' },
  { workspace: 'backend-webgl', backendName: 'webgl', tfjsBackend: '@tensorflow/tfjs-backend-webgl', check: 'register' },
  { workspace: 'backend-webgpu', backendName: 'webgpu', tfjsBackend: '@tensorflow/tfjs-backend-webgpu', check: 'register' },
];

// PyTorch 1.13, float64: F.cross_entropy([[2, 0.5, -1], [0, 3, 1], [1, 1, 1]],
// [0, -100, 2], label_smoothing=0.2).
const EXPECTED_LOSS = 0.8199617927;

/** A script that computes the loss and one SGD step, printing both losses as JSON. */
function trainingStepScript(moduleSystem: 'esm' | 'cjs', backend: BackendPackage): string {
  const imports = moduleSystem === 'esm'
    ? [
        `import * as tf from '@tensorflow/tfjs-core';`,
        `import '${backend.tfjsBackend}';`,
        `import '@label-smoothing/${backend.workspace}';`,
        `import { labelSmoothingCrossEntropy, hasFusedKernels } from '@label-smoothing/core';`,
      ]
    : [
        `const tf = require('@tensorflow/tfjs-core');`,
        `require('${backend.tfjsBackend}');`,
        `require('@label-smoothing/${backend.workspace}');`,
        `const { labelSmoothingCrossEntropy, hasFusedKernels } = require('@label-smoothing/core');`,
      ];
  if (backend.check === 'register') {
    return `${imports.join('\n')}
console.log(JSON.stringify({
  forward: tf.getKernel('LabelSmoothingCrossEntropy', '${backend.backendName}') !== undefined,
  backward: tf.getKernel('LabelSmoothingCrossEntropyGrad', '${backend.backendName}') !== undefined,
}));
`;
  }
  return `${imports.join('\n')}
async function main() {
  tf.env().set('PROD', true);
  await tf.setBackend('${backend.backendName}');
  const logits = tf.variable(tf.tensor2d([[2, 0.5, -1], [0, 3, 1], [1, 1, 1]]));
  const labels = tf.tensor1d([0, -100, 2], 'int32');
  const loss = () => labelSmoothingCrossEntropy(logits, labels, { smoothing: 0.2 });
  const before = loss().dataSync()[0];
  const optimizer = tf.train.sgd(0.5);
  optimizer.minimize(loss);
  const after = loss().dataSync()[0];
  console.log(JSON.stringify({ before, after, fused: hasFusedKernels(), backend: tf.getBackend() }));
}
main();
`;
}

let packDirectory: string;
const projects: string[] = [];

beforeAll(() => {
  packDirectory = mkdtempSync(join(tmpdir(), 'label-smoothing-pack-'));
  const workspaces = ['core', ...BACKEND_PACKAGES.map((b) => b.workspace)];
  execFileSync('npm', ['pack', '--silent', '--pack-destination', packDirectory,
    ...workspaces.flatMap((name) => ['-w', `@label-smoothing/${name}`])], { cwd: repositoryRoot, stdio: 'pipe' });
});

afterAll(() => {
  for (const folder of [packDirectory, ...projects]) {
    rmSync(folder, { recursive: true, force: true });
  }
});

function tarballOf(workspace: string): string {
  const name = readdirSync(packDirectory).find((file) => file.startsWith(`label-smoothing-${workspace}-`));
  if (!name) {
    throw new Error(`npm pack wrote no tarball for @label-smoothing/${workspace} into ${packDirectory}`);
  }
  return join(packDirectory, name);
}

describe.each(BACKEND_PACKAGES)('installed $workspace package', (backend) => {
  let project: string;

  beforeAll(() => {
    project = mkdtempSync(join(tmpdir(), `label-smoothing-${backend.workspace}-`));
    projects.push(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'user-project', private: true }));
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--silent',
      tarballOf('core'), tarballOf(backend.workspace),
      `@tensorflow/tfjs-core@${TFJS_VERSION}`, `${backend.tfjsBackend}@${TFJS_VERSION}`], { cwd: project, stdio: 'pipe' });
  });

  test.each(['esm', 'cjs'] as const)(`${backend.workspace}: ${backend.check === 'train' ? 'training step' : 'registration'} by %s`, (moduleSystem) => {
    const script = join(project, moduleSystem === 'esm' ? 'step.mjs' : 'step.cjs');
    writeFileSync(script, trainingStepScript(moduleSystem, backend));

    const output = execFileSync('node', [script], { cwd: project, encoding: 'utf8' });
    const lastLine = output.trim().split('\n').pop()!;
    if (backend.check === 'register') {
      expect(JSON.parse(lastLine)).toEqual({ forward: true, backward: true });
      return;
    }

    const result = JSON.parse(lastLine) as { before: number; after: number; fused: boolean; backend: string };

    expect(result.backend).toBe(backend.backendName);
    expect(result.fused).toBe(true);
    expect(Math.abs(result.before - EXPECTED_LOSS)).toBeLessThan(1e-5 * EXPECTED_LOSS);
    expect(result.after).toBeLessThan(result.before);
  });
});
