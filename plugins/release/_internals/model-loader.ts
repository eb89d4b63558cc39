/**
 * Loading a registered model for the rollback drill: an ONNX file through an onnxruntime-node
 * InferenceSession (one input fed as float32 [rows, width], the first output read back as
 * rows), or the user's own loader for any other format.
 */
import { importOptional } from 'mltest/plugin'

/** Runs a batch of input rows and resolves to one output row per input row. */
export type Predictor = (rows: number[][]) => Promise<ArrayLike<number>[]> | ArrayLike<number>[]

/** The user's loader: the model file of a registered version → a predictor (throw when it cannot load). */
export type ModelLoader = (modelPath: string, version: string) => Promise<Predictor> | Predictor

interface OrtTensor {
  data: ArrayLike<number>
  dims: readonly number[]
}
interface OrtSession {
  inputNames: readonly string[]
  outputNames: readonly string[]
  run(feeds: Record<string, unknown>): Promise<Record<string, OrtTensor>>
}
interface Ort {
  InferenceSession: { create(path: string): Promise<OrtSession> }
  Tensor: new (type: 'float32', data: Float32Array, dims: number[]) => unknown
}

export async function loadOnnx(modelPath: string): Promise<Predictor> {
  const ort = await importOptional<Ort>('onnxruntime-node', { feature: 'rollbackDrill on .onnx models', unwrapKey: 'InferenceSession' })
  const session = await ort.InferenceSession.create(modelPath)
  if (session.inputNames.length !== 1) {
    throw new TypeError(`${modelPath} has ${session.inputNames.length} inputs (${session.inputNames.join(', ')}); the built-in ONNX loader feeds one — pass load: (path) => predictor`)
  }
  const input = session.inputNames[0]!
  const output = session.outputNames[0]!
  return async (rows) => {
    const width = rows[0]?.length ?? 0
    const data = new Float32Array(rows.length * width)
    rows.forEach((row, i) => data.set(row, i * width))
    const result = await session.run({ [input]: new ort.Tensor('float32', data, [rows.length, width]) })
    const tensor = result[output]!
    const per = rows.length === 0 ? 0 : tensor.data.length / rows.length
    return rows.map((_, i) => Array.prototype.slice.call(tensor.data, i * per, (i + 1) * per) as number[])
  }
}

export async function loadModel(modelPath: string, version: string, load?: ModelLoader): Promise<Predictor> {
  if (load) return load(modelPath, version)
  if (modelPath.toLowerCase().endsWith('.onnx')) return loadOnnx(modelPath)
  throw new TypeError(`no built-in loader for ${modelPath} (only .onnx files are loaded by default) — pass load: (modelPath, version) => predictor`)
}
