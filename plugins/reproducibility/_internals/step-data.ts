/**
 * Inputs and targets for a model unit test. Given ones are converted to tensors; missing ones
 * are seeded random batches shaped like the model's inputs and outputs. Random targets follow
 * the output activation (one-hot rows for softmax, 0/1 for sigmoid, normal values otherwise)
 * so the compiled loss sees values it was built for.
 */
import type { LayersModel, SymbolicTensor, Tensor } from '@tensorflow/tfjs'
import type { Rng } from 'mltest/plugin'
import type { Tf } from './tfjs.ts'

/** A tensor, nested number arrays, or one of those per model input/output. */
export type StepData = Tensor | number[] | number[][] | number[][][] | Array<Tensor>

export interface StepBatch {
  tensors: Tensor[]
  /** How the batch was made, for the report. */
  description: string
  /** True when this module created the tensors (and must dispose them). */
  owned: boolean
}

function isTensor(value: unknown): value is Tensor {
  return typeof value === 'object' && value !== null && typeof (value as Tensor).dataSync === 'function' && Array.isArray((value as Tensor).shape)
}

function concreteShape(symbolic: SymbolicTensor, batchSize: number, what: string): number[] {
  const [, ...rest] = symbolic.shape
  if (rest.some((d) => d == null)) {
    throw new TypeError(`checkTrainingStep: ${what} has shape ${JSON.stringify(symbolic.shape)} with unknown dimensions — pass { ${what.split(' ')[0]}s } yourself`)
  }
  return [batchSize, ...(rest as number[])]
}

function outputActivation(symbolic: SymbolicTensor): string | undefined {
  try {
    const activation = symbolic.sourceLayer.getConfig().activation
    return typeof activation === 'string' ? activation : undefined
  } catch {
    return undefined
  }
}

function randomTarget(tf: Tf, shape: number[], activation: string | undefined, rng: Rng): { tensor: Tensor; kind: string } {
  const size = shape.reduce((a, b) => a * b, 1)
  const classes = shape.at(-1)!
  if (activation === 'softmax') {
    const values = new Float32Array(size)
    for (let row = 0; row < size / classes; row++) values[row * classes + rng.int(0, classes - 1)] = 1
    return { tensor: tf.tensor(values, shape), kind: 'random one-hot' }
  }
  if (activation === 'sigmoid') return { tensor: tf.tensor(Float32Array.from({ length: size }, () => rng.int(0, 1)), shape), kind: 'random 0/1' }
  return { tensor: tf.tensor(Float32Array.from({ length: size }, () => rng.normal()), shape), kind: 'random normal' }
}

function given(tf: Tf, data: StepData, count: number, what: string): StepBatch {
  const list = isTensor(data) ? [data] : Array.isArray(data) && data.length > 0 && data.every(isTensor) ? (data as Tensor[]) : [data]
  if (list.length !== count) throw new TypeError(`checkTrainingStep: the model has ${count} ${what}s, ${list.length} were given`)
  const owned = list.some((d) => !isTensor(d))
  const tensors = list.map((d) => (isTensor(d) ? d : tf.tensor(d as number[])))
  return { tensors, description: `given ${what}s of shape ${tensors.map((t) => `[${t.shape}]`).join(', ')}`, owned }
}

export function stepInputs(tf: Tf, model: LayersModel, data: StepData | undefined, batchSize: number, rng: Rng): StepBatch {
  if (data !== undefined) return given(tf, data, model.inputs.length, 'input')
  const tensors = model.inputs.map((input, i) => {
    const shape = concreteShape(input, batchSize, `input ${i + 1}`)
    return tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()), shape)
  })
  return { tensors, description: `random normal inputs of shape ${tensors.map((t) => `[${t.shape}]`).join(', ')}`, owned: true }
}

export function stepTargets(tf: Tf, model: LayersModel, data: StepData | undefined, batchSize: number, rng: Rng): StepBatch {
  if (data !== undefined) return given(tf, data, model.outputs.length, 'target')
  const made = model.outputs.map((output, i) => randomTarget(tf, concreteShape(output, batchSize, `target ${i + 1}`), outputActivation(output), rng))
  return { tensors: made.map((m) => m.tensor), description: made.map((m) => `${m.kind} targets [${m.tensor.shape}]`).join(', '), owned: true }
}
