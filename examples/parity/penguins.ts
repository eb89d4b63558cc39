/**
 * The penguins project the parity example checks: data loading, the training feature
 * pipeline (standardised measurements, one-hot island and sex), the serving service's own
 * implementation of it, three realistic ways that implementation goes wrong, and a tiny tfjs
 * species classifier.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import type { Features } from 'mltest/parity'

export interface Penguin {
  Species: string
  Island: string
  'Beak Length (mm)': number
  'Beak Depth (mm)': number
  'Flipper Length (mm)': number
  'Body Mass (g)': number
  Sex: string
}

export const MEASUREMENTS = [
  ['beak_length_mm', 'Beak Length (mm)'],
  ['beak_depth_mm', 'Beak Depth (mm)'],
  ['flipper_length_mm', 'Flipper Length (mm)'],
  ['body_mass_g', 'Body Mass (g)'],
] as const
export const ISLANDS = ['Biscoe', 'Dream', 'Torgersen']
export const SEXES = ['FEMALE', 'MALE']
export const SPECIES = ['Adelie', 'Chinstrap', 'Gentoo']

/** vega-datasets exports only its JS entry, so the data folder is found next to it. */
export function loadPenguins(): Penguin[] {
  const entry = createRequire(import.meta.url).resolve('vega-datasets')
  const file = join(dirname(entry), '..', 'data', 'penguins.json')
  const rows = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>[]
  // 11 rows have a missing measurement or sex, one has sex "."; they are dropped.
  return rows.filter((r) => Object.values(r).every((v) => v !== null) && SEXES.includes(r.Sex as string)) as unknown as Penguin[]
}

/**
 * A fixed, shuffled split: a quarter of the penguins play the serving traffic. The data file is
 * sorted by species and island, so a shuffle (seeded, for stable counts) is needed.
 */
export function splitTrainingServing(rows: readonly Penguin[], seed = 7): { training: Penguin[]; serving: Penguin[] } {
  let state = seed
  const random = () => {
    state = (state + 0x6d2b79f5) | 0
    let t = Math.imul(state ^ (state >>> 15), 1 | state)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const shuffled = rows.map((row) => ({ row, key: random() })).sort((a, b) => a.key - b.key).map(({ row }) => row)
  const cut = Math.round(rows.length / 4)
  return { serving: shuffled.slice(0, cut), training: shuffled.slice(cut) }
}

/** The raw columns as flat named fields, for distribution checks. */
export function rawFields(row: Penguin): Record<string, string | number> {
  return { island: row.Island, sex: row.Sex, ...Object.fromEntries(MEASUREMENTS.map(([name, column]) => [name, row[column]])) }
}

export type Stats = Record<string, { mean: number; std: number }>

/** Mean and (population) standard deviation of each measurement, fitted on the training set. */
export function fitStats(rows: readonly Penguin[]): Stats {
  const stats: Stats = {}
  for (const [name, column] of MEASUREMENTS) {
    const values = rows.map((r) => r[column])
    const mean = values.reduce((a, b) => a + b, 0) / values.length
    const std = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length)
    stats[name] = { mean, std }
  }
  return stats
}

const oneHot = (value: string, categories: readonly string[]) => categories.map((c) => (c === value ? 1 : 0))

/** The training pipeline, as the notebook that built the training set wrote it. */
export function trainingFeatures(stats: Stats) {
  return (row: Penguin): Features => {
    const features: Record<string, number | number[]> = {}
    for (const [name, column] of MEASUREMENTS) features[name] = (row[column] - stats[name]!.mean) / stats[name]!.std
    features.island = oneHot(row.Island, ISLANDS)
    features.sex = oneHot(row.Sex, SEXES)
    return features
  }
}

/** The serving service's implementation: written separately, from exported stats and vocabularies. */
export function servingFeatures(stats: Stats, islands: readonly string[] = ISLANDS) {
  return (row: Penguin): Features => ({
    beak_length_mm: (row['Beak Length (mm)'] - stats.beak_length_mm!.mean) / stats.beak_length_mm!.std,
    beak_depth_mm: (row['Beak Depth (mm)'] - stats.beak_depth_mm!.mean) / stats.beak_depth_mm!.std,
    flipper_length_mm: (row['Flipper Length (mm)'] - stats.flipper_length_mm!.mean) / stats.flipper_length_mm!.std,
    body_mass_g: (row['Body Mass (g)'] - stats.body_mass_g!.mean) / stats.body_mass_g!.std,
    island: islands.map((island) => (row.Island === island ? 1 : 0)),
    sex: SEXES.map((sex) => (row.Sex === sex ? 1 : 0)),
  })
}

/** Bug: the service standardises with statistics of the request batch instead of the training ones. */
export const servingWithBatchStats = {
  batch: (rows: readonly Penguin[]) => rows.map(servingFeatures(fitStats(rows))),
}

/** Bug: the service's island vocabulary lists Dream before Biscoe. */
export const servingWithSwappedIslands = (stats: Stats) => servingFeatures(stats, ['Dream', 'Biscoe', 'Torgersen'])

/** The service computes in float32, as its tensor runtime does: not a bug, but not identical either. */
export function servingInFloat32(stats: Stats) {
  const f = Math.fround
  const exact = servingFeatures(stats)
  return (row: Penguin): Features => {
    const features: Record<string, unknown> = { ...exact(row) }
    for (const [name, column] of MEASUREMENTS) features[name] = f(f(f(row[column]) - f(stats[name]!.mean)) / f(stats[name]!.std))
    return features as Features
  }
}

/** The model input: measurements, island one-hot, sex one-hot (9 numbers). */
export function toVector(features: Features): number[] {
  const v: number[] = MEASUREMENTS.map(([name]) => features[name] as number)
  return v.concat(features.island as number[], features.sex as number[])
}

/** A tiny seeded species classifier: 9 → 8 (relu) → dropout → 3 (softmax); about a second on the cpu backend. */
export async function trainSpeciesModel(inputs: number[][], species: readonly string[]) {
  const tf = await import('@tensorflow/tfjs')
  await tf.setBackend('cpu')
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [inputs[0]!.length], units: 8, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
      tf.layers.dropout({ rate: 0.1, seed: 2 }),
      tf.layers.dense({ units: SPECIES.length, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }),
    ],
  })
  model.compile({ optimizer: tf.train.adam(0.05), loss: 'categoricalCrossentropy', metrics: ['accuracy'] })
  const x = tf.tensor2d(inputs)
  const y = tf.oneHot(tf.tensor1d(species.map((s) => SPECIES.indexOf(s)), 'int32'), SPECIES.length)
  await model.fit(x, y, { epochs: 30, batchSize: 64, shuffle: false, verbose: 0 })
  tf.dispose([x, y])
  return model
}
