/**
 * One calling convention for the model implementations a parity check compares: a tfjs model,
 * an onnxruntime session, or a plain predict function all take a batch of input rows and give
 * back a flat row-major output with its row width.
 */
import type { LayersModel, Tensor } from '@tensorflow/tfjs'
import type { InferenceSession } from 'onnxruntime-node'
import { toFlatNumbers } from 'mltest/plugin'
import { loadOnnxruntime, loadTfjs } from './load-optional.ts'
import { checkBatchFits, onnxruntimeInput, runtimeError, tfjsInput } from './model-inputs.ts'

/** Any function from a batch of input rows to outputs (nested arrays, typed array or tensor). */
export type PredictFunction = (inputs: number[][]) => unknown

/** A model implementation: tfjs model, onnxruntime session, predict function, or `{ predict }`. */
export type ModelImplementation = LayersModel | InferenceSession | PredictFunction | { predict: PredictFunction }

export interface ModelOutputs {
  values: ArrayLike<number>
  shape: number[]
  /** Output numbers per input row. */
  width: number
}

type Kind = 'tfjs' | 'onnxruntime' | 'function' | 'object'

function kindOf(model: unknown): Kind | undefined {
  if (typeof model === 'function') return 'function'
  if (typeof model !== 'object' || model === null) return undefined
  const m = model as Record<string, unknown>
  if (typeof m.run === 'function' && Array.isArray(m.inputNames)) return 'onnxruntime'
  if (typeof m.predict === 'function') return typeof m.getClassName === 'function' || 'executor' in m ? 'tfjs' : 'object'
  return undefined
}

/** A label for reports: `tfjs Sequential`, `onnxruntime session`, `predict function`. */
export function describeModel(model: unknown): string {
  const kind = kindOf(model)
  if (kind === 'tfjs') {
    const m = model as { getClassName?: () => string }
    return `tfjs ${m.getClassName?.() ?? 'model'}`
  }
  if (kind === 'onnxruntime') return 'onnxruntime session'
  return kind === 'function' ? `predict function${(model as { name?: string }).name ? ` ${(model as { name: string }).name}` : ''}` : 'predict object'
}

async function runTfjs(model: LayersModel, rows: number[][], who: string): Promise<{ values: ArrayLike<number>; shape: number[] }> {
  const inputCount = (model as { inputs?: unknown[] }).inputs?.length ?? 1
  if (inputCount !== 1) throw new TypeError(`checkModelParity: ${who} has ${inputCount} inputs; it must take one input, or wrap it in a predict function`)
  const input = tfjsInput(model)
  if (input) checkBatchFits(input, rows.length, rows[0]!.length, who)
  const tf = await loadTfjs('checkModelParity with a tfjs model')
  const x = tf.tensor2d(rows)
  try {
    let y: Tensor | Tensor[]
    try {
      y = model.predict(x) as Tensor | Tensor[]
    } catch (error) {
      throw runtimeError(error, who, rows.length, rows[0]!.length, input)
    }
    if (Array.isArray(y)) {
      tf.dispose(y)
      throw new TypeError(`checkModelParity: ${who} has ${y.length} outputs; wrap it in a predict function returning the one to compare`)
    }
    const values = await y.data()
    const shape = [...y.shape]
    y.dispose()
    return { values: values as ArrayLike<number>, shape }
  } finally {
    x.dispose()
  }
}

async function runOnnxruntime(session: InferenceSession, rows: number[][], who: string): Promise<{ values: ArrayLike<number>; shape: number[] }> {
  if (session.inputNames.length !== 1) {
    throw new TypeError(`checkModelParity: ${who} has inputs ${session.inputNames.join(', ')}; it must take one input, or wrap it in a predict function`)
  }
  const input = onnxruntimeInput(session as Parameters<typeof onnxruntimeInput>[0])
  const width = rows[0]!.length
  if (input) checkBatchFits(input, rows.length, width, who)
  const ort = await loadOnnxruntime('checkModelParity with an onnxruntime session')
  const flat = new Float32Array(rows.length * width)
  rows.forEach((row, i) => flat.set(row, i * width))
  let results: InferenceSession.OnnxValueMapType
  try {
    results = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', flat, [rows.length, width]) })
  } catch (error) {
    throw runtimeError(error, who, rows.length, width, input)
  }
  const output = results[session.outputNames[0]!]!
  return { values: output.data as ArrayLike<number>, shape: [...output.dims] }
}

/**
 * Runs one implementation on `rows`; `side` is `a` or `b`, `label` its name in reports. Throws
 * a TypeError naming the check, the side, the expected and the given shape when the model
 * cannot take the rows, and when its output does not have one row per input.
 */
export async function predictRows(model: ModelImplementation, rows: number[][], side: 'a' | 'b', label: string): Promise<ModelOutputs> {
  const kind = kindOf(model)
  const who = `${side} (${label}${side === 'a' ? ', the reference' : ''})`
  let out: { values: ArrayLike<number>; shape: number[] }
  if (kind === 'tfjs') out = await runTfjs(model as LayersModel, rows, who)
  else if (kind === 'onnxruntime') out = await runOnnxruntime(model as InferenceSession, rows, who)
  else if (kind === 'function' || kind === 'object') {
    const predict = kind === 'function' ? (model as PredictFunction) : (inputs: number[][]) => (model as { predict: PredictFunction }).predict(inputs)
    const flat = toFlatNumbers(await predict(rows))
    out = { values: flat.values, shape: flat.shape }
  } else {
    throw new TypeError(`checkModelParity: ${side} must be a tfjs model, an onnxruntime InferenceSession, a function (inputs: number[][]) => outputs, or an object with predict(inputs)`)
  }
  const n = rows.length
  const shape = out.shape.length === 1 ? [out.shape[0]!, 1] : out.shape
  if (shape[0] !== n || out.values.length % n !== 0) {
    throw new TypeError(`checkModelParity: ${who} returned shape [${out.shape.join(', ')}] for ${n} inputs; expected one output row per input, [${n}, ...]`)
  }
  return { values: out.values, shape: out.shape, width: out.values.length / n }
}
