/**
 * Distances between two numbers as a serving system sees them. Models run in float32, so
 * "how many representable float32 values lie between a and b" (ULPs) says more about a
 * parity gap than an absolute difference that means nothing without the magnitude.
 */

export { ulpDistance } from '../../../core/float32.ts'

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
