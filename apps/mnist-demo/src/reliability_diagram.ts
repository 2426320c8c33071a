/**
 * Renders a reliability diagram as a standalone SVG document: per confidence
 * bin, the accuracy of the samples in it against their mean confidence, one
 * series per smoothing value, with the number of samples per bin below.
 */
import type { ReliabilityBin } from './metrics.js';

export interface ReliabilitySeries {
  /** Label smoothing ε of the run. */
  smoothing: number;
  bins: readonly ReliabilityBin[];
  expectedCalibrationError: number;
  accuracy: number;
}

export interface ReliabilityDiagramOptions {
  title: string;
  /** One line under the title, for the run's settings. */
  subtitle: string;
}

// Okabe-Ito colours, which stay distinct under the common colour-vision deficiencies.
const SERIES_COLORS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000'];
const MARKER_SHAPES = ['circle', 'square', 'triangle', 'diamond'] as const;

const WIDTH = 760;
const PLOT_LEFT = 90;
const PLOT_WIDTH = 600;
const PLOT_TOP = 110;
const PLOT_HEIGHT = 420;
const COUNTS_TOP = PLOT_TOP + PLOT_HEIGHT + 90;
const COUNTS_HEIGHT = 130;
const COUNT_ROWS_TOP = COUNTS_TOP + COUNTS_HEIGHT + 60;
const COUNT_ROW_HEIGHT = 20;
const FONT = 'DejaVu Sans, Helvetica, Arial, sans-serif';

/**
 * Returns the SVG document. Each series is a `<g class="series">` element with
 * a `data-smoothing` attribute, and each marker has a `<title>` with its bin's
 * numbers, which browsers show on hover.
 *
 * @throws RangeError when there is no series or the series have different bins.
 */
export function renderReliabilityDiagram(series: readonly ReliabilitySeries[], options: ReliabilityDiagramOptions): string {
  if (series.length === 0) {
    throw new RangeError('renderReliabilityDiagram: there are no series to draw; pass at least one run.');
  }
  const binCount = series[0].bins.length;
  if (series.some((entry) => entry.bins.length !== binCount)) {
    throw new RangeError('renderReliabilityDiagram: the series have different numbers of bins; bin every run the same way.');
  }
  const height = COUNT_ROWS_TOP + COUNT_ROW_HEIGHT * (series.length + 1) + 20;

  const parts = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" ` +
      `font-family="${FONT}" font-size="13">`,
    `<title>${escapeXml(options.title)}</title>`,
    `<desc>Accuracy against mean confidence per confidence bin, one series per label-smoothing value, ` +
      `with the number of test samples per bin.</desc>`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="${WIDTH / 2}" y="30" text-anchor="middle" font-size="18" font-weight="bold">${escapeXml(options.title)}</text>`,
    `<text x="${WIDTH / 2}" y="52" text-anchor="middle" fill="#444444">${escapeXml(options.subtitle)}</text>`,
    renderLegend(series),
    renderReliabilityAxes(binCount),
    ...series.map((entry, index) => renderSeries(entry, index)),
    renderCountPanel(series, binCount),
    renderCountRows(series, binCount),
    `</svg>`,
  ];
  return parts.join('\n') + '\n';
}

function renderLegend(series: readonly ReliabilitySeries[]): string {
  const itemWidth = 200;
  const itemsPerRow = 3;
  const items = series.map((entry, index) => {
    const x = PLOT_LEFT + (index % itemsPerRow) * itemWidth;
    const y = 78 + Math.floor(index / itemsPerRow) * 20;
    return (
      `<g transform="translate(${x} ${y})">` +
      `<line x1="0" y1="0" x2="26" y2="0" stroke="${seriesColor(index)}" stroke-width="2"/>` +
      marker(index, 13, 0, '') +
      `<text x="34" y="4">${escapeXml(`ε = ${entry.smoothing}, ECE ${entry.expectedCalibrationError.toFixed(4)}`)}</text>` +
      `</g>`
    );
  });
  return `<g class="legend">${items.join('')}</g>`;
}

function renderReliabilityAxes(binCount: number): string {
  const lines: string[] = [];
  const bottom = PLOT_TOP + PLOT_HEIGHT;

  for (let bin = 1; bin < binCount; bin++) {
    const x = xPosition(bin / binCount);
    lines.push(`<line x1="${x}" y1="${PLOT_TOP}" x2="${x}" y2="${bottom}" stroke="#eeeeee"/>`);
  }
  for (let tick = 0; tick <= 5; tick++) {
    const value = tick / 5;
    const x = xPosition(value);
    const y = yPosition(value);
    lines.push(`<line x1="${PLOT_LEFT}" y1="${y}" x2="${PLOT_LEFT + PLOT_WIDTH}" y2="${y}" stroke="#dddddd"/>`);
    lines.push(`<text x="${PLOT_LEFT - 8}" y="${y + 4}" text-anchor="end">${value.toFixed(1)}</text>`);
    lines.push(`<line x1="${x}" y1="${bottom}" x2="${x}" y2="${bottom + 5}" stroke="#333333"/>`);
    lines.push(`<text x="${x}" y="${bottom + 20}" text-anchor="middle">${value.toFixed(1)}</text>`);
  }

  lines.push(
    `<line class="perfect-calibration" x1="${xPosition(0)}" y1="${yPosition(0)}" x2="${xPosition(1)}" y2="${yPosition(1)}" ` +
      `stroke="#888888" stroke-width="1.5" stroke-dasharray="6 4"/>`,
    // Low confidences hold few samples, so the label there rarely covers a series.
    `<text x="${xPosition(0.06)}" y="${yPosition(0.06) - 8}" fill="#777777" ` +
      `transform="rotate(${diagonalAngle()} ${xPosition(0.06)} ${yPosition(0.06) - 8})">perfect calibration</text>`,
    `<rect x="${PLOT_LEFT}" y="${PLOT_TOP}" width="${PLOT_WIDTH}" height="${PLOT_HEIGHT}" fill="none" stroke="#333333"/>`,
    `<text x="${PLOT_LEFT + PLOT_WIDTH / 2}" y="${bottom + 44}" text-anchor="middle">` +
      `Mean confidence in bin (largest softmax probability); ${binCount} equal-width bins</text>`,
    `<text x="${PLOT_LEFT - 52}" y="${PLOT_TOP + PLOT_HEIGHT / 2}" text-anchor="middle" ` +
      `transform="rotate(-90 ${PLOT_LEFT - 52} ${PLOT_TOP + PLOT_HEIGHT / 2})">Accuracy in bin</text>`,
    `<text x="${PLOT_LEFT + 10}" y="${bottom - 12}" fill="#555555" font-size="12">` +
      `Below the diagonal: over-confident. Above: under-confident.</text>`,
  );
  return `<g class="axes">${lines.join('')}</g>`;
}

function renderSeries(entry: ReliabilitySeries, index: number): string {
  const color = seriesColor(index);
  const filled = entry.bins.filter((bin) => bin.count > 0 && bin.meanConfidence !== null && bin.accuracy !== null);
  const points = filled.map((bin) => `${xPosition(bin.meanConfidence as number)},${yPosition(bin.accuracy as number)}`);
  const markers = filled.map((bin) => {
    const tooltip =
      `ε = ${entry.smoothing}, confidence (${bin.lower.toFixed(3)}, ${bin.upper.toFixed(3)}]: ` +
      `${bin.count} samples, mean confidence ${(bin.meanConfidence as number).toFixed(4)}, ` +
      `accuracy ${(bin.accuracy as number).toFixed(4)}`;
    return marker(index, xPosition(bin.meanConfidence as number), yPosition(bin.accuracy as number), tooltip);
  });

  return (
    `<g class="series" data-smoothing="${entry.smoothing}">` +
    `<polyline points="${points.join(' ')}" fill="none" stroke="${color}" stroke-width="2" stroke-linejoin="round"/>` +
    markers.join('') +
    `</g>`
  );
}

/**
 * Bars of samples per bin on a log scale, grouped by bin, one colour per
 * series. The axis starts at 0.5 so that a bin with one sample still shows a
 * bar; an empty bin shows none.
 */
function renderCountPanel(series: readonly ReliabilitySeries[], binCount: number): string {
  const maxCount = Math.max(1, ...series.flatMap((entry) => entry.bins.map((bin) => bin.count)));
  const decades = Math.max(1, Math.ceil(Math.log10(maxCount)));
  const axisStart = Math.log10(0.5);
  const bottom = COUNTS_TOP + COUNTS_HEIGHT;
  const countY = (count: number): number =>
    count < 1 ? bottom : bottom - ((Math.log10(count) - axisStart) / (decades - axisStart)) * COUNTS_HEIGHT;
  const parts: string[] = [];

  for (let decade = 0; decade <= decades; decade++) {
    const y = round(countY(10 ** decade));
    parts.push(`<line x1="${PLOT_LEFT}" y1="${y}" x2="${PLOT_LEFT + PLOT_WIDTH}" y2="${y}" stroke="#dddddd"/>`);
    parts.push(`<text x="${PLOT_LEFT - 8}" y="${y + 4}" text-anchor="end" font-size="11">${10 ** decade}</text>`);
  }

  const slotWidth = PLOT_WIDTH / binCount;
  const barWidth = (slotWidth * 0.8) / series.length;
  series.forEach((entry, index) => {
    const bars = entry.bins.map((bin, binNumber) => {
      if (bin.count === 0) {
        return '';
      }
      const x = PLOT_LEFT + binNumber * slotWidth + slotWidth * 0.1 + index * barWidth;
      const y = countY(bin.count);
      return (
        `<rect x="${round(x)}" y="${round(y)}" width="${round(barWidth)}" height="${round(bottom - y)}" fill="${seriesColor(index)}">` +
        `<title>${escapeXml(`ε = ${entry.smoothing}, confidence (${bin.lower.toFixed(3)}, ${bin.upper.toFixed(3)}]: ${bin.count} samples`)}</title>` +
        `</rect>`
      );
    });
    parts.push(`<g class="bin-counts" data-smoothing="${entry.smoothing}">${bars.join('')}</g>`);
  });

  for (let bin = 0; bin <= binCount; bin++) {
    const x = round(PLOT_LEFT + bin * slotWidth);
    parts.push(`<line x1="${x}" y1="${bottom}" x2="${x}" y2="${bottom + 4}" stroke="#333333"/>`);
  }
  parts.push(
    `<rect x="${PLOT_LEFT}" y="${COUNTS_TOP}" width="${PLOT_WIDTH}" height="${COUNTS_HEIGHT}" fill="none" stroke="#333333"/>`,
    `<text x="${PLOT_LEFT}" y="${COUNTS_TOP - 10}">Test samples per confidence bin (log scale)</text>`,
    `<text x="${PLOT_LEFT}" y="${bottom + 20}" font-size="11">0</text>`,
    `<text x="${PLOT_LEFT + PLOT_WIDTH}" y="${bottom + 20}" font-size="11" text-anchor="end">1</text>`,
    `<text x="${PLOT_LEFT + PLOT_WIDTH / 2}" y="${bottom + 20}" font-size="11" text-anchor="middle">confidence bin</text>`,
  );
  return `<g class="count-panel">${parts.join('')}</g>`;
}

/** Renders the exact count of every bin, one row per series, aligned with the bars above. */
function renderCountRows(series: readonly ReliabilitySeries[], binCount: number): string {
  const slotWidth = PLOT_WIDTH / binCount;
  const parts: string[] = [];

  const headerY = COUNT_ROWS_TOP;
  parts.push(`<text x="${PLOT_LEFT - 8}" y="${headerY}" text-anchor="end" font-size="11" fill="#555555">bin from</text>`);
  for (let bin = 0; bin < binCount; bin++) {
    const x = round(PLOT_LEFT + (bin + 0.5) * slotWidth);
    parts.push(`<text x="${x}" y="${headerY}" text-anchor="middle" font-size="10" fill="#555555">${(bin / binCount).toFixed(2)}</text>`);
  }

  series.forEach((entry, index) => {
    const y = COUNT_ROWS_TOP + COUNT_ROW_HEIGHT * (index + 1);
    const cells = entry.bins.map((bin, binNumber) => {
      const x = round(PLOT_LEFT + (binNumber + 0.5) * slotWidth);
      return `<text x="${x}" y="${y}" text-anchor="middle" font-size="11">${bin.count}</text>`;
    });
    parts.push(
      `<g class="count-row" data-smoothing="${entry.smoothing}" fill="${seriesColor(index)}">` +
        `<text x="${PLOT_LEFT - 8}" y="${y}" text-anchor="end" font-size="11">ε = ${entry.smoothing}</text>` +
        cells.join('') +
        `</g>`,
    );
  });
  return `<g class="count-table">${parts.join('')}</g>`;
}

function marker(seriesIndex: number, x: number, y: number, tooltip: string): string {
  const color = seriesColor(seriesIndex);
  const title = tooltip === '' ? '' : `<title>${escapeXml(tooltip)}</title>`;
  const style = `fill="${color}" stroke="#ffffff" stroke-width="1"`;
  const cx = round(x);
  const cy = round(y);

  switch (MARKER_SHAPES[seriesIndex % MARKER_SHAPES.length]) {
    case 'circle':
      return `<circle cx="${cx}" cy="${cy}" r="5" ${style}>${title}</circle>`;
    case 'square':
      return `<rect x="${round(x - 4.5)}" y="${round(y - 4.5)}" width="9" height="9" ${style}>${title}</rect>`;
    case 'triangle':
      return `<polygon points="${cx},${round(y - 6)} ${round(x + 5.5)},${round(y + 4)} ${round(x - 5.5)},${round(y + 4)}" ${style}>${title}</polygon>`;
    case 'diamond':
      return `<polygon points="${cx},${round(y - 6)} ${round(x + 6)},${cy} ${cx},${round(y + 6)} ${round(x - 6)},${cy}" ${style}>${title}</polygon>`;
  }
}

/** Angle of the diagonal on screen, in degrees; SVG rotates clockwise, so it is negative. */
function diagonalAngle(): number {
  return round((-Math.atan2(PLOT_HEIGHT, PLOT_WIDTH) * 180) / Math.PI);
}

function seriesColor(index: number): string {
  return SERIES_COLORS[index % SERIES_COLORS.length];
}

function xPosition(confidence: number): number {
  return round(PLOT_LEFT + confidence * PLOT_WIDTH);
}

function yPosition(accuracy: number): number {
  return round(PLOT_TOP + (1 - accuracy) * PLOT_HEIGHT);
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
