/**
 * The values where floating-point code breaks: signed zeros, subnormals, the largest finite
 * value, the thresholds where `exp` overflows or underflows and where `x * x` overflows, and
 * the integers a float32 cannot hold. Each threshold comes as the pair of neighbouring
 * representable values that straddle it, so one side passes and the other fails.
 *
 * Order matters: fast-check shrinks a `constantFrom` towards its first values, so the list
 * runs from the mildest edge (0) to the harshest (±max), and a shrunk counterexample names
 * the smallest edge that still breaks the code.
 */
import type { DType } from './tensor-value.ts'

/** Float32 landmarks, exact float32 values. */
export const FLOAT32 = {
  minSubnormal: 2 ** -149,
  minNormal: 2 ** -126,
  epsilon: 2 ** -23,
  /** exp(x) is still a normal float32 here and a subnormal at the next value down. */
  expNormal: -87.33654022216797,
  expSubnormal: -87.3365478515625,
  /** exp(x) is still finite at this value and overflows to Infinity at the next. */
  expFinite: 88.72283172607422,
  expOverflow: 88.72283935546875,
  /** exp(x) is the smallest subnormal here and rounds to 0 at the next value down. */
  expSmallest: -103.97207641601562,
  expZero: -103.97208404541016,
  /** x + 1 === x from here on: integers beyond 2^24 lose their last bit. */
  maxExactInteger: 2 ** 24,
  /** x * x is finite here and overflows at the next value up. */
  squareFinite: 18446742974197924000,
  squareOverflow: 2 ** 64,
  max: 3.4028234663852886e38,
} as const

/** Float64 landmarks, used on top of the float32 ones for float64 tensors. */
export const FLOAT64 = {
  minSubnormal: Number.MIN_VALUE,
  minNormal: 2 ** -1022,
  epsilon: Number.EPSILON,
  expFinite: 709.782712893384,
  expOverflow: 709.7827128933841,
  expSmallest: -745.1332191019411,
  expZero: -745.1332191019412,
  maxExactInteger: 2 ** 53,
  squareFinite: 1.3407807929942596e154,
  max: Number.MAX_VALUE,
} as const

const signed = (values: number[]) => values.flatMap((v) => [v, -v])

const FLOAT32_EDGES: readonly number[] = [
  0,
  -0,
  ...signed([FLOAT32.minSubnormal, FLOAT32.minNormal, FLOAT32.epsilon]),
  FLOAT32.expNormal,
  FLOAT32.expSubnormal,
  ...signed([FLOAT32.expFinite, FLOAT32.expOverflow]),
  FLOAT32.expSmallest,
  FLOAT32.expZero,
  -FLOAT32.expSmallest,
  ...signed([FLOAT32.maxExactInteger, FLOAT32.squareFinite, FLOAT32.squareOverflow, FLOAT32.max]),
]

const FLOAT64_EXTRA: readonly number[] = signed([
  FLOAT64.minSubnormal,
  FLOAT64.minNormal,
  FLOAT64.epsilon,
  FLOAT64.expFinite,
  FLOAT64.expOverflow,
  FLOAT64.expSmallest,
  FLOAT64.expZero,
  FLOAT64.maxExactInteger,
  FLOAT64.squareFinite,
  FLOAT64.max,
])

/** int32: the wrap-around points, 46341 (its square overflows int32) and 2^24 + 1 (not a float32). */
const INT32_EDGES: readonly number[] = [0, 1, -1, 46341, -46341, 2 ** 24 + 1, -(2 ** 24 + 1), 2 ** 31 - 1, -(2 ** 31)]

const NON_FINITE: readonly number[] = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]

/**
 * The edge values for a dtype within [min, max]; NaN and ±Infinity only when `nonFinite`
 * (infinities also need the bounds to allow them).
 */
export function edgeValues(dtype: DType, min: number, max: number, nonFinite: boolean): number[] {
  const base = dtype === 'int32' ? INT32_EDGES : dtype === 'float64' ? [...FLOAT32_EDGES, ...FLOAT64_EXTRA] : FLOAT32_EDGES
  const inRange = base.filter((v) => v >= min && v <= max)
  if (!nonFinite || dtype === 'int32') return inRange
  return [...inRange, Number.NaN, ...NON_FINITE.slice(1).filter((v) => v >= min && v <= max)]
}

const f32 = new Float32Array(1)
const f32Bits = new Int32Array(f32.buffer)

/** The next float32 towards +Infinity (`toward = 1`) or -Infinity (`toward = -1`). */
function stepFloat32(x: number, toward: 1 | -1): number {
  if (x === 0) return toward * FLOAT32.minSubnormal
  f32[0] = x
  f32Bits[0]! += (x > 0) === (toward > 0) ? 1 : -1
  return f32[0]!
}

/** A float32 bound inside [min, max] (fast-check's `float` only takes exact float32 bounds). */
export function float32Bound(value: number, side: 'min' | 'max'): number {
  const rounded = Math.fround(value)
  if (Number.isFinite(value) && !Number.isFinite(rounded)) return Math.sign(value) * FLOAT32.max
  if (rounded === value) return rounded
  if (side === 'min') return rounded < value ? stepFloat32(rounded, 1) : rounded
  return rounded > value ? stepFloat32(rounded, -1) : rounded
}
