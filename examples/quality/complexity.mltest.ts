/**
 * The complexity tax: does a small tfjs MLP earn its parameters over a simpler model? Cars
 * (vega-datasets cars.json): predict whether a car does at least 25 miles per gallon from its
 * cylinders, displacement, horsepower, weight and acceleration. Both models see the same half
 * of the cars to train on and are compared on the other half: the MLP clearly beats always
 * guessing the majority class, but over logistic regression (trained by the check on the same
 * training rows) it gains too little to pay a tax of 0.025 accuracy per doubling of parameters.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import type { LayersModel } from '@tensorflow/tfjs'
import { beforeAll, describe, expect, test } from 'mltest'
import { checkComplexity, type ComplexityModel } from 'mltest/quality'

interface Car { Miles_per_Gallon: number | null; Cylinders: number; Displacement: number; Horsepower: number | null; Weight_in_lbs: number; Acceleration: number }

const dataDir = join(dirname(createRequire(import.meta.url).resolve('vega-datasets')), '..', 'data')
const cars = (JSON.parse(readFileSync(join(dataDir, 'cars.json'), 'utf8')) as Car[]).filter((c) => c.Miles_per_Gallon !== null && c.Horsepower !== null)
const features = (c: Car) => [c.Cylinders, c.Displacement, c.Horsepower!, c.Weight_in_lbs, c.Acceleration]
const efficient = (c: Car) => (c.Miles_per_Gallon! >= 25 ? 1 : 0)

// A fixed, interleaved split: every other car is held out for the comparison.
const trainCars = cars.filter((_, i) => i % 2 === 1)
const testCars = cars.filter((_, i) => i % 2 === 0)
const train = { data: trainCars.map(features), labels: trainCars.map(efficient) }
const evaluation = { data: testCars.map(features), labels: testCars.map(efficient) }

// Standardise with training statistics, as the MLP's input layer expects.
const means = train.data[0]!.map((_, j) => train.data.reduce((s, r) => s + r[j]!, 0) / train.data.length)
const stds = train.data[0]!.map((_, j) => Math.sqrt(train.data.reduce((s, r) => s + (r[j]! - means[j]!) ** 2, 0) / train.data.length))
const standardise = (rows: number[][]) => rows.map((r) => r.map((v, j) => (v - means[j]!) / stds[j]!))

async function trainMlp(labels: number[]): Promise<LayersModel> {
  const tf = await import('@tensorflow/tfjs')
  await tf.setBackend('cpu')
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [5], units: 16, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
      tf.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
    ],
  })
  model.compile({ optimizer: tf.train.adam(0.02), loss: 'binaryCrossentropy' })
  const x = tf.tensor2d(standardise(train.data))
  const y = tf.tensor2d(labels, [labels.length, 1])
  await model.fit(x, y, { epochs: 40, batchSize: 64, shuffle: false, verbose: 0 })
  tf.dispose([x, y])
  return model
}

/** The tfjs model as the check calls it: class labels for a batch, and its parameter count. */
async function asCandidate(model: LayersModel, name: string): Promise<ComplexityModel> {
  const tf = await import('@tensorflow/tfjs')
  return {
    name,
    parameters: model.countParams(),
    predict: (rows) => tf.tidy(() => {
      const scores = (model.predict(tf.tensor2d(standardise(rows))) as import('@tensorflow/tfjs').Tensor).dataSync()
      return Array.from(scores, (s) => (s >= 0.5 ? 1 : 0))
    }),
  }
}

let mlp: ComplexityModel

beforeAll(async () => {
  mlp = await asCandidate(await trainMlp(train.labels), 'mlp 5-16-1')
})

describe('complexity tax', () => {
  test('the MLP pays for itself over always guessing the majority class', async () => {
    const summary = await checkComplexity({ candidate: mlp, baseline: 'majority', ...evaluation, metric: 'accuracy', tax: 0.025 })
    expect(summary.verdict).toBe('pass')
    expect(summary.candidate.parameters).toBe(5 * 16 + 16 + 16 + 1)
  })

  test.fails('over logistic regression, the MLP does not pay 0.025 accuracy per doubling of parameters', async () => {
    await checkComplexity({ candidate: mlp, baseline: 'logistic', ...evaluation, metric: 'accuracy', tax: 0.025, train })
  }, { error: 'does not pay for its complexity' })

  test.fails('an MLP trained on shuffled labels is no better than the majority class', async () => {
    const shuffled = train.labels.map((_, i) => train.labels[(i * 37) % train.labels.length]!)
    const broken = await asCandidate(await trainMlp(shuffled), 'mlp on shuffled labels')
    await checkComplexity({ candidate: broken, baseline: 'majority', ...evaluation, metric: 'accuracy', tax: 0.025 })
  }, { error: 'does not pay for its complexity' })
})
