/**
 * fast-check arbitraries for ML inputs: tensors of a fixed or fuzzed shape, batches, shapes,
 * and tfjs tensors. With edge bias p, each element is an edge value with probability p (see
 * `_internals/edge-values.ts`), and whole tensors are drawn in three patterns with weights
 * 1 : p : p — elementwise, constant (one value everywhere: zero variance), and edge values
 * only (huge next to tiny).
 */
import fc, { type Arbitrary } from 'fast-check'
import type { Tensor } from '@tensorflow/tfjs'
import { BUILTIN_DEFAULTS, checkProbability, stabilityDefaults } from './_internals/defaults.ts'
import { edgeValues, float32Bound, FLOAT32 } from './_internals/edge-values.ts'
import { loadedTfjs, preloadTfjs } from './_internals/tfjs.ts'
import { DTYPES, sizeOf, typedArrayOf, type DType, type TensorValue } from './_internals/tensor-value.ts'

export interface TensorOptions<D extends DType = 'float32'> {
  /** A fixed shape such as `[4, 8]`, or a shape arbitrary such as `arb.shape({ rank: 2 })`. */
  shape: readonly number[] | Arbitrary<number[]>
  /** Default `'float32'`. */
  dtype?: D
  /** Smallest value (default: the dtype's lowest finite value). */
  min?: number
  /** Largest value (default: the dtype's highest finite value). */
  max?: number
  /**
   * Probability of drawing an element from the edge values (0 or `false`: off). Default and
   * `true`: the plugin's `edgeBias` option, 0.1 unless configured.
   */
  edgeBias?: number | boolean
  /** Also generate NaN and, when the bounds allow, ±Infinity (default false). */
  nonFinite?: boolean
}

export interface ShapeOptions {
  /** A rank, or `[minRank, maxRank]` (default 1). */
  rank?: number | readonly [number, number]
  /** Smallest dimension (default 1; 0 allows empty tensors). */
  minDim?: number
  /** Largest dimension (default 8). */
  maxDim?: number
}

export interface BatchOptions<D extends DType = 'float32'> extends Omit<TensorOptions<D>, 'shape'> {
  /** Shape of one example; the batch adds a leading dimension. */
  shape: readonly number[]
  /** Smallest batch (default 1: batch statistics over one example are a classic edge). */
  minSize?: number
  /** Largest batch (default 16). */
  maxSize?: number
}

const WEIGHT_SCALE = 1000
const INT32 = { min: -(2 ** 31), max: 2 ** 31 - 1 }

function fail(message: string): never {
  throw new TypeError(message)
}

function isArbitrary(value: unknown): value is Arbitrary<unknown> {
  return value instanceof fc.Arbitrary
}

function checkShape(shape: unknown, what: string): number[] {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    fail(`${what}: shape must be an array of non-negative integers or an arbitrary such as arb.shape({ rank: 2 }), got ${JSON.stringify(shape)}`)
  }
  return [...shape]
}

function resolveEdgeBias(edgeBias: number | boolean | undefined): number {
  const configured = stabilityDefaults().edgeBias
  if (edgeBias === undefined) return configured
  if (typeof edgeBias === 'boolean') return edgeBias ? configured || BUILTIN_DEFAULTS.edgeBias : 0
  return checkProbability(edgeBias, 'arb.tensor({ edgeBias })')
}

/** Everything needed to build elements and tensor patterns for one dtype and range. */
interface ElementSpec {
  dtype: DType
  base: Arbitrary<number>
  edges: number[]
  edgeBias: number
}

function elementSpec<D extends DType>(options: Omit<TensorOptions<D>, 'shape'>, what: string): ElementSpec {
  const dtype = options.dtype ?? 'float32'
  if (!DTYPES.includes(dtype)) fail(`${what}: dtype must be one of ${DTYPES.join(', ')}, got ${JSON.stringify(dtype)}`)
  const nonFinite = options.nonFinite === true && dtype !== 'int32'
  const widest = dtype === 'int32' ? INT32 : dtype === 'float64' ? { min: -Number.MAX_VALUE, max: Number.MAX_VALUE } : { min: -FLOAT32.max, max: FLOAT32.max }
  const min = options.min ?? (nonFinite ? -Infinity : widest.min)
  const max = options.max ?? (nonFinite ? Infinity : widest.max)
  if (typeof min !== 'number' || typeof max !== 'number' || Number.isNaN(min) || Number.isNaN(max) || min > max) {
    fail(`${what}: min and max must be numbers with min <= max, got min ${String(min)} and max ${String(max)}`)
  }
  const noNaN = !nonFinite
  const base =
    dtype === 'float32'
      ? fc.float({ min: float32Bound(min, 'min'), max: float32Bound(max, 'max'), noNaN })
      : dtype === 'float64'
        ? fc.double({ min, max, noNaN })
        : fc.integer({ min: Math.max(INT32.min, Math.ceil(min)), max: Math.min(INT32.max, Math.floor(max)) })
  return { dtype, base, edges: edgeValues(dtype, min, max, nonFinite), edgeBias: resolveEdgeBias(options.edgeBias) }
}

function weighted<T>(parts: Array<[number, Arbitrary<T>]>): Arbitrary<T> {
  const kept = parts.map(([p, arbitrary]) => ({ weight: Math.round(p * WEIGHT_SCALE), arbitrary })).filter((w) => w.weight > 0)
  return kept.length === 1 ? kept[0]!.arbitrary : fc.oneof(...kept)
}

function elementArbitrary(spec: ElementSpec): Arbitrary<number> {
  if (spec.edgeBias === 0 || spec.edges.length === 0) return spec.base
  return weighted([
    [spec.edgeBias, fc.constantFrom(...spec.edges)],
    [1 - spec.edgeBias, spec.base],
  ])
}

/**
 * A generated tensor. Its fast-check clone method lets `checkStability` hand the function
 * under test a copy, so a function that writes into its input cannot corrupt the
 * counterexample. The method lives on the prototype: no per-tensor closure or property.
 */
class GeneratedTensor<D extends DType> implements TensorValue<D> {
  constructor(
    readonly data: TensorValue<D>['data'],
    readonly shape: number[],
    readonly dtype: D,
  ) {}

  [fc.cloneMethod](): TensorValue<D> {
    return { data: this.data.slice() as TensorValue<D>['data'], shape: [...this.shape], dtype: this.dtype }
  }
}

function tensorValue<D extends DType>(dtype: D, shape: readonly number[], values: readonly number[]): TensorValue<D> {
  return new GeneratedTensor(typedArrayOf(dtype, values), [...shape], dtype)
}

function fixedShapeTensor<D extends DType>(spec: ElementSpec, shape: number[]): Arbitrary<TensorValue<D>> {
  const size = sizeOf(shape)
  const dtype = spec.dtype as D
  const filled = (element: Arbitrary<number>) =>
    fc.array(element, { minLength: size, maxLength: size }).map((values) => tensorValue(dtype, shape, values))
  const elementwise = filled(elementArbitrary(spec))
  if (spec.edgeBias === 0 || spec.edges.length === 0 || size < 2) return elementwise
  const constant = elementArbitrary(spec).map((v) => tensorValue(dtype, shape, new Array<number>(size).fill(v)))
  const allEdges = filled(fc.constantFrom(...spec.edges))
  return weighted<TensorValue<D>>([
    [1, elementwise],
    [spec.edgeBias, constant],
    [spec.edgeBias, allEdges],
  ])
}

/** Tensors (`{ data, shape, dtype }`) of a fixed or fuzzed shape. */
function tensor<D extends DType = 'float32'>(options: TensorOptions<D>): Arbitrary<TensorValue<D>> {
  if (typeof options !== 'object' || options === null) fail('arb.tensor(options): pass options such as { shape: [8] }')
  const spec = elementSpec(options, 'arb.tensor')
  if (isArbitrary(options.shape)) {
    return (options.shape as Arbitrary<number[]>).chain((shape) => fixedShapeTensor<D>(spec, checkShape(shape, 'arb.tensor')))
  }
  return fixedShapeTensor<D>(spec, checkShape(options.shape, 'arb.tensor'))
}

function checkCount(value: unknown, what: string, min: number): number {
  if (!Number.isInteger(value) || (value as number) < min) fail(`${what} must be an integer >= ${min}, got ${String(value)}`)
  return value as number
}

/** Shapes for shape fuzzing: rank and dimensions shrink towards the smallest. */
function shape(options: ShapeOptions = {}): Arbitrary<number[]> {
  const [minRank, maxRank] = typeof options.rank === 'number' ? [options.rank, options.rank] : (options.rank ?? [1, 1])
  checkCount(minRank, 'arb.shape({ rank })', 0)
  checkCount(maxRank, 'arb.shape({ rank })', minRank)
  const minDim = checkCount(options.minDim ?? 1, 'arb.shape({ minDim })', 0)
  const maxDim = checkCount(options.maxDim ?? 8, 'arb.shape({ maxDim })', minDim)
  return fc.array(fc.integer({ min: minDim, max: maxDim }), { minLength: minRank, maxLength: maxRank })
}

/** A batch: tensors of shape `[batchSize, ...shape]`, with the batch size fuzzed. */
function batch<D extends DType = 'float32'>(options: BatchOptions<D>): Arbitrary<TensorValue<D>> {
  const example = checkShape(options.shape, 'arb.batch')
  const minSize = checkCount(options.minSize ?? 1, 'arb.batch({ minSize })', 0)
  const maxSize = checkCount(options.maxSize ?? 16, 'arb.batch({ maxSize })', minSize)
  const spec = elementSpec(options, 'arb.batch')
  return fc.integer({ min: minSize, max: maxSize }).chain((size) => fixedShapeTensor<D>(spec, [size, ...example]))
}

/**
 * tfjs tensors (float32 or int32). tfjs starts loading when this is called; `checkStability`
 * waits for it before the first run. The check disposes the tensors when it ends.
 *
 * Each tensor carries a fast-check clone method (`tf.clone`), so the function under test and
 * `invariantUnder` transforms get their own tensor object: disposing it leaves the
 * counterexample readable. The clones are made inside
 * the check's tfjs scope and freed with it.
 */
function tfTensor(options: TensorOptions<'float32' | 'int32'>): Arbitrary<Tensor> {
  if ((options?.dtype as string) === 'float64') fail('arb.tfTensor: tfjs has no float64 tensors; use dtype float32, or arb.tensor for float64')
  preloadTfjs()
  return tensor(options).map((t) => {
    const tf = loadedTfjs('arb.tfTensor')
    const generated = tf.tensor(t.data, t.shape, t.dtype)
    Object.defineProperty(generated, fc.cloneMethod, { value: () => tf.clone(generated) })
    return generated
  })
}

/** Input generators for `checkStability`; any fast-check arbitrary works as well. */
export const arb = { tensor, shape, batch, tfTensor }
