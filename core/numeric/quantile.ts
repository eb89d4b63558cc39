/**
 * Sample quantiles with one stated method for every check: linear interpolation between the
 * closest ranks (Hyndman & Fan type 7, numpy's and R's default), so figures match what users
 * get when they re-analyse the raw values in numpy.
 */

/** How `quantileSorted` interpolates, in words for reports. */
export const QUANTILE_METHOD = 'linear interpolation between closest ranks (Hyndman-Fan type 7, numpy default)'

/**
 * The q-quantile (0 ≤ q ≤ 1) of values already sorted ascending; NaN when there are none.
 * Throws a RangeError for q outside [0, 1].
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantileSorted: q must be in [0, 1], got ${q}`)
  const n = sorted.length
  if (n === 0) return Number.NaN
  const h = (n - 1) * q
  const lo = Math.floor(h)
  const hi = Math.min(lo + 1, n - 1)
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!)
}
