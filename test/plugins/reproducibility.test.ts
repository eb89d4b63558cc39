// mltest/reproducibility in-process: float32 ULP arithmetic, the comparison and its report on
// plain-JS models (backend 'none'), real tfjs training in this thread (cpu, wasm),
// seedEverything, and checkTrainingStep on good and broken models.
import * as tf from '@tensorflow/tfjs'
import t from 'tap'
import type { RegisteredPlugin } from '../../core/hooks.ts'
import {
  checkReproducible, checkTrainingStep, diffArrays, reproducibilityPlugin, seedEverything, ulpDistance,
  type ModelAdapter, type ReproducibilityResult, type TrainContext,
} from '../../plugins/reproducibility/index.ts'
import { compareMetrics } from '../../plugins/reproducibility/_internals/compare-runs.ts'
import { buildPenguinModel, penguinTensors, trainPenguins, trainPenguinsCarelessly } from '../fixtures/models/penguin-model.ts'
import { rejectionOf } from '../failure-of.ts'

const failureOf = (check: Promise<unknown>) => rejectionOf<Error & { result: ReproducibilityResult }>(check)

/** A plain-JS "model": two named weight tensors and a linear predict. */
function adapter(first: number[], second: number[]): ModelAdapter {
  return {
    namedWeights: () => [
      { name: 'layer1/w', shape: [first.length], values: Float32Array.from(first) },
      { name: 'layer2/w', shape: [second.length], values: Float32Array.from(second) },
    ],
    predict: (probe) => ({ shape: [probe.shape[0]!], values: Float32Array.from({ length: probe.shape[0]! }, (_, i) => probe.values[i]! * second[0]!) }),
  }
}

t.test('ulpDistance matches known float32 spacings', async (t) => {
  t.equal(ulpDistance(1, 1 + 2 ** -23, 'float32'), 1, 'next float after 1')
  t.equal(ulpDistance(1, 1 - 2 ** -24, 'float32'), 1, 'previous float before 1 (finer spacing below 1)')
  t.equal(ulpDistance(0, -0, 'float32'), 0, '+0 and -0')
  t.equal(ulpDistance(0, 2 ** -149, 'float32'), 1, 'smallest subnormal')
  t.equal(ulpDistance(-(2 ** -149), 2 ** -149, 'float32'), 2, 'across zero')
  t.equal(ulpDistance(1, -1, 'float32'), 2 * 0x3f800000, 'sign flip of 1')
  t.equal(ulpDistance(NaN, NaN, 'float32'), 0)
  t.equal(ulpDistance(NaN, 1, 'float32'), Infinity)
  t.equal(ulpDistance(1, 1 + 1e-9, 'float32'), 0, 'float32: doubles that round to the same float32 are 0 apart')
  t.equal(ulpDistance(1, 1 + 2 ** -52, 'float64'), 1, 'next double after 1')
  t.ok(ulpDistance(1, 1 + 1e-9, 'float64') > 4e6, 'float64: 1e-9 above 1 is millions of double steps')
  t.equal(ulpDistance(0, -0, 'float64'), 0)
  t.equal(ulpDistance(-5e-324, 5e-324, 'float64'), 2, 'across zero through the smallest doubles')
  t.equal(ulpDistance(NaN, 1, 'float64'), Infinity)
})

t.test('diffArrays compares at the values\' own precision; zero tolerance means bit equality', async (t) => {
  const f32 = diffArrays(Float32Array.of(1), Float32Array.of(1 + 1e-9))
  t.ok(f32.identical, 'both stored as float32: 1 + 1e-9 is 1')
  t.equal(f32.precision, 'float32')
  const f64 = diffArrays(Float64Array.of(1, 2), Float64Array.of(1 + 1e-9, 2))
  t.same({ precision: f64.precision, identical: f64.identical, violating: f64.violating, firstViolation: f64.firstViolation }, { precision: 'float64', identical: false, violating: 1, firstViolation: 0 })
  t.equal(f64.maxUlp, ulpDistance(1, 1 + 1e-9, 'float64'))
  t.equal(diffArrays([1], [1 + 1e-9]).violating, 1, 'plain numbers are doubles')
  t.equal(diffArrays([1], [1 + 1e-9], { atol: 1e-8 }).violating, 0)
  t.equal(diffArrays([1], [1 + 2 ** -52], { ulps: 1 }).violating, 0, 'one float64 step allowed')
  t.equal(diffArrays([0], [-0]).violating, 1, '+0 and -0 differ in their bits')
  t.equal(diffArrays(Float32Array.of(0), Float32Array.of(-0)).violating, 1)
  t.equal(diffArrays([0], [-0], { ulps: 1 }).violating, 0, 'but are 0 ULPs apart')
})

t.test('diffArrays: counts, maxima, first violation and tolerances', async (t) => {
  const a = Float32Array.of(1, 2, 3, 4)
  const b = Float32Array.of(1, 2 + 2 ** -22, 3, 4.5)
  const d = diffArrays(a, b)
  t.same({ identical: d.identical, differing: d.differing, violating: d.violating, firstViolation: d.firstViolation }, { identical: false, differing: 2, violating: 2, firstViolation: 1 })
  t.equal(d.maxAbsDiff, 0.5)
  t.equal(d.maxUlp, ulpDistance(4, 4.5, 'float32'))
  t.equal(diffArrays(a, b, { ulps: 1 }).violating, 1, 'one ULP at 2 is allowed, 4 → 4.5 is not')
  t.equal(diffArrays(a, b, { atol: 0.5 }).violating, 0)
  t.equal(diffArrays(a, b, { rtol: 0.1 }).violating, 1, 'relative to the reference: 0.5 > 0.1 * 4')
  t.equal(diffArrays(a, b, { rtol: 0.125 }).violating, 0, '0.5 <= 0.125 * 4')
  t.ok(diffArrays([1, NaN], [1, NaN]).identical, 'NaN equals NaN for reproducibility')
  t.throws(() => diffArrays([1], [1, 2]), /different lengths/)
})

t.test('checkReproducible on a deterministic plain-JS model passes (backend none)', async (t) => {
  const train = () => ({ model: adapter([1, 2], [3]), metrics: { loss: 0.25 } })
  const result = await checkReproducible(train, { isolation: 'same-worker', backend: 'none', runs: 3, probe: [[1], [2]] })
  t.ok(result.reproducible)
  const [group] = result.groups
  t.equal(group!.comparisons.length, 2, 'runs 2 and 3 are each compared with run 1')
  t.equal(new Set(group!.runs.map((r) => r.weightsSha256)).size, 1, 'one SHA-256 for all runs')
  t.same(group!.runs[0]!.predictions!.values, Float32Array.from([3, 6]))
  t.match(result.report, /training is reproducible/)
})

t.test('checkReproducible names the first divergent tensor and Math.random as the source', async (t) => {
  const train = () => adapter([1, 2], [3, Math.random()])
  const error = await failureOf(checkReproducible(train, { isolation: 'same-worker', backend: 'none' }))
  t.equal(error.name, 'AssertionError')
  const c = error.result.groups[0]!.comparisons[0]!
  t.equal(c.firstDivergentTensor?.name, 'layer2/w', 'layer1 is identical, layer2 differs')
  t.ok(c.tensors[0]!.diff.identical)
  t.equal(c.tensors[1]!.diff.differing, 1)
  t.equal(c.tensors[1]!.diff.total, 2)
  t.match(error.message, /first divergent tensor: layer2\/w \(tensor 2 of 2/)
  t.match(error.message, /Math\.random was called during training without a seed \(run 1: 1, run 2: 1\)/)
  t.match(error.message, /replay: checkReproducible\(train, \{ seed: \d+, backend: 'none', isolation: 'same-worker', runs: 2 \}\)/)
  t.not(error.result.groups[0]!.runs[0]!.weightsSha256, error.result.groups[0]!.runs[1]!.weightsSha256)
})

t.test('tolerance and compare decide what counts as reproducible', async (t) => {
  // Run 2 is one float32 step away from run 1 in one weight; metrics drift slightly.
  const train = ({ run }: TrainContext) => ({ model: adapter([1, run === 1 ? 1 : 1 + 2 ** -23], [3]), metrics: { loss: 0.5 + run * 1e-4 } })
  const strict = await failureOf(checkReproducible(train, { isolation: 'same-worker', backend: 'none' }))
  t.equal(strict.result.groups[0]!.comparisons[0]!.tensors[0]!.diff.maxUlp, 1)
  t.match(strict.message, /metrics: loss 0\.5001 vs 0\.5002/)
  const weightsOnly = await checkReproducible(train, { isolation: 'same-worker', backend: 'none', tolerance: { ulps: 1 }, compare: ['weights'] })
  t.ok(weightsOnly.reproducible, '1 ULP allowed and metrics not compared')
  const metricsTooStrict = await failureOf(checkReproducible(train, { isolation: 'same-worker', backend: 'none', tolerance: { ulps: 1 } }))
  t.ok(metricsTooStrict.result.groups[0]!.comparisons[0]!.metrics.some((m) => !m.within), 'the metric drift still fails')
})

/** A float64 "model" (a Float64Array or plain numbers): compared and hashed at float64. */
function float64Adapter(values: ArrayLike<number>): ModelAdapter {
  return { namedWeights: () => [{ name: 'w', shape: [values.length], values: values as Float64Array }] }
}

t.test('float64 weights and metrics are compared bit for bit at float64', async (t) => {
  // 1 and 1 + 1e-9 round to the same float32: a float32 comparison would call these identical.
  const drifting = ({ run }: TrainContext) => ({ model: float64Adapter(Float64Array.of(0.5, run === 1 ? 1 : 1 + 1e-9)), metrics: { loss: 0.25 } })
  const error = await failureOf(checkReproducible(drifting, { isolation: 'same-worker', backend: 'none' }))
  const [run1, run2] = error.result.groups[0]!.runs
  t.ok(run1!.weights[0]!.values instanceof Float64Array, 'the adapter\'s Float64Array is kept')
  t.not(run1!.weightsSha256, run2!.weightsSha256, 'the SHA-256 covers the float64 bytes')
  const c = error.result.groups[0]!.comparisons[0]!
  t.equal(c.firstDivergentTensor?.name, 'w')
  t.equal(c.firstDivergentTensor?.diff.precision, 'float64')
  t.match(error.message, /w +\[2\] +no +1e-9 +4503\d{3} \(f64\)/)
  const plain = await checkReproducible(() => ({ model: float64Adapter([0.5, 1 + 1e-9]) }), { isolation: 'same-worker', backend: 'none' })
  t.ok(plain.reproducible, 'identical doubles (given as plain numbers) pass')
  t.equal(plain.groups[0]!.runs[0]!.weightsSha256, plain.groups[0]!.runs[1]!.weightsSha256)

  const metric = ({ run }: TrainContext) => ({ model: adapter([1], [2]), metrics: { loss: run === 1 ? 0.3 : 0.1 + 0.2 } })
  const metricError = await failureOf(checkReproducible(metric, { isolation: 'same-worker', backend: 'none' }))
  t.same(metricError.result.groups[0]!.comparisons[0]!.metrics.map((m) => [m.name, m.identical, m.within]), [['loss', false, false]], '0.3 and 0.1 + 0.2 are one double apart')
  t.ok((await checkReproducible(metric, { isolation: 'same-worker', backend: 'none', tolerance: { ulps: 1 } })).reproducible, 'and agree within 1 float64 ULP')
})

t.test('metrics are counted in float32 ULPs when both values are float32 values', async (t) => {
  // tfjs fit logs hold float32 losses as doubles: two float32 steps apart is float32 noise.
  const bits = new Int32Array(1)
  const f = new Float32Array(bits.buffer)
  f[0] = 0.7
  const loss1 = f[0]!
  bits[0]! += 2
  const loss2 = f[0]!
  t.ok(Math.fround(loss1) === loss1 && Math.fround(loss2) === loss2 && loss1 !== loss2, 'both are float32 values')
  const [loose] = compareMetrics({ loss: loss1 }, { loss: loss2 }, { ulps: 4 })
  t.same([loose!.precision, loose!.ulps, loose!.within], ['float32', 2, true], '2 float32 ULPs apart, within ulps: 4')
  const [tight] = compareMetrics({ loss: loss1 }, { loss: loss2 }, { ulps: 1 })
  t.same([tight!.precision, tight!.ulps, tight!.within], ['float32', 2, false], 'but not within ulps: 1')
  // A double that is not a float32 value keeps float64 ULPs: 0.3 and 0.1 + 0.2 are 1 apart.
  const [double] = compareMetrics({ loss: 0.3 }, { loss: 0.1 + 0.2 }, { ulps: 1 })
  t.same([double!.precision, double!.ulps, double!.within], ['float64', 1, true])
  // A float64 pair a float32 ULP or so apart is ~5e8 float64 ULPs: float32 noise tolerances do not cover it.
  const [far] = compareMetrics({ loss: 0.7 }, { loss: 0.7 + 1e-7 }, { ulps: 4 })
  t.equal(far!.precision, 'float64')
  t.ok(far!.ulps > 1e8 && !far!.within, `${far!.ulps} float64 ULPs apart is outside ulps: 4`)
  t.same(compareMetrics({ loss: loss1 }, { loss: 0.7 }, {}).map((m) => m.precision), ['float64'], 'mixed pair: float64')

  // End to end through checkReproducible.
  const train = ({ run }: TrainContext) => ({ model: adapter([1], [2]), metrics: { loss: run === 1 ? loss1 : loss2 } })
  t.ok((await checkReproducible(train, { isolation: 'same-worker', backend: 'none', tolerance: { ulps: 4 } })).reproducible, 'passes with ulps: 4')
  const strict = await failureOf(checkReproducible(train, { isolation: 'same-worker', backend: 'none', tolerance: { ulps: 1 } }))
  t.match(strict.message, /metrics: loss 0\.7 vs 0\.7\d* \(\|diff\| [\d.e-]+, 2 float32 ULPs\)/)
})

t.test('runs whose weights cannot be lined up, or whose predictions cannot, are not reproducible', async (t) => {
  const extraTensor = ({ run }: TrainContext): ModelAdapter => ({
    namedWeights: () => [{ name: 'a', shape: [1], values: Float32Array.of(1) }, ...(run === 2 ? [{ name: 'b', shape: [1], values: Float32Array.of(2) }] : [])],
  })
  const count = await failureOf(checkReproducible(extraTensor, { isolation: 'same-worker', backend: 'none' }))
  t.equal(count.result.groups[0]!.comparisons[0]!.structureMismatch, 'run 2 has 2 weight tensors, run 1 has 1')
  t.match(count.message, /weights cannot be compared: run 2 has 2 weight tensors, run 1 has 1/)
  const reshaped = ({ run }: TrainContext): ModelAdapter => ({ namedWeights: () => [{ name: 'a', shape: run === 1 ? [2] : [1, 2], values: Float32Array.of(1, 2) }] })
  const shape = await failureOf(checkReproducible(reshaped, { isolation: 'same-worker', backend: 'none' }))
  t.equal(shape.result.groups[0]!.comparisons[0]!.structureMismatch, 'tensor 1 (a) has shape [2] in run 1 and [1,2] in run 2')

  const widerOutput = ({ run }: TrainContext): ModelAdapter => ({
    namedWeights: () => [{ name: 'a', shape: [1], values: Float32Array.of(1) }],
    predict: (probe) => ({ shape: [probe.shape[0]!, run], values: new Float32Array(probe.shape[0]! * run) }),
  })
  const predictions = await failureOf(checkReproducible(widerOutput, { isolation: 'same-worker', backend: 'none', probe: [[1], [2]] }))
  t.equal(predictions.result.groups[0]!.comparisons[0]!.predictionsMismatch, 'prediction shapes differ: [2,1] and [2,2]')
  t.ok(predictions.result.groups[0]!.comparisons[0]!.tensors[0]!.diff.identical, 'the weights themselves agree')

  const sometimesPredicts = ({ run }: TrainContext): ModelAdapter => (run === 1 ? adapter([1], [2]) : { namedWeights: adapter([1], [2]).namedWeights })
  const oneSided = await failureOf(checkReproducible(sometimesPredicts, { isolation: 'same-worker', backend: 'none', probe: [[1]] }))
  t.equal(oneSided.result.groups[0]!.comparisons[0]!.predictionsMismatch, 'run 1 has predictions, run 2 has none (the ModelAdapter has no predict())')
  t.match(oneSided.message, /predictions: run 1 has predictions, run 2 has none/)
  t.ok((await checkReproducible(sometimesPredicts, { isolation: 'same-worker', backend: 'none', probe: [[1]], compare: ['weights'] })).reproducible, 'not compared unless asked')
})

t.test("compare: ['predictions'] fails on noisy predictions even when the weights are equal", async (t) => {
  const noisy = (): ModelAdapter => ({
    namedWeights: () => [{ name: 'w', shape: [1], values: Float32Array.of(2) }],
    predict: (probe) => ({ shape: [...probe.shape], values: Float32Array.from(probe.values, (v) => 2 * v + Math.random()) }),
  })
  const error = await failureOf(checkReproducible(noisy, { isolation: 'same-worker', backend: 'none', probe: [[1], [2]], compare: ['predictions'] }))
  const c = error.result.groups[0]!.comparisons[0]!
  t.equal(c.firstDivergentTensor, undefined, 'no weight tensor differs')
  t.equal(error.result.groups[0]!.runs[0]!.weightsSha256, error.result.groups[0]!.runs[1]!.weightsSha256)
  t.equal(c.predictions?.violating, 2)
  t.match(error.message, /predictions: max \|diff\| \S+, max ULP \S+, 2\/2 \(100%\) differ/)
  t.ok((await checkReproducible(noisy, { isolation: 'same-worker', backend: 'none', probe: [[1], [2]], compare: ['weights'] })).reproducible)
})

t.test('a seeded Math.random drawn a different number of times is named as the source', async (t) => {
  const extraDraw = ({ seed, run }: TrainContext) => {
    using _ = seedEverything(seed)
    let w = Math.random()
    if (run === 2) w = Math.random() // the bug: a code path only some runs take
    return adapter([w], [1])
  }
  const error = await failureOf(checkReproducible(extraDraw, { isolation: 'same-worker', backend: 'none' }))
  t.same(error.result.groups[0]!.runs.map((r) => [r.diagnostics.randomCalls, r.diagnostics.unseededRandomCalls]), [[1, 0], [2, 0]])
  t.same(error.result.groups[0]!.sources, ['the runs made different numbers of Math.random calls (1 vs 2): the training path itself differs between runs'])
  const sameDraws = ({ seed }: TrainContext) => {
    using _ = seedEverything(seed)
    return adapter([Math.random()], [1])
  }
  t.ok((await checkReproducible(sameDraws, { isolation: 'same-worker', backend: 'none' })).reproducible)
})

t.test('checkReproducible rejects bad input with one clear line', async (t) => {
  const train = () => adapter([1], [1])
  await t.rejects(checkReproducible(train), /a function cannot cross into another worker thread — export it and pass \{ module: import\.meta\.url, export: 'train' \}/)
  await t.rejects(checkReproducible(train, { runs: 1, isolation: 'same-worker' }), { message: 'checkReproducible: option "runs" must be an integer >= 2 (got 1)' })
  await t.rejects(checkReproducible(train, { isolation: 'same-worker', compare: ['loss' as never] }), { message: 'checkReproducible: option "compare" must be a non-empty array of weights, predictions, metrics (got ["loss"])' })
  await t.rejects(checkReproducible(train, { isolation: 'same-worker', compare: [] }), /option "compare" must be a non-empty array/)
  await t.rejects(checkReproducible(train, { isolation: 'same-worker', tolerance: { atol: -1 } }), { message: 'checkReproducible: tolerance.atol must be a non-negative number (got -1)' })
  await t.rejects(checkReproducible(train, { isolation: 'same-worker', tolerance: { atl: 1 } as never }), { message: 'checkReproducible: tolerance has unknown key "atl"; use atol, rtol or ulps' })
  await t.rejects(checkReproducible({ module: 'relative/train.ts', export: 'x' }), /must be a file URL or an absolute path/)
  await t.rejects(checkReproducible(() => ({}) as never, { isolation: 'same-worker', backend: 'none' }), /must return a tfjs LayersModel, a ModelAdapter/)
  await t.rejects(checkReproducible(train, { isolation: 'same-worker', backend: 'nope' }), /unknown tfjs backend "nope"/)
  await t.rejects(checkReproducible(train, { isolation: 'same-worker', backend: [] }), { message: 'checkReproducible: option "backend" must be a backend name such as \'cpu\', or a non-empty array of them (got [])' })
  await t.rejects(checkReproducible(train, { isolation: 'same-worker', checkpoints: 'step' as never }), { message: 'checkReproducible: option "checkpoints" must be one of batch, epoch, off (got "step")' })
  await t.rejects(checkReproducible(train, { isolation: 'threads' as never }), { message: 'checkReproducible: option "isolation" must be one of separate-workers, separate-processes, same-worker (got "threads")' })
  await t.rejects(checkReproducible(train, { isolation: 'separate-processes' }), /a function cannot cross into another process — export it/)
  await t.rejects(checkReproducible(train, { isolation: 'same-worker', probe: 'rows' as never }), { message: 'checkReproducible: option "probe" must be nested number arrays or { shape, values } (got "rows")' })
})

t.test('checkReproducible: a misspelled option or a wrong type is an error, never ignored', async (t) => {
  const train = () => adapter([1], [1])
  await t.rejects(checkReproducible(train, { isolation: 'same-worker', backend: 'none', run: 3 } as never), {
    name: 'OptionsError',
    message: 'checkReproducible: unknown option "run" — did you mean "runs"? (known: runs, isolation, compare, tolerance, probe, seed, backend, checkpoints)',
  })
  await t.rejects(checkReproducible(train, { isolation: 'same-worker', backend: 'none', runs: '3' } as never), { message: 'checkReproducible: option "runs" must be an integer (got "3")' })
  await t.rejects(checkReproducible(train, { isolation: 'same-worker', backend: 'none', seed: 1.5 }), { message: 'checkReproducible: option "seed" must be an integer (got 1.5)' })
  const ok = await checkReproducible(train, { isolation: 'same-worker', backend: ['none'], runs: 3, seed: 4, compare: ['weights'], tolerance: 'exact', checkpoints: 'off' })
  t.ok(ok.reproducible, 'the same options, spelled right, run')
  t.equal(ok.groups[0]!.runs.length, 3)
})

t.test('tfjs: seeded penguin training is bit-identical in one thread, on cpu and wasm', async (t) => {
  const before = tf.getBackend()
  const result = await checkReproducible(trainPenguins, { isolation: 'same-worker', backend: ['cpu', 'wasm'] })
  t.same(result.groups.map((g) => g.runs.map((r) => r.backend)), [['cpu', 'cpu'], ['wasm', 'wasm']])
  t.ok(result.groups.every((g) => g.reproducible))
  const cpu = result.groups[0]!.runs[0]!
  t.equal(cpu.checkpoints[0]!.label, 'before training')
  t.equal(cpu.checkpoints.length, 1 + 3 * (11 + 1), 'start + 11 batches and 1 epoch end per epoch, 3 epochs of 334 rows')
  t.same(cpu.diagnostics.fitCalls, [{ shuffle: false, shuffleExplicit: true, epochs: 3 }])
  t.equal(cpu.diagnostics.unseededRandomCalls, 0)
  t.same(cpu.diagnostics.unseededInitializers, [], 'glorotUniform({ seed }) on both kernels')
  t.ok(cpu.metrics.acc! > 0.8, `accuracy ${cpu.metrics.acc}`)
  t.equal(result.crossBackend.length, 1)
  t.notOk(result.crossBackend[0]!.identical, 'cpu and wasm give different bits')
  t.equal(tf.getBackend(), before, 'the previous backend is restored')
})

t.test('tfjs: an unseeded initializer and shuffle: true are caught and named', async (t) => {
  const error = await failureOf(checkReproducible(trainPenguinsCarelessly, { isolation: 'same-worker', backend: 'cpu' }))
  const c = error.result.groups[0]!.comparisons[0]!
  t.match(c.firstDivergentTensor?.name, /^dense_Dense\d+\/kernel$/, 'the first layer\'s kernel (tfjs numbers layers per process)')
  t.equal(c.firstDivergentTensor?.index, 0)
  t.equal(c.firstDivergentCheckpoint?.label, 'before training', 'the initial weights already differ')
  t.match(error.message, /unseeded initializer: dense_Dense\d+\.kernelInitializer \(VarianceScaling\) has no seed/)
  t.match(error.message, /model\.fit call 1 used shuffle: true without a seed/)
  t.ok(error.result.groups[0]!.runs[0]!.diagnostics.unseededRandomCalls >= 2 + 3, 'two initializers and one shuffle per epoch')
})

t.test('tfjs: shuffling alone diverges at the first batch, not before training', async (t) => {
  const shuffled = async ({ seed }: TrainContext) => {
    const { x, y } = penguinTensors()
    const model = buildPenguinModel(seed)
    await model.fit(x, y, { epochs: 1, batchSize: 64, verbose: 0 })
    return model
  }
  const error = await failureOf(checkReproducible(shuffled, { isolation: 'same-worker', backend: 'cpu' }))
  const c = error.result.groups[0]!.comparisons[0]!
  t.equal(c.firstDivergentCheckpoint?.label, 'epoch 1, batch 1')
  t.match(error.message, /shuffle: true \(the tfjs default\)/)
  t.notMatch(error.message, /unseeded initializer:/)
  const perEpoch = await failureOf(checkReproducible(shuffled, { isolation: 'same-worker', backend: 'cpu', checkpoints: 'epoch' }))
  t.same(perEpoch.result.groups[0]!.runs[0]!.checkpoints.map((cp) => cp.label), ['before training', 'epoch 1 end'])
  t.equal(perEpoch.result.groups[0]!.comparisons[0]!.firstDivergentCheckpoint?.label, 'epoch 1 end')
})

/** 32 fixed rows for the small tfjs models below: 4 features, one-hot of 3 classes. */
function tinyData(): { x: tf.Tensor2D; y: tf.Tensor2D } {
  const x = tf.tensor2d(Array.from({ length: 32 }, (_, i) => [Math.sin(i), Math.cos(i), (i % 5) / 5, (i % 7) / 7]))
  const y = tf.oneHot(tf.tensor1d(Array.from({ length: 32 }, (_, i) => i % 3), 'int32'), 3).toFloat() as tf.Tensor2D
  return { x, y }
}

/** dense → dropout → dense; `careless` leaves the dropout unseeded and seeds a normal initializer with 0. */
async function trainWithDropout(seed: number, careless: boolean): Promise<tf.Sequential> {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ units: 8, inputShape: [4], activation: 'relu', kernelInitializer: tf.initializers.glorotNormal({ seed: careless ? 0 : seed }) }),
      tf.layers.dropout({ rate: 0.5, ...(careless ? {} : { seed }) }),
      tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }),
    ],
  })
  model.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy' })
  const { x, y } = tinyData()
  await model.fit(x, y, { epochs: 1, batchSize: 16, shuffle: false, verbose: 0 })
  tf.dispose([x, y])
  return model
}

t.test('tfjs: unseeded dropout and a normal initializer with seed 0 are named; seeding them passes', async (t) => {
  const careless = ({ seed }: TrainContext) => trainWithDropout(seed, true)
  const error = await failureOf(checkReproducible(careless, { isolation: 'same-worker', backend: 'cpu' }))
  const sources = error.result.groups[0]!.sources
  t.ok(sources.some((s) => /^dropout without a seed: dropout_Dropout\d+ \(Dropout\) has no seed$/.test(s)), sources.join('\n'))
  t.ok(sources.some((s) => /^unseeded initializer: dense_Dense\d+\.kernelInitializer \(VarianceScaling\) has seed 0, which tfjs treats as no seed for normal samplers$/.test(s)))
  t.notOk(sources.some((s) => /shuffle/.test(s)), 'shuffle: false is not blamed')
  const careful = ({ seed }: TrainContext) => trainWithDropout(seed, false)
  const result = await checkReproducible(careful, { isolation: 'same-worker', backend: 'cpu', seed: 3 })
  t.same(result.groups[0]!.runs[0]!.diagnostics.unseededNoiseLayers, [])
})

t.test('tfjs: runs that end on another backend than requested are named', async (t) => {
  await import('@tensorflow/tfjs-backend-wasm')
  // The bug: run 2 switches the global backend while training.
  const switching = async ({ seed, run }: TrainContext) => {
    if (run === 2) await tf.setBackend('wasm')
    return trainPenguins({ seed } as TrainContext)
  }
  const error = await failureOf(checkReproducible(switching, { isolation: 'same-worker', backend: 'cpu' }))
  t.same(error.result.groups[0]!.runs.map((r) => r.backend), ['cpu', 'wasm'])
  t.match(error.result.groups[0]!.sources[0], /^different backends: the runs trained on cpu \(run 1\), wasm \(run 2\), cpu was requested/)
  t.equal(tf.getBackend(), 'cpu', 'the previous backend is restored')
})

t.test("tfjs: checkpoints: 'off' records none, and still catches divergent weights", async (t) => {
  const careless = ({ seed }: TrainContext) => trainWithDropout(seed, true)
  const error = await failureOf(checkReproducible(careless, { isolation: 'same-worker', backend: 'cpu', checkpoints: 'off' }))
  t.same(error.result.groups[0]!.runs.map((r) => r.checkpoints.length), [0, 0])
  t.equal(error.result.groups[0]!.comparisons[0]!.firstDivergentCheckpoint, undefined)
  t.ok(error.result.groups[0]!.comparisons[0]!.firstDivergentTensor, 'the final weights still differ')
  t.notMatch(error.message, /first divergent checkpoint/)
  const careful = ({ seed }: TrainContext) => trainWithDropout(seed, false)
  const ok = await checkReproducible(careful, { isolation: 'same-worker', backend: 'cpu', checkpoints: 'off', seed: 3 })
  t.same(ok.groups[0]!.runs[0]!.checkpoints, [])
})

t.test('a custom training loop records checkpoints by hand', async (t) => {
  const loop = async ({ seed, checkpoint }: TrainContext) => {
    const model = buildPenguinModel(seed)
    const { x, y } = penguinTensors()
    const optimizer = tf.train.sgd(0.1)
    for (let step = 1; step <= 4; step++) {
      // The bug: step 3 jitters the learning rate with an unseeded random number.
      optimizer.setLearningRate(step === 3 ? 0.1 + 0.01 * Math.random() : 0.1)
      optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar)
      checkpoint(model, `step ${step}`)
    }
    tf.dispose([x, y])
    return model
  }
  const error = await failureOf(checkReproducible(loop, { isolation: 'same-worker', backend: 'cpu' }))
  t.same(error.result.groups[0]!.runs[0]!.checkpoints.map((cp) => cp.label), ['step 1', 'step 2', 'step 3', 'step 4'])
  t.equal(error.result.groups[0]!.comparisons[0]!.firstDivergentCheckpoint?.label, 'step 3')
  t.same(error.result.groups[0]!.runs[0]!.metrics, {}, 'no fit call, no metrics returned')
})

t.test('seedEverything: repeatable Math.random, restore, and it fixes careless tfjs training', async (t) => {
  const original = Math.random
  const first = seedEverything(123)
  const a = [Math.random(), Math.random(), first.nextSeed()]
  first.restore()
  t.equal(Math.random, original, 'restored')
  using second = seedEverything(123)
  t.same([Math.random(), Math.random(), second.nextSeed()], a, 'same seed, same numbers')
  t.not(second.nextSeed(), 0)
  second.restore()
  t.throws(() => seedEverything(), /seed must be an integer, got undefined — outside a test there is no t\.seed/)

  const seeded = async (ctx: TrainContext) => {
    using _ = seedEverything(ctx.seed)
    return await trainPenguinsCarelessly()
  }
  const result = await checkReproducible(seeded, { isolation: 'same-worker', backend: 'cpu' })
  t.ok(result.reproducible)
  const d = result.groups[0]!.runs[0]!.diagnostics
  t.ok(d.randomCalls > 0, `${d.randomCalls} Math.random calls, all seeded`)
  t.equal(d.unseededRandomCalls, 0)
  t.equal(Math.random, original)
})

t.test('the reproducibility plugin restores a forgotten seeding after the test', async (t) => {
  const original = Math.random
  const plugin = reproducibilityPlugin()
  t.equal(plugin.name, 'reproducibility')
  let inside: () => number = original
  await (plugin.wrapTest as NonNullable<RegisteredPlugin['wrapTest']>)(async () => {
    seedEverything(11)
    inside = Math.random
  }, { test: {} as never, attempt: 1 })
  t.not(inside, original, 'seeded during the test')
  t.equal(Math.random, original, 'restored right after it')
})

/** A custom layer with a bias it forgets to add: the bias never reaches the loss. */
class ForgetfulDense extends tf.layers.Layer {
  static className = 'ForgetfulDense'
  private kernel!: tf.LayerVariable
  private bias!: tf.LayerVariable
  constructor() {
    super({ name: 'forgetful' })
  }
  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const inputs = (inputShape as number[]).at(-1)!
    this.kernel = this.addWeight('kernel', [inputs, 3], 'float32', tf.initializers.glorotUniform({ seed: 1 }))
    this.bias = this.addWeight('bias', [3], 'float32', tf.initializers.zeros())
  }
  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return [(inputShape as tf.Shape)[0]!, 3]
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => tf.softmax(tf.matMul(Array.isArray(inputs) ? inputs[0]! : inputs, this.kernel.read())))
  }
}

t.test('checkTrainingStep passes a model that trains', async (t) => {
  const result = await checkTrainingStep(buildPenguinModel(5), { seed: 9, steps: 2 })
  t.ok(result.passed)
  t.equal(result.variables.length, 4)
  t.ok(result.variables.every((v) => v.moved && v.gradient.received && v.gradient.finite))
  t.not(result.lossAfter, result.lossBefore)
  t.match(result.report, /replay: checkTrainingStep\(model, \{ seed: 9, steps: 2, batchSize: 8 \}\) on backend/)
})

t.test('checkTrainingStep names a variable that is not connected to the loss', async (t) => {
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 8, inputShape: [4], activation: 'relu' }), new ForgetfulDense()] })
  model.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy' })
  const error = (await checkTrainingStep(model, { seed: 1 }).catch((e) => e)) as Error & { result: { variables: Array<{ name: string; moved: boolean }> } }
  t.equal(error.name, 'AssertionError')
  t.same(error.result.variables.filter((v) => !v.moved).map((v) => v.name), ['forgetful/bias'])
  t.match(error.message, /1 of 4 trainable variables did not move/)
  t.match(error.message, /forgetful\/bias \[3\]: no gradient — its output is not connected to the loss/)
})

t.test('checkTrainingStep catches a NaN loss, dead units and a frozen layer', async (t) => {
  await tf.setBackend('cpu')
  const { x, y } = penguinTensors({ dropMissing: false })
  const nan = (await checkTrainingStep(buildPenguinModel(5), { inputs: x, targets: y }).catch((e) => e)) as Error
  t.match(nan.message, /6 of 1032 model outputs are not finite/, '2 unmeasured penguins x 3 species')
  t.match(nan.message, /loss before the step is NaN/)
  t.match(nan.message, /4 gradient\(s\) not finite/)
  // On wasm the fused dense+relu kernel turns NaN into 0, so outputs and loss stay finite;
  // the NaN gradients still fail the check.
  await tf.setBackend('wasm')
  const wasm = (await checkTrainingStep(buildPenguinModel(5), { inputs: x.clone(), targets: y.clone() }).catch((e) => e)) as Error
  t.notMatch(wasm.message, /loss before the step is NaN/)
  t.match(wasm.message, /4 gradient\(s\) not finite/)
  t.match(wasm.message, /on backend wasm/)
  await tf.setBackend('cpu')

  const dead = tf.sequential({
    layers: [
      tf.layers.dense({ units: 4, inputShape: [4], activation: 'relu', biasInitializer: tf.initializers.constant({ value: -100 }) }),
      tf.layers.dense({ units: 3, activation: 'softmax' }),
    ],
  })
  dead.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' })
  const deadError = (await checkTrainingStep(dead, { seed: 2 }).catch((e) => e)) as Error
  t.match(deadError.message, /dense_Dense\d+\/kernel \[4,4\]: gradient is all zeros/)

  const frozen = buildPenguinModel(5)
  frozen.layers[0]!.trainable = false
  frozen.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' })
  const name = frozen.layers[0]!.name
  await t.rejects(checkTrainingStep(frozen, { seed: 3 }), new RegExp(`frozen layer\\(s\\) not listed in \\{ frozen \\}: ${name}`))
  t.ok((await checkTrainingStep(frozen, { seed: 3, frozen: [name] })).passed, 'passes once the freeze is declared')

  const uncompiled = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2] })] })
  await t.rejects(checkTrainingStep(uncompiled), /the model is not compiled — call model\.compile/)
  tf.dispose([x, y])
})

t.test('checkTrainingStep: a misspelled option or a wrong type is an error, never ignored', async (t) => {
  const model = buildPenguinModel(5)
  await t.rejects(checkTrainingStep(model, { step: 3 } as never), {
    name: 'OptionsError',
    message: 'checkTrainingStep: unknown option "step" — did you mean "steps"? (known: inputs, targets, steps, optimizer, loss, batchSize, seed, frozen)',
  })
  await t.rejects(checkTrainingStep(model, { steps: '3' } as never), { message: 'checkTrainingStep: option "steps" must be an integer (got "3")' })
  await t.rejects(checkTrainingStep(model, { batchSize: 0 }), { message: 'checkTrainingStep: option "batchSize" must be an integer >= 1 (got 0)' })
  await t.rejects(checkTrainingStep(model, { seed: 1.5 }), { message: 'checkTrainingStep: option "seed" must be an integer (got 1.5)' })
  await t.rejects(checkTrainingStep(model, { optimizer: 'adam' } as never), { message: 'checkTrainingStep: option "optimizer" must be a tfjs Optimizer such as tf.train.sgd(0.01) (got "adam")' })
  await t.rejects(checkTrainingStep(model, { frozen: 'dense' } as never), { message: 'checkTrainingStep: option "frozen" must be an array (got "dense")' })
  await t.rejects(checkTrainingStep(model, { inputs: 3 } as never), /^checkTrainingStep: option "inputs" must be a tf\.Tensor, nested number arrays, or an array of tf\.Tensor \(one per model input\) \(got 3\)$/)
  const ok = await checkTrainingStep(model, { steps: 2, batchSize: 4, seed: 1, optimizer: tf.train.sgd(0.1), frozen: [] })
  t.ok(ok.passed, 'the same options, spelled right, pass')
})

t.test('checkTrainingStep: inputs of the wrong shape name the check, the expected and the given shape', async (t) => {
  await tf.setBackend('cpu')
  const model = buildPenguinModel(5)
  const input = model.inputs[0]!.name
  const before = tf.memory().numTensors
  const mine: tf.Tensor[] = []
  const own = <T extends tf.Tensor>(tensor: T): T => (mine.push(tensor), tensor)
  await t.rejects(checkTrainingStep(model, { inputs: own(tf.zeros([8, 3])) }), {
    message: `checkTrainingStep: input "${input}" has size 3 at axis 1, but the model expects 4 (expected float32 [batch, 4], given float32 [8, 3]) — pass inputs of shape [8, 4]`,
  })
  await t.rejects(checkTrainingStep(model, { inputs: [1, 2, 3, 4] }), {
    message: `checkTrainingStep: input "${input}" has rank 1, but the model expects rank 2 (expected float32 [batch, 4], given float32 [4]) — reshape it to [1, 4]`,
  })
  await t.rejects(checkTrainingStep(model, { inputs: own(tf.zeros([8, 4], 'int32')) }), /has dtype int32, but the model expects float32 .* — cast it with tf\.cast\(x, 'float32'\)$/)
  await t.rejects(checkTrainingStep(model, { inputs: [[1, 2, 3, 4], [1, 2]] }), {
    message: 'checkTrainingStep: the inputs are ragged: [1] has 2 items where 4 were expected (shape [2, 4] from the first row) — pass nested arrays with equal-length rows',
  })
  await t.rejects(checkTrainingStep(model, { inputs: [own(tf.zeros([8, 4])), own(tf.zeros([8, 4]))] }), /^checkTrainingStep: the model has 1 inputs, 2 were given$/)
  await t.rejects(checkTrainingStep(model, { targets: own(tf.zeros([8, 2])) }), {
    message: "checkTrainingStep: the loss failed on targets [8, 2] against outputs [8, 3] (Operands could not be broadcast together with shapes 8,2 and 8,3.) — pass targets the loss accepts for the model's output [batch, 3]",
  })
  await t.rejects(checkTrainingStep(model, { inputs: own(tf.zeros([4, 4])), targets: own(tf.zeros([8, 3])) }), {
    message: 'checkTrainingStep: the targets have 8 rows but the inputs have 4 (given [8, 3] and [4, 4]) — give them the same batch size',
  })
  tf.dispose(mine)
  t.equal(tf.memory().numTensors, before, 'a refused batch leaves no tensor of the check\'s behind')
  const { x } = penguinTensors()
  const rows = x.slice([0, 0], [5, 4])
  const result = await checkTrainingStep(model, { inputs: rows, seed: 1 })
  t.ok(result.passed, 'given inputs of 5 rows: the random targets get 5 rows too')
  t.match(result.report, /given inputs of shape \[5, 4\]; random one-hot targets \[5, 3\]/)
  tf.dispose([x, rows])
})

/** A compiled 3 → 2 linear model with a seeded kernel. */
function linear(): tf.Sequential {
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3], kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) })] })
  model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' })
  return model
}

t.test('checkTrainingStep seeds Math.random, so unseeded dropout gives the same losses every call', async (t) => {
  await tf.setBackend('cpu')
  const withDropout = () => {
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ units: 16, inputShape: [4], activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
        tf.layers.dropout({ rate: 0.5 }),
        tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
      ],
    })
    model.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy' })
    return model
  }
  const original = Math.random
  const a = await checkTrainingStep(withDropout(), { seed: 4 })
  const b = await checkTrainingStep(withDropout(), { seed: 4 })
  t.equal(Math.random, original, 'Math.random is put back')
  t.same([b.lossBefore, b.lossAfter], [a.lossBefore, a.lossAfter], 'same seed, same dropout masks, same losses')
  const c = await checkTrainingStep(withDropout(), { seed: 5 })
  t.not(c.lossBefore, a.lossBefore, 'another seed, another batch and masks')
  await checkTrainingStep(linear(), { seed: 1, loss: () => { throw new Error('broken loss') } }).catch(() => undefined)
  t.equal(Math.random, original, 'put back when the check throws too')
})

t.test('checkTrainingStep: a loss that does not change is reported on its own', async (t) => {
  // A constant of 1e8 in the loss: float32 steps there are 8 apart, so the step's small improvement vanishes.
  const offset = (targets: tf.Tensor[], outputs: tf.Tensor[]) => tf.add(tf.losses.meanSquaredError(targets[0]!, outputs[0]!), 1e8) as tf.Scalar
  const error = (await checkTrainingStep(linear(), { seed: 1, loss: offset }).catch((e) => e)) as Error & { result: { problems: string[] } }
  t.same(error.result.problems, ['loss did not change (100000000)'], 'every variable moved; only the loss is stuck')
  t.match(error.message, /loss: 100000000 before → 100000000 after \(unchanged\)/)
  t.ok((await checkTrainingStep(linear(), { seed: 1 })).passed, 'the plain MSE passes')
})

t.test('checkTrainingStep: a gradient too small to move float32 weights is explained', async (t) => {
  const tiny = (_targets: tf.Tensor[], outputs: tf.Tensor[]) => tf.mul(tf.sum(outputs[0]!), 1e-30) as tf.Scalar
  const error = (await checkTrainingStep(linear(), { seed: 1, loss: tiny }).catch((e) => e)) as Error
  // The bias starts at 0, where float32 steps are tiny, so it moves; the kernel (|w| ~ 0.5) does not.
  t.match(error.message, /1 of 2 trainable variables did not move/)
  t.match(error.message, /dense_Dense\d+\/kernel \[3,2\]: gradient max \|g\| \S+e-30 is too small to change the float32 values at this learning rate/)
})

t.test('checkTrainingStep: a diverging optimizer passes one step and fails at the third', async (t) => {
  const one = await checkTrainingStep(linear(), { seed: 1, steps: 1, optimizer: tf.train.sgd(1e7) })
  t.ok(Number.isFinite(one.lossAfter), `one step: loss ${one.lossAfter}`)
  const error = (await checkTrainingStep(linear(), { seed: 1, steps: 3, optimizer: tf.train.sgd(1e7) }).catch((e) => e)) as Error
  t.match(error.message, /loss after 3 step\(s\) is Infinity/)
  t.match(error.message, /3 step\(s\) with SGD on backend/)
  t.match(error.message, /replay: checkTrainingStep\(model, \{ seed: 1, steps: 3, batchSize: 8 \}\)/)
  t.ok((await checkTrainingStep(linear(), { seed: 1, steps: 3, optimizer: tf.train.sgd(0.01) })).passed, 'a sane learning rate passes 3 steps')
})
