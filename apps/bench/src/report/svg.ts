/**
 * Log-log line charts as standalone SVG: one line per series, decade grid
 * lines with labels, and a legend to the right of the plot.
 */

export interface ChartPoint {
  x: number;
  y: number;
}

export interface ChartSeries {
  label: string;
  color: string;
  dashed: boolean;
  /** Points with positive x and y; others are left out, since a log axis cannot show them. */
  points: ChartPoint[];
}

export interface ChartSpec {
  title: string;
  subtitle?: string;
  xLabel: string;
  yLabel: string;
  series: ChartSeries[];
  /** Formats a tick value of each axis, such as `1 ms` or `64 KB`. */
  formatX: (value: number) => string;
  formatY: (value: number) => string;
}

const WIDTH = 960;
const HEIGHT = 460;
const PLOT = { left: 80, top: 56, right: 580, bottom: 400 };
const LEGEND_X = 600;

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Decade bounds that enclose `values`, widened to at least one decade. */
function decadeRange(values: readonly number[]): [number, number] {
  const low = Math.floor(Math.log10(Math.min(...values)));
  let high = Math.ceil(Math.log10(Math.max(...values)));
  if (high === low) {
    high += 1;
  }
  return [low, high];
}

/** Renders a chart. A chart without any positive point shows a note in its plot area instead. */
export function renderLogLogChart(spec: ChartSpec): string {
  const series = spec.series.map((line) => ({ ...line, points: line.points.filter((point) => point.x > 0 && point.y > 0) }));
  const allPoints = series.flatMap((line) => line.points);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${PLOT.left}" y="22" font-size="15" font-weight="bold">${escapeXml(spec.title)}</text>`,
  ];
  if (spec.subtitle) {
    parts.push(`<text x="${PLOT.left}" y="40" fill="#555">${escapeXml(spec.subtitle)}</text>`);
  }
  parts.push(`<rect x="${PLOT.left}" y="${PLOT.top}" width="${PLOT.right - PLOT.left}" height="${PLOT.bottom - PLOT.top}" fill="none" stroke="#333"/>`);

  if (allPoints.length === 0) {
    parts.push(`<text x="${(PLOT.left + PLOT.right) / 2}" y="${(PLOT.top + PLOT.bottom) / 2}" text-anchor="middle">no measured points</text>`, '</svg>');
    return `${parts.join('\n')}\n`;
  }

  const [xLow, xHigh] = decadeRange(allPoints.map((point) => point.x));
  const [yLow, yHigh] = decadeRange(allPoints.map((point) => point.y));
  const toX = (value: number) => PLOT.left + ((Math.log10(value) - xLow) / (xHigh - xLow)) * (PLOT.right - PLOT.left);
  const toY = (value: number) => PLOT.bottom - ((Math.log10(value) - yLow) / (yHigh - yLow)) * (PLOT.bottom - PLOT.top);

  // Unlabelled lines at 2 to 9 times each power of ten.
  for (let decade = xLow; decade < xHigh; decade++) {
    for (let multiple = 2; multiple < 10; multiple++) {
      const x = toX(multiple * 10 ** decade).toFixed(1);
      parts.push(`<line x1="${x}" y1="${PLOT.top}" x2="${x}" y2="${PLOT.bottom}" stroke="#f2f2f2"/>`);
    }
  }
  for (let decade = yLow; decade < yHigh; decade++) {
    for (let multiple = 2; multiple < 10; multiple++) {
      const y = toY(multiple * 10 ** decade).toFixed(1);
      parts.push(`<line x1="${PLOT.left}" y1="${y}" x2="${PLOT.right}" y2="${y}" stroke="#f2f2f2"/>`);
    }
  }
  for (let decade = xLow; decade <= xHigh; decade++) {
    const x = toX(10 ** decade).toFixed(1);
    parts.push(`<line x1="${x}" y1="${PLOT.top}" x2="${x}" y2="${PLOT.bottom}" stroke="#ddd"/>`);
    parts.push(`<text x="${x}" y="${PLOT.bottom + 16}" text-anchor="middle">${escapeXml(spec.formatX(10 ** decade))}</text>`);
  }
  for (let decade = yLow; decade <= yHigh; decade++) {
    const y = toY(10 ** decade).toFixed(1);
    parts.push(`<line x1="${PLOT.left}" y1="${y}" x2="${PLOT.right}" y2="${y}" stroke="#ddd"/>`);
    parts.push(`<text x="${PLOT.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${escapeXml(spec.formatY(10 ** decade))}</text>`);
  }
  parts.push(`<text x="${(PLOT.left + PLOT.right) / 2}" y="${PLOT.bottom + 38}" text-anchor="middle">${escapeXml(spec.xLabel)}</text>`);
  parts.push(`<text transform="translate(18 ${(PLOT.top + PLOT.bottom) / 2}) rotate(-90)" text-anchor="middle">${escapeXml(spec.yLabel)}</text>`);

  series.forEach((line, index) => {
    const dash = line.dashed ? ' stroke-dasharray="6 4"' : '';
    if (line.points.length > 1) {
      const path = line.points.map((point) => `${toX(point.x).toFixed(1)},${toY(point.y).toFixed(1)}`).join(' ');
      parts.push(`<polyline points="${path}" fill="none" stroke="${line.color}" stroke-width="2"${dash}/>`);
    }
    for (const point of line.points) {
      parts.push(`<circle cx="${toX(point.x).toFixed(1)}" cy="${toY(point.y).toFixed(1)}" r="3" fill="${line.color}"/>`);
    }
    const legendY = PLOT.top + 8 + index * 20;
    parts.push(`<line x1="${LEGEND_X}" y1="${legendY}" x2="${LEGEND_X + 28}" y2="${legendY}" stroke="${line.color}" stroke-width="2"${dash}/>`);
    const note = line.points.length === 0 ? ' (no points)' : '';
    parts.push(`<text x="${LEGEND_X + 36}" y="${legendY}" dominant-baseline="middle">${escapeXml(line.label + note)}</text>`);
  });

  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
