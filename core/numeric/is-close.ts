/**
 * The one closeness rule of mltest. `toAllClose`, `invariantUnder`, the parity checks and the
 * reproducibility checks all call `isClose`, so "close" means the same everywhere. The rule, in
 * order (the first step that applies decides):
 *
 * 1. NaN: a pair with a NaN is close only when both are NaN and `equalNaN` is set. The default
 *    is false, as in numpy and IEEE 754, because a NaN output is almost always a bug and two
 *    broken outputs must not "agree" unless the caller says NaN is a legitimate value.
 *    (Checks that compare a computation with itself — runs of one training, training vs
 *    serving — pass `equalNaN: true` and state it.)
 * 2. Equal values are close under any tolerance, `'exact'` included: +0 equals -0 (the
 *    comparison is numeric; bit identity is a different question, see reproducibility), and an
 *    infinity equals the same infinity.
 * 3. Otherwise an infinity is never close: not to the other infinity, not to any finite number,
 *    whatever atol, rtol or ulps allow. (|Inf - x| <= atol + rtol * |Inf| would be true, and
 *    the largest float is one ULP from Infinity; both would hide an overflow.)
 * 4. `'exact'` (or a tolerance that allows nothing) accepts nothing more.
 * 5. Close when |actual - expected| <= atol + rtol * |expected| — numpy's asymmetric rule: rtol
 *    scales with the expected (reference) value, so swapping the arguments can change the answer.
 * 6. Or close when ulpDistance(actual, expected) <= ulps, counted in `precision` (default: the
 *    pair's own precision, float32 when both are float32 values, else float64).
 *
 * So atol/rtol and ulps are alternatives (OR), each missing key allowing nothing.
 */
import type { Tolerance } from './tolerance.ts'
import { pairPrecision, ulpDistance, type FloatPrecision } from './ulp-distance.ts'

export interface IsCloseOptions {
  /** Count NaN as equal to NaN (default false). */
  equalNaN?: boolean
  /** Count ULPs in this format (default: the pair's own, see `pairPrecision`). */
  precision?: FloatPrecision
}

/** Whether `actual` is within `tolerance` of `expected`; the rule is in this module's doc. */
export function isClose(actual: number, expected: number, tolerance: Tolerance, options: IsCloseOptions = {}): boolean {
  const aNaN = Number.isNaN(actual)
  const eNaN = Number.isNaN(expected)
  if (aNaN || eNaN) return aNaN && eNaN && options.equalNaN === true
  if (actual === expected) return true
  if (!Number.isFinite(actual) || !Number.isFinite(expected) || tolerance === 'exact') return false
  const { atol = 0, rtol = 0, ulps } = tolerance
  if (Math.abs(actual - expected) <= atol + rtol * Math.abs(expected)) return true
  return ulps !== undefined && ulpDistance(actual, expected, options.precision ?? pairPrecision(actual, expected)) <= ulps
}

/**
 * |a - b| for reports, with the same view of special values as `isClose`: 0 for equal values
 * (the same infinity, ±0) and for NaN against NaN; Infinity when exactly one side is NaN or the
 * infinities differ, so a max-difference figure never hides a NaN or an overflow.
 */
export function absDiff(a: number, b: number): number {
  if (a === b) return 0
  const aNaN = Number.isNaN(a)
  const bNaN = Number.isNaN(b)
  if (aNaN || bNaN) return aNaN && bNaN ? 0 : Infinity
  return Math.abs(a - b)
}

/**
 * How far a pair that is not close lies outside the tolerance, for ranking mismatches (the
 * worst element of a comparison): a NaN mismatch ranks above an infinity mismatch, which ranks
 * above any finite one; finite pairs rank by |a - e| - (atol + rtol * |e|), so a miss of 10 on
 * an allowance of 10 ranks below a miss of 1 on an allowance of 1e-8.
 */
export function excessOverTolerance(actual: number, expected: number, tolerance: Tolerance): number {
  if (Number.isNaN(actual) || Number.isNaN(expected)) return Infinity
  if (!Number.isFinite(actual) || !Number.isFinite(expected)) return Number.MAX_VALUE
  const { atol = 0, rtol = 0 } = tolerance === 'exact' ? {} : tolerance
  return Math.abs(actual - expected) - (atol + rtol * Math.abs(expected))
}
