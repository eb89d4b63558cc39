/**
 * Element-wise comparison of two runs' numbers. Reproducibility is about bits, so a tolerance
 * that allows nothing (the default) demands the same bits: +0 and -0 differ, and NaN equals NaN
 * (payloads aside), since a run that reproduces a NaN reproduces. This is deliberately stricter
 * than the SDK's `'exact'`, which is numeric equality. A tolerance that allows drift is judged
 * by the SDK's `isClose` (the reference run is the expected value; NaN equals NaN).
 *
 * Everything works at the values' own precision: Float32Array against Float32Array counts
 * float32 ULPs, anything else (Float64Array, plain numbers) float64 ULPs. 1 ULP is the smallest
 * change the format can make, so "max 1 ULP" reads as "rounding noise" and "max 1e9 ULPs" as
 * "a different value altogether", whatever the magnitude.
 */
import { compareArrays, isClose, isExactTolerance, type FloatPrecision, type Tolerance } from 'mltest/plugin'

/** How one array of a run differs from the same array of the reference run. */
export interface ArrayDiff {
  /** Precision the arrays were compared at (float32 only when both are Float32Array). */
  precision: FloatPrecision
  /** Every element has the same bit pattern at that precision (NaN payloads aside). */
  identical: boolean
  /** Elements whose bits differ. */
  differing: number
  /** Elements outside the tolerance. */
  violating: number
  total: number
  /** Largest |difference| (Infinity when one side is NaN or infinite and the other is not). */
  maxAbsDiff: number
  /** Largest ULP distance at `precision`; Infinity when one side is NaN and the other is not. */
  maxUlp: number
  /** Flat index of the first element outside the tolerance, or -1. */
  firstViolation: number
}

/** float32 only when both sides are stored as float32; otherwise the numbers are doubles. */
export function precisionOf(a: ArrayLike<number>, b: ArrayLike<number>): FloatPrecision {
  return a instanceof Float32Array && b instanceof Float32Array ? 'float32' : 'float64'
}

/** Whether a tolerance asks for bit identity: none given, or one that allows nothing. */
export function demandsBits(tolerance: Tolerance | undefined): boolean {
  return tolerance === undefined || isExactTolerance(tolerance)
}

/** Whether `value` agrees with `reference`: the same bits, or (when drift is allowed) within the tolerance. */
export function agrees(reference: number, value: number, tolerance: Tolerance | undefined, precision: FloatPrecision): boolean {
  if (Object.is(reference, value)) return true
  return !demandsBits(tolerance) && isClose(value, reference, tolerance!, { equalNaN: true, precision })
}

/** Compares `other` against `reference` element by element (same length required). */
export function diffArrays(reference: ArrayLike<number>, other: ArrayLike<number>, tolerance?: Tolerance): ArrayDiff {
  const precision = precisionOf(reference, other)
  const bits = demandsBits(tolerance)
  const c = compareArrays(other, reference, bits ? 'exact' : tolerance!, { equalNaN: true, precision })
  let differing = 0
  let firstDiffering = -1
  for (let i = 0; i < reference.length; i++) {
    if (Object.is(reference[i], other[i])) continue
    differing++
    if (firstDiffering < 0) firstDiffering = i
  }
  // Under bit identity every differing element violates, ±0 included (which 'exact' would accept).
  const [violating, firstViolation] = bits ? [differing, firstDiffering] : [c.mismatches, c.firstMismatch]
  return { precision, identical: differing === 0, differing, violating, total: c.total, maxAbsDiff: c.maxAbsDiff, maxUlp: c.maxUlps[precision] ?? 0, firstViolation }
}
