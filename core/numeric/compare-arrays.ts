/**
 * Element-wise comparison of two flat arrays under `isClose`, with the figures every numeric
 * report needs in one pass: how many elements are out of tolerance, the first and the worst
 * of them, the largest absolute difference and the largest ULP distance. Reports name the
 * worst element rather than "arrays differ", because that is not actionable on a
 * million-element output; they name the first one where order matters (layer order).
 */
import { absDiff, excessOverTolerance, isClose, type IsCloseOptions } from './is-close.ts'
import type { Tolerance } from './tolerance.ts'
import { pairPrecision, ulpDistance, type FloatPrecision } from './ulp-distance.ts'

/** Largest ULP distances seen, per precision (a float32 and a float64 ULP are not the same unit); null when no pair used it. */
export type UlpMax = Record<FloatPrecision, number | null>

export interface ArrayComparison {
  total: number
  /** Elements that are not close. */
  mismatches: number
  /** Flat index of the first mismatch, or -1. */
  firstMismatch: number
  /** Flat index of the mismatch furthest outside the tolerance (see `excessOverTolerance`; first on ties), or -1. */
  worst: number
  /** Largest `absDiff` over all pairs (Infinity when a NaN or infinity mismatches a number). */
  maxAbsDiff: number
  /** Largest ULP distance, per precision the pairs were counted in. */
  maxUlps: UlpMax
}

/**
 * Compares `actual` with `expected` element by element. A number `expected` is compared with
 * every element (numpy-style scalar broadcast); arrays must have the same length. Options are
 * `isClose`'s.
 */
export function compareArrays(
  actual: ArrayLike<number>,
  expected: ArrayLike<number> | number,
  tolerance: Tolerance,
  options: IsCloseOptions = {},
): ArrayComparison {
  const scalar = typeof expected === 'number'
  if (!scalar && expected.length !== actual.length) {
    throw new RangeError(`cannot compare arrays of different lengths (${actual.length} and ${expected.length})`)
  }
  let mismatches = 0
  let firstMismatch = -1
  let worst = -1
  let worstExcess = -Infinity
  let maxAbsDiff = 0
  // Maxima in locals (-1: no pair counted in that precision); the loop runs over whole tensors.
  let max32 = -1
  let max64 = -1
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!
    const e = scalar ? expected : expected[i]!
    const precision = options.precision ?? pairPrecision(a, e)
    const ulps = ulpDistance(a, e, precision)
    if (precision === 'float32') max32 = Math.max(max32, ulps)
    else max64 = Math.max(max64, ulps)
    const abs = absDiff(a, e)
    if (abs > maxAbsDiff) maxAbsDiff = abs
    if (isClose(a, e, tolerance, options)) continue
    mismatches++
    if (firstMismatch < 0) firstMismatch = i
    const excess = excessOverTolerance(a, e, tolerance)
    if (excess > worstExcess) [worst, worstExcess] = [i, excess]
  }
  const maxUlps = { float32: max32 < 0 ? null : max32, float64: max64 < 0 ? null : max64 }
  return { total: actual.length, mismatches, firstMismatch, worst, maxAbsDiff, maxUlps }
}
