/** Draws the training loss per batch as an inline SVG line chart. */

const WIDTH = 560;
const HEIGHT = 320;
const LEFT = 60;
const RIGHT = 20;
const TOP = 20;
const BOTTOM = 50;
const LINE_COLOR = '#0072B2';

/**
 * Returns the chart's SVG element as text. The line is a `<polyline
 * class="loss-series">` with one point per finite loss in `losses`, and
 * `data-point-count` records how many that is.
 */
export function renderLossChart(losses: readonly number[], batchesPerEpoch: number): string {
  const finite = losses.filter(Number.isFinite);
  const maxLoss = finite.length > 0 ? Math.max(...finite) : 1;
  const yMax = Math.max(0.5, Math.ceil(maxLoss * 2) / 2);
  const xMax = Math.max(1, losses.length - 1);
  const plotWidth = WIDTH - LEFT - RIGHT;
  const plotHeight = HEIGHT - TOP - BOTTOM;
  const x = (batch: number): number => LEFT + (batch / xMax) * plotWidth;
  const y = (loss: number): number => TOP + plotHeight - (loss / yMax) * plotHeight;

  const parts: string[] = [];
  parts.push(`<rect x="${LEFT}" y="${TOP}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#999"/>`);
  for (let tick = 0; tick <= 4; tick++) {
    const value = (yMax * tick) / 4;
    parts.push(
      `<line x1="${LEFT - 4}" x2="${LEFT + plotWidth}" y1="${y(value)}" y2="${y(value)}" stroke="#e5e5e5"/>` +
        `<text x="${LEFT - 8}" y="${y(value) + 4}" text-anchor="end">${value.toFixed(2)}</text>`,
    );
  }
  // Epoch boundaries, so the per-batch curve can be read per epoch.
  for (let boundary = batchesPerEpoch; boundary < losses.length; boundary += batchesPerEpoch) {
    parts.push(`<line class="epoch-boundary" x1="${x(boundary)}" x2="${x(boundary)}" y1="${TOP}" y2="${TOP + plotHeight}" stroke="#ccc" stroke-dasharray="4 3"/>`);
  }
  parts.push(
    `<text x="${LEFT + plotWidth / 2}" y="${HEIGHT - 12}" text-anchor="middle">batch (${losses.length} so far; dashed lines separate epochs)</text>`,
    `<text x="14" y="${TOP + plotHeight / 2}" text-anchor="middle" transform="rotate(-90 14 ${TOP + plotHeight / 2})">loss</text>`,
  );
  const points = losses
    .map((loss, batch) => (Number.isFinite(loss) ? `${x(batch).toFixed(1)},${y(loss).toFixed(1)}` : null))
    .filter((point): point is string => point !== null);
  parts.push(
    `<polyline class="loss-series" data-point-count="${points.length}" points="${points.join(' ')}" ` +
      `fill="none" stroke="${LINE_COLOR}" stroke-width="2" stroke-linejoin="round"/>`,
  );

  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" ` +
    `font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="12">${parts.join('')}</svg>`
  );
}
