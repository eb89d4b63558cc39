/**
 * The pieces of a small production pipeline for a penguin species classifier on the Palmer
 * penguins of `vega-datasets`: assemble the rows, turn them into features, train a tfjs
 * model, export it to ONNX, and record the requests a server would see. The test file runs
 * them together with `pipelineTest` and checks each hand-off.
 */
import * as tf from '@tensorflow/tfjs'
import { readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

export const FEATURES = ['Beak Length (mm)', 'Beak Depth (mm)', 'Flipper Length (mm)', 'Body Mass (g)'] as const
export const SPECIES = ['Adelie', 'Chinstrap', 'Gentoo'] as const

export type Penguin = Record<string, string | number | null>

export interface Features {
  /** Standardised measurements, one row per penguin. */
  x: number[][]
  /** Species index per penguin. */
  labels: number[]
  /** The rows the features came from (for slicing by island). */
  rows: Penguin[]
  /** The standardisation a server must apply too. */
  mean: number[]
  std: number[]
}

/** assemble: every penguin with all four measurements (the data set leaves a few unmeasured). */
export function assemblePenguins(): Penguin[] {
  const entry = createRequire(import.meta.url).resolve('vega-datasets')
  const all = JSON.parse(readFileSync(join(dirname(entry), '..', 'data', 'penguins.json'), 'utf8')) as Penguin[]
  return all.filter((row) => FEATURES.every((f) => typeof row[f] === 'number'))
}

/** features: standardised measurements and species indices. A missing column is an error, not NaN. */
export function penguinFeatures(rows: Penguin[]): Features {
  for (const feature of FEATURES) {
    if (!(feature in rows[0]!)) throw new Error(`column "${feature}" not found (columns: ${Object.keys(rows[0]!).join(', ')})`)
  }
  const raw = rows.map((r) => FEATURES.map((f) => Number(r[f])))
  const mean = FEATURES.map((_, j) => raw.reduce((s, x) => s + x[j]!, 0) / raw.length)
  const std = FEATURES.map((_, j) => Math.sqrt(raw.reduce((s, x) => s + (x[j]! - mean[j]!) ** 2, 0) / raw.length))
  const labels = rows.map((r) => SPECIES.indexOf(r.Species as (typeof SPECIES)[number]))
  if (labels.includes(-1)) throw new Error(`unknown species "${rows[labels.indexOf(-1)]!.Species}"`)
  return { x: raw.map((row) => row.map((v, j) => (v - mean[j]!) / std[j]!)), labels, rows, mean, std }
}

/** Every other penguin held out for verification, the rest to train on (a fixed split, no randomness). */
export function holdout(features: Features): { train: Features; test: Features } {
  const pick = (keep: (i: number) => boolean): Features => ({
    ...features,
    x: features.x.filter((_, i) => keep(i)),
    labels: features.labels.filter((_, i) => keep(i)),
    rows: features.rows.filter((_, i) => keep(i)),
  })
  return { train: pick((i) => i % 2 === 0), test: pick((i) => i % 2 === 1) }
}

/** train: a small dense classifier, every initializer seeded and no shuffling, so a seed fixes the model. */
export async function trainClassifier(features: Pick<Features, 'x' | 'labels'>, seed: number, epochs = 15): Promise<tf.Sequential> {
  const model = tf.sequential()
  model.add(tf.layers.dense({ units: 8, activation: 'relu', inputShape: [FEATURES.length], kernelInitializer: tf.initializers.glorotUniform({ seed }) }))
  model.add(tf.layers.dense({ units: SPECIES.length, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }))
  model.compile({ optimizer: tf.train.adam(0.05), loss: 'categoricalCrossentropy' })
  // Rows are grouped by species in the file: a fixed stride interleaves them without randomness.
  const order = features.x.map((_, i) => (i * 101) % features.x.length)
  const x = tf.tensor2d(order.map((i) => features.x[i]!))
  const y = tf.oneHot(tf.tensor1d(order.map((i) => features.labels[i]!), 'int32'), SPECIES.length)
  await model.fit(x, y, { epochs, batchSize: 32, shuffle: false, verbose: 0 })
  tf.dispose([x, y])
  return model
}

/** The predicted species index of each row. */
export function predictSpecies(model: tf.LayersModel, x: number[][]): number[] {
  return tf.tidy(() => Array.from((model.predict(tf.tensor2d(x)) as tf.Tensor2D).argMax(1).dataSync()))
}

/** Requests as a server logs them, one JSON object per line: what `checkCanary` replays. */
export function writeTraffic(path: string, x: number[][]): string {
  writeFileSync(path, x.map((input) => JSON.stringify({ input })).join('\n') + '\n')
  return path
}
