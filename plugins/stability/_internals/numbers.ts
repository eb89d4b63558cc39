/**
 * Reads the numbers out of whatever a function under test returns — a number, nested
 * arrays, typed arrays, `TensorValue`s, tfjs or onnxruntime tensors, or arrays and records
 * of those — as labelled parts, so an oracle can name the offending element, e.g.
 * `output.probs[1, 3]`.
 */
import { formatIndex, toFlatNumbers } from 'mltest/plugin'
import { isTensorValue, sizeOf } from './tensor-value.ts'

export interface NumericPart {
  /** Where the part sits in the value, e.g. `output`, `output[1]`, `output.loss`. */
  label: string
  values: ArrayLike<number>
  shape: number[]
  /** `float32`, `int32`, ... when the value says (typed arrays and tensors do). */
  dtype?: string
}

function isNumericLeaf(value: unknown): boolean {
  if (typeof value === 'number' || ArrayBuffer.isView(value)) return true
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  return 'shape' in value || 'dims' in value
}

function dtypeOf(value: unknown): string | undefined {
  const named = (value as { dtype?: unknown; type?: unknown }).dtype ?? (value as { type?: unknown }).type
  if (typeof named === 'string') return named
  // Float32Array → float32, Uint8Array → uint8, ...
  if (ArrayBuffer.isView(value)) return value.constructor.name.replace(/Array$/, '').toLowerCase()
  return undefined
}

function flat(value: unknown, label: string): NumericPart {
  try {
    const dtype = typeof value === 'object' && value !== null ? dtypeOf(value) : undefined
    return { label, ...toFlatNumbers(value), ...(dtype ? { dtype } : {}) }
  } catch (error) {
    throw new TypeError(`${label}: ${(error as Error).message}`)
  }
}

/** Splits a value into numeric parts; throws a TypeError naming the part it cannot read. */
export function numericParts(value: unknown, label: string): NumericPart[] {
  // Fast paths for what checks see on every run: plain float typed arrays and TensorValues.
  if (value instanceof Float32Array || value instanceof Float64Array) return [{ label, values: value, shape: [value.length], dtype: value instanceof Float32Array ? 'float32' : 'float64' }]
  if (isTensorValue(value) && value.data.length === sizeOf(value.shape)) return [{ label, values: value.data, shape: value.shape, dtype: value.dtype }]
  if (isNumericLeaf(value)) return [flat(value, label)]
  if (Array.isArray(value)) {
    const plain = value.every((v) => typeof v === 'number' || Array.isArray(v) || ArrayBuffer.isView(v))
    return plain ? [flat(value, label)] : value.flatMap((item, i) => numericParts(item, `${label}[${i}]`))
  }
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([key, item]) => numericParts(item, `${label}.${key}`))
  }
  const kind = value === null ? 'null' : typeof value
  throw new TypeError(`${label} is ${kind}; stability oracles read numbers, arrays, typed arrays, tensors, or arrays/records of those`)
}

/** A readable element name: `output[2, 1]`, or just the label for a scalar. */
export function elementName(part: NumericPart, flatIndex: number): string {
  return part.shape.length === 0 ? part.label : `${part.label}${formatIndex(flatIndex, part.shape)}`
}

/** Normalises an axis (negative counts from the end); throws a clear error when out of range. */
export function normaliseAxis(axis: number, rank: number, what: string): number {
  const a = axis < 0 ? rank + axis : axis
  if (!Number.isInteger(axis) || a < 0 || a >= rank) {
    throw new RangeError(`${what}: axis ${axis} is out of range for a rank-${rank} output`)
  }
  return a
}

/** Sums along one axis in float64; returns the sums and the shape they are indexed by. */
export function sumAlongAxis(part: NumericPart, axis: number): { sums: Float64Array; shape: number[] } {
  const { shape, values } = part
  const outer = shape.slice(0, axis).reduce((n, d) => n * d, 1)
  const length = shape[axis]!
  const inner = shape.slice(axis + 1).reduce((n, d) => n * d, 1)
  const sums = new Float64Array(outer * inner)
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < length; k++) {
      const row = (o * length + k) * inner
      for (let i = 0; i < inner; i++) sums[o * inner + i]! += values[row + i]!
    }
  }
  return { sums, shape: shape.filter((_, d) => d !== axis) }
}
