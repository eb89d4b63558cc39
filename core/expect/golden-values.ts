/**
 * How a value pinned by `toMatchGolden` is kept on disk: its dtype, its shape and its
 * elements in row-major order, each written so that it reads back as exactly the same number.
 * float32 elements are written in the fewest digits that read back (through `Math.fround`) as
 * the same float32 (`0.1`, not `0.10000000149011612`), everything else in JavaScript's
 * shortest round-trip form; NaN and the infinities, which JSON has no numbers for, as the
 * strings "NaN", "Infinity" and "-Infinity". A flat record of named numbers (metrics such as
 * `{ accuracy, logLoss }`) is kept under its keys.
 */
import { isFloat32 } from '../numeric/ulp-distance.ts'
import { toFlatNumbers } from './numeric.ts'

/** A pinned value in memory: a tensor (shape) or a record of named numbers (keys). */
export type GoldenValue =
  | { kind: 'tensor'; dtype: string; shape: number[]; values: ArrayLike<number> }
  | { kind: 'record'; dtype: string; keys: string[]; values: ArrayLike<number> }

/** One element on disk. */
type StoredNumber = number | 'NaN' | 'Infinity' | '-Infinity'

/** A golden entry as the golden file holds it (see docs/guide/writing-tests.md#golden-outputs). */
export type GoldenEntry =
  | { dtype: string; shape: number[]; values: StoredNumber[] }
  | { dtype: string; values: Record<string, StoredNumber> }

const TYPED_DTYPES: Record<string, string> = {
  Float32Array: 'float32',
  Float64Array: 'float64',
  Int8Array: 'int8',
  Uint8Array: 'uint8',
  Uint8ClampedArray: 'uint8',
  Int16Array: 'int16',
  Uint16Array: 'uint16',
  Int32Array: 'int32',
  Uint32Array: 'uint32',
  BigInt64Array: 'int64',
  BigUint64Array: 'uint64',
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

/** A tensor's element type: tfjs `dtype`, onnxruntime `type`, else the typed array's; JavaScript numbers are float64. */
function dtypeOf(value: unknown): string {
  if (ArrayBuffer.isView(value)) return TYPED_DTYPES[value.constructor.name] ?? 'float64'
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'float64'
  const tensor = value as { dtype?: unknown; type?: unknown; data?: unknown }
  if (typeof tensor.dtype === 'string') return tensor.dtype
  if (typeof tensor.type === 'string') return tensor.type
  return ArrayBuffer.isView(tensor.data) ? (TYPED_DTYPES[tensor.data.constructor.name] ?? 'float64') : 'float64'
}

/**
 * What `toMatchGolden` received, as a golden value: a number, nested array, typed array or
 * tensor (through `toFlatNumbers`), or a plain object whose values are all numbers (a record).
 * Throws a TypeError for anything else.
 */
export function readGoldenValue(value: unknown): GoldenValue {
  if (isPlainObject(value) && !('shape' in value) && !('dims' in value)) {
    const keys = Object.keys(value).sort()
    const bad = keys.find((k) => typeof value[k] !== 'number')
    if (bad !== undefined) throw new TypeError(`a record of metrics must map names to numbers; "${bad}" is ${typeof value[bad]}`)
    return { kind: 'record', dtype: 'float64', keys, values: keys.map((k) => value[k] as number) }
  }
  const { values, shape } = toFlatNumbers(value)
  return { kind: 'tensor', dtype: dtypeOf(value), shape, values }
}

/**
 * `x` as the golden file writes it: the shortest text that reads back as exactly `x` (for a
 * float32 dtype, the shortest that reads back as the same float32).
 */
export function numberText(x: number, dtype: string): string {
  if (Number.isNaN(x) || !Number.isFinite(x)) return JSON.stringify(String(x))
  if (Object.is(x, -0)) return '-0'
  if (dtype === 'float32' && isFloat32(x)) {
    for (let digits = 1; digits <= 9; digits++) {
      const shorter = Number(x.toPrecision(digits))
      if (Math.fround(shorter) === x) return String(shorter)
    }
  }
  return String(x)
}

function readNumber(stored: unknown, dtype: string, where: string): number {
  const x = typeof stored === 'number' ? stored : stored === 'NaN' ? NaN : stored === 'Infinity' ? Infinity : stored === '-Infinity' ? -Infinity : undefined
  if (x === undefined) throw new TypeError(`${where}: ${JSON.stringify(stored)} is not a number (numbers, "NaN", "Infinity" or "-Infinity")`)
  return dtype === 'float32' ? Math.fround(x) : x
}

const isShape = (value: unknown): value is number[] => Array.isArray(value) && value.every((d) => Number.isInteger(d) && d >= 0)

/** A stored entry read back into a golden value; `where` names it in errors (a hand-edited file can be wrong). */
export function goldenValueOf(entry: unknown, where: string): GoldenValue {
  if (!isPlainObject(entry) || typeof entry.dtype !== 'string') throw new TypeError(`${where}: an entry needs a "dtype" and "values"`)
  const { dtype, values } = entry
  if (isPlainObject(values)) {
    const keys = Object.keys(values).sort()
    return { kind: 'record', dtype, keys, values: keys.map((k) => readNumber(values[k], dtype, `${where}, "${k}"`)) }
  }
  if (!isShape(entry.shape) || !Array.isArray(values)) throw new TypeError(`${where}: a tensor entry needs "shape" (non-negative integers) and "values" (an array)`)
  const size = entry.shape.reduce((n, d) => n * d, 1)
  if (values.length !== size) throw new TypeError(`${where}: shape [${entry.shape.join(', ')}] holds ${size} elements but "values" has ${values.length}`)
  return { kind: 'tensor', dtype, shape: [...entry.shape], values: values.map((v, i) => readNumber(v, dtype, `${where}, element ${i}`)) }
}

/** The entry the golden file stores for `value`. */
export function goldenEntryOf(value: GoldenValue): GoldenEntry {
  const stored = (x: number): StoredNumber => (Number.isFinite(x) ? x : (String(x) as StoredNumber))
  if (value.kind === 'record') return { dtype: value.dtype, values: Object.fromEntries(value.keys.map((k, i) => [k, stored(value.values[i]!)])) }
  return { dtype: value.dtype, shape: value.shape, values: Array.from(value.values, stored) }
}

/** Numbers per line at most; a row of the last axis always starts a new line. */
const PER_LINE = 10

/**
 * An entry as JSON text, indented by `indent` after its first line: one row of the last axis
 * per line (wrapped after 10 numbers), so a diff of the file shows which rows moved.
 */
export function goldenEntryText(entry: GoldenEntry, indent: string): string {
  const inner = `${indent}  `
  const head = `{\n${inner}"dtype": ${JSON.stringify(entry.dtype)},\n`
  const number = (x: StoredNumber) => (typeof x === 'number' ? numberText(x, entry.dtype) : JSON.stringify(x))
  if (!('shape' in entry)) {
    const keys = Object.keys(entry.values)
    if (keys.length === 0) return `${head}${inner}"values": {}\n${indent}}`
    const lines = keys.map((k) => `${inner}  ${JSON.stringify(k)}: ${number(entry.values[k]!)}`)
    return `${head}${inner}"values": {\n${lines.join(',\n')}\n${inner}}\n${indent}}`
  }
  const shapeLine = `${inner}"shape": [${entry.shape.join(', ')}],\n`
  const { values } = entry
  if (values.length <= 1) return `${head}${shapeLine}${inner}"values": [${values.map(number).join('')}]\n${indent}}`
  const row = entry.shape.at(-1) || values.length
  const lines: string[] = []
  for (let start = 0; start < values.length; start += row) {
    for (let at = start; at < Math.min(start + row, values.length); at += PER_LINE) {
      lines.push(`${inner}  ${values.slice(at, Math.min(at + PER_LINE, start + row)).map(number).join(', ')}`)
    }
  }
  return `${head}${shapeLine}${inner}"values": [\n${lines.join(',\n')}\n${inner}]\n${indent}}`
}
