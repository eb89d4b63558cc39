/**
 * Float32 distances. Models run in float32, so "how many representable float32 values lie
 * between a and b" (units in the last place, ULPs) reads the same at any magnitude: 1 ULP is
 * rounding noise, 1e9 ULPs a different value altogether.
 */

const f32 = new Float32Array(1)
const bits = new Int32Array(f32.buffer)

/**
 * Maps a number's float32 bit pattern onto a line where adjacent float32 values differ by
 * one: positive floats keep their bits, negative ones are mirrored below zero, so -0 and +0
 * both land on 0.
 */
function orderedFloat32(x: number): number {
  f32[0] = x
  const b = bits[0]!
  return b < 0 ? -2147483648 - b : b
}

/**
 * Float32 ULP distance: both values are rounded to float32 and the count of float32 values
 * between them is returned (0 for equal values and for +0/-0). NaN against anything but NaN
 * is Infinity; NaN against NaN is 0.
 */
export function ulpDistance(a: number, b: number): number {
  const aNaN = Number.isNaN(a)
  const bNaN = Number.isNaN(b)
  if (aNaN || bNaN) return aNaN && bNaN ? 0 : Infinity
  return Math.abs(orderedFloat32(a) - orderedFloat32(b))
}
