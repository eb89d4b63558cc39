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
import { checkModelParity, exportToOnnx } from '../../plugins/parity/index.ts'
import { checkBatchFits } from '../../plugins/parity/_internals/model-inputs.ts'
import { buildMlp, SMALL_MLP } from '../fixtures/models/mlp-model.ts'
import { buildPenguinModel } from '../fixtures/models/penguin-model.ts'
import { inTestOf } from '../in-test.ts'

const repo = join(import.meta.dirname, '..', '..')
await tf.setBackend('cpu')

/** Runs `fn` as the body of a real running test, returning what it recorded and threw. */
const inTest = inTestOf(import.meta.filename, { seed: 1, name: 'parity' })

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
  t.match(checks[0], { check: 'checkModelParity', practice: 'train-serve-skew', verdict: 'pass', metrics: { examples: 64, tolerance: 'atol 1e-5, rtol 1e-5' } })

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
  await t.rejects(exportToOnnx(denseStack(1), { opset: 11 }), { message: 'exportToOnnx: option "opset" must be an integer >= 13 (got 11)' })
  await t.rejects(exportToOnnx({} as never), /expected a tfjs Sequential model/)
  await t.rejects(exportToOnnx(denseStack(1), { inputName: '' }), { message: 'exportToOnnx: option "inputName" must be a non-empty string (got "")' })
  await t.rejects(exportToOnnx(denseStack(1), { outputName: 3 as never }), { message: 'exportToOnnx: option "outputName" must be a non-empty string (got 3)' })
  await t.rejects(exportToOnnx(denseStack(1), { path: '' }), { message: 'exportToOnnx: option "path" must be a non-empty string (got "")' })
  await t.rejects(exportToOnnx(denseStack(1), { inputName: 'x', outputName: 'x' }), /inputName and outputName are both "x"; an ONNX graph needs distinct names/)
  const dir = mkdtempSync(join(tmpdir(), 'mltest-onnx-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  writeFileSync(join(dir, 'file'), '')
  await t.rejects(exportToOnnx(denseStack(1), { path: join(dir, 'file', 'model.onnx') }), /ENOTDIR|EEXIST/, 'a path under a file is refused by the file system')
})

t.test('checkModelParity: every report number against a hand-computed case', async (t) => {
  const reference = [[0.9, 0.1], [0.4, 0.6], [0.5, 0.5], [1, 0]]
  // Row 1 flips its top class (0.6 → 0.4), row 2 is 3 float32 ulps off at 0.5 (ulp 2^-24; both values are
  // float32 values), row 3 is off by 1e-6, not a float32 value, so it is counted in float64 ulps: from 0 to
  // 1e-6 lie 4517329193108106637 doubles (the bits of 1e-6, 0x3eb0c6f7a0b5ed8d).
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
  t.match(report, 'max abs diff 0.2, max ulp diff ')
  t.match(report, 'float64 ulps, out of tolerance 3/4 (75.0%) · top-1 agreement 3/4 (75.0%) (threshold >= 100%) · non-finite outputs a 0 / b 0 of 8')
  t.match(report, '✗ 3/4 (75.0%) inputs have an output out of tolerance (allowed 0%)')
  t.match(report, '✗ top-1 class differs on 1 of 4 inputs')
  t.match(report, /worst inputs:\n {4}#1 input \[2\] → a \[0.4, 0.6\] b \[0.6, 0.4\] · max abs diff 0.2 \([\d.e+]+ float64 ulps\) · top-1 1 vs 0\n {4}#3 input \[4\] → a \[1, 0\] b \[1, 1e-6\] · max abs diff 1e-6 \(4.517e\+18 float64 ulps\)\n {4}#2 input \[3\] .* max abs diff 1.788e-7 \(3 float32 ulps\)/)
  t.match(checks[0], { verdict: 'fail', metrics: { examples: 4, outputsPerExample: 2, maxAbsDiff: Math.abs(0.4 - 0.6), maxUlpDiffFloat64: 4517329193108106637, nonFiniteA: 0, nonFiniteB: 0, examplesOutOfTolerance: 3, fractionOutOfTolerance: 0.75, top1Agreement: 0.75, minTop1Agreement: 1 } })

  const lenient = await inTest(() => checkModelParity(a, b, { inputs: rows, tolerance: { ulps: 3 }, maxFractionOutOfTolerance: 0.5, minTop1Agreement: 0.75 }))
  t.equal(lenient.error, undefined, 'rows 1 and 3 out (2/4 = 0.5 allowed), top-1 3/4 allowed')
  t.match(lenient.result, { examplesOutOfTolerance: 2, fractionOutOfTolerance: 0.5, top1Agreement: 0.75, worstInputs: [1, 3, 2] })
  const regression = await checkModelParity((r: number[][]) => r.map((x) => x[0]! * 2), { predict: (r: number[][]) => new Float32Array(r.map((x) => x[0]! * 2)) }, { inputs: rows })
  t.equal(regression.top1Agreement, null, 'one output per input is not a classifier')

  await t.rejects(checkModelParity(a, () => [[1, 2, 3]], { inputs: rows }), /checkModelParity: b \(predict function\) returned shape \[1, 3\] for 4 inputs; expected one output row per input, \[4, \.\.\.\]/)
  await t.rejects(checkModelParity(a, () => [[1], [2], [3], [4]], { inputs: rows }), /output shapes differ: \[4, 2\] vs \[4, 1\]/)
  await t.rejects(checkModelParity(a, b, { inputs: [] }), { message: 'checkModelParity: option "inputs" is empty; pass the input rows' })
  await t.rejects(checkModelParity(a, b, { inputs: [[1], [1, 2]] }), /input row #1 has 2 values but row #0 has 1/)
  await t.rejects(checkModelParity(a, 'model' as never, { inputs: rows }), /checkModelParity: b must be a tfjs model, an onnxruntime InferenceSession, a function/)
  await t.rejects((checkModelParity as (a: unknown, b: unknown) => Promise<unknown>)(a, b), /^checkModelParity: expected an options object as the third argument, e.g. checkModelParity\(a, b, \{ inputs \}\) \(got undefined\)$/)
  await t.rejects(checkModelParity(a, b, { inputs: 'rows' as never }), { message: 'checkModelParity: option "inputs" must be an array of input rows (got "rows")' })
  await t.rejects(checkModelParity(a, b, { inputs: rows, allowNonFinite: 'yes' as never }), { message: 'checkModelParity: option "allowNonFinite" must be a boolean (got "yes")' })
})

t.test('checkModelParity: non-finite outputs fail unless allowed, even when both sides agree', async (t) => {
  const rows = [[1], [2], [3], [4]]
  const allNaN = () => rows.map(() => [NaN, NaN])
  const nan = await inTest(() => checkModelParity(allNaN, allNaN, { inputs: rows, names: ['broken', 'also broken'] }))
  t.equal(nan.error?.name, 'AssertionError', 'NaN == NaN and argmax 0 == 0 is not parity')
  t.match(nan.error!.message, '✗ non-finite outputs: a 8 of 8 (NaN 8, ±Infinity 0), b 8 of 8 (NaN 8, ±Infinity 0); threshold 0 (pass allowNonFinite: true to compare them as values)')
  t.match(nan.checks[0], { verdict: 'fail', metrics: { nonFiniteA: 8, nonFiniteB: 8, allowNonFinite: false, top1Agreement: 1 } })
  const allowed = await inTest(() => checkModelParity(allNaN, allNaN, { inputs: rows, allowNonFinite: true }))
  t.equal(allowed.error, undefined, 'allowNonFinite compares NaN as a value')
  t.match(allowed.result, { nonFiniteA: 8, nonFiniteB: 8, examplesOutOfTolerance: 0 })

  // One infinite output in b, otherwise identical finite outputs: the worst input shown is the broken one.
  const good = (r: number[][]) => r.map((x) => [x[0]! / 10, 1 - x[0]! / 10])
  const oneInf = (r: number[][]) => good(r).map((o, i) => (i === 2 ? [o[0]!, Infinity] : o))
  const inf = await inTest(() => checkModelParity(good, oneInf, { inputs: rows, allowNonFinite: false }))
  t.match(inf.error!.message, '✗ non-finite outputs: a 0 of 8 (NaN 0, ±Infinity 0), b 1 of 8 (NaN 0, ±Infinity 1)')
  t.match(inf.error!.message, /worst inputs:\n {4}#2 input \[3\]/)
  t.equal((await checkModelParity(good, good, { inputs: rows })).nonFiniteB, 0, 'finite outputs pass')
})

t.test('checkModelParity: exact and ulps tolerances count float32 or float64 ulps, and the classifier override', async (t) => {
  const rows = [[1], [2]]
  const base = [[0.25, 0.375], [0.3125, 0.4375]]
  // Every value lies in [0.25, 0.5), where one float32 ulp is 2^-25; the shifted values are float32 values too.
  const shifted = (ulps: number) => () => base.map((o) => o.map((v) => v + ulps * 2 ** -25))
  const ref = () => base
  const exact = await inTest(() => checkModelParity(ref, shifted(1), { inputs: rows, tolerance: 'exact' }))
  t.match(exact.error!.message, 'tolerance per output: exact (relative to a)')
  t.match(exact.error!.message, '✗ 2/2 (100.0%) inputs have an output out of tolerance')
  t.equal((await checkModelParity(ref, () => base.map((o) => [...o]), { inputs: rows, tolerance: 'exact' })).examplesOutOfTolerance, 0, 'identical outputs pass exact')

  const one = await checkModelParity(ref, shifted(1), { inputs: rows, tolerance: { ulps: 1 } })
  t.match(one, { maxUlpDiff: 1, maxUlpDiffFloat64: null, examplesOutOfTolerance: 0 }, '1 float32 ulp is within { ulps: 1 }')
  const two = await inTest(() => checkModelParity(ref, shifted(2), { inputs: rows, tolerance: { ulps: 1 } }))
  t.match(two.error!.message, 'tolerance per output: <= 1 ulps (float32 ulps when both values are float32, else float64)')
  t.match(two.error!.message, 'max ulp diff 2 float32 ulps')

  // A served model that rounds to float32: the float64 reference and its float32 rounding are one float32
  // value, so float32 ulps would say 0; in float64 ulps they are far apart, and { ulps: 0 } is exact.
  const thirds = () => [[1 / 3, 2 / 3]]
  const rounded = () => [[Math.fround(1 / 3), Math.fround(2 / 3)]]
  const f32 = await inTest(() => checkModelParity(thirds, rounded, { inputs: [[1]], tolerance: { ulps: 0 } }))
  t.equal(f32.error?.name, 'AssertionError')
  t.match(f32.error!.message, /max ulp diff \d+ float64 ulps/)
  t.ok((f32.checks[0]!.metrics.maxUlpDiffFloat64 as number) > 1e6, `float64 ulps ${f32.checks[0]!.metrics.maxUlpDiffFloat64}`)
  t.equal(f32.checks[0]!.metrics.maxUlpDiff, null, 'no pair of float32 values')

  // Within atol 0.05 everywhere, but the top class flips: a classifier by default (2 columns), not with classifier: false.
  const close = () => [[0.51, 0.49]]
  const flipped = () => [[0.49, 0.51]]
  const asClassifier = await inTest(() => checkModelParity(close, flipped, { inputs: [[1]], tolerance: { atol: 0.05 } }))
  t.match(asClassifier.error!.message, '✗ top-1 class differs on 1 of 1 inputs')
  const notClassifier = await checkModelParity(close, flipped, { inputs: [[1]], tolerance: { atol: 0.05 }, classifier: false })
  t.match(notClassifier, { top1Agreement: null, examplesOutOfTolerance: 0 })
  const forced = await inTest(() => checkModelParity((r: number[][]) => r.map(() => [0.51]), (r: number[][]) => r.map(() => [0.49]), { inputs: [[1]], tolerance: { atol: 0.05 }, classifier: true }))
  t.equal(forced.error, undefined, 'classifier: true on one column: argmax is always 0, agreement 1')
  t.equal(forced.result!.top1Agreement, 1)
})

t.test('checkModelParity fails on a real export of different weights', async (t) => {
  const session = await ort.InferenceSession.create(await exportToOnnx(denseStack(2)))
  const { error, checks } = await inTest(() => checkModelParity(denseStack(1), session, { inputs }))
  t.equal(error!.name, 'AssertionError')
  t.match(error!.message, /checkModelParity: tfjs Sequential \(a, reference\) vs onnxruntime session \(b\) on 64 inputs/)
  t.match(error!.message, /✗ \d+\/64 \(\d+\.\d%\) inputs have an output out of tolerance/)
  t.equal(checks[0]!.verdict, 'fail')
})

t.test('checkModelParity: rows a model cannot take name the check, the side, the expected and the given shape', async (t) => {
  // Real models: the penguin classifier (tfjs, 4 measurements) and the small MLP (ONNX, x: float32 [batch, 64]).
  const penguins = buildPenguinModel(1)
  const session = await ort.InferenceSession.create(buildMlp(SMALL_MLP))
  const name = penguins.inputs[0]!.name
  const rows4 = Array.from({ length: 5 }, (_, i) => [40 + i, 18, 190, 3800])
  const rows64 = Array.from({ length: 5 }, (_, i) => Array.from({ length: 64 }, (_, j) => Math.sin(i + j)))
  const three = (rows: number[][]) => rows.map(() => [0.2, 0.3, 0.5])
  const ten = (rows: number[][]) => rows.map(() => Array.from({ length: 10 }, () => 0.1))
  const tfjsWidth = (side: string) => `checkModelParity: ${side}: input '${name}' takes 4 values per row, but the rows have 64 (expected ${name}: float32 [batch, 4], given float32 [5, 64]) — pass rows of 4 values, in the model's feature order`
  const ortWidth = (side: string) => `checkModelParity: ${side}: input 'x' takes 64 values per row, but the rows have 4 (expected x: float32 [batch, 64], given float32 [5, 4]) — pass rows of 64 values, in the model's feature order`
  await t.rejects(checkModelParity(penguins, three, { inputs: rows64 }), { name: 'TypeError', message: tfjsWidth('a (tfjs Sequential, the reference)') })
  await t.rejects(checkModelParity(three, penguins, { inputs: rows64 }), { message: tfjsWidth('b (tfjs Sequential)') })
  await t.rejects(checkModelParity(session, ten, { inputs: rows4 }), { name: 'TypeError', message: ortWidth('a (onnxruntime session, the reference)') })
  await t.rejects(checkModelParity(ten, session, { inputs: rows4, names: ['reference', 'served'] }), { message: ortWidth('b (served)') })
  // The rows each model takes still run.
  t.equal((await checkModelParity(penguins, penguins, { inputs: rows4 })).examples, 5)
  t.equal((await checkModelParity(session, session, { inputs: rows64 })).outputsPerExample, 10)
  await session.release()

  // What model metadata can declare beyond the width: dtype, rank, a fixed batch size.
  const fits = (shape: (number | string | null)[], dtype = 'float32') => () => checkBatchFits({ name: 'x', dtype, shape }, 5, 4, 'b (onnxruntime session)')
  t.throws(fits(['batch', 4], 'float64'), { message: "checkModelParity: b (onnxruntime session): input 'x' is float64, but checkModelParity feeds float32 (expected x: float64 [batch, 4], given float32 [5, 4]) — wrap the model in a predict function that converts the rows" })
  t.throws(fits([null, 4, 1]), { message: "checkModelParity: b (onnxruntime session): input 'x' has rank 3, but checkModelParity feeds rank 2, one row per input (expected x: float32 [batch, 4, 1], given float32 [5, 4]) — wrap the model in a predict function that reshapes the rows" })
  t.throws(fits([1, 4]), { message: "checkModelParity: b (onnxruntime session): input 'x' takes a batch of exactly 1, but there are 5 rows (expected x: float32 [1, 4], given float32 [5, 4]) — pass 1 row, or wrap the model in a predict function that runs them 1 at a time" })
  t.doesNotThrow(fits(['n', 4]))
  t.doesNotThrow(fits([-1, -1]))
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
