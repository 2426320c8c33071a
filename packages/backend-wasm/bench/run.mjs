// Benchmarks the fused wasm kernels against tf.losses.softmaxCrossEntropy
// (one-hot labels, labelSmoothing 0.1) on the tfjs wasm backend in the same
// process, and against PyTorch's F.cross_entropy(..., label_smoothing=0.1) on
// one thread when /usr/bin/python3 can import torch.
//
// Usage (after `npm run build`): node bench/run.mjs [--runs N] [--warmup N]
// It prints a Markdown table. Each figure is the median wall time of N runs
// after the warm-up runs. The loss uses the 'mean' reduction throughout.
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const require = createRequire(import.meta.url);
// The union package registers every op's gradient, which the baseline's
// backward pass needs; tfjs-core's own Node entry registers none.
const tf = require('@tensorflow/tfjs');
require('@tensorflow/tfjs-backend-wasm');
const { LabelSmoothingBackward, LabelSmoothingForward, labelSmoothingCrossEntropy } = require('@label-smoothing/core');
require('@label-smoothing/backend-wasm');

const SHAPES = [[4096, 1000], [512, 32000]];
const SMOOTHING = 0.1;

const { values: flags } = parseArgs({
  options: { runs: { type: 'string', default: '9' }, warmup: { type: 'string', default: '3' } },
});
const runs = Number(flags.runs);
const warmup = Number(flags.warmup);
if (!(runs >= 5) || !(warmup >= 1)) {
  console.error('bench: --runs must be at least 5 and --warmup at least 1');
  process.exit(2);
}

/** Median wall time in seconds; the wasm backend computes synchronously, so a call's return means its work is done. */
function medianSeconds(step) {
  for (let i = 0; i < warmup; i++) step();
  const times = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    step();
    times.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

function measureTfjs(rows, classes) {
  const logits = tf.randomNormal([rows, classes]);
  const labels = tf.randomUniform([rows], 0, classes, 'int32');
  // tfjs-backend-wasm 4.22 writes int32 bits for oneHot(..., 'float32'), so cast instead.
  const oneHot = tf.cast(tf.oneHot(labels, classes), 'float32');

  const fused = (x) => labelSmoothingCrossEntropy(x, labels, { smoothing: SMOOTHING });
  const baseline = (x) => tf.losses.softmaxCrossEntropy(oneHot, x, undefined, SMOOTHING);

  const result = {};
  for (const [name, loss] of [['fused', fused], ['baseline', baseline]]) {
    const forward = medianSeconds(() => tf.tidy(() => loss(logits).dataSync()));
    const forwardBackward = medianSeconds(() => tf.tidy(() => {
      const { value, grad } = tf.valueAndGrad(loss)(logits);
      value.dataSync();
      return grad.shape;
    }));
    result[name] = { forward, forwardBackward };
  }
  result.kernels = measureKernels(logits, labels);
  tf.dispose([logits, labels, oneHot]);
  return result;
}

/** The two fused kernels alone through runKernel, without core's validation, reduction and autodiff. */
function measureKernels(logits, labels) {
  const weight = tf.ones([logits.shape[1]]);
  const attrs = { smoothing: SMOOTHING, smoothingMode: 'uniform', ignoreIndex: -100, labelsKind: 'index', classAxis: 1 };
  const [losses, maxLogit, shiftedLogSumExp, targetWeight] =
    tf.engine().runKernel(LabelSmoothingForward, { logits, labels, weight }, attrs);
  const dy = tf.onesLike(losses);
  const forward = medianSeconds(() => tf.dispose(tf.engine().runKernel(LabelSmoothingForward, { logits, labels, weight }, attrs)));
  const backward = medianSeconds(() => tf.dispose(tf.engine().runKernel(
    LabelSmoothingBackward, { dy, logits, labels, weight, maxLogit, shiftedLogSumExp }, attrs)));
  tf.dispose([weight, losses, maxLogit, shiftedLogSumExp, targetWeight, dy]);
  return { forward, backward };
}

function measurePytorch() {
  const script = fileURLToPath(new URL('./pytorch_reference.py', import.meta.url));
  const probe = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    return { skipped: '/usr/bin/python3 cannot import torch' };
  }
  const result = spawnSync('/usr/bin/python3', [script, String(runs), String(warmup), ...SHAPES.map((s) => s.join(','))],
    { encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(`bench: ${script} failed: ${result.stderr}`);
  }
  return JSON.parse(result.stdout);
}

function cpuModel() {
  const line = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => l.startsWith('model name'));
  return line ? line.split(':')[1].trim() : cpus()[0]?.model ?? 'unknown';
}

tf.env().set('PROD', true);
await tf.setBackend('wasm');

const loadBefore = loadavg()[0];

const tfjsResults = SHAPES.map(([rows, classes]) => measureTfjs(rows, classes));
const pytorch = measurePytorch();

const ms = (seconds) => (seconds * 1000).toFixed(2);
const ratio = (a, b) => (a / b).toFixed(2);
console.log(`Machine: ${cpus().length} cores (nproc), ${cpuModel()}; Node ${process.version}; ` +
  `tfjs ${tf.version.tfjs}, wasm backend (SIMD, ${tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT') ? 'threaded' : 'single-threaded'}); ` +
  (pytorch.skipped ? `PyTorch skipped: ${pytorch.skipped}` : `PyTorch ${pytorch.torch} on ${pytorch.threads} thread`));
console.log(`Median of ${runs} runs after ${warmup} warm-up runs, in ms. ` +
  `One-minute load average ${loadBefore.toFixed(2)} before, ${loadavg()[0].toFixed(2)} after.\n`);
console.log('| shape | pass | fused wasm | tfjs softmaxCrossEntropy | speed-up vs tfjs | PyTorch 1 thread | fused / PyTorch |');
console.log('|---|---|---:|---:|---:|---:|---:|');
SHAPES.forEach(([rows, classes], index) => {
  const { fused, baseline } = tfjsResults[index];
  const torch = pytorch.shapes?.[`${rows},${classes}`];
  for (const [pass, key] of [['forward', 'forward'], ['forward+backward', 'forwardBackward']]) {
    const torchCells = torch ? [ms(torch[key]), ratio(fused[key], torch[key])] : ['n/a', 'n/a'];
    console.log(`| [${rows}, ${classes}] | ${pass} | ${ms(fused[key])} | ${ms(baseline[key])} | ` +
      `${ratio(baseline[key], fused[key])}x | ${torchCells[0]} | ${torchCells[1]} |`);
  }
});

console.log('\nThe fused kernels alone (runKernel, no validation, reduction or autodiff), in ms:\n');
console.log('| shape | forward kernel | backward kernel |');
console.log('|---|---:|---:|');
SHAPES.forEach(([rows, classes], index) => {
  const { kernels } = tfjsResults[index];
  console.log(`| [${rows}, ${classes}] | ${ms(kernels.forward)} | ${ms(kernels.backward)} |`);
});
