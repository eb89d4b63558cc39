/**
 * A small species classifier on the Palmer penguins data (the `vega-datasets` package):
 * bill length and depth, flipper length and body mass → Adelie, Chinstrap or Gentoo.
 *
 * The training functions live in their own module (not the test file) so that
 * `checkReproducible` can import them in fresh worker threads.
 */
import * as tf from '@tensorflow/tfjs'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import type { TrainContext } from 'mltest/reproducibility'

export const FEATURES = ['Beak Length (mm)', 'Beak Depth (mm)', 'Flipper Length (mm)', 'Body Mass (g)'] as const
export const SPECIES = ['Adelie', 'Chinstrap', 'Gentoo'] as const

type Row = Record<string, string | number | null>

/** Every row of penguins.json, nulls included (a few penguins were not measured). */
export function readPenguinRows(): Row[] {
  const entry = createRequire(import.meta.url).resolve('vega-datasets')
  return JSON.parse(readFileSync(join(dirname(entry), '..', 'data', 'penguins.json'), 'utf8')) as Row[]
}

/**
 * Standardised features and one-hot species. The file lists penguins species by species, so
 * rows are interleaved with a fixed stride (no randomness) to give every batch a mix.
 * `dropMissing: false` keeps unmeasured rows, whose features become NaN.
 */
export function penguinTensors({ dropMissing = true } = {}): { x: tf.Tensor2D; y: tf.Tensor2D; rows: number } {
  const kept = readPenguinRows().filter((r) => !dropMissing || Object.values(r).every((v) => v != null))
  const rows = kept.map((_, i) => kept[(i * 101) % kept.length]!) // 101 is prime and does not divide the row count
  const raw = rows.map((r) => FEATURES.map((f) => (r[f] == null ? NaN : Number(r[f]))))
  const complete = raw.filter((x) => x.every(Number.isFinite))
  const mean = FEATURES.map((_, j) => complete.reduce((s, x) => s + x[j]!, 0) / complete.length)
  const std = FEATURES.map((_, j) => Math.sqrt(complete.reduce((s, x) => s + (x[j]! - mean[j]!) ** 2, 0) / complete.length))
  const x = tf.tensor2d(raw.map((row) => row.map((v, j) => (v - mean[j]!) / std[j]!)))
  const y = tf.tensor2d(rows.map((r) => SPECIES.map((s) => (r.Species === s ? 1 : 0))))
  return { x, y, rows: rows.length }
}

/** The classifier; with `seed` every initializer is seeded, without it tfjs uses Math.random. */
export function buildPenguinModel(seed?: number): tf.Sequential {
  const init = (offset: number) => (seed === undefined ? undefined : tf.initializers.glorotUniform({ seed: seed + offset }))
  const model = tf.sequential()
  model.add(tf.layers.dense({ units: 16, activation: 'relu', inputShape: [FEATURES.length], kernelInitializer: init(1) }))
  model.add(tf.layers.dense({ units: SPECIES.length, activation: 'softmax', kernelInitializer: init(2) }))
  model.compile({ optimizer: tf.train.adam(0.05), loss: 'categoricalCrossentropy', metrics: ['accuracy'] })
  return model
}

/** Reproducible training: seeded initializers, no shuffling. */
export async function trainPenguins({ seed }: TrainContext): Promise<tf.Sequential> {
  const { x, y } = penguinTensors()
  const model = buildPenguinModel(seed)
  await model.fit(x, y, { epochs: 3, batchSize: 32, shuffle: false, verbose: 0 })
  tf.dispose([x, y])
  return model
}

/** The usual first draft: default (unseeded) initializers and tfjs's default `shuffle: true`. */
export async function trainPenguinsCarelessly(): Promise<tf.Sequential> {
  const { x, y } = penguinTensors()
  const model = buildPenguinModel()
  await model.fit(x, y, { epochs: 3, batchSize: 32, shuffle: true, verbose: 0 })
  tf.dispose([x, y])
  return model
}

/** Drawn once when this module loads: the same for every run in one thread, new in every fresh worker. */
const importTimeSeed = 1 + Math.floor(Math.random() * 1_000_000)

/** A subtler bug: the seed comes from module state. `same-worker` runs agree; `separate-workers` runs do not. */
export async function trainPenguinsWithImportTimeSeed(): Promise<tf.Sequential> {
  const { x, y } = penguinTensors()
  const model = buildPenguinModel(importTimeSeed)
  await model.fit(x, y, { epochs: 3, batchSize: 32, shuffle: false, verbose: 0 })
  tf.dispose([x, y])
  return model
}
