import * as tf from '@tensorflow/tfjs'
import { describe, expect, test } from 'mltest'
import { checkReproducible, checkTrainingStep, seedEverything } from 'mltest/reproducibility'
import { buildPenguinModel, penguinTensors, trainPenguinsCarelessly, FEATURES } from './penguin-model.ts'

// Each run of a separate-workers check imports this module in a fresh worker thread.
const penguinModel = new URL('./penguin-model.ts', import.meta.url)

// `test.fails(..., { error })`: only the check's own report counts as the expected failure, so a
// typo or a missing package cannot pass for the demo.

describe('training is reproducible', () => {
  test('seeded penguin classifier: identical across separate workers, on cpu and on wasm', async () => {
    const result = await checkReproducible({ module: penguinModel, export: 'trainPenguins' }, { backend: ['cpu', 'wasm'] })
    for (const group of result.groups) {
      // One weights hash per backend, and all 4 tensors (2 kernels, 2 biases) were compared.
      expect(new Set(group.runs.map((r) => r.weightsSha256)).size).toBe(1)
      expect(group.comparisons[0]!.tensors).toHaveLength(4)
    }
    const [cpu, wasm] = result.groups
    expect(cpu!.runs[0]!.weightsSha256).not.toBe(wasm!.runs[0]!.weightsSha256) // backends give different bits
    expect(cpu!.runs[0]!.metrics.acc).toBeGreaterThan(0.8)
  }, { timeout: 120_000 })

  test.fails('an unseeded initializer and shuffle: true are caught, first divergent tensor named', async () => {
    await checkReproducible({ module: penguinModel, export: 'trainPenguinsCarelessly' }, { backend: 'cpu' })
  }, { timeout: 120_000, error: /first divergent tensor: dense_Dense1\/kernel[^]*unseeded initializer: dense_Dense1\.kernelInitializer[^]*shuffle: true/ })

  test('seedEverything makes the careless version reproducible (same worker)', async () => {
    const seeded = async ({ seed }: { seed: number }) => {
      const seeding = seedEverything(seed)
      try {
        return await trainPenguinsCarelessly()
      } finally {
        seeding.restore()
      }
    }
    const result = await checkReproducible(seeded, { isolation: 'same-worker', backend: 'cpu' })
    expect(result.groups[0]!.runs[0]!.diagnostics.unseededRandomCalls).toBe(0)
  }, { timeout: 120_000 })
})

describe('model unit tests: one gradient step', () => {
  test('the penguin classifier trains: loss changes, every variable moves', async (t) => {
    const result = await checkTrainingStep(buildPenguinModel(t.seed))
    expect(result.lossAfter).not.toBe(result.lossBefore)
  })

  test.fails('a head whose output the loss ignores does not train', async () => {
    const input = tf.input({ shape: [FEATURES.length] })
    const hidden = tf.layers.dense({ units: 8, activation: 'relu', name: 'hidden' }).apply(input) as tf.SymbolicTensor
    const species = tf.layers.dense({ units: 3, activation: 'softmax', name: 'species' }).apply(hidden) as tf.SymbolicTensor
    const mass = tf.layers.dense({ units: 1, name: 'body_mass' }).apply(hidden) as tf.SymbolicTensor
    const model = tf.model({ inputs: input, outputs: [species, mass] })
    // The bug: the loss only looks at the species head, so body_mass never learns.
    await checkTrainingStep(model, { loss: (targets, outputs) => tf.losses.softmaxCrossEntropy(targets[0]!, outputs[0]!) as tf.Scalar })
  }, { error: /body_mass\/kernel \[8,1\]: no gradient — its output is not connected to the loss/ })

  test.fails('unmeasured penguins (null features) make the loss NaN', async (t) => {
    const { x, y } = penguinTensors({ dropMissing: false })
    await checkTrainingStep(buildPenguinModel(t.seed), { inputs: x, targets: y })
  }, { error: /\d+ gradient\(s\) not finite/ })
})
