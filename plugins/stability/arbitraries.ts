/**
 * fast-check arbitraries for ML inputs: tensors of a fixed or fuzzed shape, batches, shapes,
 * and tfjs tensors. With edge bias p, each element is an edge value with probability p (see
 * `_internals/edge-values.ts`), and whole tensors are drawn in three patterns with weights
 * 1 : p : p — elementwise, constant (one value everywhere: zero variance), and edge values
 * only (huge next to tiny).
 */
import fc, { type Arbitrary } from 'fast-check'
import type { Tensor } from '@tensorflow/tfjs'
import { parseCheckOptions, type z } from 'mltest/plugin'
import { batchOptions, isArbitrary, isShape, shapeOptions, tensorOptions, type BatchOptions, type ShapeOptions, type TensorOptions } from './arbitrary-options.ts'
import { BUILTIN_DEFAULTS, stabilityDefaults } from './_internals/defaults.ts'
import { edgeValues, float32Bound, FLOAT32 } from './_internals/edge-values.ts'
import { loadedTfjs, preloadTfjs } from './_internals/tfjs.ts'
import { sizeOf, typedArrayOf, type DType, type TensorValue } from './_internals/tensor-value.ts'

type ElementOptions = Omit<z.output<typeof tensorOptions>, 'shape'>

const WEIGHT_SCALE = 1000
const INT32 = { min: -(2 ** 31), max: 2 ** 31 - 1 }

function fail(message: string): never {
  throw new TypeError(message)
}

/** A shape drawn from a shape arbitrary, checked as it is drawn. */
function checkShape(shape: unknown, what: string): number[] {
  if (!isShape(shape)) fail(`${what}: the shape arbitrary must generate arrays of non-negative integers, got ${JSON.stringify(shape)}`)
  return [...shape]
}

function resolveEdgeBias(edgeBias: number | boolean | undefined): number {
  const configured = stabilityDefaults().edgeBias
  if (edgeBias === undefined) return configured
  if (typeof edgeBias === 'boolean') return edgeBias ? configured || BUILTIN_DEFAULTS.edgeBias : 0
  return edgeBias
}

/** Everything needed to build elements and tensor patterns for one dtype and range. */
interface ElementSpec {
  dtype: DType
  base: Arbitrary<number>
  edges: number[]
  edgeBias: number
}

function elementSpec(options: ElementOptions, what: string): ElementSpec {
  const dtype = options.dtype ?? 'float32'
  const nonFinite = options.nonFinite === true && dtype !== 'int32'
  const widest = dtype === 'int32' ? INT32 : dtype === 'float64' ? { min: -Number.MAX_VALUE, max: Number.MAX_VALUE } : { min: -FLOAT32.max, max: FLOAT32.max }
  const min = options.min ?? (nonFinite ? -Infinity : widest.min)
  const max = options.max ?? (nonFinite ? Infinity : widest.max)
  // Also catches one bound given and the other defaulted past it (max -3e9 for int32).
  if (min > max) fail(`${what}: min must be <= max, got min ${String(min)} and max ${String(max)} — swap them or widen the range`)
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

function tensorOf<D extends DType>(parsed: z.output<typeof tensorOptions>, what: string): Arbitrary<TensorValue<D>> {
  const spec = elementSpec(parsed, what)
  const { shape } = parsed
  if (isArbitrary(shape)) return shape.chain((drawn) => fixedShapeTensor<D>(spec, checkShape(drawn, what)))
  return fixedShapeTensor<D>(spec, [...shape])
}

/** Tensors (`{ data, shape, dtype }`) of a fixed or fuzzed shape. */
function tensor<D extends DType = 'float32'>(options: TensorOptions<D>): Arbitrary<TensorValue<D>> {
  return tensorOf<D>(parseCheckOptions('arb.tensor', tensorOptions, options), 'arb.tensor')
}

/** Shapes for shape fuzzing: rank and dimensions shrink towards the smallest. */
function shape(options: ShapeOptions = {}): Arbitrary<number[]> {
  const { rank, minDim, maxDim } = parseCheckOptions('arb.shape', shapeOptions, options)
  const [minRank, maxRank] = typeof rank === 'number' ? [rank, rank] : rank
  return fc.array(fc.integer({ min: minDim, max: maxDim }), { minLength: minRank, maxLength: maxRank })
}

/** A batch: tensors of shape `[batchSize, ...shape]`, with the batch size fuzzed. */
function batch<D extends DType = 'float32'>(options: BatchOptions<D>): Arbitrary<TensorValue<D>> {
  const parsed = parseCheckOptions('arb.batch', batchOptions, options)
  const example = [...parsed.shape]
  const spec = elementSpec(parsed, 'arb.batch')
  return fc.integer({ min: parsed.minSize, max: parsed.maxSize }).chain((size) => fixedShapeTensor<D>(spec, [size, ...example]))
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
  const parsed = parseCheckOptions('arb.tfTensor', tensorOptions, options)
  if (parsed.dtype === 'float64') fail('arb.tfTensor: option "dtype" must be float32 or int32 (got "float64") — tfjs has no float64 tensors; use arb.tensor for float64')
  preloadTfjs()
  return tensorOf<'float32' | 'int32'>(parsed, 'arb.tfTensor').map((t) => {
    const tf = loadedTfjs('arb.tfTensor')
    const generated = tf.tensor(t.data, t.shape, t.dtype)
    Object.defineProperty(generated, fc.cloneMethod, { value: () => tf.clone(generated) })
    return generated
  })
}

/** Input generators for `checkStability`; any fast-check arbitrary works as well. */
export const arb = { tensor, shape, batch, tfTensor }
