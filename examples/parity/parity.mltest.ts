/**
 * Train/serve parity for a penguin species classifier: the serving feature code must compute
 * what the training pipeline computed, serving traffic should look like training data, and the
 * ONNX model onnxruntime serves must predict what the trained tfjs model predicts.
 */
import { join } from 'node:path'
import { writeFile } from 'node:fs/promises'
import type { LayersModel } from '@tensorflow/tfjs'
import type { InferenceSession } from 'onnxruntime-node'
import { beforeAll, describe, expect, test } from 'mltest'
import { checkDistributionSkew, checkFeatureParity, checkModelParity, checkServingLog, exportToOnnx } from 'mltest/parity'
import {
  fitStats, loadPenguins, rawFields, servingFeatures, servingInFloat32, servingWithBatchStats, servingWithSwappedIslands,
  SPECIES, splitTrainingServing, toVector, trainingFeatures, trainSpeciesModel,
} from './penguins.ts'

const { training, serving } = splitTrainingServing(loadPenguins())

const stats = fitStats(training)
const features = trainingFeatures(stats)

describe('feature parity', () => {
  test('the serving service computes the training features exactly', async () => {
    const summary = await checkFeatureParity({ records: serving, training: features, serving: servingFeatures(stats) })
    // The check enforces zero skew; these say what it looked at: every serving record and all six features.
    expect(summary.examples).toBe(83)
    expect(summary.features.map((f) => f.feature)).toEqual(['beak_length_mm', 'beak_depth_mm', 'flipper_length_mm', 'body_mass_g', 'island', 'sex'])
  })

  test.fails('serving that standardises with its own batch statistics is caught', async () => {
    await checkFeatureParity({ records: serving, training: features, serving: servingWithBatchStats })
  }, { error: '4 of 6 features skewed' })

  test('the batch-statistics report names the four measurements, each skewed in every example', async () => {
    const error = await checkFeatureParity({ records: serving, training: features, serving: servingWithBatchStats }).catch((e: Error) => e)
    expect(error).toBeInstanceOf(Error)
    const report = (error as Error).message
    expect(report).toMatch(/4 of 6 features skewed across 83 examples/)
    for (const name of ['beak_length_mm', 'beak_depth_mm', 'flipper_length_mm', 'body_mass_g']) {
      expect(report).toContain(`${name}: skewed in 83/83 (100.0%) examples`)
    }
  })

  test.fails('a serving vocabulary with Dream before Biscoe is caught', async () => {
    await checkFeatureParity({ records: serving, training: features, serving: servingWithSwappedIslands(stats) })
  }, { error: '1 of 6 features skewed' })

  test('the swapped-vocabulary report counts exactly the Biscoe and Dream penguins', async () => {
    const affected = serving.filter((p) => p.Island === 'Biscoe' || p.Island === 'Dream').length
    const check = checkFeatureParity({ records: serving, training: features, serving: servingWithSwappedIslands(stats) })
    await expect(check).rejects.toThrow(new RegExp(`1 of 6 features skewed[^]*island: skewed in ${affected}/83 `))
  })

  test('float32 serving arithmetic stays within an explicit tolerance', async () => {
    const summary = await checkFeatureParity({
      records: serving, training: features, serving: servingInFloat32(stats), tolerance: { atol: 1e-6 },
    })
    // Not identical: the float32 rounding shows in float64 ulps (float32 ulps would call most of it 0).
    const depth = summary.features.find((f) => f.feature === 'beak_depth_mm')!
    expect(depth.maxUlpDiffFloat64).toBeGreaterThan(0)
    expect(depth.maxAbsDiff).toBeLessThan(1e-6)
  })

  test('the logged serving features replay clean through the training pipeline', async (t) => {
    const log = join(t.tmpdir(), 'serving-log.jsonl')
    const online = servingFeatures(stats)
    await writeFile(log, serving.map((raw) => JSON.stringify({ raw, features: online(raw) })).join('\n'))
    const summary = await checkServingLog({ log, training: features })
    expect(summary.examples).toBe(83)
  })
})

describe('distribution skew', () => {
  // 83 serving rows are a small sample: two random samples of the same penguins are up to ~0.25
  // apart (JS distance, 10 bins), over the default threshold 0.1. The default permutation test
  // (Holm-corrected over the six features) tells that noise from skew, so the defaults need no tuning.
  const options = { features: ['island', 'sex', 'beak_length_mm', 'beak_depth_mm', 'flipper_length_mm', 'body_mass_g'] }

  test('serving traffic looks like the training data', () => {
    const summary = checkDistributionSkew({ ...options, training: training.map(rawFields), serving: serving.map(rawFields) })
    // The check enforces the thresholds; these are the sample sizes behind its verdict.
    expect(summary.features.map((f) => [f.trainingCount, f.servingCount])).toEqual(options.features.map(() => [250, 83]))
    expect(Math.max(...summary.features.map((f) => f.missingRate.difference))).toBe(0)
  })

  // `{ error }`: only this report counts as the expected failure, not a typo or a missing package.
  test.fails('serving traffic from Biscoe only is caught', () => {
    const biscoe = serving.filter((p) => p.Island === 'Biscoe')
    checkDistributionSkew({ ...options, training: training.map(rawFields), serving: biscoe.map(rawFields) })
  }, {
    error: /^checkDistributionSkew: \d of 6 features skewed \(training 250 rows, serving 46 rows\)[\s\S]*✗ island: L-infinity 0.532 > threshold 0.1 · permutation p 0\.00\d+, Holm-adjusted 0\.0\d+ · largest gap "Biscoe": training 0.468, serving 1 · n training 250 \/ serving 46/,
  })
})

describe('model parity: tfjs → ONNX → onnxruntime', () => {
  let model: LayersModel
  let session: InferenceSession
  const inputs = serving.map((p) => toVector(features(p)))

  beforeAll(async () => {
    model = await trainSpeciesModel(training.map((p) => toVector(features(p))), training.map((p) => p.Species))
    const ort = await import('onnxruntime-node')
    session = await ort.InferenceSession.create(await exportToOnnx(model))
  })

  test('the model learned the species', async () => {
    const tf = await import('@tensorflow/tfjs')
    const predicted = tf.tidy(() => (model.predict(tf.tensor2d(inputs)) as import('@tensorflow/tfjs').Tensor).argMax(-1).arraySync() as number[])
    const correct = predicted.filter((c, i) => SPECIES[c] === serving[i]!.Species).length
    expect(correct / serving.length).toBeGreaterThan(0.9)
  })

  test('onnxruntime serves the predictions tfjs makes', async () => {
    const result = await checkModelParity(model, session, { inputs })
    // The check enforces tolerance and top-1 agreement; these are the figures behind it.
    expect(result.examples).toBe(83)
    expect(result.maxAbsDiff).toBeLessThan(1e-6)
    expect(result.nonFiniteA + result.nonFiniteB).toBe(0)
  })

  test.fails('a service that feeds the swapped island order is caught', async () => {
    const ort = await import('onnxruntime-node')
    const swapped = async (rows: number[][]) => {
      const fed = rows.map((r) => [...r.slice(0, 4), r[5]!, r[4]!, ...r.slice(6)])
      const out = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', Float32Array.from(fed.flat()), [fed.length, fed[0]!.length]) })
      return out[session.outputNames[0]!]
    }
    await checkModelParity(model, swapped, { inputs, names: ['tfjs', 'onnxruntime, swapped islands'] })
  }, {
    error: /^checkModelParity: tfjs \(a, reference\) vs onnxruntime, swapped islands \(b\) on 83 inputs[\s\S]*✗ 56\/83 \(67.5%\) inputs have an output out of tolerance[\s\S]*✗ top-1 class differs on 8 of 83 inputs/,
  })
})
