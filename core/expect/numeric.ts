/**
 * Numeric matchers for ML outputs: `toAllClose` (numpy.allclose semantics), `toBeFinite` and
 * `toHaveShape`, over numbers, nested arrays, typed arrays and tfjs / onnxruntime tensors.
 * Failures name the worst element by its multi-dimensional index, because "arrays differ" on
 * a million-element output is not actionable. Closeness is the numeric core's `isClose` with
 * numpy's defaults filled in (../numeric/is-close.ts). Messages are plain text so every
 * reporter can show them as-is.
 */
import type { MatcherContext, MatcherFunction } from 'expect'
import { compareArrays } from '../numeric/compare-arrays.ts'
import { absDiff } from '../numeric/is-close.ts'

/** Tolerances for `toAllClose`; the defaults are numpy.allclose's. */
export interface AllCloseOptions {
  /** Relative tolerance, scaled by |expected| (default 1e-5). */
  rtol?: number
  /** Absolute tolerance, the one that matters near zero (default 1e-8). */
  atol?: number
  /** Count NaN as equal to NaN (default false, as in numpy). */
  equalNaN?: boolean
}

/** Values in row-major order with the shape they came from (`[]` for a scalar). */
export interface FlatNumbers {
  values: ArrayLike<number>
  shape: number[]
}

const ACCEPTED =
  'a number, a nested array of numbers, a typed array, or a tensor with `shape` (or `dims`) and `dataSync()` (or `data`)'

/**
 * Flattens a number, nested array, typed array or tensor-like object (tfjs `shape` +
 * `dataSync()`, onnxruntime `dims` + `data`). Throws a TypeError naming the offending
 * element for ragged or non-numeric input.
 */
export function toFlatNumbers(value: unknown): FlatNumbers {
  if (typeof value === 'number') return { values: [value], shape: [] }
  if (isTypedArray(value)) return { values: asNumbers(value), shape: [value.length] }
  if (Array.isArray(value)) return flattenNested(value)
  if (typeof value === 'object' && value !== null) return flattenTensor(value)
  throw new TypeError(`cannot read numbers from ${describe(value)}; accepted: ${ACCEPTED}`)
}

/** Row-major flat index as a multi-dimensional index, e.g. `formatIndex(5, [3, 2])` is `[2, 1]`. */
export function formatIndex(flatIndex: number, shape: readonly number[]): string {
  const index: number[] = new Array(shape.length)
  let rest = flatIndex
  for (let d = shape.length - 1; d >= 0; d--) {
    index[d] = rest % shape[d]!
    rest = Math.floor(rest / shape[d]!)
  }
  return `[${index.join(', ')}]`
}

function isTypedArray(value: unknown): value is ArrayLike<number | bigint> {
  return ArrayBuffer.isView(value) && !(value instanceof DataView)
}

/** onnxruntime returns int64 as BigInt64Array; values beyond 2^53 lose precision, fine for tolerances. */
function asNumbers(data: ArrayLike<number | bigint>): ArrayLike<number> {
  const isBig = data instanceof BigInt64Array || data instanceof BigUint64Array
  return isBig ? Float64Array.from(data, Number) : (data as ArrayLike<number>)
}

function isShape(value: unknown): value is readonly number[] {
  return Array.isArray(value) && value.every((d) => Number.isInteger(d) && d >= 0)
}

function flattenTensor(tensor: { shape?: unknown; dims?: unknown; dataSync?: unknown; data?: unknown }): FlatNumbers {
  const shape = tensor.shape ?? tensor.dims
  if (!isShape(shape)) {
    throw new TypeError(`cannot read numbers from an object without a valid \`shape\` or \`dims\`; accepted: ${ACCEPTED}`)
  }
  const data = typeof tensor.dataSync === 'function' ? (tensor as { dataSync(): unknown }).dataSync() : tensor.data
  if (!isTypedArray(data) && !(Array.isArray(data) && data.every((x) => typeof x === 'number'))) {
    throw new TypeError(`tensor data is ${describe(data)}; expected numbers from \`dataSync()\` or \`data\``)
  }
  const size = shape.reduce((n, d) => n * d, 1)
  if (data.length !== size) {
    throw new TypeError(`tensor shape ${formatShape(shape)} holds ${size} elements but its data has ${data.length}`)
  }
  return { values: asNumbers(data), shape: [...shape] }
}

function flattenNested(root: unknown[]): FlatNumbers {
  const isNestable = (node: unknown): node is ArrayLike<unknown> => Array.isArray(node) || isTypedArray(node)
  // The first element at each depth defines the shape; every sibling is checked against it.
  const shape: number[] = []
  for (let node: unknown = root; isNestable(node); node = node[0]) shape.push(node.length)
  const values: number[] = []
  const path: number[] = []
  const at = () => `[${path.join(', ')}]`
  const reference = () => `[${path.map(() => 0).join(', ')}]`
  const walk = (node: unknown): void => {
    const depth = path.length
    if (depth === shape.length) {
      if (typeof node === 'number') return void values.push(node)
      if (isNestable(node)) throw new TypeError(`ragged nested array: element at ${at()} is ${describe(node)}, but element at ${reference()} is a number`)
      throw new TypeError(`element at ${at()} is ${describe(node)}; expected a number`)
    }
    if (!isNestable(node) || node.length !== shape[depth]) {
      throw new TypeError(`ragged nested array: element at ${at()} is ${describe(node)}, but element at ${reference()} has length ${shape[depth]}`)
    }
    for (let i = 0; i < node.length; i++) {
      path.push(i)
      walk(node[i])
      path.pop()
    }
  }
  walk(root)
  return { values, shape }
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value)
  if (Array.isArray(value)) return `an array of length ${value.length}`
  if (isTypedArray(value)) return `a ${value.constructor.name} of length ${value.length}`
  if (typeof value === 'object') return `an object (${value.constructor?.name ?? 'no prototype'})`
  return typeof value === 'string' ? `a string (${JSON.stringify(value.slice(0, 40))})` : `a ${typeof value}`
}

const formatShape = (shape: readonly number[]) => `[${shape.join(', ')}]`
const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i])
const hint = (context: MatcherContext, name: string, args: string) =>
  `expect(received)${context.isNot ? '.not' : ''}.${name}(${args})`

/** Invalid input throws instead of returning `pass: false`, so `.not` cannot turn it into a pass. */
function read(head: string, label: 'received' | 'expected', value: unknown): FlatNumbers {
  try {
    return toFlatNumbers(value)
  } catch (error) {
    throw new Error(`${head}\n\nInvalid ${label} value: ${(error as Error).message}`)
  }
}

const toAllClose: MatcherFunction<[expected: unknown, options?: AllCloseOptions]> = function (received, expected, options = {}) {
  const head = hint(this, 'toAllClose', 'expected')
  const { rtol = 1e-5, atol = 1e-8, equalNaN = false } = options
  for (const [name, tol] of [['rtol', rtol], ['atol', atol]] as const) {
    if (typeof tol !== 'number' || !(tol >= 0)) throw new Error(`${head}\n\nInvalid options: ${name} must be a non-negative number, got ${String(tol)}`)
  }
  const actual = read(head, 'received', received)
  const target = read(head, 'expected', expected)
  const isScalar = target.shape.length === 0
  if (!isScalar && !sameShape(actual.shape, target.shape)) {
    const shapes = `received ${formatShape(actual.shape)}, expected ${formatShape(target.shape)}`
    return { pass: false, message: () => `${head}\n\nShapes differ: ${shapes} (no broadcasting; only a scalar expected is compared with every element)` }
  }
  const total = actual.values.length
  const { mismatches, worst, maxAbsDiff } = compareArrays(actual.values, isScalar ? target.values[0]! : target.values, { atol, rtol }, { equalNaN })
  const settings = `rtol ${rtol}, atol ${atol}${equalNaN ? ', equalNaN' : ''}`
  if (mismatches === 0) {
    return { pass: true, message: () => `${head}\n\nExpected some elements to differ, but all ${total} elements are within tolerance (${settings}); max abs diff ${maxAbsDiff}` }
  }
  const a = actual.values[worst]!
  const e = target.values[isScalar ? 0 : worst]!
  const percent = Number(((100 * mismatches) / total).toPrecision(3))
  return {
    pass: false,
    message: () =>
      `${head}\n\n${mismatches} of ${total} elements (${percent}%) differ (${settings})\n` +
      `Worst at ${formatIndex(worst, actual.shape)}: received ${a}, expected ${e}, abs diff ${absDiff(a, e)}, tolerance ${atol + rtol * Math.abs(e)}\n` +
      `Max abs diff: ${maxAbsDiff}`,
  }
}

const toBeFinite: MatcherFunction = function (received) {
  const head = hint(this, 'toBeFinite', '')
  const { values, shape } = read(head, 'received', received)
  let count = 0
  let first = -1
  for (let i = 0; i < values.length; i++) {
    if (Number.isFinite(values[i])) continue
    count++
    if (first < 0) first = i
  }
  if (count === 0) return { pass: true, message: () => `${head}\n\nExpected some element to be NaN or ±Infinity, but all ${values.length} elements are finite` }
  return {
    pass: false,
    message: () => `${head}\n\n${count} of ${values.length} elements are not finite; first: ${values[first]} at ${formatIndex(first, shape)}`,
  }
}

const toHaveShape: MatcherFunction<[shape: readonly number[]]> = function (received, shape) {
  const head = hint(this, 'toHaveShape', 'shape')
  if (!isShape(shape)) throw new Error(`${head}\n\nInvalid expected shape: ${describe(shape)}; expected an array of non-negative integers such as [2, 3]`)
  const actual = read(head, 'received', received).shape
  const pass = sameShape(actual, shape)
  const message = pass
    ? `${head}\n\nExpected a shape other than ${formatShape(shape)}, but received that shape`
    : `${head}\n\nExpected shape ${formatShape(shape)}, received shape ${formatShape(actual)}`
  return { pass, message: () => message }
}

/** Registered with `expect.extend` in `./index.ts`. */
export const numericMatchers = { toAllClose, toBeFinite, toHaveShape } satisfies Record<string, MatcherFunction<any>>
