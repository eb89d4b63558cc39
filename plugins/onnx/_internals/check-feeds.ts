/**
 * Checks caller-given feeds against the model's input metadata, so a wrong name, dtype or
 * shape fails before the benchmark with the expected and given values side by side.
 */
import type { Tensor } from 'onnxruntime-node'
import { BenchOnnxError } from './bench-onnx-error.ts'
import { formatSpec, isDynamic, type FeedValue, type InputSpec } from './feeds.ts'
import type { OrtModule } from './load-runtime.ts'

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
    if (!(value instanceof ort.Tensor)) checkFeedParts(spec.name, value)
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

/** What a feed is, for an error message: `a Float32Array`, `an array`, `a number`. */
function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'a plain array'
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`
  return typeof value === 'object' ? `an object with keys ${Object.keys(value).join(', ') || '(none)'}` : `a ${typeof value}`
}

/**
 * A feed that is not an ort.Tensor must be `{ data, dims }`; a bare typed array has no
 * shape, and reading its `dims` would fail with a TypeError deep in the check.
 */
function checkFeedParts(name: string, value: unknown): void {
  const v = value as { data?: { length?: unknown }; dims?: unknown } | null
  const fix = `pass an ort.Tensor or { data, dims }, e.g. { data: new Float32Array(64), dims: [1, 64] }`
  if (typeof v !== 'object' || v === null || ArrayBuffer.isView(v) || Array.isArray(v) || !('data' in v) || !('dims' in v)) {
    throw new BenchOnnxError('INPUT_SHAPE', `benchOnnx: input '${name}' is ${describe(value)}, which has no shape — ${fix}`)
  }
  if (typeof v.data !== 'object' || v.data === null || typeof v.data.length !== 'number') {
    throw new BenchOnnxError('INPUT_SHAPE', `benchOnnx: input '${name}' has data that is ${describe(v.data)}, not a typed or plain array — ${fix}`)
  }
  if (!Array.isArray(v.dims) || !v.dims.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new BenchOnnxError('INPUT_SHAPE', `benchOnnx: input '${name}' has dims ${JSON.stringify(v.dims)}, not an array of sizes (integers >= 0) — ${fix}`)
  }
}
