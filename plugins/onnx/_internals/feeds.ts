/**
 * Feeds for `session.run` built from the model's input metadata, with dynamic dimensions
 * filled from batchSizes and `dims` (caller-given feeds are checked in check-feeds.ts).
 */
import type { InferenceSession, Tensor } from 'onnxruntime-node'
import type { Rng } from '../../../core/seed.ts'
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

/** The symbols of dynamic batch axes (axis 0), which batchSizes fills. */
function batchSymbols(specs: InputSpec[]): Set<string> {
  const symbols = new Set<string>()
  for (const spec of specs) {
    const dim = spec.shape[0]
    if (typeof dim === 'string' && dim !== '') symbols.add(dim)
  }
  return symbols
}

/**
 * Checks `dims` before any feed is built: an entry for the batch axis would silently
 * override batchSizes (and so the throughput's batch), and a name the model does not have
 * is a typo that would otherwise leave its dimension unset.
 */
export function checkNamedDims(specs: InputSpec[], dims: Record<string, number>, model: string): void {
  const batch = batchSymbols(specs)
  const named = new Set(specs.flatMap((s) => s.shape.filter((d): d is string => typeof d === 'string' && d !== '')))
  for (const name of Object.keys(dims)) {
    if (batch.has(name)) {
      const spec = specs.find((s) => s.shape[0] === name)!
      throw new BenchOnnxError('BAD_OPTION', `benchOnnx: dims.${name} names the batch axis (axis 0 of ${formatSpec(spec)}) — set batch sizes with batchSizes: [${dims[name]}], not dims`)
    }
    if (!named.has(name)) {
      const others = [...named].filter((d) => !batch.has(d))
      throw new BenchOnnxError('BAD_OPTION', `benchOnnx: dims.${name} is not a dimension of ${model} (${others.length ? `its named dynamic dimensions: ${others.join(', ')}` : 'it has no named dynamic dimension besides the batch'}) — check the name`)
    }
  }
}

/** The batch size that fixed feeds represent: axis 0 of the first input that has one. */
export function batchSizeOf(feeds: Record<string, Tensor>): number {
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
): Record<string, Tensor> {
  const feeds: Record<string, Tensor> = {}
  const batch = batchSymbols(specs)
  for (const spec of specs) {
    if (spec.type === 'non-tensor' || spec.type === 'unknown') {
      throw new BenchOnnxError('INPUT_UNBUILDABLE', `benchOnnx: input '${spec.name}' of ${model} is a ${spec.type === 'unknown' ? 'input without metadata' : 'sequence or map'}, which benchOnnx cannot generate — pass it in options.inputs`)
    }
    const dims = spec.shape.map((dim, axis) => {
      if (!isDynamic(dim)) return dim as number
      if (axis === 0 || (typeof dim === 'string' && batch.has(dim))) return batchSize
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
