// Serving benchmarks of a penguin species classifier: the tfjs preprocessing (standardise
// the measurements, one-hot the island and sex) on real rows, the ONNX model it feeds, and
// the whole serving call, each timed with the same loop and statistics. The tests are tagged
// `bench`, so each runs alone, and `mltest bench` records their raw samples in its history.
//
//   npx mltest run examples/benchmarks
import * as tf from '@tensorflow/tfjs'
import ort from 'onnxruntime-node'
import { afterAll, beforeAll, describe, expect, test } from 'mltest'
import { bench, benchOnnx } from 'mltest/onnx'
import { buildMlp, type MlpSpec } from '../onnx/mlp-model.ts'
import { FEATURE_COUNT, fitFeatureStats, ISLANDS, MEASUREMENTS, penguinFeatures, readPenguinRows, SEXES, type FeatureStats, type PenguinRow } from './penguin-features.ts'

/** The classifier's shape: the preprocessed features → 64 hidden units → 3 species. Its weights are a fixed pattern: latency does not depend on their values. */
const CLASSIFIER: MlpSpec = { inputSize: FEATURE_COUNT, hidden: [64], outputSize: 3 }

/**
 * 200 ms of timed calls per benchmark: thousands of runs of these sub-millisecond calls, enough
 * for the budgets and for the history's statistics, and the example stays quick. A call's
 * options win over the run-wide `--onnx-min-time-ms`.
 */
const timing = { minTimeMs: 200 }

const rows = readPenguinRows()
const stats: FeatureStats = fitFeatureStats(rows)
const batch32 = rows.filter((_, i) => i % 10 === 0).slice(0, 32)

test('features: standardised measurements, imputed gaps, one-hot categories', () => {
  const features = penguinFeatures(rows, stats)
  const values = features.arraySync()
  features.dispose()
  expect(values).toHaveLength(rows.length)
  for (const [i, row] of values.entries()) {
    expect(row).toHaveLength(FEATURE_COUNT)
    expect(row.slice(MEASUREMENTS.length, MEASUREMENTS.length + ISLANDS.length).reduce((a, b) => a + b, 0)).toBe(1)
    const sexKnown = SEXES.includes(rows[i]!.Sex as (typeof SEXES)[number])
    expect(row.slice(MEASUREMENTS.length + ISLANDS.length).reduce((a, b) => a + b, 0)).toBe(sexKnown ? 1 : 0)
  }
  // Every measurement column has mean 0 and standard deviation 1 over the rows that have it.
  for (const [j, column] of MEASUREMENTS.entries()) {
    const measured = values.filter((_, i) => typeof rows[i]![column] === 'number').map((row) => row[j]!)
    const mean = measured.reduce((a, b) => a + b, 0) / measured.length
    expect(mean).toBeCloseTo(0, 5)
    expect(Math.sqrt(measured.reduce((a, b) => a + (b - mean) ** 2, 0) / measured.length)).toBeCloseTo(1, 5)
  }
})

// Budgets are far from what even a busy 2-core CI runner measures (a ~0.05-1 ms median
// against 50 ms), so they are decided, never inconclusive. In a real project they come from
// the serving SLO, and the nightly `mltest bench` catches the slow drift no budget sees.
describe('serving benchmarks', () => {
  let session: ort.InferenceSession
  let modelBytes: Uint8Array

  beforeAll(async () => {
    modelBytes = buildMlp(CLASSIFIER)
    session = await ort.InferenceSession.create(modelBytes, { intraOpNumThreads: 1 })
  })
  afterAll(() => session.release())

  test('tfjs preprocessing of a batch of 32, and of every penguin', async () => {
    // dataSync() is part of the work: the features are read out to feed the model.
    const featurize = (batch: readonly PenguinRow[]) => () => {
      const features = penguinFeatures(batch, stats)
      features.dataSync()
      features.dispose()
    }
    const before = tf.memory().numTensors
    const small = await bench('penguin features', featurize(batch32), { ...timing, batchSize: 32 })
    const all = await bench('penguin features', featurize(rows), { ...timing, batchSize: rows.length })
    expect(tf.memory().numTensors).toBe(before) // nothing leaked in thousands of calls
    expect(small).toMeetBudget({ p50Ms: 50, throughputMin: 100 })
    expect(all).toMeetBudget({ p50Ms: 50, throughputMin: 1000 })
  }, { tags: ['bench'] })

  test('ONNX classifier at batch 1 and 32', async () => {
    const result = await benchOnnx(modelBytes, { ...timing, name: 'penguin-classifier.onnx', batchSizes: [1, 32], sessionOptions: { intraOpNumThreads: 1 } })
    expect(result).toMeetBudget({ p50Ms: { 1: 20, 32: 50 }, throughputMin: { 32: 1000 } })
  }, { tags: ['bench'] })

  test('the whole serving call: rows → features → classifier', async () => {
    const serve = async (batch: readonly PenguinRow[]) => {
      const features = penguinFeatures(batch, stats)
      const x = new ort.Tensor('float32', features.dataSync() as Float32Array, [batch.length, FEATURE_COUNT])
      features.dispose()
      const { y } = await session.run({ x })
      return y!.data as Float32Array
    }
    expect(await serve(batch32)).toHaveLength(32 * CLASSIFIER.outputSize)
    // `version` names what is served; the history shows it beside a verdict when it changes.
    const result = await bench('serve', () => serve(batch32), { ...timing, batchSize: 32, version: 'penguin-classifier v1' })
    expect(result).toMeetBudget({ p50Ms: 50, throughputMin: 100 })
  }, { tags: ['bench'] })
})
