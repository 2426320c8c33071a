// Times the fused cpu kernels against core's composite fallback and against
// tf.losses.softmaxCrossEntropy (one-hot labels, labelSmoothing), all on the
// tfjs cpu backend in this process: median of the timed runs after warm-up.
//
// Usage (after `npm run build`): node packages/backend-cpu/bench/forward_backward.mjs [--runs 7] [--shape 4096x1000]
import { parseArgs } from 'node:util';

// @tensorflow/tfjs registers every op's gradient, which the baseline's
// reduction needs; it shares tfjs-core 4.22.0 with the kernels.
import * as tf from '@tensorflow/tfjs';
import '@label-smoothing/backend-cpu';
import { labelSmoothingCrossEntropyWith } from '@label-smoothing/core';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '7' },
    shape: { type: 'string', multiple: true },
    smoothing: { type: 'string', default: '0.1' },
  },
});
const runs = Number(values.runs);
const smoothing = Number(values.smoothing);
const shapes = (values.shape ?? ['4096x1000', '512x32000']).map((text) => text.split('x').map(Number));

tf.env().set('PROD', true);
await tf.setBackend('cpu');

function median(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * Times `step` `runs` times after two warm-up calls. `step` reads its result
 * back and returns nothing: a typed array returned from `tf.tidy` would be
 * walked element by element in search of tensors.
 */
function time(step) {
  step();
  step();
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    step();
    samples.push(performance.now() - start);
  }
  return median(samples);
}

for (const [rows, classes] of shapes) {
  const logits = tf.randomNormal([rows, classes], 0, 3, 'float32', 1);
  const labels = tf.randomUniform([rows], 0, classes, 'int32', 2);
  const oneHot = tf.oneHot(labels, classes).toFloat();

  const implementations = {
    'fused (this library)': (x) => labelSmoothingCrossEntropyWith('fused', x, labels, { smoothing }),
    'composite (this library)': (x) => labelSmoothingCrossEntropyWith('composite', x, labels, { smoothing }),
    'tf.losses.softmaxCrossEntropy': (x) => tf.losses.softmaxCrossEntropy(oneHot, x, undefined, smoothing),
  };

  const results = [];
  for (const [name, loss] of Object.entries(implementations)) {
    const forward = time(() => tf.tidy(() => { loss(logits).dataSync(); }));
    const forwardBackward = time(() => tf.tidy(() => { tf.grad(loss)(logits).dataSync(); }));
    results.push({ name, forward, forwardBackward });
  }
  tf.dispose([logits, labels, oneHot]);

  const baseline = results[results.length - 1];
  console.log(`\n[${rows}, ${classes}], smoothing ${smoothing}, cpu backend, median of ${runs} runs (ms)`);
  console.log('implementation                  forward  fwd+bwd  fwd+bwd speed-up vs tf.losses');
  for (const r of results) {
    console.log(
      `${r.name.padEnd(30)} ${r.forward.toFixed(1).padStart(8)} ${r.forwardBackward.toFixed(1).padStart(8)}  ` +
        `${(baseline.forwardBackward / r.forwardBackward).toFixed(1)}x`,
    );
  }
}
