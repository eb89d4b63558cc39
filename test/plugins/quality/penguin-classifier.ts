/**
 * Test data and models for the quality checks: the Palmer penguins of `vega-datasets` (the
 * rows with every measurement and a sex) and small tfjs classifiers trained on them for real,
 * cpu backend, seeded initialisers, no shuffling, so every run trains the same model.
 */
import * as tf from '@tensorflow/tfjs'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

export interface Penguin {
  species: string
  island: string
  sex: string
  beakLength: number
  beakDepth: number
  flipperLength: number
  bodyMass: number
  [key: string]: string | number
}

export const MEASUREMENTS = ['beakLength', 'beakDepth', 'flipperLength', 'bodyMass'] as const
export type Measurement = (typeof MEASUREMENTS)[number]

/** The 333 penguins with all four measurements and a recorded sex, interleaved with a fixed stride. */
export function readPenguins(): Penguin[] {
  const file = join(dirname(createRequire(import.meta.url).resolve('vega-datasets')), '..', 'data', 'penguins.json')
  const raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string | number | null>[]
  const kept = raw
    .filter((r) => (r.Sex === 'MALE' || r.Sex === 'FEMALE') && r['Beak Length (mm)'] != null && r['Body Mass (g)'] != null)
    .map((r) => ({
      species: String(r.Species), island: String(r.Island), sex: String(r.Sex),
      beakLength: Number(r['Beak Length (mm)']), beakDepth: Number(r['Beak Depth (mm)']),
      flipperLength: Number(r['Flipper Length (mm)']), bodyMass: Number(r['Body Mass (g)']),
    }))
  return kept.map((_, i) => kept[(i * 101) % kept.length]!)
}

/**
 * A dense classifier of `target(row)` (a class name per row) from standardised `features`
 * (and the sex as 0/1 when `useSex`), trained for real; returns predict(rows) → class names.
 */
export async function trainClassifier(
  rows: readonly Penguin[],
  target: (row: Penguin) => string,
  { features = MEASUREMENTS as readonly Measurement[], useSex = false, epochs = 60, seed = 7 }: { features?: readonly Measurement[]; useSex?: boolean; epochs?: number; seed?: number } = {},
): Promise<(rows: readonly Penguin[]) => string[]> {
  await tf.setBackend('cpu')
  const classes = [...new Set(rows.map(target))].sort()
  const mean = features.map((f) => rows.reduce((s, r) => s + r[f], 0) / rows.length)
  const std = features.map((f, j) => Math.sqrt(rows.reduce((s, r) => s + (r[f] - mean[j]!) ** 2, 0) / rows.length))
  const encode = (rs: readonly Penguin[]) => tf.tensor2d(rs.map((r) => [...features.map((f, j) => (r[f] - mean[j]!) / std[j]!), ...(useSex ? [r.sex === 'MALE' ? 1 : 0] : [])]))
  const model = tf.sequential()
  model.add(tf.layers.dense({ units: 8, activation: 'relu', inputShape: [features.length + (useSex ? 1 : 0)], kernelInitializer: tf.initializers.glorotUniform({ seed }) }))
  model.add(tf.layers.dense({ units: classes.length, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }))
  model.compile({ optimizer: tf.train.adam(0.05), loss: 'categoricalCrossentropy' })
  const x = encode(rows)
  const y = tf.oneHot(tf.tensor1d(rows.map((r) => classes.indexOf(target(r))), 'int32'), classes.length)
  await model.fit(x, y, { epochs, batchSize: 64, shuffle: false, verbose: 0 })
  tf.dispose([x, y])
  return (rs) => tf.tidy(() => {
    const classIndex = (model.predict(encode(rs)) as tf.Tensor2D).argMax(1).dataSync()
    return Array.from(classIndex, (k) => classes[k]!)
  })
}
