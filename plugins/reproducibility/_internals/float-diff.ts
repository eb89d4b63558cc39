/**
 * Element-wise comparison of two runs' numbers. Reproducibility is about bits, so every
 * comparison works at the values' own precision: Float32Array against Float32Array compares
 * float32 bit patterns and counts float32 units in the last place (ULPs); anything else
 * (Float64Array, plain numbers) compares float64 bits and counts float64 ULPs. 1 ULP is the
 * smallest change the format can make, so "max 1 ULP" reads as "rounding noise" and "max 1e9
 * ULPs" as "a different value altogether", whatever the magnitude.
 */
import { ulpDistance as ulpDistance32 } from 'mltest/plugin'

/** How far two runs may drift apart and still count as reproducible. An element passes when
 *  it is within `atol + rtol * |reference|` OR within `ulps` steps at the values' precision;
 *  all zero (the default) demands bit-identical results (+0 and -0 differ; NaN equals NaN). */
export interface Tolerance {
  atol?: number
  rtol?: number
  ulps?: number
}

export type Precision = 'float32' | 'float64'

/** How one array of a run differs from the same array of the reference run. */
export interface ArrayDiff {
  /** Precision the arrays were compared at (float32 only when both are Float32Array). */
  precision: Precision
  /** Every element has the same bit pattern at that precision (NaN payloads aside). */
  identical: boolean
  /** Elements whose bits differ. */
  differing: number
  /** Elements outside the tolerance. */
  violating: number
  total: number
  maxAbsDiff: number
  /** Largest ULP distance at `precision`; Infinity when one side is NaN and the other is not. */
  maxUlp: number
  /** Flat index of the first element outside the tolerance, or -1. */
  firstViolation: number
}

const f64 = new Float64Array(1)
const i64 = new BigInt64Array(f64.buffer)
const f32 = new Float32Array(1)
const i32 = new Int32Array(f32.buffer)

/** Float64 bits on a line where adjacent doubles differ by one (-0 and +0 both at 0). */
function ordered64(x: number): bigint {
  f64[0] = x
  const b = i64[0]!
  return b < 0n ? -(2n ** 63n) - b : b
}

/**
 * ULP distance between `a` and `b` at `precision` (default float32: both are rounded to
 * float32 first, so doubles that round to the same float32 are 0 apart). NaN against NaN
 * is 0, NaN against anything else Infinity.
 */
export function ulpDistance(a: number, b: number, precision: Precision = 'float32'): number {
  if (precision === 'float32') return ulpDistance32(a, b)
  const aNaN = Number.isNaN(a)
  const bNaN = Number.isNaN(b)
  if (aNaN || bNaN) return aNaN && bNaN ? 0 : Infinity
  const d = ordered64(a) - ordered64(b)
  return Number(d < 0n ? -d : d)
}

/** Same bits at `precision`; any two NaNs count as equal. */
export function sameBits(a: number, b: number, precision: Precision): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b)
  if (precision === 'float64') return Object.is(a, b)
  f32[0] = a
  const bitsA = i32[0]
  f32[0] = b
  return bitsA === i32[0]
}

/** float32 only when both sides are stored as float32; otherwise the numbers are doubles. */
export function precisionOf(a: ArrayLike<number>, b: ArrayLike<number>): Precision {
  return a instanceof Float32Array && b instanceof Float32Array ? 'float32' : 'float64'
}

/** Whether `a` and `b` (whose bits differ) still agree under `tolerance`. */
export function withinTolerance(a: number, b: number, tolerance: Tolerance, precision: Precision): boolean {
  const atol = tolerance.atol ?? 0
  const rtol = tolerance.rtol ?? 0
  const ulps = tolerance.ulps ?? 0
  if (atol === 0 && rtol === 0 && ulps === 0) return false
  const abs = Number.isNaN(a) !== Number.isNaN(b) ? Infinity : Math.abs(a - b)
  return abs <= atol + rtol * Math.abs(a) || ulpDistance(a, b, precision) <= ulps
}

/** Compares `other` against `reference` element by element (same length required). */
export function diffArrays(reference: ArrayLike<number>, other: ArrayLike<number>, tolerance: Tolerance = {}): ArrayDiff {
  if (reference.length !== other.length) {
    throw new RangeError(`cannot compare arrays of different lengths (${reference.length} and ${other.length})`)
  }
  const precision = precisionOf(reference, other)
  const diff: ArrayDiff = { precision, identical: true, differing: 0, violating: 0, total: reference.length, maxAbsDiff: 0, maxUlp: 0, firstViolation: -1 }
  for (let i = 0; i < reference.length; i++) {
    const a = reference[i]!
    const b = other[i]!
    if (sameBits(a, b, precision)) continue
    diff.identical = false
    diff.differing++
    const abs = Number.isNaN(a) !== Number.isNaN(b) ? Infinity : Math.abs(a - b)
    const ulp = ulpDistance(a, b, precision)
    if (!(abs <= diff.maxAbsDiff)) diff.maxAbsDiff = abs
    if (ulp > diff.maxUlp) diff.maxUlp = ulp
    if (!withinTolerance(a, b, tolerance, precision)) {
      diff.violating++
      if (diff.firstViolation < 0) diff.firstViolation = i
    }
  }
  return diff
}
