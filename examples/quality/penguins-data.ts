/**
 * Shared by the examples/quality files: the Palmer penguins of `vega-datasets` (the 333 rows
 * with every measurement and a recorded sex) and a small tfjs classifier trained on them.
 * A classifier's quality must be judged on rows it did not learn from, so `outOfFold`
 * trains two models, each on one half, and predicts every row with the model that never
 * saw it (2-fold cross-fitting): every penguin gets an honest prediction.
 */
import * as tf from '@tensorflow/tfjs'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

export interface Penguin {
  species: 'Adelie' | 'Chinstrap' | 'Gentoo'
  island: 'Biscoe' | 'Dream' | 'Torgersen'
  sex: 'MALE' | 'FEMALE'
  beakLength: number
  beakDepth: number
  flipperLength: number
  bodyMass: number
}

export const MEASUREMENTS = ['beakLength', 'beakDepth', 'flipperLength', 'bodyMass'] as const

/** The measured, sexed penguins, interleaved with a fixed stride so both halves hold every species. */
export function loadPenguins(): Penguin[] {
  const file = join(dirname(createRequire(import.meta.url).resolve('vega-datasets')), '..', 'data', 'penguins.json')
  const raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string | number | null>[]
  const kept = raw
    .filter((r) => (r.Sex === 'MALE' || r.Sex === 'FEMALE') && r['Beak Length (mm)'] != null && r['Body Mass (g)'] != null)
    .map((r): Penguin => ({
      species: r.Species as Penguin['species'], island: r.Island as Penguin['island'], sex: r.Sex as Penguin['sex'],
      beakLength: Number(r['Beak Length (mm)']), beakDepth: Number(r['Beak Depth (mm)']),
      flipperLength: Number(r['Flipper Length (mm)']), bodyMass: Number(r['Body Mass (g)']),
    }))
  return kept.map((_, i) => kept[(i * 101) % kept.length]!)
}

export type Classifier = (rows: readonly Penguin[]) => string[]

/** A dense classifier of `target` from the four standardised measurements (seeded, no shuffling: the same model every run). */
export async function trainClassifier(rows: readonly Penguin[], target: (p: Penguin) => string, epochs = 20): Promise<Classifier> {
  await tf.setBackend('cpu')
  const classes = [...new Set(rows.map(target))].sort()
  const mean = MEASUREMENTS.map((f) => rows.reduce((s, r) => s + r[f], 0) / rows.length)
  const std = MEASUREMENTS.map((f, j) => Math.sqrt(rows.reduce((s, r) => s + (r[f] - mean[j]!) ** 2, 0) / rows.length))
  const encode = (rs: readonly Penguin[]) => tf.tensor2d(rs.map((r) => MEASUREMENTS.map((f, j) => (r[f] - mean[j]!) / std[j]!)))
  const model = tf.sequential()
  model.add(tf.layers.dense({ units: 8, activation: 'relu', inputShape: [MEASUREMENTS.length], kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }))
  model.add(tf.layers.dense({ units: classes.length, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }))
  model.compile({ optimizer: tf.train.adam(0.05), loss: 'categoricalCrossentropy' })
  const x = encode(rows)
  const y = tf.oneHot(tf.tensor1d(rows.map((r) => classes.indexOf(target(r))), 'int32'), classes.length)
  await model.fit(x, y, { epochs, batchSize: 64, shuffle: false, verbose: 0 })
  tf.dispose([x, y])
  return (rs) => tf.tidy(() => Array.from((model.predict(encode(rs)) as tf.Tensor2D).argMax(1).dataSync(), (k) => classes[k]!))
}

/**
 * Out-of-fold predictions: the classifier trained on the even rows predicts the odd ones and
 * the reverse. Returns both models and a `predict` that routes each row to the model that did
 * not see it (rows are matched by identity, so pass rows of `rows`, or copies via `foldOf`).
 */
export async function outOfFold(rows: readonly Penguin[], target: (p: Penguin) => string): Promise<{ predict: (rs: readonly Penguin[], folds?: readonly number[]) => string[]; folds: number[] }> {
  const folds = rows.map((_, i) => i % 2)
  const models = [await trainClassifier(rows.filter((_, i) => folds[i] === 1), target), await trainClassifier(rows.filter((_, i) => folds[i] === 0), target)]
  // Model k never saw fold k.
  const predict = (rs: readonly Penguin[], rowFolds: readonly number[] = folds) => {
    const out = new Array<string>(rs.length)
    for (const k of [0, 1]) {
      const idx = rs.flatMap((_, i) => (rowFolds[i] === k ? [i] : []))
      if (idx.length === 0) continue
      models[k]!(idx.map((i) => rs[i]!)).forEach((label, j) => (out[idx[j]!] = label))
    }
    return out
  }
  return { predict, folds }
}
