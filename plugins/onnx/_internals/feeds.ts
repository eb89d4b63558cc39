/**
 * Feeds for `session.run` built from the model's input metadata, with dynamic dimensions
 * filled from batchSizes (the batch dimension) and `dims` (the others); caller-given feeds
 * are checked in check-feeds.ts.
 */
import type { InferenceSession, Tensor } from 'onnxruntime-node'
import type { Rng } from 'mltest/plugin'
import { BenchOnnxError } from './bench-onnx-error.ts'
import type { OrtModule } from './load-runtime.ts'

/** One model input as the benchmark sees it. */
export interface InputSpec {
  name: string
  /** onnxruntime's dtype name, e.g. `float32`; `non-tensor` for sequences and maps. */
  type: string
  /** Fixed sizes as numbers, dynamic ones as their symbol (or -1 when unnamed). */
  shape: ReadonlyArray<number | string>
}

/** A feed given by the caller: an onnxruntime Tensor, or its parts. */
export type FeedValue = Tensor | { data: ArrayLike<unknown>; dims: readonly number[]; type?: string }

/** Builds the data of one generated input; the default is normal(0, 1) floats, zero integers. */
export type InputGenerator = (input: { name: string; type: string; dims: number[] }, rng: Rng) => ArrayLike<unknown>

export function inputSpecs(session: InferenceSession): InputSpec[] {
  const meta = (session as { inputMetadata?: readonly InferenceSession.ValueMetadata[] }).inputMetadata
  if (!meta) return session.inputNames.map((name) => ({ name, type: 'unknown', shape: [] }))
  return meta.map((m) => (m.isTensor ? { name: m.name, type: m.type, shape: m.shape } : { name: m.name, type: 'non-tensor', shape: [] }))
}

export function formatSpec(spec: InputSpec): string {
  return `${spec.name}: ${spec.type} [${spec.shape.join(', ')}]`
}

export function isDynamic(dim: number | string): boolean {
  return typeof dim !== 'number' || dim < 0
}

/** The batch size of a model without dynamic dimensions: the first axis of its first input. */
export function fixedBatchSize(specs: InputSpec[]): number | undefined {
  if (specs.some((s) => s.shape.some(isDynamic))) return undefined
  const first = specs.find((s) => s.shape.length > 0)
  return first ? (first.shape[0] as number) : 1
}

/**
 * The batch axis of generated feeds. `symbol` is the dimension batchSizes fills wherever it
 * appears. Without an explicit batchDim, a dynamic axis 0 that `dims` does not size is also
 * the batch (the common [batch, ...] layout, including unnamed or differently named axes).
 */
export interface BatchAxis {
  symbol: string | undefined
  explicit: boolean
}

function namedSymbols(specs: InputSpec[]): string[] {
  return [...new Set(specs.flatMap((s) => s.shape.filter((d): d is string => typeof d === 'string' && d !== '')))]
}

/** Resolves `batchDim`: a named dynamic dimension of the model, else axis 0 of the first input. */
export function resolveBatchAxis(specs: InputSpec[], batchDim: string | undefined, model: string): BatchAxis {
  if (batchDim === undefined) {
    const first = specs.find((s) => s.shape.length > 0)?.shape[0]
    return { symbol: typeof first === 'string' && first !== '' ? first : undefined, explicit: false }
  }
  const named = namedSymbols(specs)
  if (typeof batchDim !== 'string' || !named.includes(batchDim)) {
    const has = named.length ? `its named dynamic dimensions: ${named.join(', ')}` : 'it has no named dynamic dimension'
    throw new BenchOnnxError('BAD_OPTION', `benchOnnx: batchDim ${JSON.stringify(batchDim)} is not a dynamic dimension of ${model} (${has}; inputs ${specs.map(formatSpec).join('; ')}) — name the batch dimension, or omit batchDim to use axis 0 of the first input`)
  }
  return { symbol: batchDim, explicit: true }
}

function isBatchAxis(dim: number | string, axis: number, batch: BatchAxis, namedDims: Record<string, number>): boolean {
  if (!isDynamic(dim)) return false
  if (typeof dim === 'string' && dim !== '' && dim === batch.symbol) return true
  return !batch.explicit && axis === 0 && !(typeof dim === 'string' && dim in namedDims)
}

/**
 * Checks `dims` before any feed is built: an entry for the batch dimension would silently
 * override batchSizes (and so the throughput's batch), and a name the model does not have
 * is a typo that would otherwise leave its dimension unset.
 */
export function checkNamedDims(specs: InputSpec[], dims: Record<string, number>, model: string, batch: BatchAxis): void {
  const named = namedSymbols(specs)
  for (const name of Object.keys(dims)) {
    if (name === batch.symbol) {
      const spec = specs.find((s) => s.shape.includes(name))!
      const hint = batch.explicit ? '' : `; if another dimension is the batch, name it with batchDim: '<name>'`
      throw new BenchOnnxError('BAD_OPTION', `benchOnnx: dims.${name} names the batch axis (axis ${spec.shape.indexOf(name)} of ${formatSpec(spec)}) — set batch sizes with batchSizes: [${dims[name]}], not dims${hint}`)
    }
    if (!named.includes(name)) {
      const others = named.filter((d) => d !== batch.symbol)
      throw new BenchOnnxError('BAD_OPTION', `benchOnnx: dims.${name} is not a dimension of ${model} (${others.length ? `its named dynamic dimensions: ${others.join(', ')}` : 'it has no named dynamic dimension besides the batch'}) — check the name`)
    }
  }
}

/**
 * The batch size that fixed feeds represent: the size of the batch dimension in the first
 * input that has it, else axis 0 of the first input that has one.
 */
export function batchSizeOf(feeds: Record<string, Tensor>, specs: InputSpec[], batch: BatchAxis): number {
  for (const spec of specs) {
    const axis = batch.symbol === undefined ? -1 : spec.shape.indexOf(batch.symbol)
    const feed = feeds[spec.name]
    if (axis >= 0 && feed && feed.dims.length > axis) return feed.dims[axis]!
  }
  const first = Object.values(feeds).find((t) => t.dims.length > 0)
  return first ? first.dims[0]! : 1
}

/** Builds feeds for one batch size from the model's metadata. */
export function generateFeeds(
  ort: OrtModule,
  specs: InputSpec[],
  batchSize: number,
  namedDims: Record<string, number>,
  rng: Rng,
  generate: InputGenerator | undefined,
  model: string,
  batch: BatchAxis,
): Record<string, Tensor> {
  const feeds: Record<string, Tensor> = {}
  for (const spec of specs) {
    if (spec.type === 'non-tensor' || spec.type === 'unknown') {
      throw new BenchOnnxError('INPUT_UNBUILDABLE', `benchOnnx: input '${spec.name}' of ${model} is a ${spec.type === 'unknown' ? 'input without metadata' : 'sequence or map'}, which benchOnnx cannot generate — pass it in options.inputs`)
    }
    const dims = spec.shape.map((dim, axis) => {
      if (!isDynamic(dim)) return dim as number
      if (isBatchAxis(dim, axis, batch, namedDims)) return batchSize
      const named = typeof dim === 'string' ? namedDims[dim] : undefined
      if (named !== undefined) return named
      throw new BenchOnnxError('INPUT_UNBUILDABLE', `benchOnnx: input '${spec.name}' has a dynamic dimension ${JSON.stringify(dim)} at axis ${axis} (${formatSpec(spec)}) — give its size with dims: { ${typeof dim === 'string' && dim !== '' ? dim : `'<name>'`}: <size> }, or pass options.inputs`)
    })
    const size = dims.reduce((a, b) => a * b, 1)
    const data = generate ? generate({ name: spec.name, type: spec.type, dims }, rng) : defaultData(spec.type, size, rng, spec, model)
    if (data.length !== size) {
      throw new BenchOnnxError('INPUT_SHAPE', `benchOnnx: options.generate returned ${data.length} values for input '${spec.name}', but dims [${dims.join(', ')}] hold ${size}`)
    }
    feeds[spec.name] = new ort.Tensor(spec.type as Tensor.Type, data as Tensor.DataType, dims)
  }
  return feeds
}

/** Normal(0, 1) floats; zeros for integer and bool inputs, which are often indices that must stay in range. */
function defaultData(type: string, size: number, rng: Rng, spec: InputSpec, model: string): ArrayLike<unknown> {
  switch (type) {
    case 'float32':
    case 'float64': {
      const data = type === 'float32' ? new Float32Array(size) : new Float64Array(size)
      for (let i = 0; i < size; i++) data[i] = rng.normal()
      return data
    }
    case 'float16': return new Uint16Array(size)
    case 'int8': return new Int8Array(size)
    case 'uint8': return new Uint8Array(size)
    case 'bool': return new Uint8Array(size)
    case 'int16': return new Int16Array(size)
    case 'uint16': return new Uint16Array(size)
    case 'int32': return new Int32Array(size)
    case 'uint32': return new Uint32Array(size)
    case 'int64': return new BigInt64Array(size)
    case 'uint64': return new BigUint64Array(size)
    case 'string': return new Array<string>(size).fill('')
    default:
      throw new BenchOnnxError('INPUT_UNBUILDABLE', `benchOnnx: cannot generate dtype ${type} for input '${spec.name}' of ${model} — pass options.generate or options.inputs`)
  }
}
