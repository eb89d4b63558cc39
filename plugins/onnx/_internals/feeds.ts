/**
 * Feeds for `session.run`: checks caller-given inputs against the model's input metadata
 * (so a wrong name, dtype or shape fails before the benchmark with the expected and given
 * values side by side), or builds inputs from that metadata with dynamic dimensions filled.
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

function isDynamic(dim: number | string): boolean {
  return typeof dim !== 'number' || dim < 0
}

/** The batch size of a model without dynamic dimensions: the first axis of its first input. */
export function fixedBatchSize(specs: InputSpec[]): number | undefined {
  if (specs.some((s) => s.shape.some(isDynamic))) return undefined
  const first = specs.find((s) => s.shape.length > 0)
  return first ? (first.shape[0] as number) : 1
}

const TYPED: Record<string, string> = {
  Float32Array: 'float32', Float64Array: 'float64', Int8Array: 'int8', Uint8Array: 'uint8', Int16Array: 'int16',
  Uint16Array: 'uint16', Int32Array: 'int32', Uint32Array: 'uint32', BigInt64Array: 'int64', BigUint64Array: 'uint64',
}

/** Checks caller-given feeds against the model and returns them as Tensors. */
export function checkFeeds(ort: OrtModule, given: Record<string, FeedValue>, specs: InputSpec[], model: string): Record<string, Tensor> {
  const expected = specs.map(formatSpec).join('; ')
  for (const name of Object.keys(given)) {
    if (!specs.some((s) => s.name === name)) {
      throw new BenchOnnxError('INPUT_UNKNOWN', `benchOnnx: input '${name}' is not an input of ${model}, which expects ${expected} — rename the feed`)
    }
  }
  const symbols = new Map<string, { size: number; input: string }>()
  const feeds: Record<string, Tensor> = {}
  for (const spec of specs) {
    const value = given[spec.name]
    if (value === undefined) {
      throw new BenchOnnxError('INPUT_MISSING', `benchOnnx: input '${spec.name}' is missing — ${model} expects ${expected}; given: ${Object.keys(given).join(', ') || 'none'}`)
    }
    const data = value.data
    const dims = [...value.dims]
    const type = value.type ?? TYPED[(data as object).constructor?.name ?? ''] ?? (spec.type === 'unknown' ? 'float32' : spec.type)
    const given1 = `${type} [${dims.join(', ')}]`
    if (spec.type !== 'unknown' && spec.type !== 'non-tensor' && type !== spec.type) {
      throw new BenchOnnxError('INPUT_DTYPE', `benchOnnx: input '${spec.name}' has dtype ${type}, but ${model} expects ${spec.type} (expected ${formatSpec(spec)}, given ${given1}) — convert the data to ${spec.type}`)
    }
    if (spec.shape.length > 0) {
      if (dims.length !== spec.shape.length) {
        throw new BenchOnnxError('INPUT_SHAPE', `benchOnnx: input '${spec.name}' has rank ${dims.length}, but ${model} expects rank ${spec.shape.length} (expected ${formatSpec(spec)}, given ${given1}) — reshape it to [${spec.shape.join(', ')}]`)
      }
      spec.shape.forEach((dim, axis) => {
        if (!isDynamic(dim) && dim !== dims[axis]) {
          const fitting = spec.shape.map((d, i) => (isDynamic(d) ? dims[i] : d)).join(', ')
          throw new BenchOnnxError('INPUT_SHAPE', `benchOnnx: input '${spec.name}' has size ${dims[axis]} at axis ${axis}, but ${model} expects ${dim} (expected ${formatSpec(spec)}, given ${given1}) — feed shape [${fitting}]`)
        }
        if (typeof dim === 'string' && dim !== '') {
          const seen = symbols.get(dim)
          if (seen && seen.size !== dims[axis]) {
            throw new BenchOnnxError('INPUT_SHAPE', `benchOnnx: dimension '${dim}' is ${seen.size} in input '${seen.input}' but ${dims[axis]} in input '${spec.name}' (${formatSpec(spec)}) — feeds must agree on it`)
          }
          symbols.set(dim, { size: dims[axis]!, input: spec.name })
        }
      })
    }
    const size = dims.reduce((a, b) => a * b, 1)
    if (data.length !== size) {
      throw new BenchOnnxError('INPUT_SHAPE', `benchOnnx: input '${spec.name}' has ${data.length} values but dims [${dims.join(', ')}] hold ${size} — fix its data or dims`)
    }
    feeds[spec.name] = value instanceof ort.Tensor ? value : new ort.Tensor(type as Tensor.Type, data as Tensor.DataType, dims)
  }
  return feeds
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
  for (const spec of specs) {
    if (spec.type === 'non-tensor' || spec.type === 'unknown') {
      throw new BenchOnnxError('INPUT_UNBUILDABLE', `benchOnnx: input '${spec.name}' of ${model} is a ${spec.type === 'unknown' ? 'input without metadata' : 'sequence or map'}, which benchOnnx cannot generate — pass it in options.inputs`)
    }
    const dims = spec.shape.map((dim, axis) => {
      if (!isDynamic(dim)) return dim as number
      const named = typeof dim === 'string' ? namedDims[dim] : undefined
      if (named !== undefined) return named
      if (axis === 0) return batchSize
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
