/** Wires the page's form to training and redraws both charts as training runs. */
import { renderReliabilityDiagram } from '@label-smoothing/mnist-demo/src/reliability_diagram.js';
import * as tf from '@tensorflow/tfjs-core';

import { probeBackends, type BackendStatus } from './backends.js';
import { TRAIN_DIGITS_AVAILABLE, testDigits, trainingDigits } from './data.js';
import { renderLossChart } from './loss_chart.js';
import { trainAndEvaluate, type TrainingSettings } from './training.js';

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (found === null) {
    throw new Error(`The page has no element with id "${id}".`);
  }
  return found as T;
}

const form = element<HTMLFormElement>('settings');
const backendSelect = element<HTMLSelectElement>('backend');
const trainButton = element<HTMLButtonElement>('train');
const status = element<HTMLParagraphElement>('status');
const results = element<HTMLParagraphElement>('results');
const lossChart = element<HTMLDivElement>('loss-chart');
const reliability = element<HTMLDivElement>('reliability');

function showBackends(statuses: readonly BackendStatus[]): void {
  const list = element<HTMLUListElement>('backend-status');
  for (const entry of statuses) {
    const option = document.createElement('option');
    option.value = entry.name;
    option.textContent = entry.available ? entry.name : `${entry.name} (unavailable)`;
    option.disabled = !entry.available;
    backendSelect.append(option);

    const item = document.createElement('li');
    item.dataset.backend = entry.name;
    item.dataset.available = String(entry.available);
    item.textContent = entry.available ? `${entry.name}: ready` : `${entry.name}: unavailable, ${entry.reason}`;
    list.append(item);
  }
  const firstAvailable = statuses.find((entry) => entry.available);
  if (firstAvailable === undefined) {
    status.textContent = 'No backend initialized in this browser, so the page cannot train.';
    return;
  }
  backendSelect.value = firstAvailable.name;
  trainButton.disabled = false;
  status.textContent = 'Ready. Pick a backend and ε, then press Train.';
}

/** Reads a number input and checks it against its own `min` and `max`. */
function readNumber(id: string, label: string): number {
  const input = element<HTMLInputElement>(id);
  const value = Number(input.value);
  const min = Number(input.min);
  const max = Number(input.max);
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new RangeError(`${label} must be a number from ${min} to ${max}, but it is "${input.value}".`);
  }
  return value;
}

async function train(): Promise<void> {
  const settings: TrainingSettings = {
    smoothing: readNumber('smoothing', 'ε'),
    epochs: Math.round(readNumber('epochs', 'Epochs')),
    batchSize: Math.round(readNumber('batch-size', 'Batch size')),
  };
  const trainSize = Math.min(TRAIN_DIGITS_AVAILABLE, Math.round(readNumber('train-size', 'Training digits')));
  const backend = backendSelect.value;
  if (!(await tf.setBackend(backend))) {
    throw new Error(`The ${backend} backend failed to initialize; pick another one.`);
  }

  const trainSet = trainingDigits(trainSize);
  const testSet = testDigits();
  const batchesPerEpoch = Math.ceil(trainSet.count / settings.batchSize);
  const losses: number[] = [];
  const epochLosses: number[] = [];
  lossChart.innerHTML = renderLossChart(losses, batchesPerEpoch);
  reliability.innerHTML = '';
  results.dataset.state = 'training';
  results.textContent = '';
  status.textContent = `Training on ${backend}, ε = ${settings.smoothing}, ${trainSet.count} digits…`;
  const started = performance.now();

  const metrics = await trainAndEvaluate(trainSet, testSet, settings, {
    batchFinished(loss) {
      losses.push(loss);
      lossChart.innerHTML = renderLossChart(losses, batchesPerEpoch);
    },
    epochFinished(epoch, epochMetrics) {
      epochLosses.push(mean(losses.slice((epoch - 1) * batchesPerEpoch)));
      const svg = renderReliabilityDiagram(
        [{ smoothing: settings.smoothing, bins: epochMetrics.bins, expectedCalibrationError: epochMetrics.expectedCalibrationError, accuracy: epochMetrics.accuracy }],
        {
          title: `Reliability after epoch ${epoch} of ${settings.epochs}`,
          subtitle: `${backend}, ε = ${settings.smoothing}, ${testSet.count} test digits`,
        },
      );
      // The renderer returns a standalone document; inline SVG must not start with an XML declaration.
      reliability.innerHTML = svg.replace(/^<\?xml[^>]*>\s*/, '');
      status.textContent = `Epoch ${epoch} of ${settings.epochs}: test accuracy ${epochMetrics.accuracy.toFixed(3)}, ECE ${epochMetrics.expectedCalibrationError.toFixed(3)}`;
    },
  });

  const seconds = (performance.now() - started) / 1000;
  Object.assign(results.dataset, {
    state: 'done',
    backend,
    smoothing: String(settings.smoothing),
    batchCount: String(losses.length),
    firstLoss: String(losses[0]),
    lastLoss: String(losses[losses.length - 1]),
    firstEpochLoss: String(epochLosses[0]),
    lastEpochLoss: String(epochLosses[epochLosses.length - 1]),
    testAccuracy: String(metrics.accuracy),
    expectedCalibrationError: String(metrics.expectedCalibrationError),
    seconds: String(seconds),
  });
  results.textContent =
    `Done in ${seconds.toFixed(1)} s on ${backend}: loss ${losses[0].toFixed(3)} → ${losses[losses.length - 1].toFixed(3)} ` +
    `(epoch mean ${epochLosses[0].toFixed(3)} → ${epochLosses[epochLosses.length - 1].toFixed(3)}), ` +
    `test accuracy ${metrics.accuracy.toFixed(3)}, ECE ${metrics.expectedCalibrationError.toFixed(3)}, ` +
    `mean confidence ${metrics.meanConfidence.toFixed(3)}.`;
  status.textContent = 'Finished. Change the settings and press Train again to compare.';
}

function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  trainButton.disabled = true;
  train()
    .catch((error: unknown) => {
      results.dataset.state = 'error';
      results.textContent = '';
      status.textContent = `Training failed: ${error instanceof Error ? error.message : String(error)}`;
      console.error(error);
    })
    .finally(() => {
      trainButton.disabled = false;
    });
});

tf.env().set('PROD', true);
probeBackends()
  .then(showBackends)
  .catch((error: unknown) => {
    status.textContent = `Checking the backends failed: ${error instanceof Error ? error.message : String(error)}`;
  });
