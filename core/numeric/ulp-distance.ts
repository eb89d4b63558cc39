/**
 * ULP distance: how many representable values of a floating-point format lie between two
 * numbers. It reads the same at any magnitude (1 ULP is rounding noise, 1e9 ULPs a different
 * value altogether), which an absolute difference does not. There is one function for both
 * formats, and the caller always names the format: a float64 value counted in float32 steps
 * hides exactly the bug a parity or reproducibility check looks for (one side rounding to
 * float32), so no default is safe.
 *
 * The count is exact while it is below 2^53 and correctly rounded above; it is computed from
 * the two 32-bit halves of the bit pattern in plain doubles, because BigInt arithmetic per
 * element is too slow for million-element tensors.
 */

/** The floating-point format a distance is counted in. */
export type FloatPrecision = 'float32' | 'float64'

// Scratch views over one buffer each (typed arrays are several times faster than a DataView here).
const f32 = new Float32Array(2)
const bits32 = new Uint32Array(f32.buffer)
const f64 = new Float64Array(2)
const bits64 = new Uint32Array(f64.buffer)
/** Index of a double's high (sign and exponent) word within its two Uint32 halves. */
const HI = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1 ? 1 : 0
const LO = 1 - HI
const TWO_32 = 2 ** 32

/**
 * Distance on the line where adjacent floats differ by one: positive floats sit at their bit
 * pattern, negative ones mirrored below zero, so -0 and +0 both sit at 0 and a distance across
 * zero is the sum of both magnitudes.
 */
function distance32(a: number, b: number): number {
  f32[0] = a
  f32[1] = b
  const bitsA = bits32[0]!
  const bitsB = bits32[1]!
  const magA = bitsA & 0x7fffffff
  const magB = bitsB & 0x7fffffff
  return bitsA >>> 31 === bitsB >>> 31 ? Math.abs(magA - magB) : magA + magB
}

function distance64(a: number, b: number): number {
  f64[0] = a
  f64[1] = b
  const hiA = bits64[HI]!
  const loA = bits64[LO]!
  const hiB = bits64[2 + HI]!
  const loB = bits64[2 + LO]!
  const magHiA = hiA & 0x7fffffff
  const magHiB = hiB & 0x7fffffff
  // Each partial sum is exact in a double; only the final addition rounds, and only above 2^53.
  if (hiA >>> 31 === hiB >>> 31) return Math.abs((magHiA - magHiB) * TWO_32 + (loA - loB))
  return (magHiA + magHiB) * TWO_32 + (loA + loB)
}

/**
 * The count of `precision` values between `a` and `b` (for float32, both are first rounded to
 * float32, so doubles that round to the same float32 are 0 apart).
 *
 * - equal values, +0 and -0, and the same infinity: 0;
 * - NaN and NaN: 0 (both are "not a number", no step apart), NaN and anything else: Infinity;
 * - an infinity and a finite number, or +Infinity and -Infinity: Infinity. An infinity is an
 *   overflow, not the float one step past the largest finite value, so a ULP tolerance never
 *   accepts it (see `isClose`).
 */
export function ulpDistance(a: number, b: number, precision: FloatPrecision): number {
  if (a === b) return 0
  const aNaN = Number.isNaN(a)
  const bNaN = Number.isNaN(b)
  if (aNaN || bNaN) return aNaN && bNaN ? 0 : Infinity
  if (precision === 'float32') {
    const a32 = Math.fround(a)
    const b32 = Math.fround(b)
    if (a32 === b32) return 0
    if (!Number.isFinite(a32) || !Number.isFinite(b32)) return Infinity
    return distance32(a32, b32)
  }
  if (precision !== 'float64') throw new TypeError(`ulpDistance: precision must be 'float32' or 'float64' (got ${String(precision)})`)
  if (!Number.isFinite(a) || !Number.isFinite(b)) return Infinity
  return distance64(a, b)
}

/** Whether `x` is exactly a float32 value (NaN and ±Infinity are). */
export function isFloat32(x: number): boolean {
  return Number.isNaN(x) || Math.fround(x) === x
}

/**
 * The precision a pair of numbers is compared in when the caller does not say: float32 when
 * both are float32 values (tfjs and onnxruntime outputs, tfjs fit logs stored as doubles),
 * float64 otherwise, so a float64 value that a serving side rounded to float32 shows up as
 * millions of float64 ULPs instead of "0 float32 ULPs".
 */
export function pairPrecision(a: number, b: number): FloatPrecision {
  return isFloat32(a) && isFloat32(b) ? 'float32' : 'float64'
}
