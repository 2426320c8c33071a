/**
 * Runs PyTorch's timing script (`python/pytorch_bench.py`) in a subprocess of
 * `/usr/bin/python3`, when that interpreter can import torch.
 */
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import type { ShapeSpec } from '../shapes.js';
import type { Pass, Timing } from '../measure/types.js';

/** Debian's interpreter, where `apt-get install python3-torch` puts PyTorch. */
export const PYTHON_PATH = process.env.BENCH_PYTHON ?? '/usr/bin/python3';

const SCRIPT = fileURLToPath(new URL('../../python/pytorch_bench.py', import.meta.url));

export interface PytorchRequest {
  groups: { name: string; shapes: ShapeSpec[] }[];
  threads: number[];
  runs: number;
  warmupRuns: number;
  budgetMs: number;
  smoothing: number;
}

export interface PytorchMeasurement {
  group: string;
  /** Threads PyTorch used (`torch.get_num_threads()` after setting them). */
  threads: number;
  pass: Pass;
  spec: ShapeSpec;
  timing: Timing | null;
  warmupMs: number[];
  loss: number | null;
  skipped: string | null;
}

export interface PytorchResult {
  torch?: string;
  python?: string;
  /** The SIMD level PyTorch's kernels use, such as AVX2. */
  cpuCapability?: string;
  measurements: PytorchMeasurement[];
  /** Reason nothing was measured, such as no torch on the interpreter. */
  unavailable?: string;
  loadAverage?: { start: number; end: number };
  elapsedSeconds: number;
}

/** Returns why PyTorch cannot run, or undefined when `PYTHON_PATH` imports torch. */
export function pytorchUnavailable(): string | undefined {
  const probe = spawnSync(PYTHON_PATH, ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.error) {
    return `${PYTHON_PATH} could not start (${probe.error.message})`;
  }
  if (probe.status !== 0) {
    return `${PYTHON_PATH} cannot import torch; install it with: apt-get install python3-torch`;
  }
  return undefined;
}

/** Runs the timing script and returns its measurements; forwards its progress lines to `log`. */
export function runPytorch(request: PytorchRequest, log: (line: string) => void): Promise<PytorchResult> {
  const started = performance.now();
  const unavailable = pytorchUnavailable();
  if (unavailable) {
    return Promise.resolve({ measurements: [], unavailable, elapsedSeconds: 0 });
  }

  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON_PATH, [SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderrTail = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderrTail = (stderrTail + chunk).slice(-4000);
      for (const line of chunk.split('\n').filter((text) => text.trim() !== '')) {
        log(`[pytorch] ${line}`);
      }
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const elapsedSeconds = (performance.now() - started) / 1000;
      if (code !== 0) {
        resolve({ measurements: [], unavailable: `${SCRIPT} failed with exit code ${code}: ${stderrTail.trim().split('\n').pop()}`, elapsedSeconds });
        return;
      }
      resolve({ ...(JSON.parse(stdout) as Omit<PytorchResult, 'elapsedSeconds'>), elapsedSeconds });
    });
    child.stdin.end(JSON.stringify(request));
  });
}
