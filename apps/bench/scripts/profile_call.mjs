// Runs one implementation and pass of the benchmark repeatedly in Node, with
// the benchmark's own inputs and read-back, so that `node --cpu-prof` can show
// where the time goes. Prints the median time per call.
//
// Usage, after `npm run build` at the repository root:
//   node --cpu-prof --cpu-prof-dir=/tmp/profiles apps/bench/scripts/profile_call.mjs \
//     BACKEND IMPLEMENTATION PASS SHAPE [CALLS]
//   e.g. wasm fused forward+backward 4096x1000 30
// then: node apps/bench/scripts/top_functions.mjs /tmp/profiles/*.cpuprofile
import '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import { findBackend } from '@label-smoothing/conformance/backends';

import { createInputs, lossFunction } from '../dist/measure/implementations.js';
import { median } from '../dist/measure/statistics.js';
import { parseShape } from '../dist/shapes.js';

const [backendName, implementation, pass, shapeText, callsText = '20'] = process.argv.slice(2);
const definition = findBackend(backendName ?? '');
if (!definition || !['fused', 'composite', 'tfjs'].includes(implementation) || !['forward', 'forward+backward'].includes(pass) || !shapeText) {
  console.error('Usage: profile_call.mjs BACKEND fused|composite|tfjs forward|forward+backward SHAPE [CALLS]');
  process.exit(2);
}

await definition.activate();
const spec = parseShape(shapeText);
const inputs = createInputs(spec, implementation === 'tfjs');
const loss = lossFunction(implementation, spec, inputs, 0.1);

/** Runs one call as the benchmark times it: the loss, and for forward+backward the gradient's first element. */
function call() {
  return tf.tidy(() => {
    if (pass === 'forward') {
      return loss(inputs.logits).dataSync()[0];
    }
    const { value, grad } = tf.valueAndGrad(loss)(inputs.logits);
    tf.gather(tf.reshape(grad, [-1]), [0]).dataSync();
    return value.dataSync()[0];
  });
}

call();
const times = [];
for (let index = 0; index < Number(callsText); index++) {
  const start = performance.now();
  call();
  times.push(performance.now() - start);
}
console.log(`${backendName} ${implementation} ${pass} ${shapeText}: median ${median(times).toFixed(1)} ms over ${times.length} calls`);
