/**
 * Serving-time preprocessing of the Palmer penguins (the `vega-datasets` package) in tfjs:
 * the four measurements standardised with statistics fitted once on the training rows (a
 * missing measurement becomes the mean, 0 after standardising), then the island and sex
 * one-hot encoded (an unknown sex is all zeros). One batch of rows in, one float32 feature
 * matrix of FEATURE_COUNT columns out: what a species classifier is fed.
 */
import * as tf from '@tensorflow/tfjs'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

export const MEASUREMENTS = ['Beak Length (mm)', 'Beak Depth (mm)', 'Flipper Length (mm)', 'Body Mass (g)'] as const
export const ISLANDS = ['Biscoe', 'Dream', 'Torgersen'] as const
export const SEXES = ['FEMALE', 'MALE'] as const
export const FEATURE_COUNT = MEASUREMENTS.length + ISLANDS.length + SEXES.length

export type PenguinRow = Record<string, string | number | null>

export interface FeatureStats {
  mean: number[]
  std: number[]
}

/** Every row of penguins.json, as served: some measurements are null, some sexes unknown. */
export function readPenguinRows(): PenguinRow[] {
  const entry = createRequire(import.meta.url).resolve('vega-datasets')
  return JSON.parse(readFileSync(join(dirname(entry), '..', 'data', 'penguins.json'), 'utf8')) as PenguinRow[]
}

/** Mean and standard deviation of each measurement over the rows that have it. */
export function fitFeatureStats(rows: readonly PenguinRow[]): FeatureStats {
  const columns = MEASUREMENTS.map((m) => rows.map((r) => r[m]).filter((v): v is number => typeof v === 'number'))
  const mean = columns.map((c) => c.reduce((a, b) => a + b, 0) / c.length)
  const std = columns.map((c, j) => Math.sqrt(c.reduce((a, b) => a + (b - mean[j]!) ** 2, 0) / c.length))
  return { mean, std }
}

/** The feature matrix [rows, FEATURE_COUNT] of one batch; the caller disposes it. */
export function penguinFeatures(rows: readonly PenguinRow[], stats: FeatureStats): tf.Tensor2D {
  return tf.tidy(() => {
    const measured = tf.tensor2d(rows.map((r) => MEASUREMENTS.map((m) => (typeof r[m] === 'number' ? (r[m] as number) : NaN))), [rows.length, MEASUREMENTS.length])
    const standardised = measured.sub(tf.tensor1d(stats.mean)).div(tf.tensor1d(stats.std))
    const imputed = tf.where(standardised.isNaN(), tf.zerosLike(standardised), standardised)
    const oneHot = (values: readonly string[], column: string) =>
      tf.oneHot(tf.tensor1d(rows.map((r) => values.indexOf(String(r[column]))), 'int32'), values.length).toFloat()
    return tf.concat([imputed, oneHot(ISLANDS, 'Island'), oneHot(SEXES, 'Sex')], 1) as tf.Tensor2D
  })
}
