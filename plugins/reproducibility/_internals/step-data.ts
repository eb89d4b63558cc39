/**
 * Inputs and targets for a model unit test. Given ones are converted to tensors and checked
 * against the model's inputs, so a wrong shape fails with the expected and given shapes side
 * by side instead of a matMul error from deep inside tfjs; missing ones are seeded random
 * batches shaped like the model's inputs and outputs, with as many rows as the given ones.
 * Random targets follow the output activation (one-hot rows for softmax, 0/1 for sigmoid,
 * normal values otherwise) so the compiled loss sees values it was built for.
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

export function isStepData(value: unknown): value is StepData {
  return isTensor(value) || Array.isArray(value)
}

/** `[batch, 4]`: a model's shape with its unknown batch dimension named. */
export function formatModelShape(shape: ReadonlyArray<number | null>): string {
  return `[${shape.map((d, axis) => (d != null ? d : axis === 0 ? 'batch' : '?')).join(', ')}]`
}

const formatShape = (shape: readonly number[]) => `[${shape.join(', ')}]`

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

/**
 * Nested arrays as a tensor. tfjs infers the shape from the first element at each level and
 * reads past a short row (NaN), so a ragged array is refused here, naming the first short row.
 */
function toTensor(tf: Tf, data: unknown, what: string): Tensor {
  const shape: number[] = []
  for (let level: unknown = data; Array.isArray(level); level = level[0]) shape.push(level.length)
  const visit = (value: unknown, depth: number, at: string): void => {
    if (depth === shape.length) {
      if (typeof value !== 'number') throw new TypeError(`checkTrainingStep: the ${what}s hold ${typeof value === 'string' ? JSON.stringify(value) : typeof value} at ${at || 'the top'}, not a number — pass a tf.Tensor or nested arrays of numbers`)
      return
    }
    if (!Array.isArray(value) || value.length !== shape[depth]) {
      throw new TypeError(
        `checkTrainingStep: the ${what}s are ragged: ${at} has ${Array.isArray(value) ? `${value.length} items` : 'no items'} where ${shape[depth]} were expected (shape ${formatShape(shape)} from the first row) — pass nested arrays with equal-length rows`,
      )
    }
    value.forEach((item, i) => visit(item, depth + 1, `${at}[${i}]`))
  }
  visit(data, 0, '')
  return tf.tensor(data as number[])
}

function given(tf: Tf, data: StepData, count: number, what: 'input' | 'target'): StepBatch {
  const list = isTensor(data) ? [data] : Array.isArray(data) && data.length > 0 && data.every(isTensor) ? (data as Tensor[]) : [data]
  if (list.length !== count) throw new TypeError(`checkTrainingStep: the model has ${count} ${what}s, ${list.length} were given`)
  const tensors: Tensor[] = []
  try {
    for (const d of list) tensors.push(isTensor(d) ? d : toTensor(tf, d, what))
  } catch (error) {
    tf.dispose(tensors.filter((t) => !(list as unknown[]).includes(t)))
    throw error
  }
  return { tensors, description: `given ${what}s of shape ${tensors.map((t) => formatShape(t.shape)).join(', ')}`, owned: list.some((d) => !isTensor(d)) }
}

/**
 * Given inputs must match the model's input layers: dtype, rank, and every known dimension
 * (the batch dimension is usually free). Targets are not held to the output's shape, since a
 * sparse loss takes class indices; the loss itself names a mismatch (see checkTrainingStep).
 */
function checkInputs(tensors: Tensor[], symbolic: SymbolicTensor[]): void {
  tensors.forEach((t, i) => {
    const expected = symbolic[i]!
    const name = `input "${expected.name}"`
    const sides = `(expected ${expected.dtype} ${formatModelShape(expected.shape)}, given ${t.dtype} ${formatShape(t.shape)})`
    if (t.shape.length !== expected.shape.length) {
      const known = expected.shape.reduce<number>((n, d) => n * (d ?? 1), 1)
      const rows = t.size % known === 0 && expected.shape.filter((d) => d == null).length === 1 ? t.size / known : null
      const fitting = formatModelShape(expected.shape.map((d) => d ?? rows))
      throw new TypeError(`checkTrainingStep: ${name} has rank ${t.shape.length}, but the model expects rank ${expected.shape.length} ${sides} — reshape it to ${fitting}`)
    }
    expected.shape.forEach((d, axis) => {
      if (d == null || d === t.shape[axis]) return
      const fitting = formatShape(expected.shape.map((e, k) => e ?? t.shape[k]!))
      throw new TypeError(`checkTrainingStep: ${name} has size ${t.shape[axis]} at axis ${axis}, but the model expects ${d} ${sides} — pass inputs of shape ${fitting}`)
    })
    if (t.dtype !== expected.dtype) throw new TypeError(`checkTrainingStep: ${name} has dtype ${t.dtype}, but the model expects ${expected.dtype} ${sides} — cast it with tf.cast(x, '${expected.dtype}')`)
  })
}

/** The rows every given tensor shares; a disagreement is an error naming both. */
function sharedRows(batches: Array<{ what: string; batch: StepBatch | undefined }>): number | undefined {
  let first: { label: string; shape: number[] } | undefined
  for (const { what, batch } of batches) {
    for (const [i, t] of (batch?.tensors ?? []).entries()) {
      const label = batch!.tensors.length === 1 ? `the ${what}s have` : `${what} ${i + 1} has`
      if (t.shape.length === 0) continue
      if (!first) first = { label, shape: t.shape }
      else if (t.shape[0] !== first.shape[0]) {
        throw new TypeError(
          `checkTrainingStep: ${label} ${t.shape[0]} rows but ${first.label} ${first.shape[0]} (given ${formatShape(t.shape)} and ${formatShape(first.shape)}) — give them the same batch size`,
        )
      }
    }
  }
  return first?.shape[0]
}

function randomInputs(tf: Tf, model: LayersModel, rows: number, rng: Rng): StepBatch {
  const tensors = model.inputs.map((input, i) => {
    const shape = concreteShape(input, rows, `input ${i + 1}`)
    return tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()), shape)
  })
  return { tensors, description: `random normal inputs of shape ${tensors.map((t) => formatShape(t.shape)).join(', ')}`, owned: true }
}

function randomTargets(tf: Tf, model: LayersModel, rows: number, rng: Rng): StepBatch {
  const made = model.outputs.map((output, i) => randomTarget(tf, concreteShape(output, rows, `target ${i + 1}`), outputActivation(output), rng))
  return { tensors: made.map((m) => m.tensor), description: made.map((m) => `${m.kind} targets ${formatShape(m.tensor.shape)}`).join(', '), owned: true }
}

/**
 * The batch of one check: given inputs and targets (checked), random ones for the rest. A
 * random batch has as many rows as the given one, else `batchSize`.
 */
export function stepBatches(tf: Tf, model: LayersModel, options: { inputs?: StepData; targets?: StepData; batchSize: number }, rng: Rng): { inputs: StepBatch; targets: StepBatch } {
  const made: StepBatch[] = []
  const keep = <B extends StepBatch | undefined>(batch: B): B => (batch?.owned && made.push(batch), batch)
  try {
    const givenInputs = keep(options.inputs === undefined ? undefined : given(tf, options.inputs, model.inputs.length, 'input'))
    if (givenInputs) checkInputs(givenInputs.tensors, model.inputs)
    const givenTargets = keep(options.targets === undefined ? undefined : given(tf, options.targets, model.outputs.length, 'target'))
    const rows = sharedRows([{ what: 'input', batch: givenInputs }, { what: 'target', batch: givenTargets }]) ?? options.batchSize
    const inputs = givenInputs ?? keep(randomInputs(tf, model, rows, rng))
    const targets = givenTargets ?? keep(randomTargets(tf, model, rows, rng))
    return { inputs, targets }
  } catch (error) {
    for (const batch of made) tf.dispose(batch.tensors)
    throw error
  }
}
