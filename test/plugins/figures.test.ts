/**
 * The figures the existing checks attach to their records for the HTML report: each real
 * check (onnxruntime-node sessions, tfjs training and models, fast-check, real data from
 * vega-datasets) on a passing and a failing input, the figures' data checked against the
 * check's own result (the p50 rule is the recorded p50, the marked tensor is the divergent
 * one, ...), and every spec compiled by vega-lite and rendered by vega to an SVG with marks.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import * as tf from '@tensorflow/tfjs'
import t, { type Test } from 'tap'
import { parse, View } from 'vega'
import { compile, type TopLevelSpec } from 'vega-lite'
import type { CheckFigure, CheckRecord } from '../../core/protocol.ts'
import { createRng, FIGURE_MAX_BYTES, formatNumber } from '../../core/plugin.ts'
import { expect } from '../../core/expect/index.ts'
import { bench, benchOnnx, onnxPlugin, type BenchOnnxResult } from '../../plugins/onnx/index.ts'
import { checkDistributionSkew, checkFeatureParity, checkModelParity, checkServingLog, exportToOnnx } from '../../plugins/parity/index.ts'
import { checkReproducible, checkTrainingStep, type ModelAdapter, type ReproducibilityResult, type TrainingStepResult } from '../../plugins/reproducibility/index.ts'
import { arb, checkStability, type StabilityError, type TensorValue } from '../../plugins/stability/index.ts'
import { latencyFigure, percentileMarkers } from '../../plugins/onnx/_internals/figures.ts'
import type { TimedBatch } from '../../plugins/onnx/_internals/timed-batch.ts'
import { counterexampleFigures } from '../../plugins/stability/_internals/figures.ts'
import { SMALL_MLP, writeMlp } from '../fixtures/models/mlp-model.ts'
import { buildPenguinModel, penguinTensors, trainPenguins, trainPenguinsCarelessly } from '../fixtures/models/penguin-model.ts'
import { inTestOf } from '../in-test.ts'

expect.extend(onnxPlugin().matchers!)
await tf.setBackend('cpu')

const dir = mkdtempSync(join(tmpdir(), 'mltest-figures-'))
t.teardown(() => rmSync(dir, { recursive: true, force: true }))

/** Runs `fn` as the body of a real running test, returning what it returned or threw and the checks it recorded. */
const inTest = inTestOf(import.meta.filename, { seed: 1234, name: 'figures' })

/** Vega-Lite → Vega → SVG, headless, as the HTML reporter draws it. */
async function render(figure: CheckFigure): Promise<string> {
  const vega = compile(figure.spec as unknown as TopLevelSpec).spec
  const view = new View(parse(vega), { renderer: 'none' })
  try {
    return await view.toSVG()
  } finally {
    view.finalize()
  }
}

/** Mark items (bars, points, lines, rules, texts) in a rendered SVG; axes and legends are not counted. */
function markItems(svg: string): number {
  return (svg.match(/<(path|line|rect|text)[^>]*role="graphics-symbol"/g) ?? []).length
}

/** Every figure of `check` is inline, under the cap, compiles and renders to an SVG with marks. */
async function assertDrawn(t: Test, check: CheckRecord) {
  for (const f of check.figures ?? []) {
    const bytes = Buffer.byteLength(JSON.stringify(f.spec))
    t.ok(bytes <= FIGURE_MAX_BYTES, `${f.title}: ${bytes} bytes, under the cap`)
    const svg = await render(f)
    t.match(svg, /^<svg/, `${f.title}: rendered to SVG`)
    t.ok(markItems(svg) > 0, `${f.title}: ${markItems(svg)} marks drawn`)
  }
}

type Spec = Record<string, any>
/** The data rows of layer `i` (or of the spec when it has one data set). */
const layerData = (f: CheckFigure, i?: number): Spec[] => (i === undefined ? (f.spec as Spec).data.values : (f.spec as Spec).layer[i].data.values)
const byTitle = (check: CheckRecord, pattern: RegExp) => check.figures!.filter((f) => pattern.test(f.title))

// ---------------------------------------------------------------- benchOnnx, bench, toMeetBudget

const small = writeMlp(join(dir, 'small.onnx'), SMALL_MLP)
const quick = { minTimeMs: 20, maxTimeMs: 3000, warmup: 2, minIterations: 30, bootstrapResamples: 200, log: false }

t.test('benchOnnx: a latency ECDF per batch with the recorded p50 and p99, and throughput vs batch size', async (t) => {
  const { result, checks } = await inTest(() => benchOnnx(small, { ...quick, batchSizes: [1, 8] }))
  const r = result as BenchOnnxResult
  const record = checks.find((c) => c.check === 'benchOnnx')!
  t.same(record.figures!.map((f) => f.title), [
    `small.onnx latency, batch 1 (n=${r.batches[0]!.iterations})`,
    `small.onnx latency, batch 8 (n=${r.batches[1]!.iterations})`,
    'small.onnx throughput vs batch size',
  ])
  for (const [i, b] of r.batches.entries()) {
    const f = record.figures![i]!
    const ecdf = layerData(f, 0)
    t.equal(ecdf.length, b.iterations, 'every run is a point (under 2,000 runs)')
    t.equal(ecdf.at(-1)!.fraction, 1)
    t.equal(ecdf[0]!.fraction, Number((1 / b.iterations).toPrecision(6)))
    t.equal(ecdf[0]!.ms, Number(Math.min(...b.samplesMs).toPrecision(6)), 'starts at the fastest run')
    const rules = layerData(f, 1)
    t.same(rules.map((m) => m.kind), ['p50', 'p99'])
    t.equal(rules[0]!.ms, record.metrics[`b${b.batchSize}.p50Ms`], 'the p50 rule is the recorded p50')
    t.equal(rules[1]!.ms, record.metrics[`b${b.batchSize}.p99Ms`], 'the p99 rule is the recorded p99')
    t.notOk(f.note!.includes('evenly spaced'), 'nothing thinned')
  }
  const tput = layerData(record.figures![2]!)
  t.same(tput.map((p) => p.batch), [1, 8])
  t.equal(tput[1]!.throughput, Number(r.batches[1]!.throughput.toPrecision(6)))
  await assertDrawn(t, record)
})

t.test('toMeetBudget: budgets beside the observed values, and the budget line on the latency ECDF, met and breached', async (t) => {
  const { checks, error } = await inTest(async () => {
    const r = await benchOnnx(small, { ...quick, batchSizes: [4] })
    expect(r).toMeetBudget({ p50Ms: 10_000, rssMb: 1e6 })
    expect(r).toMeetBudget({ p50Ms: 1e-9, throughputMin: 1 })
  })
  t.match(error?.message, /breached 1 of 2 budgets/, 'the second budget fails')
  const [met, breached] = checks.filter((c) => c.check === 'toMeetBudget')
  t.equal(met!.verdict, 'pass')
  t.equal(breached!.verdict, 'fail')
  const bench = checks.find((c) => c.check === 'benchOnnx')!
  t.same(layerData(met!.figures![0]!).map((l) => [l.budget, l.outcome, l.limit]), [['batch 4 p50 latency (ms, at most)', 'met', 10_000], ['peak rss (MiB, at most)', 'met', 1e6]])
  t.same(layerData(breached!.figures![0]!).map((l) => [l.budget, l.outcome]), [['batch 4 p50 latency (ms, at most)', 'breached'], ['batch 4 throughput (/s, at least)', 'met']])
  t.equal(layerData(breached!.figures![0]!)[0]!.observed, bench.metrics['b4.p50Ms'], 'the observed p50 is the recorded one')
  const [ecdf] = byTitle(breached!, /against its budget, batch 4/)
  const rules = layerData(ecdf!, 1)
  t.same(rules.map((m) => m.kind), ['p50', 'p99', 'budget'])
  t.equal(rules[2]!.ms, 1e-9, 'the budget line sits at the limit')
  t.match(rules[2]!.marker, /p50 budget <= 1e-9 ms \(breached\)/)
  t.equal(byTitle(met!, /against its budget/).length, 1, 'rss has no latency line: one ECDF, for the p50 budget')
  await assertDrawn(t, met!)
  await assertDrawn(t, breached!)
})

t.test('bench: one ECDF, no throughput chart for one batch; 100,000 runs stay under the cap, thinned and said so', async (t) => {
  let x = 0
  const { result, checks, error } = await inTest(() => bench('increment', () => x++, { minIterations: 100_000, maxIterations: 100_000, minTimeMs: 0, maxTimeMs: 60_000, warmup: 10, bootstrapResamples: 50, log: false }))
  const record = checks.find((c) => c.check === 'bench')!
  t.error(error)
  t.equal(result!.batches[0].iterations, 100_000)
  t.equal(record.figures!.length, 1)
  const [f] = record.figures!
  t.match(f!.title, /^increment latency, batch 1 \(n=100,000\)$/)
  t.equal(layerData(f!, 0).length, 2000)
  t.match(f!.note, /2,000 of 100,000 runs \(points of the sorted latencies\) shown, evenly spaced/)
  t.equal(layerData(f!, 0).at(-1)!.ms, Number(result!.batches[0].maxMs.toPrecision(6)), 'the slowest run is kept')
  const bytes = Buffer.byteLength(JSON.stringify(f!.spec))
  t.ok(bytes < 100 * 1024, `${bytes} bytes for 100,000 runs`)
  await assertDrawn(t, record)
})

t.test('latency ECDF: runs timed at 0 ms (below the clock step) switch the axis to linear, since a log axis cannot hold 0', async (t) => {
  const samplesMs = [0, 0, 0.5, 1, 1.5, 2, 0, 1]
  const batch = { batchSize: 2, samplesMs, p50Ms: 0.75, p99Ms: 1.965 } as TimedBatch
  const f = latencyFigure('clock', batch, percentileMarkers(batch))
  const x = (f.spec as Spec).layer[0].encoding.x
  t.same(x.scale, { zero: false })
  t.equal(x.title, 'latency per run (ms)')
  t.same(layerData(f, 0).map((p) => [p.ms, p.fraction]), [[0, 0.125], [0, 0.25], [0, 0.375], [0.5, 0.5], [1, 0.625], [1, 0.75], [1.5, 0.875], [2, 1]])
  await assertDrawn(t, { check: 'bench', practice: 'computational-performance', verdict: 'pass', metrics: {}, figures: [f] })
})

// ---------------------------------------------------------------- checkStability

t.test('checkStability: no figure when the property holds; the shrunk counterexample beside its output when it breaks', async (t) => {
  const stable = (x: TensorValue<'float32'>) => {
    const m = Math.max(...x.data)
    const e = x.data.map((v) => Math.exp(v - m))
    const s = e.reduce((a, b) => a + b, 0)
    return e.map((v) => v / s)
  }
  const pass = await inTest(() => checkStability(stable, { inputs: arb.tensor({ shape: [8] }), runs: 50 }))
  t.equal(pass.checks[0]!.verdict, 'pass')
  t.equal(pass.checks[0]!.figures, undefined, 'nothing to draw')

  const naive = (x: TensorValue<'float32'>) => {
    const e = x.data.map(Math.exp)
    const s = e.reduce((a, b) => a + b, 0)
    return e.map((v) => v / s)
  }
  const fail = await inTest(() => checkStability(naive, { inputs: arb.tensor({ shape: [8] }), runs: 50 }))
  const error = fail.error as StabilityError
  const record = fail.checks[0]!
  t.equal(record.verdict, 'fail')
  t.equal(record.figures!.length, 1)
  const [f] = record.figures!
  t.equal(f!.title, 'Counterexample [8] and its output: finite broke')
  t.match(f!.note, /^broken: \d of 8 elements (is|are) not finite/)
  const [input, output] = (f!.spec as Spec).vconcat as Spec[]
  const counterexample = error.counterexample as TensorValue<'float32'>
  const inputRows = input!.data.values as Spec[]
  t.same(inputRows.map((r) => r.height), Array.from(counterexample.data, (v) => Number(v.toPrecision(8))), 'the input bars are the counterexample')
  const kept = Array.from(counterexample.data.keys()).filter((i) => counterexample.data[i] !== 0)
  t.ok(kept.length > 0)
  t.same(inputRows.filter((r) => r.status === 'non-zero after shrinking').map((r) => r.index), kept, 'the elements shrinking kept are highlighted')
  const out = error.output as Float32Array
  const bad = Array.from(out.keys()).filter((i) => !Number.isFinite(out[i]!))
  const outputRows = output!.data.values as Spec[]
  t.same(outputRows.filter((r) => r.status === 'not finite').map((r) => r.index), bad, 'the non-finite outputs are highlighted')
  t.ok(outputRows.filter((r) => r.status === 'not finite').every((r) => r.mark === 'NaN' && r.height === 0), 'NaN drawn as a label on the axis')
  await assertDrawn(t, record)
})

t.test('checkStability: when fn throws there is no output to draw, and the note says so', async (t) => {
  const picky = (x: TensorValue<'float32'>) => {
    if (x.data.some((v) => Math.abs(v) > 100)) throw new RangeError('input out of range')
    return x.data
  }
  const fail = await inTest(() => checkStability(picky, { inputs: arb.tensor({ shape: [4] }), runs: 50 }))
  const [f] = fail.checks[0]!.figures!
  t.equal(((f!.spec as Spec).vconcat as Spec[]).length, 1, 'the counterexample alone')
  t.match(f!.note, /^broken: fn threw RangeError: input out of range; .*; fn threw, so there is no output$/)
  const rows = ((f!.spec as Spec).vconcat[0].data.values as Spec[])
  t.ok(rows.some((r) => r.status !== 'zero' && (r.mark !== '' || Math.abs(r.height) > 100)), 'the out-of-range element is highlighted')
  await assertDrawn(t, fail.checks[0]!)
})

t.test('checkStability on tfjs: tf.log of a tensor that reaches 0 shows -∞ in the output', async (t) => {
  const fail = await inTest(() => checkStability((x: tf.Tensor) => tf.log(x), { inputs: arb.tfTensor({ shape: [2, 3], min: 0, max: 4 }), runs: 50 }))
  const record = fail.checks[0]!
  t.equal(record.verdict, 'fail')
  const [input, output] = (record.figures![0]!.spec as Spec).vconcat as Spec[]
  t.equal((input!.data.values as Spec[])[0]!.part, 'input float32 [2, 3]')
  const minus = (output!.data.values as Spec[]).filter((r) => r.mark === '−∞')
  t.ok(minus.length > 0, 'an output element is −∞')
  t.same(minus.map((r) => r.element), minus.map((r) => `[${Math.floor(r.index / 3)}, ${r.index % 3}]`), 'named by its index')
  await assertDrawn(t, record)
})

t.test('checkStability figure: a 100,000-element counterexample and a 40-part output stay under the cap, highlighted elements kept', async (t) => {
  const data = new Float32Array(100_000)
  data[17] = NaN
  data[99_999] = 3.5
  const output = Object.fromEntries(Array.from({ length: 40 }, (_, k) => [`head_${k}_${'x'.repeat(200)}`, Float32Array.from({ length: 5000 }, (_, i) => (i === k ? Infinity : i))]))
  const [f] = counterexampleFigures({ property: 'finite', reason: 'many', counterexample: { data, shape: [100_000], dtype: 'float32' }, output, hasOutput: true, spread: false })
  const [input, out] = (f!.spec as Spec).vconcat as Spec[]
  const rows = input!.data.values as Spec[]
  t.equal(rows.length, 600)
  t.same(rows.filter((r) => r.status !== 'zero').map((r) => [r.index, r.status]), [[17, 'not finite'], [99_999, 'non-zero after shrinking']])
  t.match(f!.note, /; input: 600 of 100000 elements shown \(2 highlighted, the others evenly spaced\); output: 12 of 40 parts, 600 of 60000 elements shown \(12 highlighted, the others evenly spaced\)$/)
  t.ok((out!.data.values as Spec[]).every((r) => (r.part as string).length <= 60), 'long record keys are cut')
  const bytes = Buffer.byteLength(JSON.stringify(f!.spec))
  t.ok(bytes < 200 * 1024, `${bytes} bytes`)
  await assertDrawn(t, { check: 'checkStability', practice: 'numerical-stability', verdict: 'fail', metrics: {}, figures: [f!] })
})

// ---------------------------------------------------------------- checkReproducible

/** A plain-JS "model": two named weight tensors. */
function adapter(first: number[], second: number[]): ModelAdapter {
  return {
    namedWeights: () => [
      { name: 'layer1/w', shape: [first.length], values: Float32Array.from(first) },
      { name: 'layer2/w', shape: [second.length], values: Float32Array.from(second) },
    ],
  }
}

t.test('checkReproducible: max ULP per tensor, the first divergent one marked (plain-JS model)', async (t) => {
  let calls = 0
  const train = () => adapter([1, 2], [3, calls++ === 0 ? 1 : Math.fround(1 + 2 ** -20)])
  const fail = await inTest(() => checkReproducible(train, { isolation: 'same-worker', backend: 'none' }))
  const record = fail.checks[0]!
  t.equal(record.verdict, 'fail')
  const [f] = record.figures!
  t.equal(f!.title, 'Weights across runs: first divergent tensor 2. layer2/w')
  const bars = layerData(f!)
  t.same(bars.map((b) => [b.tensor, b.ulp, b.status, b.firstDivergent]), [
    ['1. layer1/w', 0, 'identical', false],
    ['2. layer2/w', 8, 'outside tolerance', true],
  ], '1 + 2^-20 is 8 float32 ULPs above 1 (spacing 2^-23)')
  t.equal(record.metrics.maxUlp, 8)
  t.equal(record.figures!.length, 1, 'no checkpoints without tfjs fit')
  await assertDrawn(t, record)

  const within = await inTest(() => checkReproducible(() => adapter([1, 2], [3, 1]), { isolation: 'same-worker', backend: 'none' }))
  t.equal(within.checks[0]!.verdict, 'pass')
  t.same(layerData(within.checks[0]!.figures![0]!).map((b) => b.status), ['identical', 'identical'])
  await assertDrawn(t, within.checks[0]!)
})

t.test('checkReproducible: a 400-tensor model shows its 150 most different tensors, the first divergent among them', async (t) => {
  let run = 0
  const many = (): ModelAdapter => {
    run++
    return { namedWeights: () => Array.from({ length: 400 }, (_, i) => ({ name: `block${i}/w`, shape: [2], values: Float32Array.from([i, run === 2 && i >= 100 && i % 3 === 0 ? i + 1 : i]) })) }
  }
  const fail = await inTest(() => checkReproducible(many, { isolation: 'same-worker', backend: 'none' }))
  const [f] = fail.checks[0]!.figures!
  const bars = layerData(f!)
  t.equal(bars.length, 150)
  t.equal(bars.filter((b) => b.firstDivergent).length, 1)
  t.equal(bars.find((b) => b.firstDivergent)!.tensor, '103. block102/w')
  t.equal(bars.filter((b) => b.status === 'outside tolerance').length, 100, 'every divergent tensor is drawn')
  t.match(f!.note, /150 of 400 tensors shown: the largest differences, in layer order/)
  await assertDrawn(t, fail.checks[0]!)
})

t.test('checkReproducible on tfjs: seeded training has a flat timeline; careless training diverges at the first tensor before training', async (t) => {
  const pass = await inTest(() => checkReproducible(trainPenguins, { isolation: 'same-worker', backend: 'cpu' }))
  const good = pass.checks[0]!
  t.equal(good.verdict, 'pass')
  t.same(good.figures!.map((f) => f.title), ['Weights across runs: max ULP difference per tensor', 'Checkpoint timeline (cpu)'])
  const timeline = layerData(good.figures![1]!)
  const result = pass.result as ReproducibilityResult
  t.equal(timeline.length, 2 * result.groups[0]!.runs[0]!.checkpoints.length, 'every checkpoint of both runs')
  t.ok(timeline.filter((p) => p.run === 'run 2').every((p) => p.weights === 'same as run 1'))
  t.equal((good.figures![1]!.spec as Spec).layer.length, 2, 'no divergence marker')
  await assertDrawn(t, good)

  const fail = await inTest(() => checkReproducible(trainPenguinsCarelessly, { isolation: 'same-worker', backend: 'cpu' }))
  const bad = fail.checks[0]!
  const comparison = (fail.error as Error & { result: ReproducibilityResult }).result.groups[0]!.comparisons[0]!
  const bars = layerData(bad.figures![0]!)
  const marked = bars.filter((b) => b.firstDivergent)
  t.equal(marked.length, 1)
  t.equal(marked[0]!.tensor, `1. ${comparison.firstDivergentTensor!.name}`, 'the marked tensor is the first divergent one')
  t.equal(bad.figures![1]!.title, 'Checkpoint timeline (cpu): weights first differ at before training')
  const marker = (bad.figures![1]!.spec as Spec).layer[2].data.values[0]
  t.equal(marker.checkpoint, 1, 'the rule sits at the first checkpoint')
  await assertDrawn(t, bad)
})

t.test('checkTrainingStep: the largest change of each variable, coloured by whether it moved; NaN inputs give non-finite gradients', async (t) => {
  const pass = await inTest(() => checkTrainingStep(buildPenguinModel(5), { seed: 9, steps: 2 }))
  const good = pass.checks[0]!
  const result = pass.result as TrainingStepResult
  t.equal(good.verdict, 'pass')
  t.equal(good.figures![0]!.title, `Training step: loss ${Number(result.lossBefore.toPrecision(6))} → ${Number(result.lossAfter.toPrecision(6))}`)
  const bars = layerData(good.figures![0]!)
  t.same(bars.map((b) => b.status), result.variables.map(() => 'moved'))
  t.same(bars.map((b) => b.change), result.variables.map((v) => Number(v.maxChange.toPrecision(6))), 'the recorded changes')
  await assertDrawn(t, good)

  const { x, y } = penguinTensors({ dropMissing: false })
  const fail = await inTest(() => checkTrainingStep(buildPenguinModel(5), { inputs: x, targets: y }))
  const bad = fail.checks[0]!
  t.equal(bad.verdict, 'fail')
  t.equal(bad.figures![0]!.title, 'Training step: loss NaN → NaN')
  t.equal(layerData(bad.figures![0]!).filter((b) => b.status === 'gradient not finite').length, 4, 'the 4 non-finite gradients the report names')
  await assertDrawn(t, bad)
})

// ---------------------------------------------------------------- parity

type Car = Record<string, string | number>
const data = join(dirname(createRequire(import.meta.url).resolve('vega-datasets')), '..', 'data')
const cars = (JSON.parse(readFileSync(join(data, 'cars.json'), 'utf8')) as Record<string, unknown>[]).filter((r) => Object.values(r).every((v) => v !== null)) as Car[]

t.test('checkFeatureParity and checkServingLog: skewed examples per feature', async (t) => {
  const training = (c: Car) => ({ weightKg: (c.Weight_in_lbs as number) * 0.4536, hp: c.Horsepower as number, origin: c.Origin as string })
  const pass = await inTest(() => checkFeatureParity({ records: cars, training, serving: training }))
  const ok = pass.checks[0]!
  t.equal(ok.verdict, 'pass')
  t.same(layerData(ok.figures![0]!).map((r) => [r.feature, r.skewed, r.status]), [['weightKg', 0, 'within tolerance'], ['hp', 0, 'within tolerance'], ['origin', 0, 'within tolerance']])
  await assertDrawn(t, ok)

  // Serving rounds the weight to whole kilograms and upper-cases Japan.
  const serving = (c: Car) => ({ ...training(c), weightKg: Math.round(training(c).weightKg), origin: c.Origin === 'Japan' ? 'JAPAN' : (c.Origin as string) })
  const fail = await inTest(() => checkFeatureParity({ records: cars, training, serving }))
  const bad = fail.checks[0]!
  const japan = cars.filter((c) => c.Origin === 'Japan').length
  const rounded = cars.filter((c) => Math.round(training(c).weightKg) !== training(c).weightKg).length
  t.equal(bad.figures![0]!.title, 'checkFeatureParity: 2 of 3 features skewed')
  const rows = layerData(bad.figures![0]!)
  t.same(Object.fromEntries(rows.map((r) => [r.feature, r.skewed])), { weightKg: rounded, origin: japan, hp: 0 }, 'counted as the test counts them')
  t.equal(rows[0]!.label, `${rounded} of ${cars.length}`)
  await assertDrawn(t, bad)

  const log = await inTest(() => checkServingLog({ log: cars.map((c) => ({ raw: c, features: serving(c) })), training }))
  t.equal(log.checks[0]!.check, 'checkServingLog')
  t.same(Object.fromEntries(layerData(log.checks[0]!.figures![0]!).map((r) => [r.feature, r.skewed])), { weightKg: rounded, origin: japan, hp: 0 })
  await assertDrawn(t, log.checks[0]!)
})

t.test('checkDistributionSkew: training vs serving per feature, with the distance in the title', async (t) => {
  const shuffled = createRng(7).shuffle(cars)
  const split = { serving: shuffled.slice(0, 98), training: shuffled.slice(98) }
  const features = ['Weight_in_lbs', 'Origin']
  const pass = await inTest(() => checkDistributionSkew({ ...split, features }))
  const ok = pass.checks[0]!
  t.equal(ok.verdict, 'pass')
  t.equal(ok.figures!.length, 2)
  await assertDrawn(t, ok)

  // A unit bug: serving sends kilograms.
  const serving = split.serving.map((c) => ({ ...c, Weight_in_lbs: (c.Weight_in_lbs as number) * 0.4536 }))
  const fail = await inTest(() => checkDistributionSkew({ training: split.training, serving, features }))
  const bad = fail.checks[0]!
  t.equal(bad.verdict, 'fail')
  const [weight, origin] = bad.figures!
  t.equal(weight!.title, `Weight_in_lbs: training vs serving, JS distance ${formatNumber(bad.metrics['distance.Weight_in_lbs'] as number)} (threshold 0.1, fail)`, 'the recorded distance')
  const bars = layerData(weight!)
  const sum = (side: string) => bars.filter((b) => b.side === side).reduce((s, b) => s + b.fraction, 0)
  t.ok(Math.abs(sum('training') - 1) < 1e-4 && Math.abs(sum('serving') - 1) < 1e-4, 'each side sums to 1')
  const lowest = bars.filter((b) => b.order === 0)
  // The first bin ends at the training decile: the 29th of the 294 sorted training weights (0-based), as the check cuts it.
  const decile = split.training.map((c) => c.Weight_in_lbs as number).sort((x, y) => x - y)[Math.floor(294 / 10)]!
  const below = serving.filter((c) => (c.Weight_in_lbs as number) < decile).length / serving.length
  t.equal(lowest.find((b) => b.side === 'serving')!.fraction, Number(below.toPrecision(6)), `${formatNumber(below * 100)}% of kilogram weights fall below the lightest training decile (${decile} lbs)`)
  t.equal(lowest.find((b) => b.side === 'training')!.fraction, Number((29 / 294).toPrecision(6)))
  t.match(origin!.title, /^Origin: training vs serving, L∞ distance/)
  const usa = (side: Car[]) => side.filter((c) => c.Origin === 'USA').length / side.length
  const shares = layerData(origin!).filter((b) => b.bin === 'USA')
  t.same(shares.map((b) => b.fraction), [usa(split.training), usa(split.serving)].map((v) => Number(v.toPrecision(6))), 'the category shares, counted here')
  await assertDrawn(t, bad)
})

t.test('checkModelParity: reference vs other outputs with the tolerance band, tfjs against its ONNX export', async (t) => {
  const { InferenceSession } = await import('onnxruntime-node')
  const model = buildPenguinModel(3)
  const session = await InferenceSession.create(await exportToOnnx(model))
  const inputs = Array.from({ length: 40 }, (_, i) => Array.from({ length: 4 }, (_, j) => Math.sin(i * 4 + j)))
  const pass = await inTest(() => checkModelParity(model, session, { inputs, names: ['tfjs', 'onnxruntime'] }))
  const ok = pass.checks[0]!
  t.equal(ok.verdict, 'pass')
  t.equal(ok.figures![0]!.title, 'tfjs vs onnxruntime: 0 of 120 outputs out of tolerance')
  const points = layerData(ok.figures![0]!, 2)
  t.equal(points.length, 120, 'one point per output element')
  const band = layerData(ok.figures![0]!, 0)
  t.ok(band.every((p) => Math.abs(p.high - p.a - (1e-5 + 1e-5 * Math.abs(p.a))) < 1e-12), 'band = atol + rtol·|a|')
  t.equal(ok.figures![1]!.title, 'onnxruntime − tfjs against tfjs, with the tolerance band')
  const diffs = layerData(ok.figures![1]!, 1)
  t.ok(diffs.every((p) => Math.abs(p.diff) <= 1e-5 + 1e-5 * Math.abs(p.a)), 'every difference inside the band')
  await assertDrawn(t, ok)

  // The other side shifts the first class's probability by 1e-3 on every input.
  const shifted = (rows: number[][]) => (model.predict(tf.tensor2d(rows)) as tf.Tensor).arraySync() as number[][]
  const off = (rows: number[][]) => shifted(rows).map((r) => [r[0]! + 1e-3, ...r.slice(1)])
  const fail = await inTest(() => checkModelParity(model, off, { inputs, names: ['tfjs', 'shifted'] }))
  const bad = fail.checks[0]!
  t.equal(bad.verdict, 'fail')
  const out = layerData(bad.figures![0]!, 2).filter((p) => p.status === 'out of tolerance')
  t.equal(out.length, 40)
  t.ok(out.every((p) => p.output === 0), 'exactly the shifted output of each input')
  t.ok(layerData(bad.figures![1]!, 1).filter((p) => p.output === 0).every((p) => Math.abs(p.diff - 1e-3) < 1e-6), 'b − a is the 1e-3 shift')
  await assertDrawn(t, bad)

  // Thinned: 3,000 inputs × 3 outputs.
  const many = Array.from({ length: 3000 }, (_, i) => Array.from({ length: 4 }, (_, j) => Math.cos(i * 4 + j)))
  const big = await inTest(() => checkModelParity(model, off, { inputs: many, names: ['tfjs', 'shifted'] }))
  const f = big.checks[0]!.figures![0]!
  t.equal(layerData(f, 2).length, 2000)
  t.match(f.note, /1,000 of 3,000 points out of tolerance shown, evenly spaced; 1,000 of 6,000 points within tolerance shown/)
  await assertDrawn(t, big.checks[0]!)
})
