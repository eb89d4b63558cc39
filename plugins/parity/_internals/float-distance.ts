/**
 * Distances between two numbers as a serving system sees them. Models run in float32, so
 * "how many representable float32 values lie between a and b" (ULPs) says more about a
 * parity gap than an absolute difference that means nothing without the magnitude. But a
 * float64 value compared in float32 steps hides exactly the bug a parity check looks for
 * (one side rounding to float32), so a pair is counted in float32 ULPs only when both values
 * are float32 values, and in float64 ULPs otherwise.
 */
import { ulpDistance } from 'mltest/plugin'

export { ulpDistance }

const f64 = new Float64Array(1)
const bits64 = new BigInt64Array(f64.buffer)
const SIGN = -(2n ** 63n)

/** A double's bit pattern on a line where adjacent doubles differ by one (-0 and +0 both at 0). */
function orderedFloat64(x: number): bigint {
  f64[0] = x
  const b = bits64[0]!
  return b < 0n ? SIGN - b : b
}

/** Float64 ULP distance: the count of doubles between a and b. NaN against NaN is 0, against anything else Infinity. */
export function ulpDistanceFloat64(a: number, b: number): number {
  const aNaN = Number.isNaN(a)
  const bNaN = Number.isNaN(b)
  if (aNaN || bNaN) return aNaN && bNaN ? 0 : Infinity
  const d = orderedFloat64(a) - orderedFloat64(b)
  return Number(d < 0n ? -d : d)
}

export type UlpPrecision = 'float32' | 'float64'

/** Whether `x` is a float32 value (NaN and ±Infinity are). */
export function isFloat32(x: number): boolean {
  return Number.isNaN(x) || Math.fround(x) === x
}

/** The ULP distance of a pair in its own precision: float32 when both values are float32 values, else float64. */
export function pairUlps(a: number, b: number): { ulps: number; precision: UlpPrecision } {
  return isFloat32(a) && isFloat32(b) ? { ulps: ulpDistance(a, b), precision: 'float32' } : { ulps: ulpDistanceFloat64(a, b), precision: 'float64' }
}

/** Largest ULP distances seen, kept apart by precision because a float32 and a float64 ULP are not the same unit. */
export interface UlpMax {
  float32: number | null
  float64: number | null
}

export function addUlps(max: UlpMax, a: number, b: number): void {
  const { ulps, precision } = pairUlps(a, b)
  max[precision] = Math.max(max[precision] ?? 0, ulps)
}

/** `3 float32 ulps`, `12 float64 ulps`, or both; `n/a` when nothing numeric was compared. */
export function describeUlps(max: UlpMax): string {
  // Float64 distances reach 1e18 and beyond, where printing every digit claims a precision a double does not have.
  const count = (n: number) => (n < 1e15 ? String(n) : n.toExponential(3))
  const parts = [
    max.float32 !== null ? `${count(max.float32)} float32 ulps` : '',
    max.float64 !== null ? `${count(max.float64)} float64 ulps` : '',
  ].filter(Boolean)
  return parts.length ? parts.join(', ') : 'n/a'
}

/** |a - b| with equal infinities at distance 0 and NaN against a number at Infinity. */
export function absDistance(a: number, b: number): number {
  if (a === b) return 0
  const aNaN = Number.isNaN(a)
  const bNaN = Number.isNaN(b)
  if (aNaN || bNaN) return aNaN && bNaN ? 0 : Infinity
  return Math.abs(a - b)
}

/** Index of the largest value (first one on ties), the class a classifier predicts. */
export function argmax(values: ArrayLike<number>, start: number, length: number): number {
  let best = 0
  for (let i = 1; i < length; i++) if (values[start + i]! > values[start + best]!) best = i
  return best
}
