/**
 * A small species classifier on the Palmer penguins (the `vega-datasets` package), in plain
 * TypeScript so the example runs in milliseconds: softmax regression on the four standardised
 * measurements, trained by full-batch gradient descent from zero weights. Nothing in it is
 * random, so its outputs are the same on every run and can be pinned as goldens.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

export const MEASUREMENTS = ['Beak Length (mm)', 'Beak Depth (mm)', 'Flipper Length (mm)', 'Body Mass (g)'] as const
export const SPECIES = ['Adelie', 'Chinstrap', 'Gentoo'] as const

export interface Split {
  /** Standardised measurements, one row per penguin. */
  x: number[][]
  /** Species index per penguin. */
  y: number[]
}

/** Measured penguins, every fourth one held out (a fixed split, no randomness). */
export function loadPenguins(): { train: Split; heldOut: Split } {
  const entry = createRequire(import.meta.url).resolve('vega-datasets')
  const rows = JSON.parse(readFileSync(join(dirname(entry), '..', 'data', 'penguins.json'), 'utf8')) as Record<string, unknown>[]
  const measured = rows.filter((r) => MEASUREMENTS.every((m) => typeof r[m] === 'number'))
  const raw = measured.map((r) => MEASUREMENTS.map((m) => r[m] as number))
  const mean = MEASUREMENTS.map((_, j) => raw.reduce((s, x) => s + x[j]!, 0) / raw.length)
  const std = MEASUREMENTS.map((_, j) => Math.sqrt(raw.reduce((s, x) => s + (x[j]! - mean[j]!) ** 2, 0) / raw.length))
  const x = raw.map((row) => row.map((v, j) => (v - mean[j]!) / std[j]!))
  const y = measured.map((r) => SPECIES.indexOf(r.Species as (typeof SPECIES)[number]))
  const pick = (keep: (i: number) => boolean): Split => ({ x: x.filter((_, i) => keep(i)), y: y.filter((_, i) => keep(i)) })
  return { train: pick((i) => i % 4 !== 0), heldOut: pick((i) => i % 4 === 0) }
}

export interface Classifier {
  /** One weight row per species: four measurements, then the bias. */
  weights: number[][]
  /** Class probabilities, one row per penguin. */
  predict(x: number[][]): number[][]
}

function softmax(logits: number[]): number[] {
  const max = Math.max(...logits)
  const exps = logits.map((z) => Math.exp(z - max))
  const sum = exps.reduce((a, b) => a + b, 0)
  return exps.map((e) => e / sum)
}

function classifier(weights: number[][]): Classifier {
  const predict = (x: number[][]) => x.map((row) => softmax(weights.map((w) => row.reduce((s, v, j) => s + v * w[j]!, w[row.length]!))))
  return { weights, predict }
}

/** Full-batch gradient descent on the cross-entropy, from zero weights. */
export function trainClassifier({ x, y }: Split, { epochs = 200, learningRate = 0.5 } = {}): Classifier {
  const weights = SPECIES.map(() => new Array<number>(MEASUREMENTS.length + 1).fill(0))
  for (let epoch = 0; epoch < epochs; epoch++) {
    const probabilities = classifier(weights).predict(x)
    const gradient = weights.map((w) => w.map(() => 0))
    probabilities.forEach((p, i) => {
      p.forEach((pk, k) => {
        const error = pk - (y[i] === k ? 1 : 0)
        x[i]!.forEach((v, j) => (gradient[k]![j]! += (error * v) / x.length))
        gradient[k]![MEASUREMENTS.length]! += error / x.length
      })
    })
    weights.forEach((w, k) => w.forEach((_, j) => (w[j]! -= learningRate * gradient[k]![j]!)))
  }
  return classifier(weights)
}

/** Accuracy, mean cross-entropy and the confusion matrix (rows: true species, columns: predicted). */
export function evaluate(model: Classifier, { x, y }: Split): { accuracy: number; logLoss: number; confusion: number[][] } {
  const probabilities = model.predict(x)
  const confusion = SPECIES.map(() => SPECIES.map(() => 0))
  let correct = 0
  let loss = 0
  probabilities.forEach((p, i) => {
    const predicted = p.indexOf(Math.max(...p))
    confusion[y[i]!]![predicted]!++
    if (predicted === y[i]) correct++
    loss -= Math.log(p[y[i]!]!)
  })
  return { accuracy: correct / x.length, logLoss: loss / x.length, confusion }
}
