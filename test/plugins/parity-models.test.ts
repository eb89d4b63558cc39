/**
 * mltest/parity, model side: exportToOnnx checked by onnxruntime itself, checkModelParity's
 * numbers against hand-computed cases and on real tfjs / onnxruntime pairs, and the checks
 * run through the real CLI from a project importing 'mltest/parity'.
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import * as tf from '@tensorflow/tfjs'
import * as ort from 'onnxruntime-node'
import onnxProto from 'onnx-proto'
import { createRunningTest, runWithTest } from '../../core/worker/context.ts'
import type { CheckRecord } from '../../core/protocol.ts'
import { checkModelParity, exportToOnnx } from '../../plugins/parity/index.ts'

const repo = join(import.meta.dirname, '..', '..')
await tf.setBackend('cpu')

/** Runs `fn` as the body of a real running test, returning what it recorded and threw. */
async function inTest<T>(fn: () => Promise<T>) {
  const test = { id: 'x', file: import.meta.filename, suitePath: [], name: 'parity', fullName: 'parity', tags: [], mode: 'run' as const, expectFail: false, exclusive: false }
  const running = createRunningTest(test, 1, 99, 1, () => {}, {})
  const outcome = await runWithTest(running, fn).then((result) => ({ result, error: undefined }), (error: Error) => ({ result: undefined, error }))
  return { ...outcome, checks: running.checks as CheckRecord[] }
}

/** Every supported piece: each activation, a bias-free Dense, Dropout and an Activation layer. */
function denseStack(seed: number) {
  const init = (s: number) => tf.initializers.glorotUniform({ seed: seed * 10 + s })
  return tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [5], units: 8, activation: 'relu', kernelInitializer: init(1), biasInitializer: tf.initializers.randomNormal({ seed: seed + 100 }) }),
      tf.layers.dropout({ rate: 0.3 }),
      tf.layers.dense({ units: 6, activation: 'tanh', kernelInitializer: init(2) }),
      tf.layers.dense({ units: 6, activation: 'sigmoid', kernelInitializer: init(3), useBias: false }),
      tf.layers.dense({ units: 4, activation: 'linear', kernelInitializer: init(4) }),
      tf.layers.activation({ activation: 'relu' }),
      tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: init(5) }),
    ],
  })
}
const inputs = Array.from({ length: 64 }, (_, i) => Array.from({ length: 5 }, (_, j) => Math.sin(i * 5 + j + 1) * 3))

t.test('exportToOnnx: a valid ModelProto that onnxruntime runs to the tfjs outputs', async (t) => {
  const model = denseStack(1)
  const dir = mkdtempSync(join(tmpdir(), 'mltest-onnx-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const path = join(dir, 'nested', 'model.onnx')
  const bytes = await exportToOnnx(model, { path })
  t.same(new Uint8Array(readFileSync(path)), bytes, 'the file holds the returned bytes')

  const decoded = onnxProto.onnx.ModelProto.decode(bytes)
  t.equal(Number(decoded.irVersion), 8)
  t.same(decoded.opsetImport.map((o) => [o.domain, Number(o.version)]), [['', 13]])
  t.same(decoded.graph!.node!.map((n) => n.opType), ['MatMul', 'Add', 'Relu', 'MatMul', 'Add', 'Tanh', 'MatMul', 'Sigmoid', 'MatMul', 'Add', 'Relu', 'MatMul', 'Add', 'Softmax'])
  const input = decoded.graph!.input![0]!
  t.equal(input.name, model.inputs[0]!.name)
  t.same(input.type!.tensorType!.shape!.dim!.map((d) => d.dimParam || Number(d.dimValue)), ['batch', 5])
  t.equal(decoded.graph!.output![0]!.name, model.layers.at(-1)!.name)

  const session = await ort.InferenceSession.create(bytes)
  const { result, checks } = await inTest(() => checkModelParity(model, session, { inputs }))
  t.equal(result!.examples, 64)
  t.equal(result!.outputsPerExample, 3)
  t.equal(result!.top1Agreement, 1)
  t.ok(result!.maxAbsDiff < 1e-6, `max abs diff ${result!.maxAbsDiff}`)
  t.match(checks[0], { check: 'checkModelParity', practice: 'train-serve-skew', verdict: 'pass', metrics: { examples: 64, tolerance: 'atol 0.00001, rtol 0.00001' } })

  const opset17 = await ort.InferenceSession.create(await exportToOnnx(model, { opset: 17, inputName: 'x', outputName: 'probs' }))
  t.same([opset17.inputNames, opset17.outputNames], [['x'], ['probs']])
  await checkModelParity(model, opset17, { inputs })
})

t.test('exportToOnnx refuses what it cannot export, naming it', async (t) => {
  const conv = tf.sequential({ layers: [tf.layers.conv1d({ inputShape: [4, 1], filters: 2, kernelSize: 2, name: 'feature_conv' }), tf.layers.flatten(), tf.layers.dense({ units: 1 })] })
  await t.rejects(exportToOnnx(conv), /exportToOnnx: layer "feature_conv" \(Conv1D\) is not supported; supported layers: Dense, Activation, Dropout with activations linear, relu, sigmoid, tanh, softmax/)
  const elu = tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 2, activation: 'elu', name: 'hidden' })] })
  await t.rejects(exportToOnnx(elu), /layer "hidden" \(Dense\) uses activation "elu", which is not supported/)
  const x = tf.input({ shape: [2] })
  const functional = tf.model({ inputs: x, outputs: tf.layers.dense({ units: 1 }).apply(x) as tf.SymbolicTensor })
  await t.rejects(exportToOnnx(functional), /expected a tfjs Sequential model, got a Model; rebuild it with tf.sequential\(\)/)
  await t.rejects(exportToOnnx(denseStack(1), { opset: 11 }), /opset must be an integer from 13 to 18 \(got 11\)/)
  await t.rejects(exportToOnnx({} as never), /expected a tfjs Sequential model/)
})

t.test('checkModelParity: every report number against a hand-computed case', async (t) => {
  const reference = [[0.9, 0.1], [0.4, 0.6], [0.5, 0.5], [1, 0]]
  // Row 1 flips its top class (0.6 → 0.4), row 2 is 3 float32 ulps off at 0.5 (ulp 2^-24), row 3 is off by
  // 1e-6, which from 0 to 1e-6 spans 897988541 float32 values (bits of Math.fround(1e-6): 0x358637bd).
  const served = [[0.9, 0.1], [0.6, 0.4], [0.5 + 3 * 2 ** -24, 0.5], [1 - 1e-6, 1e-6]]
  const a = () => reference
  const b = (rows: number[][]) => served.slice(0, rows.length)
  const rows = [[1], [2], [3], [4]]
  const { error, checks } = await inTest(() => checkModelParity(a, b, { inputs: rows, names: ['reference', 'served'], tolerance: { atol: 1e-7 } }))
  t.equal(error!.name, 'AssertionError')
  const report = error!.message
  t.match(report, 'checkModelParity: reference (a, reference) vs served (b) on 4 inputs')
  t.match(report, 'tolerance per output: atol 1e-7 (relative to a); allowed fraction of inputs out of tolerance: 0')
  // out of tolerance: row 1 (0.2), row 2 (1.8e-7 > 1e-7), row 3 (1e-6) → 3/4; top-1 agrees on rows 0, 2, 3 → 3/4.
  t.match(report, 'max abs diff 0.2, max ulp diff')
  t.match(report, 'out of tolerance 3/4 (75.0%) · top-1 agreement 3/4 (75.0%) (threshold >= 100%)')
  t.match(report, '✗ 3/4 (75.0%) inputs have an output out of tolerance (allowed 0%)')
  t.match(report, '✗ top-1 class differs on 1 of 4 inputs')
  t.match(report, /worst inputs:\n {4}#1 input \[2\] → a \[0.4, 0.6\] b \[0.6, 0.4\] · max abs diff 0.2 \(\d+ ulps\) · top-1 1 vs 0\n {4}#3 input \[4\] → a \[1, 0\] b \[1, 1.000e-6\] · max abs diff 1.000e-6 \(897988541 ulps\)\n {4}#2 input \[3\] .* max abs diff 1.788e-7 \(3 ulps\)/)
  t.match(checks[0], { verdict: 'fail', metrics: { examples: 4, outputsPerExample: 2, maxAbsDiff: Math.abs(0.4 - 0.6), examplesOutOfTolerance: 3, fractionOutOfTolerance: 0.75, top1Agreement: 0.75, minTop1Agreement: 1 } })

  const lenient = await inTest(() => checkModelParity(a, b, { inputs: rows, tolerance: { ulps: 3 }, maxFractionOutOfTolerance: 0.5, minTop1Agreement: 0.75 }))
  t.equal(lenient.error, undefined, 'rows 1 and 3 out (2/4 = 0.5 allowed), top-1 3/4 allowed')
  t.match(lenient.result, { examplesOutOfTolerance: 2, fractionOutOfTolerance: 0.5, top1Agreement: 0.75, worstInputs: [1, 3, 2] })
  const regression = await checkModelParity((r: number[][]) => r.map((x) => x[0]! * 2), { predict: (r: number[][]) => new Float32Array(r.map((x) => x[0]! * 2)) }, { inputs: rows })
  t.equal(regression.top1Agreement, null, 'one output per input is not a classifier')

  await t.rejects(checkModelParity(a, () => [[1, 2, 3]], { inputs: rows }), /predict function returned shape \[1, 3\] for 4 inputs; expected one output row per input, \[4, \.\.\.\]/)
  await t.rejects(checkModelParity(a, () => [[1], [2], [3], [4]], { inputs: rows }), /output shapes differ: \[4, 2\] vs \[4, 1\]/)
  await t.rejects(checkModelParity(a, b, { inputs: [] }), /`inputs` is empty/)
  await t.rejects(checkModelParity(a, b, { inputs: [[1], [1, 2]] }), /input row #1 has 2 values but row #0 has 1/)
  await t.rejects(checkModelParity(a, 'model' as never, { inputs: rows }), /a model must be a tfjs model, an onnxruntime InferenceSession, a function/)
})

t.test('checkModelParity fails on a real export of different weights', async (t) => {
  const session = await ort.InferenceSession.create(await exportToOnnx(denseStack(2)))
  const { error, checks } = await inTest(() => checkModelParity(denseStack(1), session, { inputs }))
  t.equal(error!.name, 'AssertionError')
  t.match(error!.message, /checkModelParity: tfjs Sequential \(a, reference\) vs onnxruntime session \(b\) on 64 inputs/)
  t.match(error!.message, /✗ \d+\/64 \(\d+\.\d%\) inputs have an output out of tolerance/)
  t.equal(checks[0]!.verdict, 'fail')
})

t.test('the real CLI runs parity checks through the mltest/parity export and reports them', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mltest-parity-e2e-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  mkdirSync(join(dir, 'node_modules'))
  symlinkSync(repo, join(dir, 'node_modules', 'mltest'), 'dir')
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }))
  writeFileSync(join(dir, 'skew.mltest.ts'), [
    `import { test } from 'mltest'`,
    `import { checkFeatureParity } from 'mltest/parity'`,
    `const records = ['Biscoe', 'Dream', 'Dream', 'Torgersen'].map((island) => ({ island }))`,
    `const oneHot = (order: string[]) => (r: { island: string }) => ({ island: order.map((c) => (c === r.island ? 1 : 0)) })`,
    `const training = oneHot(['Biscoe', 'Dream', 'Torgersen'])`,
    `test('matching pipelines', () => checkFeatureParity({ records, training, serving: training }))`,
    `test.fails('swapped order is caught', () => checkFeatureParity({ records, training, serving: oneHot(['Dream', 'Biscoe', 'Torgersen']) }))`,
    `test('swapped order fails', () => checkFeatureParity({ records, training, serving: oneHot(['Dream', 'Biscoe', 'Torgersen']) }))`,
  ].join('\n'))
  const run = spawnSync(process.execPath, [join(repo, 'bin', 'mltest.mjs'), 'run', '--no-color', '--workers', '1'], { cwd: dir, encoding: 'utf8', timeout: 60_000 })
  const output = run.stdout + run.stderr
  t.equal(run.status, 1, output)
  t.match(output, 'mltest: 2 passed, 1 failed')
  t.match(output, 'checkFeatureParity [train-serve-skew] pass — 0/1 features skewed over 4 examples')
  t.match(output, 'checkFeatureParity: 1 of 1 features skewed across 4 examples (3 examples with any skew)')
  t.match(output, 'island: skewed in 3/4 (75.0%) examples · tolerance exact · max abs diff 1')
  t.match(output, '#0  training [1, 0, 0]  serving [0, 1, 0]')
})
