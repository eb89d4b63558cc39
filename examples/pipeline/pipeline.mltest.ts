/**
 * The whole release flow of a penguin species classifier, as one pipeline integration test:
 * assemble → features → train (tfjs) → verify (numerical stability, reproducible training,
 * quality on every island) → export (ONNX, with a provenance manifest) → serve
 * (onnxruntime) → canary against the version the registry serves → rollback drill. Each
 * stage hands its artifact to the next; `pipelineTest` times them and names the first that
 * breaks. `mltest run examples/pipeline --readiness` lists the practices this automates.
 */
import * as tf from '@tensorflow/tfjs'
import * as ort from 'onnxruntime-node'
import { join } from 'node:path'
import { expect, test } from 'mltest'
import { checkSlices } from 'mltest/quality'
import { exportToOnnx } from 'mltest/parity'
import { checkCanary, checkProvenance, openRegistry, pipelineTest, recordProvenance, rollbackDrill, type Registry } from 'mltest/release'
import { checkReproducible } from 'mltest/reproducibility'
import { arb, checkStability } from 'mltest/stability'
import { assemblePenguins, holdout, penguinFeatures, predictSpecies, trainClassifier, writeTraffic, type Features, type Penguin } from './penguin-pipeline.ts'

/** Fixed training seeds: the same code trains the same models, so every verdict is stable. */
const PREVIOUS_SEED = 11
const CANDIDATE_SEED = 23

async function onnxOutputs(path: string, inputs: number[][]): Promise<number[][]> {
  const session = await ort.InferenceSession.create(path)
  const out = await session.run({ x: new ort.Tensor('float32', Float32Array.from(inputs.flat()), [inputs.length, inputs[0]!.length]) })
  const probs = Array.from(out.probs!.data as Float32Array)
  return inputs.map((_, i) => probs.slice(i * 3, i * 3 + 3))
}

/** The release a server runs today: v1, trained earlier, registered with its golden outputs and latency budget. */
async function registryServingV1(dir: string, features: Features): Promise<Registry> {
  const registry = openRegistry(join(dir, 'registry'))
  const model = await trainClassifier(holdout(features).train, PREVIOUS_SEED)
  const path = join(dir, 'v1', 'model.onnx')
  await exportToOnnx(model, { path, inputName: 'x', outputName: 'probs' })
  recordProvenance({ model: path, params: { seed: PREVIOUS_SEED, epochs: 15, units: 8 } })
  const golden = features.x.slice(0, 16)
  // The manifest recordProvenance wrote beside the model goes into the registry with it.
  registry.register('v1', path, undefined, { golden: { inputs: golden, outputs: await onnxOutputs(path, golden) }, latencyBudgetMs: 20 })
  registry.setCurrent('v1')
  return registry
}

test('penguin classifier release pipeline', async (t) => {
  const dir = t.tmpdir()
  const result = await pipelineTest([
    { name: 'assemble', run: () => assemblePenguins() },
    { name: 'features', run: (rows: Penguin[]) => penguinFeatures(rows) },
    { name: 'train', run: (features: Features) => trainClassifier(holdout(features).train, CANDIDATE_SEED) },
    {
      name: 'verify',
      run: async (model: tf.Sequential, { artifacts }) => {
        const features = holdout(artifacts.features as Features)
        // Finite probabilities for any standardised input, however far out (a clipped range of ±1000 sd).
        await checkStability((x: tf.Tensor) => model.predict(x) as tf.Tensor, { inputs: arb.tfTensor({ shape: [8, 4], min: -1e3, max: 1e3 }), runs: 50 })
        // The recipe retrains to the same bits (two runs back to back on the cpu backend).
        await checkReproducible(({ seed }) => trainClassifier(features.train, seed, 5), { isolation: 'same-worker', backend: 'cpu', checkpoints: 'off' })
        // Good enough on each island of the held-out penguins, not just on average.
        const slices = await checkSlices({ data: features.test.rows, labels: features.test.labels, predictions: predictSpecies(model, features.test.x), sliceBy: 'Island', metric: 'accuracy', threshold: 0.75, minSliceSize: 20, resamples: 500 })
        return { model, slices: slices.slices.length }
      },
    },
    {
      name: 'export',
      run: async ({ model }: { model: tf.Sequential }, { artifacts }) => {
        const path = join(dir, 'v2', 'model.onnx')
        await exportToOnnx(model, { path, inputName: 'x', outputName: 'probs' })
        const { test } = holdout(artifacts.features as Features)
        const accuracy = predictSpecies(model, test.x).filter((p, i) => p === test.labels[i]).length / test.x.length
        recordProvenance({ model: path, params: { seed: CANDIDATE_SEED, epochs: 15, units: 8 }, metrics: { accuracy } })
        return path
      },
    },
    {
      name: 'serve',
      run: async (path: string, { artifacts }) => {
        checkProvenance(path)
        const features = artifacts.features as Features
        const served = (await onnxOutputs(path, features.x)).map((p) => p.indexOf(Math.max(...p)))
        const trained = predictSpecies((artifacts.verify as { model: tf.Sequential }).model, features.x)
        const differ = served.filter((p, i) => p !== trained[i]).length
        if (differ > 0) throw new Error(`the served model predicts another species than the trained one on ${differ} penguins`)
        return { path, requests: served.length }
      },
    },
    {
      name: 'canary',
      run: async ({ path }: { path: string }, { artifacts }) => {
        const features = artifacts.features as Features
        const registry = await registryServingV1(dir, features)
        const traffic = writeTraffic(join(dir, 'traffic.jsonl'), features.x)
        const canary = await checkCanary({ current: registry.current()!.modelPath, candidate: path, traffic, maxDisagreement: 0.05, maxPredictionDrift: 0.05, maxLatencyRatio: 2 })
        const golden = features.x.slice(0, 16)
        registry.register('v2', path, undefined, { golden: { inputs: golden, outputs: await onnxOutputs(path, golden) }, latencyBudgetMs: 20 })
        registry.setCurrent('v2')
        return { registry, disagreement: canary.disagreement.observed }
      },
    },
    {
      name: 'rollback',
      run: async ({ registry }: { registry: Registry }) => {
        const drill = await rollbackDrill({ registry })
        return { to: drill.to, restored: drill.restored, rollbackMs: drill.rollbackMs }
      },
    },
  ])
  expect(result.stages.map((s) => s.status)).toEqual(Array(8).fill('passed'))
  expect(result.artifacts.rollback).toMatchObject({ to: 'v1', restored: true })
}, { timeout: 60_000 })

test.fails('a features stage that lost a column stops the pipeline there, by name', async () => {
  await pipelineTest([
    { name: 'assemble', run: () => assemblePenguins().map(({ ['Body Mass (g)']: _, ...rest }) => rest) },
    { name: 'features', run: (rows: Penguin[]) => penguinFeatures(rows) },
    { name: 'train', run: (features: Features) => trainClassifier(features, CANDIDATE_SEED) },
  ])
}, { error: /^pipelineTest: stage "features" \(2 of 3\) failed: column "Body Mass \(g\)" not found/ })
