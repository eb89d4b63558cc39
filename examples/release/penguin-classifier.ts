/**
 * The model the release examples ship: a penguin species classifier trained on the
 * vega-datasets penguins (nearest class centroid on standardised measurements, which is a
 * linear model) and exported to ONNX with onnx-proto: input `x` float32 [batch, 4] raw
 * measurements, output `y` float32 [batch, 3] species probabilities. Training is plain
 * arithmetic, so each version is deterministic and takes a millisecond.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import onnxProto from 'onnx-proto'

const { onnx } = onnxProto

export const SPECIES = ['Adelie', 'Chinstrap', 'Gentoo'] as const
const FIELDS = ['Beak Length (mm)', 'Beak Depth (mm)', 'Flipper Length (mm)', 'Body Mass (g)'] as const

/** vega-datasets exports only its JS entry, so the data folder is found next to it. */
export const PENGUINS_FILE = join(dirname(createRequire(import.meta.url).resolve('vega-datasets')), '..', 'data', 'penguins.json')

export interface Penguin {
  species: number
  x: number[]
}

export function loadPenguins(file = PENGUINS_FILE): Penguin[] {
  const rows = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>[]
  // Two rows have no measurements; they are dropped.
  return rows
    .filter((r) => FIELDS.every((f) => typeof r[f] === 'number'))
    .map((r) => ({ species: SPECIES.indexOf(r.Species as (typeof SPECIES)[number]), x: FIELDS.map((f) => r[f] as number) }))
}

export interface TrainParams {
  /** Train on rows whose index modulo `holdoutEvery` is not 0; those are the holdout (default 5). */
  holdoutEvery: number
  /** Softmax temperature applied to the centroid scores (default 1). */
  temperature: number
}

export interface TrainedModel {
  bytes: Uint8Array
  params: TrainParams
  metrics: { holdoutAccuracy: number; trainRows: number; holdoutRows: number }
  /** A few holdout rows, to record golden outputs on. */
  sample: number[][]
}

/** Trains the classifier and returns its ONNX bytes, params and holdout accuracy. */
export function trainClassifier(penguins: Penguin[], params: TrainParams = { holdoutEvery: 5, temperature: 1 }): TrainedModel {
  const train = penguins.filter((_, i) => i % params.holdoutEvery !== 0)
  const holdout = penguins.filter((_, i) => i % params.holdoutEvery === 0)
  const mean = FIELDS.map((_, j) => train.reduce((s, p) => s + p.x[j]!, 0) / train.length)
  const std = FIELDS.map((_, j) => Math.sqrt(train.reduce((s, p) => s + (p.x[j]! - mean[j]!) ** 2, 0) / (train.length - 1)))
  const z = (x: number[]) => x.map((v, j) => (v - mean[j]!) / std[j]!)
  const centroids = SPECIES.map((_, k) => {
    const rows = train.filter((p) => p.species === k).map((p) => z(p.x))
    return FIELDS.map((_, j) => rows.reduce((s, r) => s + r[j]!, 0) / rows.length)
  })
  // -|z - c|^2 / 2 = z·c - |c|^2 / 2 + (a term equal for every class): a linear score per class.
  const weights = FIELDS.flatMap((_, j) => SPECIES.map((_, k) => centroids[k]![j]! / params.temperature))
  const bias = centroids.map((c) => -c.reduce((s, v) => s + v * v, 0) / 2 / params.temperature)
  const predict = (x: number[]) => {
    const zx = z(x)
    const scores = SPECIES.map((_, k) => zx.reduce((s, v, j) => s + v * weights[j * 3 + k]!, bias[k]!))
    return scores.indexOf(Math.max(...scores))
  }
  const correct = holdout.filter((p) => predict(p.x) === p.species).length
  return {
    bytes: buildOnnx(mean, std, weights, bias),
    params,
    metrics: { holdoutAccuracy: correct / holdout.length, trainRows: train.length, holdoutRows: holdout.length },
    sample: holdout.slice(0, 12).map((p) => p.x),
  }
}

function floats(name: string, dims: number[], values: number[]) {
  return onnx.TensorProto.create({ name, dims, dataType: onnx.TensorProto.DataType.FLOAT, rawData: new Uint8Array(Float32Array.from(values).buffer) })
}

function io(name: string, size: number) {
  return onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: [{ dimParam: 'batch' }, { dimValue: size }] } } } })
}

function buildOnnx(mean: number[], std: number[], weights: number[], bias: number[]): Uint8Array {
  const node = (opType: string, input: string[], output: string, attribute: object[] = []) => onnx.NodeProto.create({ opType, input, output: [output], name: output, attribute })
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'mltest-example-release',
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'penguin_species',
      node: [
        node('Sub', ['x', 'mean'], 'centred'),
        node('Div', ['centred', 'std'], 'z'),
        node('MatMul', ['z', 'W'], 'zw'),
        node('Add', ['zw', 'b'], 'scores'),
        node('Softmax', ['scores'], 'y', [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 1 }]),
      ],
      initializer: [floats('mean', [4], mean), floats('std', [4], std), floats('W', [4, 3], weights), floats('b', [3], bias)],
      input: [io('x', 4)],
      output: [io('y', 3)],
    },
  })
  return onnx.ModelProto.encode(model).finish()
}

export function writeModel(path: string, model: TrainedModel): string {
  writeFileSync(path, model.bytes)
  return path
}
