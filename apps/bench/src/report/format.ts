/** Number formats shared by the tables, the charts and the log. */

/** Milliseconds with three significant digits at most, such as `0.412`, `41.2` or `4120`. */
export function formatMs(ms: number): string {
  if (ms >= 100) {
    return ms.toFixed(0);
  }
  if (ms >= 10) {
    return ms.toFixed(1);
  }
  if (ms >= 1) {
    return ms.toFixed(2);
  }
  return ms.toFixed(3);
}

/** Bytes in decimal units, which fall on the charts' powers of ten: `512 B`, `4.10 kB`, `16.4 MB`, `1.50 GB`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB'];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  if (unit === 0) {
    return `${value} B`;
  }
  return `${Number(value.toPrecision(3))} ${units[unit]}`;
}

/** Formats a ratio such as a speed-up: `15.2x`, `1.04x`, `0.312x`. */
export function formatRatio(ratio: number): string {
  if (ratio >= 10) {
    return `${ratio.toFixed(1)}x`;
  }
  if (ratio >= 1) {
    return `${ratio.toFixed(2)}x`;
  }
  return `${ratio.toPrecision(3)}x`;
}

/** Formats a count with thousands separators, for axis labels: `128`, `8,192`, `2,048,000`. */
export function formatCount(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}
