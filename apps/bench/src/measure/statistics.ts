/** Summary statistics of timed runs. */

/** Median of a non-empty list: the middle value, or the mean of the two middle values. */
export function median(values: readonly number[]): number {
  if (values.length === 0) {
    throw new Error('median of an empty list');
  }
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Least-squares fit of `y = intercept + slope · x`. Needs at least two points with distinct x. */
export function affineFit(points: readonly { x: number; y: number }[]): { intercept: number; slope: number } {
  const meanX = points.reduce((sum, point) => sum + point.x, 0) / points.length;
  const meanY = points.reduce((sum, point) => sum + point.y, 0) / points.length;
  let covariance = 0;
  let variance = 0;
  for (const point of points) {
    covariance += (point.x - meanX) * (point.y - meanY);
    variance += (point.x - meanX) ** 2;
  }
  const slope = covariance / variance;
  return { intercept: meanY - slope * meanX, slope };
}

/**
 * Least-squares slope of log(y) against log(x): 1 when y grows in proportion
 * to x. Needs at least two points with distinct x.
 */
export function logLogSlope(points: readonly { x: number; y: number }[]): number {
  const logs = points.map((point) => ({ x: Math.log(point.x), y: Math.log(point.y) }));
  const meanX = logs.reduce((sum, point) => sum + point.x, 0) / logs.length;
  const meanY = logs.reduce((sum, point) => sum + point.y, 0) / logs.length;
  let covariance = 0;
  let variance = 0;
  for (const point of logs) {
    covariance += (point.x - meanX) * (point.y - meanY);
    variance += (point.x - meanX) ** 2;
  }
  return covariance / variance;
}
