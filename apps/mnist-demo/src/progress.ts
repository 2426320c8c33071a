import cliProgress from 'cli-progress';

import type { EpochRecord, TrainingObserver } from './train.js';

/**
 * Returns an observer that shows one progress bar per epoch when `stream` is
 * a terminal, and one plain line per finished epoch otherwise (a log file or
 * CI output gets no control characters).
 */
export function createProgressObserver(runLabel: string, totalEpochs: number, stream: NodeJS.WriteStream): TrainingObserver {
  return stream.isTTY ? progressBarObserver(runLabel, totalEpochs, stream) : plainLineObserver(runLabel, totalEpochs, stream);
}

function progressBarObserver(runLabel: string, totalEpochs: number, stream: NodeJS.WriteStream): TrainingObserver {
  const epochWidth = String(totalEpochs).length;
  let bar: cliProgress.SingleBar | null = null;

  return {
    epochStarted(epoch, batchCount) {
      bar = new cliProgress.SingleBar({
        stream,
        format:
          `${runLabel} epoch ${String(epoch).padStart(epochWidth)}/${totalEpochs} {bar} {percentage}% ` +
          '| loss {loss} | accuracy {accuracy} | {duration_formatted} elapsed | {eta_formatted} left',
        barCompleteChar: '\u2588',
        barIncompleteChar: '\u2591',
        barsize: 24,
        hideCursor: true,
        gracefulExit: true,
        etaBuffer: 20,
      });
      bar.start(batchCount, 0, { loss: '------', accuracy: '------' });
    },
    batchFinished(batchesDone, loss, accuracy) {
      bar?.update(batchesDone, { loss: loss.toFixed(4), accuracy: accuracy.toFixed(4) });
    },
    epochFinished(record) {
      bar?.update({ loss: record.loss.toFixed(4), accuracy: record.accuracy.toFixed(4) });
      bar?.stop();
      bar = null;
    },
  };
}

function plainLineObserver(runLabel: string, totalEpochs: number, stream: NodeJS.WriteStream): TrainingObserver {
  const finished: EpochRecord[] = [];

  return {
    epochFinished(record) {
      finished.push(record);
      const meanSeconds = finished.reduce((sum, epoch) => sum + epoch.seconds, 0) / finished.length;
      const remainingSeconds = meanSeconds * (totalEpochs - record.epoch);
      stream.write(
        `${runLabel} epoch ${record.epoch}/${totalEpochs}: loss ${record.loss.toFixed(4)}, ` +
          `accuracy ${record.accuracy.toFixed(4)}, ${record.seconds.toFixed(1)} s elapsed, ` +
          `about ${remainingSeconds.toFixed(0)} s left in this run\n`,
      );
    },
  };
}
