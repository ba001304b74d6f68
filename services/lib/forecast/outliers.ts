/**
 * Outlying observations, in the spirit of Hyndman's forecast::tsoutliers: those whose one-step error is more than
 * OUTLIER_SDS robust standard deviations (1.4826 x the median absolute deviation of the errors, which a few spikes
 * do not inflate as they do the plain standard deviation) from the median error. An error below one minor unit is
 * never an outlier, so that a series fitted exactly flags nothing.
 */
export const OUTLIER_SDS = 5;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The indexes of the outlying residuals, ascending. */
export function outlierIndexes(residuals: readonly number[]): number[] {
  if (residuals.length === 0) return [];
  const centre = median(residuals);
  const robustSd = 1.4826 * median(residuals.map((r) => Math.abs(r - centre)));
  const threshold = Math.max(OUTLIER_SDS * robustSd, 1);
  return residuals.flatMap((r, i) => (Math.abs(r - centre) > threshold ? [i] : []));
}
