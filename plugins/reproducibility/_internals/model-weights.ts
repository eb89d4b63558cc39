/**
 * Reads a trained model's weights as plain named arrays, so runs can be hashed, sent across
 * threads and compared. A tfjs LayersModel is read directly (weights in layer order); any
 * other model plugs in through the small `ModelAdapter` interface.
 */
import { createHash } from 'node:crypto'
import type { LayersModel, Tensor } from '@tensorflow/tfjs'

/**
 * Stored values of a weight tensor or a prediction. Float32Array stays float32; everything
 * else (Float64Array, number[], other typed arrays) is kept as Float64Array, so float64
 * models are compared and hashed at float64 precision, never rounded to float32.
 */
export type StoredValues = Float32Array | Float64Array

/** One named weight tensor of a trained model. */
export interface WeightTensor {
  name: string
  shape: number[]
  values: StoredValues
}

/** Numbers with a shape, in row-major order; crosses threads as-is. */
export interface ShapedValues {
  shape: number[]
  values: StoredValues
}

/** A copy at the values' own precision (see `StoredValues`). */
export function storedCopy(values: ArrayLike<number>): StoredValues {
  return values instanceof Float32Array ? Float32Array.from(values) : Float64Array.from(values)
}

/** Input batch for predictions: nested number arrays, or flat values with a shape. */
export type ProbeInput = number[] | number[][] | number[][][] | number[][][][] | { shape: number[]; values: ArrayLike<number> }

/**
 * A model that is not a tfjs LayersModel: give its weights in a stable order (the first
 * divergent tensor is reported in this order) and, optionally, a prediction function.
 */
export interface ModelAdapter {
  namedWeights(): WeightTensor[] | Promise<WeightTensor[]>
  predict?(probe: ShapedValues): ShapedValues | Promise<ShapedValues>
}

export type TrainedModel = LayersModel | ModelAdapter

export function isLayersModel(value: unknown): value is LayersModel {
  const v = value as Partial<LayersModel> | null
  return typeof v === 'object' && v !== null && Array.isArray(v.weights) && typeof v.getWeights === 'function' && typeof v.predict === 'function'
}

export function isModelAdapter(value: unknown): value is ModelAdapter {
  return typeof value === 'object' && value !== null && typeof (value as ModelAdapter).namedWeights === 'function'
}

/** Copies every weight of a LayersModel, in layer order. */
export function layersModelWeights(model: LayersModel): WeightTensor[] {
  return model.weights.map((w) => ({
    name: w.originalName ?? w.name,
    shape: w.shape.map(Number),
    values: storedCopy(w.read().dataSync() as ArrayLike<number>),
  }))
}

export async function readWeights(model: TrainedModel): Promise<WeightTensor[]> {
  if (isLayersModel(model)) return layersModelWeights(model)
  const weights = await model.namedWeights()
  return weights.map((w, i) => {
    if (typeof w?.name !== 'string' || !Array.isArray(w.shape) || !w.values) {
      throw new TypeError(`ModelAdapter.namedWeights()[${i}] must be { name: string, shape: number[], values: Float32Array | Float64Array | number[] }`)
    }
    return { name: w.name, shape: [...w.shape], values: storedCopy(w.values) }
  })
}

/**
 * SHA-256 over shapes, element types and the stored bytes (4 per float32, 8 per float64):
 * equal hashes mean bit-identical weights at their own precision. Names are
 * left out because tfjs numbers layers per process (`dense_Dense1`, then `dense_Dense3`), so
 * two identical runs in one worker carry different names.
 */
export function weightsSha256(weights: readonly WeightTensor[]): string {
  const hash = createHash('sha256')
  for (const w of weights) {
    hash.update(`${w.shape.join('x')}:${w.values instanceof Float32Array ? 'f32' : 'f64'}\u0000`)
    hash.update(new Uint8Array(w.values.buffer, w.values.byteOffset, w.values.byteLength))
  }
  return hash.digest('hex')
}

/** Normalises a probe to flat float32 values with a shape. */
export function toShapedValues(probe: ProbeInput): ShapedValues {
  if (!Array.isArray(probe)) return { shape: [...probe.shape], values: Float32Array.from(probe.values) }
  const shape: number[] = []
  let level: unknown = probe
  while (Array.isArray(level)) {
    shape.push(level.length)
    level = level[0]
  }
  const values = Float32Array.from((probe as unknown[]).flat(Infinity) as number[])
  const expected = shape.reduce((a, b) => a * b, 1)
  if (values.length !== expected) throw new TypeError(`probe is ragged: shape ${JSON.stringify(shape)} needs ${expected} numbers, got ${values.length}`)
  return { shape, values }
}

/** Runs the model on the probe batch; several outputs are concatenated in output order. */
export async function predictProbe(model: TrainedModel, probe: ShapedValues, tensor: (p: ShapedValues) => Tensor): Promise<ShapedValues | undefined> {
  if (isModelAdapter(model)) {
    if (!model.predict) return undefined
    const out = await model.predict(probe)
    return { shape: [...out.shape], values: storedCopy(out.values) }
  }
  const input = tensor(probe)
  const output = model.predict(input) as Tensor | Tensor[]
  const outputs = Array.isArray(output) ? output : [output]
  const parts = outputs.map((o) => o.dataSync() as Float32Array)
  const values = new Float32Array(parts.reduce((n, p) => n + p.length, 0))
  let offset = 0
  for (const p of parts) (values.set(p, offset), (offset += p.length))
  input.dispose()
  for (const o of outputs) o.dispose()
  return { shape: outputs.length === 1 ? [...outputs[0]!.shape] : [values.length], values }
}
