/**
 * Element-wise comparison of two runs' numbers. Reproducibility is about bits, so besides the
 * absolute difference every comparison reports the distance in float32 units in the last place
 * (ULPs): 1 ULP is the smallest change a float32 can make, so "max 1 ULP" reads as "rounding
 * noise" and "max 1e9 ULPs" as "a different value altogether", whatever the magnitude.
 */

/** How far two runs may drift apart and still count as reproducible. An element passes when
 *  it is within `atol + rtol * |reference|` OR within `ulps` float32 steps; all zero (the
 *  default) demands bit-identical results. */
export interface Tolerance {
  atol?: number
  rtol?: number
  ulps?: number
}

/** How one array of a run differs from the same array of the reference run. */
export interface ArrayDiff {
  /** Every element has the same float32 bit pattern (NaN payloads aside). */
  identical: boolean
  /** Elements whose bits differ. */
  differing: number
  /** Elements outside the tolerance. */
  violating: number
  total: number
  maxAbsDiff: number
  /** Largest float32 ULP distance; Infinity when one side is NaN and the other is not. */
  maxUlp: number
  /** Flat index of the first element outside the tolerance, or -1. */
  firstViolation: number
}

import { ulpDistance } from '../../../core/float32.ts'

export { ulpDistance }

const f32 = new Float32Array(1)
const i32 = new Int32Array(f32.buffer)

function sameBits(a: number, b: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b)
  f32[0] = a
  const bitsA = i32[0]
  f32[0] = b
  return bitsA === i32[0]
}

/** Compares `other` against `reference` element by element (same length required). */
export function diffArrays(reference: ArrayLike<number>, other: ArrayLike<number>, tolerance: Tolerance = {}): ArrayDiff {
  if (reference.length !== other.length) {
    throw new RangeError(`cannot compare arrays of different lengths (${reference.length} and ${other.length})`)
  }
  const atol = tolerance.atol ?? 0
  const rtol = tolerance.rtol ?? 0
  const ulps = tolerance.ulps ?? 0
  const diff: ArrayDiff = { identical: true, differing: 0, violating: 0, total: reference.length, maxAbsDiff: 0, maxUlp: 0, firstViolation: -1 }
  for (let i = 0; i < reference.length; i++) {
    const a = reference[i]!
    const b = other[i]!
    if (sameBits(a, b)) continue
    diff.identical = false
    diff.differing++
    const abs = Number.isNaN(a) !== Number.isNaN(b) ? Infinity : Math.abs(a - b)
    const ulp = ulpDistance(a, b)
    if (!(abs <= diff.maxAbsDiff)) diff.maxAbsDiff = abs
    if (ulp > diff.maxUlp) diff.maxUlp = ulp
    const within = abs <= atol + rtol * Math.abs(a) || ulp <= ulps
    if (!within) {
      diff.violating++
      if (diff.firstViolation < 0) diff.firstViolation = i
    }
  }
  return diff
}
