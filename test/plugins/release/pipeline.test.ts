/**
 * mltest/release pipelineTest: a real penguin pipeline (vega-datasets rows → standardised
 * features → tfjs training → a verification → ONNX export → an onnxruntime session) passes
 * with each stage's duration and output recorded; the same pipeline with a throwing stage
 * fails naming that stage, keeps its error as the cause and reports later stages as not run.
 */
import t from 'tap'
import * as tf from '@tensorflow/tfjs'
import * as ort from 'onnxruntime-node'
import { exportToOnnx } from '../../../plugins/parity/index.ts'
import { pipelineTest, type PipelineStage } from '../../../plugins/release/pipeline.ts'
import { describeOutput } from '../../../plugins/release/_internals/pipeline-outputs.ts'
import { buildPenguinModel, FEATURES, readPenguinRows, SPECIES } from '../../fixtures/models/penguin-model.ts'
import { inTestOf } from '../../in-test.ts'

await tf.setBackend('cpu')

const inTest = inTestOf(import.meta.filename, { seed: 1, name: 'pipeline' })

type Row = Record<string, string | number | null>
interface Features { x: number[][]; y: number[][] }

function stages(overrides: Partial<Record<string, PipelineStage['run']>> = {}): PipelineStage[] {
  const all: PipelineStage[] = [
    { name: 'assemble', run: () => readPenguinRows().filter((r) => FEATURES.every((f) => r[f] != null)) },
    {
      name: 'features',
      run: (rows: Row[]): Features => {
        const raw = rows.map((r) => FEATURES.map((f) => Number(r[f])))
        const mean = FEATURES.map((_, j) => raw.reduce((s, x) => s + x[j]!, 0) / raw.length)
        const std = FEATURES.map((_, j) => Math.sqrt(raw.reduce((s, x) => s + (x[j]! - mean[j]!) ** 2, 0) / raw.length))
        return { x: raw.map((x) => x.map((v, j) => (v - mean[j]!) / std[j]!)), y: rows.map((r) => SPECIES.map((s) => (r.Species === s ? 1 : 0))) }
      },
    },
    {
      name: 'train',
      run: async ({ x, y }: Features) => {
        const model = buildPenguinModel(3)
        const [xs, ys] = [tf.tensor2d(x), tf.tensor2d(y)]
        await model.fit(xs, ys, { epochs: 8, batchSize: 32, shuffle: false, verbose: 0 })
        tf.dispose([xs, ys])
        return model
      },
    },
    {
      name: 'verify',
      run: async (model: tf.Sequential, { artifacts }) => {
        const { x, y } = artifacts.features as Features
        const predicted = (model.predict(tf.tensor2d(x)) as tf.Tensor2D).argMax(1).arraySync() as number[]
        const accuracy = predicted.filter((p, i) => y[i]![p] === 1).length / predicted.length
        if (accuracy < 0.8) throw new Error(`accuracy ${accuracy} < 0.8`)
        return { model, accuracy }
      },
    },
    { name: 'export', run: async ({ model }: { model: tf.Sequential }) => exportToOnnx(model, { inputName: 'x', outputName: 'probs' }) },
    {
      name: 'serve',
      run: async (bytes: Uint8Array, { artifacts }) => {
        const session = await ort.InferenceSession.create(bytes)
        const { x } = artifacts.features as Features
        const out = await session.run({ x: new ort.Tensor('float32', Float32Array.from(x.slice(0, 4).flat()), [4, 4]) })
        return { session, probs: Array.from(out.probs!.data as Float32Array) }
      },
    },
  ]
  return all.map((s) => (overrides[s.name] ? { name: s.name, run: overrides[s.name]! } : s))
}

t.test('a real pipeline passes: every stage timed, its output described, artifacts passed along', async (t) => {
  const { result, error, checks } = await inTest(() => pipelineTest(stages()))
  t.equal(error, undefined)
  t.same(result!.stages.map((s) => [s.name, s.status]), [['assemble', 'passed'], ['features', 'passed'], ['train', 'passed'], ['verify', 'passed'], ['export', 'passed'], ['serve', 'passed']])
  t.equal(result!.stages[0]!.output, 'array of 342')
  t.equal(result!.stages[2]!.output, 'tfjs Sequential')
  t.match(result!.stages[4]!.output, /^[\d,]+ bytes$/)
  t.match(result!.stages[3]!.output, /^\{ model: tfjs Sequential, accuracy: 0\.\d+ \}$/)
  t.equal((result!.artifacts.serve as { probs: number[] }).probs.length, 12, 'the served session answered 4 requests × 3 classes')
  t.ok(result!.stages.every((s) => s.durationMs >= 0))
  const record = checks[0]!
  t.match(record, { check: 'pipelineTest', practice: 'pipeline-integration', verdict: 'pass', metrics: { stages: 6, stagesPassed: 6, failedStage: null, 'output.assemble': 'array of 342' } })
  t.equal(typeof record.metrics['ms.train'], 'number')
  t.match(record.summary, /6 stages passed in .* ms: assemble → features → train → verify → export → serve/)
  t.equal(record.figures?.[0]?.title, 'Pipeline stage durations')
})

t.test('a stage that throws fails the pipeline by name; later stages are not run', async (t) => {
  const bug = new Error('column "Flipper Length (mm)" not found')
  let trained = false
  const { error, checks } = await inTest(() => pipelineTest(stages({
    features: () => { throw bug },
    train: () => { trained = true },
  })))
  t.equal(error?.name, 'AssertionError')
  t.equal((error as Error & { cause?: unknown }).cause, bug, 'the stage error is the cause')
  t.match(error!.message, /^pipelineTest: stage "features" \(2 of 6\) failed: column "Flipper Length \(mm\)" not found/)
  t.match(error!.message, /3\. train\s+not run/)
  t.match(error!.message, /6\. serve\s+not run/)
  t.equal(trained, false, 'the train stage never ran')
  t.match(checks[0], { practice: 'pipeline-integration', verdict: 'fail', metrics: { stagesPassed: 1, failedStage: 'features' } })
  t.notOk('ms.train' in checks[0]!.metrics)
  // A verification that fails is a broken stage like any other.
  const weak = await inTest(() => pipelineTest(stages({ train: async ({ y }: Features) => {
    const model = buildPenguinModel(3) // untrained
    void y
    return model
  } })))
  t.match(weak.error?.message, /stage "verify" \(4 of 6\) failed: accuracy 0\.\d+ < 0\.8/)
})

t.test('bad stage lists are one-line errors', async (t) => {
  await t.rejects(pipelineTest([]), /stages must be a non-empty array of \{ name, run\(input, context\) \} \(got an empty array\)/)
  await t.rejects(pipelineTest([{ name: 'a', run: () => 1 }, { name: 'a', run: () => 2 }]), /two stages are named "a"/)
  await t.rejects(pipelineTest([{ name: 'a' } as PipelineStage]), /stage "a" has no run function/)
  t.equal(describeOutput({ rows: 3, path: '/tmp/x.onnx', ok: true }), '{ rows: 3, path: "/tmp/x.onnx", ok: true }')
  t.equal(describeOutput(new Float32Array(5)), 'Float32Array of 5')
  t.equal(describeOutput(tf.zeros([2, 3])), 'tensor [2, 3]')
})
