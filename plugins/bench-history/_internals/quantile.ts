/**
 * Sample quantiles with linear interpolation between the closest ranks (Hyndman–Fan type 7,
 * numpy's and R's default), the same rule `benchOnnx` reports its percentiles with.
 */

import { quantileSorted } from 'mltest/plugin'

export { quantileSorted }

/** A sorted copy as a Float64Array (numeric order, not string order). */
export function sortedCopy(values: ArrayLike<number>): Float64Array {
  return Float64Array.from(values).sort()
}

export function quantile(values: ArrayLike<number>, q: number): number {
  return quantileSorted(sortedCopy(values), q)
}

export function mean(values: ArrayLike<number>): number {
  let sum = 0
  for (let i = 0; i < values.length; i++) sum += values[i]!
  return sum / values.length
}
