/**
 * mltest/parity, data side: feature parity, serving logs (100k records in bounded memory) and
 * distribution skew. Every reported number is checked against a hand-computed case.
 */
import { readFileSync, writeFileSync, mkdtempSync, rmSync, createWriteStream } from 'node:fs'
import { pathToFileURL } from 'node:url'
import { once } from 'node:events'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import t from 'tap'
import {
  checkDistributionSkew, checkFeatureParity, checkServingLog, jensenShannon, lInfinity, ulpDistance,
  type Features, type ServingLogProgress,
} from '../../plugins/parity/index.ts'
import { toleranceLookup } from '../../plugins/parity/_internals/tolerance.ts'
import { isClose, type Tolerance } from '../../core/plugin.ts'
import { binFractions, quantileBinning } from '../../plugins/parity/_internals/distances.ts'
import { exactRatePValue, hypergeometricPmf } from '../../plugins/parity/_internals/exact-rate-test.ts'
import { inTestOf } from '../in-test.ts'

/** Parity's convention: `value` against the training `reference`, NaN on both sides is parity. */
const withinTolerance = (reference: number, value: number, tolerance: Tolerance) => isClose(value, reference, tolerance, { equalNaN: true })

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

/** Runs `fn` as the body of a real running test, returning what it recorded and threw. */
const inTest = inTestOf(import.meta.filename, { seed: 1234, name: 'parity' })

t.test('ulpDistance counts float32 steps', async (t) => {
  t.equal(ulpDistance(1, 1, 'float32'), 0)
  t.equal(ulpDistance(1, 1 + 2 ** -23, 'float32'), 1, 'next float32 after 1')
  t.equal(ulpDistance(1, 1 + 3 * 2 ** -23, 'float32'), 3)
  t.equal(ulpDistance(1, 2, 'float32'), 2 ** 23, 'one binade holds 2^23 floats')
  t.equal(ulpDistance(0, -0, 'float32'), 0)
  t.equal(ulpDistance(-(2 ** -149), 2 ** -149, 'float32'), 2, 'smallest denormals either side of zero')
  t.equal(ulpDistance(1.0000000001, 1, 'float32'), 0, 'both round to the same float32')
  t.equal(ulpDistance(NaN, 1, 'float32'), Infinity)
  t.equal(ulpDistance(NaN, NaN, 'float32'), 0)
})

t.test('tolerances: exact by default, atol/rtol/ulps, per-feature maps, clear errors', async (t) => {
  t.equal(toleranceLookup(undefined)('x'), 'exact')
  const map = toleranceLookup({ '*': { atol: 0.1 }, y: 'exact', z: { ulps: 2 } })
  t.ok(withinTolerance(1, 1.05, map('x')))
  t.notOk(withinTolerance(1, 1.15, map('x')))
  t.notOk(withinTolerance(1, 1 + 1e-15, map('y')))
  t.ok(withinTolerance(1, 1 + 2 * 2 ** -23, map('z')))
  t.notOk(withinTolerance(1, 1 + 3 * 2 ** -23, map('z')))
  t.ok(withinTolerance(100, 101, toleranceLookup({ rtol: 0.01 })('any')), 'rtol scales with |reference|')
  t.ok(withinTolerance(NaN, NaN, map('y')), 'NaN on both sides is parity')
  t.throws(() => toleranceLookup({ atol: -1 }), /tolerance.atol must be a non-negative number \(got -1\)/)
  t.throws(() => toleranceLookup({ x: { atl: 1 } as never }), /tolerance\["x"\] has unknown key "atl"; use atol, rtol or ulps/)
  t.throws(() => toleranceLookup({ ulps: 1.5 }), /ulps must be a non-negative integer/)
})

t.test('ulps are float32 ulps for float32 pairs and float64 ulps otherwise, so { ulps: 0 } is exact', async (t) => {
  t.equal(ulpDistance(1, 1 + 2 ** -52, 'float64'), 1, 'next double after 1')
  t.equal(ulpDistance(1, 2, 'float64'), 2 ** 52, 'one binade holds 2^52 doubles')
  t.equal(ulpDistance(0, -0, 'float64'), 0)
  t.equal(ulpDistance(-5e-324, 5e-324, 'float64'), 2, 'smallest denormals either side of zero')
  t.equal(ulpDistance(NaN, 1, 'float64'), Infinity)
  const zero = toleranceLookup({ ulps: 0 })('x')
  t.notOk(withinTolerance(1, 1 + 2 ** -52, zero), 'doubles one float64 ulp apart are not within { ulps: 0 }')
  t.notOk(withinTolerance(0.1, Math.fround(0.1), zero), 'a float32 rounding is not within { ulps: 0 }')
  t.ok(withinTolerance(0.1, 0.1, zero))
  t.ok(withinTolerance(1, 1 + 2 ** -52, toleranceLookup({ ulps: 1 })('x')))
  t.ok(withinTolerance(1, 1 + 2 ** -23, toleranceLookup({ ulps: 1 })('x')), 'two float32 values one float32 ulp apart')
  t.notOk(withinTolerance(1, 1 + 2 ** -23, zero))

  // A serving pipeline that rounds to float32: float32 ulps would report 0 for most values.
  const rows = [0.1, 0.2, 0.7].map((x) => ({ x }))
  const exact = (r: { x: number }): Features => ({ x: r.x * 3 })
  const rounded = (r: { x: number }): Features => ({ x: Math.fround(r.x * 3) })
  const failed = await checkFeatureParity({ records: rows, training: exact, serving: rounded, tolerance: { ulps: 0 } }).catch((e: Error) => e.message)
  t.match(failed, /x: skewed in 3\/3 \(100.0%\) examples · tolerance <= 0 ulps \(float32 ulps when both values are float32, else float64\) · max abs diff [\d.e-]+ · max ulp diff [\d.e+]+ float64 ulps/)
  const passed = await checkFeatureParity({ records: rows, training: exact, serving: rounded, tolerance: { atol: 1e-7 } })
  t.equal(passed.features[0]!.maxUlpDiff, null, 'no pair of float32 values')
  t.ok(passed.features[0]!.maxUlpDiffFloat64! > 1e6, `float64 ulps ${passed.features[0]!.maxUlpDiffFloat64}`)
})

type Raw = { id: string; x: number; city: string }
const records: Raw[] = [
  { id: 'a', x: 1, city: 'Oslo' },
  { id: 'b', x: 2, city: 'Rome' },
  { id: 'c', x: 3, city: 'Oslo' },
  { id: 'd', x: 4, city: 'Lima' },
]
const training = (r: Raw): Features => ({ x: r.x / 2, city: r.city, vec: [r.x, 0] })

t.test('checkFeatureParity: every report number against a hand-computed case', async (t) => {
  // x: records b (1 vs 1.5) and d (2 vs 2.25) differ → 2/4, max abs 0.5, max ulp 0.5 / 2^-23 = 4194304.
  // city: record c is "oslo" → 1/4. vec: equal. debug: serving only → 4/4.
  const serving = (r: Raw): Features => ({
    x: r.id === 'b' ? 1.5 : r.id === 'd' ? 2.25 : r.x / 2,
    city: r.id === 'c' ? 'oslo' : r.city,
    vec: [r.x, 0],
    debug: true,
  })
  const { error, checks } = await inTest(() => checkFeatureParity({ records, training, serving, keyBy: 'id' }))
  t.equal(error?.name, 'AssertionError')
  const report = error!.message
  t.match(report, 'checkFeatureParity: 3 of 4 features skewed across 4 examples (4 examples with any skew)')
  t.match(report, 'x: skewed in 2/4 (50.0%) examples · tolerance exact · max abs diff 0.5 · max ulp diff 4194304')
  t.match(report, 'id=b  training 1  serving 1.5')
  t.match(report, 'id=d  training 2  serving 2.25')
  t.match(report, 'city: skewed in 1/4 (25.0%) examples · tolerance exact\n')
  t.match(report, 'id=c  training "Oslo"  serving "oslo"')
  t.match(report, 'debug: skewed in 4/4 (100.0%) examples · tolerance exact · present in serving only in 4')
  t.match(report, 'id=a  training (absent)  serving true')
  t.match(report, '✓ within tolerance (1): vec')
  t.equal(checks.length, 1)
  t.match(checks[0], {
    check: 'checkFeatureParity', practice: 'train-serve-skew', verdict: 'fail',
    metrics: { threshold: 0, examples: 4, examplesWithSkew: 4, features: 4, featuresSkewed: 3, skewedFeatures: 'x,city,debug', 'skewedExamples.x': 2, 'maxAbsDiff.x': 0.5, 'skewedExamples.city': 1 },
  })

  const passing = await inTest(() => checkFeatureParity({ records, training, serving, features: ['x', 'vec'], tolerance: { x: { atol: 0.5 } } }))
  t.equal(passing.error, undefined, 'within atol 0.5 and restricted to x and vec')
  t.match(passing.result, { examples: 4, examplesWithSkew: 0, features: [{ feature: 'x', skewed: 0, maxAbsDiff: 0.5, tolerance: 'atol 0.5' }, { feature: 'vec', maxAbsDiff: 0 }] })
  t.match(passing.checks[0], { verdict: 'pass', summary: '0/2 features skewed over 4 examples' })
})

t.test('checkFeatureParity: vectors, batch pipelines, tolerance boundaries and bad input', async (t) => {
  const servingBatch = { batch: (rs: readonly Raw[]) => rs.map((r) => ({ ...training(r), vec: [r.x, r.id === 'a' ? 1e-3 : 0] })) }
  const vec = await checkFeatureParity({ records, training, serving: servingBatch, maxExamples: 1 }).catch((e: Error) => e.message)
  t.match(vec, 'vec: skewed in 1/4 (25.0%) examples · tolerance exact · max abs diff 0.001')
  t.match(vec, '#0  training [1, 0]  serving [1, 0.001]')
  const length = await checkFeatureParity({ records, training, serving: (r) => ({ ...training(r), vec: [r.x] }) }).catch((e: Error) => e.message)
  t.match(length, 'vec: skewed in 4/4 (100.0%) examples · tolerance exact\n', 'different lengths are skew, with no numeric difference')
  const atBoundary = await checkFeatureParity({ records, training, serving: (r) => ({ ...training(r), x: r.x / 2 + 0.25 }), tolerance: { atol: 0.25 } })
  t.equal(atBoundary.skewedFeatures.length, 0, '|diff| == atol is within tolerance')

  await t.rejects(checkFeatureParity(undefined as never), /^checkFeatureParity: expected an options object \{ records, training, serving \} \(got undefined\)$/)
  await t.rejects(checkServingLog(null as never), /^checkServingLog: expected an options object \{ log, training \} \(got null\)$/)
  await t.rejects(checkFeatureParity({ records: [], training, serving: training }), { message: 'checkFeatureParity: option "records" is empty; pass the raw records both pipelines should transform' })
  await t.rejects(checkFeatureParity({ records, training, serving: 3 as never }), { message: 'checkFeatureParity: option "serving" must be a function (record) => features or an object with batch(records) => features[] (got 3)' })
  await t.rejects(checkFeatureParity({ records, training, serving: () => undefined as never }), /the serving pipeline returned undefined for record #0; it must return an object of named features/)
  await t.rejects(checkFeatureParity({ records, training, serving: { batch: () => [] } }), /batch\(\) returned 0 rows for 4 records/)
  await t.rejects(checkFeatureParity({ records, training, serving: training, features: ['nope'] }), /feature "nope" in `features` was produced by neither side; check the name/)
})

/** Writes a JSONL serving log of `n` records: amount skewed by 0.5 every 1000th, `flag` missing every 25000th. */
async function writeLog(path: string, n: number) {
  const out = createWriteStream(path)
  const cities = ['Oslo', 'Rome', 'Lima']
  const note = 'padding to make the log realistically large'.repeat(3)
  for (let start = 0; start < n; start += 5000) {
    let chunk = ''
    for (let i = start; i < Math.min(n, start + 5000); i++) {
      const raw = { id: i, amount: (i % 997) * 1.25, city: cities[i % 3], note }
      const features: Record<string, unknown> = { amount: raw.amount / 100 + (i % 1000 === 999 ? 0.5 : 0), city: raw.city, flag: raw.amount > 500 }
      if (i % 25000 === 0) delete features.flag
      chunk += JSON.stringify({ raw, features }) + '\n'
    }
    if (!out.write(chunk)) await once(out, 'drain')
  }
  out.end()
  await once(out, 'finish')
}
const logTraining = (raw: { amount: number; city: string }): Features => ({ amount: raw.amount / 100, city: raw.city, flag: raw.amount > 500 })

t.test('checkServingLog streams 100k records in bounded memory with exact counts', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mltest-parity-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const log = join(dir, 'serving.jsonl')
  const n = 100_000
  await writeLog(log, n)
  const progress: ServingLogProgress[] = []
  gc()
  const before = process.memoryUsage().heapUsed
  let peak = 0
  const error = await checkServingLog({
    log, training: logTraining, keyBy: 'id', progressEvery: 20_000,
    onProgress: (p) => {
      progress.push(p)
      gc()
      peak = Math.max(peak, process.memoryUsage().heapUsed - before)
    },
  }).catch((e: Error) => e)
  const streamingGrowthMb = peak / 2 ** 20

  // The same log read whole, to show the bound below is one a non-streaming reader breaks.
  gc()
  const wholeBefore = process.memoryUsage().heapUsed
  const whole = readFileSync(log, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line))
  gc()
  const wholeGrowthMb = (process.memoryUsage().heapUsed - wholeBefore) / 2 ** 20
  t.equal(whole.length, n)

  const boundMb = 16
  t.ok(streamingGrowthMb < boundMb, `streaming heap growth ${streamingGrowthMb.toFixed(1)} MB < ${boundMb} MB`)
  t.ok(wholeGrowthMb > boundMb, `reading the log whole grows the heap by ${wholeGrowthMb.toFixed(1)} MB > ${boundMb} MB`)
  t.same(progress.map((p) => p.records), [20000, 40000, 60000, 80000, 100000, 100000])
  t.same(progress.at(-1), { records: n, recordsWithSkew: 104, done: true }, '100 skewed amounts + 4 missing flags')
  t.equal(error instanceof Error && error.name, 'AssertionError')
  const report = (error as Error).message
  t.match(report, 'checkServingLog: 2 of 3 features skewed across 100000 examples (104 examples with any skew)')
  t.match(report, 'amount: skewed in 100/100000 (0.1%) examples · tolerance exact · max abs diff 0.5')
  t.match(report, /id=999 +training 0.025  serving 0.525/, '(999 % 997) * 1.25 / 100 = 0.025')
  t.match(report, 'flag: skewed in 4/100000 (0.0%) examples · tolerance exact · present in training only in 4')
  t.match(report, `compared: 100000 logged serving records (${log}) against the training pipeline`)
})

t.test('checkServingLog: clean logs pass, progress goes to t.log, readers and bad lines', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mltest-parity-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const raws = Array.from({ length: 5 }, (_, i) => ({ amount: i * 300, city: 'Oslo' }))
  const clean = join(dir, 'clean.jsonl')
  writeFileSync(clean, raws.map((raw) => JSON.stringify({ raw, features: logTraining(raw) })).join('\n') + '\n\n')
  const passed = await inTest(() => checkServingLog({ log: clean, training: logTraining, progressEvery: 2, batchSize: 2 }))
  t.equal(passed.error, undefined)
  t.match(passed.result, { examples: 5, examplesWithSkew: 0 })
  t.same(passed.logs.map((l) => l.text.trim()), [
    `checkServingLog: 2 records checked, 0 with skew (${clean})`,
    `checkServingLog: 4 records checked, 0 with skew (${clean})`,
    `checkServingLog: 5 records checked, 0 with skew (${clean}), done`,
  ])
  t.match(passed.checks[0], { check: 'checkServingLog', verdict: 'pass', metrics: { records: 5, log: clean } })

  async function* reader() {
    for (const raw of raws) yield { raw, features: { ...logTraining(raw), city: raw.amount === 600 ? 'Bergen' : 'Oslo' } }
  }
  const fromReader = await checkServingLog({ log: reader(), training: logTraining }).catch((e: Error) => e.message)
  t.match(fromReader, 'city: skewed in 1/5 (20.0%) examples')
  t.match(fromReader, '#2  training "Oslo"  serving "Bergen"', 'reader records are named by index')

  const fromUrl = await checkServingLog({ log: pathToFileURL(clean), training: logTraining, onProgress: () => {} })
  t.equal(fromUrl.examples, 5, 'a file URL reads the same file')
  const skewedFile = join(dir, 'skewed.jsonl')
  writeFileSync(skewedFile, raws.map((raw, i) => JSON.stringify({ raw, features: { ...logTraining(raw), amount: i === 3 ? 0 : raw.amount / 100 } })).join('\n'))
  const urlReport = await checkServingLog({ log: pathToFileURL(skewedFile), training: logTraining, onProgress: () => {} }).catch((e: Error) => e.message)
  t.match(urlReport, 'amount: skewed in 1/5 (20.0%) examples · tolerance exact · max abs diff 9')
  t.match(urlReport, `compared: 5 logged serving records (${skewedFile}) against the training pipeline`)
  t.match(urlReport, 'line 4  training 9  serving 0', 'file records are named by line')
  async function* cleanReader() {
    for (const raw of raws) yield { raw, features: logTraining(raw) }
  }
  const cleanRead = await inTest(() => checkServingLog({ log: cleanReader(), training: logTraining }))
  t.equal(cleanRead.error, undefined, 'a clean async reader without keyBy passes')
  t.match(cleanRead.checks[0], { verdict: 'pass', metrics: { records: 5, log: 'a record reader' } })

  const bad = join(dir, 'bad.jsonl')
  writeFileSync(bad, `${JSON.stringify({ raw: raws[0], features: logTraining(raws[0]!) })}\n{"raw": 1, "features": \n`)
  await t.rejects(checkServingLog({ log: bad, training: logTraining }), new RegExp(`${bad}:2 is not valid JSON .*; each record must be \\{"raw"`))
  writeFileSync(bad, `{"raw": {}}\n`)
  await t.rejects(checkServingLog({ log: bad, training: logTraining }), /bad.jsonl:1 is not a log record; each record must be/)
  await t.rejects(checkServingLog({ log: join(dir, 'missing.jsonl'), training: logTraining }), /serving log not found: .*missing.jsonl; pass a JSONL file path/)
  await t.rejects(checkServingLog({ log: [], training: logTraining }), /holds no records/)
  await t.rejects(checkServingLog({ log: 42 as never, training: logTraining }), { message: 'checkServingLog: option "log" must be a JSONL file path, a file URL, or an (async) iterable of { raw, features } records (got 42)' })
})

t.test('distances: Jensen-Shannon (log2) and L-infinity against hand-computed values', async (t) => {
  // M = [0.75, 0.25]; KL(P||M) = 0.5 log2(2/3) + 0.5 log2 2; KL(Q||M) = log2(4/3); JSD = mean = 0.311278.
  const js = jensenShannon([0.5, 0.5], [1, 0])
  t.ok(Math.abs(js.divergence - 0.31127812445913283) < 1e-12, `divergence ${js.divergence}`)
  t.ok(Math.abs(js.distance - 0.5579230452841438) < 1e-12, `distance ${js.distance}`)
  t.same(jensenShannon([1, 0], [0, 1]), { divergence: 1, distance: 1 }, 'disjoint support is the maximum, 1')
  t.same(jensenShannon([0.2, 0.8], [0.2, 0.8]), { divergence: 0, distance: 0 })
  const gap = lInfinity(new Map([['a', 2], ['b', 1], ['c', 1]]), new Map([['a', 1], ['b', 3]]))
  t.same(gap, { distance: 0.5, category: 'b', training: 0.25, serving: 0.75 }, 'a .5/.25, b .25/.75, c .25/0')
})


t.test('quantile binning: cut at training quantiles, open-ended edge bins, one outlier changes nothing', async (t) => {
  t.same(quantileBinning([0.5, 1.2, 1.7, 3], 3), { edges: [1.2, 1.7], bins: 3 }, 'cuts at sorted[floor(j·n/bins)]')
  t.same(quantileBinning([1, 1, 1, 2], 4), { edges: [1, 2], bins: 3 }, 'tied cut points merge')
  const binning = quantileBinning([0.5, 1.2, 1.7, 3], 3)
  t.same(binFractions([-1e300, 1.2, 1.69, 1e300], binning), [0.25, 0.5, 0.25], 'values far outside the training range land in the edge bins')
})

t.test('checkDistributionSkew: reported distances, thresholds, sample sizes and missing rates', async (t) => {
  // 3 bins cut at training quantiles: (-∞, 1.2) [1.2, 1.7) [1.7, ∞). Training [1, 1, 2]/4, serving [3, 0, 1]/4.
  // M = [.5, .125, .375]; KL(P||M) = .5 log2(4/3), KL(Q||M) = .75 log2 1.5 + .25 log2(2/3) → JSD exactly 0.25, distance 0.5.
  const trainingRows = [0.5, 1.2, 1.7, 3].map((v, i) => ({ v, c: ['a', 'a', 'b', 'c'][i] }))
  const servingRows = [0, 0.9, 1.1, 1.9, null].map((v, i) => ({ v, c: ['a', 'b', 'b', 'b', undefined][i] }))
  // permutations 0: no test, so each statistic is judged by its threshold alone (4 rows a side could never be significant).
  const { error, checks } = await inTest(() => checkDistributionSkew({ training: trainingRows, serving: servingRows, features: ['v', 'c'], bins: 3, thresholds: { v: 0.49, c: 0.6 }, missingThresholds: 0.25, permutations: 0 }))
  const report = error!.message
  t.equal(error!.name, 'AssertionError')
  t.match(report, 'checkDistributionSkew: 1 of 2 features skewed (training 4 rows, serving 5 rows)')
  t.match(report, 'values binned at training quantiles, first and last bins open-ended (numeric)')
  t.match(report, 'their share of rows is compared on its own: |training − serving| <= 0.25')
  t.match(report, '✗ v: Jensen-Shannon distance 0.5 > threshold 0.49 · JS divergence 0.25 (log2) · 3 bins cut at training quantiles: (-∞, 1.2) [1.2, 1.7) [1.7, ∞) · n training 4 / serving 4\n')
  t.match(report, '      ✓ missing (undefined, null, NaN): training 0/4 (0.0%), serving 1/5 (20.0%) · difference 0.2 <= threshold 0.25')
  // c: training a .5, b .25, c .25; serving (4 values, 1 missing) a .25, b .75 → gap at b = 0.5.
  t.match(report, '✓ c: L-infinity 0.5 <= threshold 0.6 · largest gap "b": training 0.25, serving 0.75 · n training 4 / serving 4')
  t.match(report, 'no test (permutations 0): any statistic over its threshold is skew, however few rows back it')
  t.equal(checks[0]!.metrics['distance.v'], 0.5)
  t.match(checks[0], { verdict: 'fail', metrics: { trainingRows: 4, servingRows: 5, featuresSkewed: 1, skewedFeatures: 'v', 'threshold.v': 0.49, 'missingRateDiff.v': 0.2, 'nonFiniteRateDiff.v': 0 } })

  const ok = checkDistributionSkew({ training: trainingRows, serving: servingRows, features: { v: { type: 'numeric', bins: 3 }, c: 'categorical' }, thresholds: 0.5, missingThresholds: 0.2, permutations: 0 })
  t.same(ok.skewedFeatures, [], 'distance 0.5 <= 0.5 and missing-rate difference 0.2 <= 0.2')
  t.equal(ok.features[0]!.distance, jensenShannon([0.25, 0.25, 0.5], [0.75, 0, 0.25]).distance)

  // The missing rate is judged on its own: with the default threshold 0.05, 1 missing of 5 fails both features.
  const missing = await inTest(() => checkDistributionSkew({ training: trainingRows, serving: servingRows, features: { v: { type: 'numeric', bins: 3 }, c: 'categorical' }, thresholds: 0.6, permutations: 0 }))
  t.match(missing.error!.message, 'checkDistributionSkew: 2 of 2 features skewed')
  t.match(missing.error!.message, '✗ v: Jensen-Shannon distance 0.5 <= threshold 0.6')
  t.match(missing.error!.message, '      ✗ missing (undefined, null, NaN): training 0/4 (0.0%), serving 1/5 (20.0%) · difference 0.2 > threshold 0.05')
  t.match(missing.checks[0], { summary: /v missing rate diff 0.2 > 0.05, c missing rate diff 0.2 > 0.05/ })
  const perFeature = checkDistributionSkew({ training: trainingRows, serving: servingRows, features: ['v', 'c'], bins: 3, thresholds: 0.6, missingThresholds: { '*': 0.2, c: 0.25 } })
  t.equal(perFeature.features[1]!.missingRate.threshold, 0.25, 'missingThresholds map, with "*" for the rest')

  const none = await inTest(() => checkDistributionSkew({ training: trainingRows, serving: [{ v: null }], features: ['v'] }))
  t.match(none.error!.message, '✗ v: Jensen-Shannon distance 1 > threshold 0.1 · no serving values: every row is missing or non-finite')
  t.throws(() => checkDistributionSkew({ training: trainingRows, serving: [{ v: '3' }], features: ['v'] }), /numeric feature "v" is "3" \(string\) in serving row #0; convert it to a number or declare the feature 'categorical'/)
  t.throws(() => checkDistributionSkew({ training: trainingRows, serving: servingRows, features: ['nope'] }), /feature "nope" has no number, string or boolean value/)
  t.throws(() => checkDistributionSkew({ training: trainingRows, serving: servingRows, features: ['v'], thresholds: 2 }), { message: `checkDistributionSkew: option "thresholds" must be a number in [0, 1] or { '*': default, feature: threshold } (got 2)` })
  t.throws(() => checkDistributionSkew({ training: trainingRows, serving: servingRows, features: ['v'], missingThresholds: { v: -1 } }), { message: 'checkDistributionSkew: option "missingThresholds.v" must be a number in [0, 1] (got -1)' })
  t.throws(() => checkDistributionSkew({ training: [], serving: servingRows, features: ['v'] }), { message: 'checkDistributionSkew: option "training" is empty; pass the rows (objects with the features as fields)' })
})

t.test('checkDistributionSkew: bad options are one-line errors', async (t) => {
  t.throws(() => checkDistributionSkew(undefined as never), /^checkDistributionSkew: expected an options object \{ training, serving, features \} \(got undefined\)$/)
  const rows = [{ c: 'a' }, { c: 'b' }]
  const base = { training: rows, serving: rows, features: ['c'] }
  for (const [alpha, rule] of [[0, 'a number > 0'], [1, 'a number < 1'], [-0.1, 'a number > 0'], [1.5, 'a number < 1'], [Number.NaN, 'a number'], ['0.05', 'a number']] as const) {
    const got = typeof alpha === 'string' ? `"${alpha}"` : String(alpha)
    t.throws(() => checkDistributionSkew({ ...base, alpha: alpha as number }), { message: `checkDistributionSkew: option "alpha" must be ${rule} (got ${got})` }, `alpha ${String(alpha)}`)
  }
  t.throws(() => checkDistributionSkew({ ...base, permutations: 10 }), /^checkDistributionSkew: permutations 10 cannot reach alpha 0.05: the smallest p-value is 1\/\(permutations \+ 1\) = 0.09091; use permutations >= 20 \(e.g. 999\), leave it unset or 0 for no test$/)
  t.throws(() => checkDistributionSkew({ ...base, permutations: 19 }), /permutations 19 cannot reach alpha 0.05: the smallest p-value is 1\/\(permutations \+ 1\) = 0.05;/, 'p = 1/20 is not below 0.05')
  t.throws(() => checkDistributionSkew({ ...base, permutations: 99, alpha: 0.01 }), /use permutations >= 100/)
  t.throws(() => checkDistributionSkew({ ...base, permutations: -1 }), { message: 'checkDistributionSkew: option "permutations" must be an integer >= 0 (got -1)' })
  t.throws(() => checkDistributionSkew({ ...base, permutations: 2.5 }), { message: 'checkDistributionSkew: option "permutations" must be an integer (got 2.5)' })
  t.throws(() => checkDistributionSkew({ ...base, features: { c: { type: 'categorical', bins: 0 } } }), { message: 'checkDistributionSkew: option "features.c": option "bins" must be an integer >= 2 (got 0)' })

  // 20 permutations, the fewest allowed at alpha 0.05, can call perfectly separated samples skewed: p = 1/21.
  const a = Array.from({ length: 20 }, () => ({ c: 'a' }))
  const b = Array.from({ length: 20 }, () => ({ c: 'b' }))
  const fewest = await inTest(() => checkDistributionSkew({ training: a, serving: b, features: ['c'], permutations: 20 }))
  t.match(fewest.error!.message, '✗ c: L-infinity 1 > threshold 0.1 · permutation p 0.04762')
})

t.test('checkDistributionSkew: thresholds map with "*", per-feature bins, and ±Infinity', async (t) => {
  const trainingRows = [0.5, 1.2, 1.7, 3].map((v, i) => ({ v, c: ['a', 'a', 'b', 'c'][i] }))
  const servingRows = [0, 0.9, 1.1, 1.9].map((v, i) => ({ v, c: ['a', 'b', 'b', 'b'][i] }))
  const opts = { training: trainingRows, serving: servingRows, bins: 3 }
  // v is 0.5 apart, c 0.5 apart. '*' covers the feature the map does not name.
  const starFails = await inTest(() => checkDistributionSkew({ ...opts, features: ['v', 'c'], thresholds: { '*': 0.4, v: 0.6 }, permutations: 0 }))
  t.match(starFails.error!.message, '✗ c: L-infinity 0.5 > threshold 0.4')
  t.match(starFails.error!.message, '✓ v: Jensen-Shannon distance 0.5 <= threshold 0.6')
  t.same(checkDistributionSkew({ ...opts, features: ['v', 'c'], thresholds: { '*': 0.5, v: 0.6 }, permutations: 0 }).skewedFeatures, [], '"*" 0.5 lets c pass')

  // Per-feature bins: serving holds only the 1st and 3rd quarters of a uniform training range. Cut at the
  // median (2 bins) both halves hold half of each side; cut at quartiles (4 bins) half the bins are empty.
  const uniform = Array.from({ length: 100 }, (_, i) => ({ u: i }))
  const quarters = Array.from({ length: 50 }, (_, i) => ({ u: i < 25 ? i : 25 + i }))
  const two = checkDistributionSkew({ training: uniform, serving: quarters, features: { u: { type: 'numeric', bins: 2 } }, bins: 4, thresholds: 0.1 })
  t.equal(two.features[0]!.distance, 0, 'bins: 2 on the feature overrides bins: 4')
  const four = await inTest(() => checkDistributionSkew({ training: uniform, serving: quarters, features: { u: { type: 'numeric', bins: 4 } }, bins: 2, thresholds: 0.1 }))
  const expected = jensenShannon([0.25, 0.25, 0.25, 0.25], [0.5, 0, 0.5, 0]).distance
  t.match(four.error!.message, `✗ u: Jensen-Shannon distance ${Number(expected.toPrecision(4))} > threshold 0.1`)
  t.match(four.error!.message, '4 bins cut at training quantiles: (-∞, 25) [25, 50) [50, 75) [75, ∞)')

  // Serving rows with 10% Infinity: the finite values have the training distribution, the rate does not.
  const wave = (n: number, phase: number) => Array.from({ length: n }, (_, i) => ({ x: Math.sin(i * 1.7 + phase) * 10 }))
  const training = wave(200, 0)
  const servingClean = wave(200, 0.3)
  const servingInf = servingClean.map((r, i) => (i % 10 === 0 ? { x: i % 20 === 0 ? Infinity : -Infinity } : r))
  const clean = await inTest(() => checkDistributionSkew({ training, serving: servingClean, features: ['x'], thresholds: 0.2 }))
  t.equal(clean.error, undefined, `the clean serving sample passes (distance ${clean.result?.features[0]!.distance})`)
  const inf = await inTest(() => checkDistributionSkew({ training, serving: servingInf, features: ['x'], thresholds: 0.2, permutations: 199 }))
  t.equal(inf.error?.name, 'AssertionError')
  t.match(inf.error!.message, '✗ x: Jensen-Shannon distance ')
  t.match(inf.error!.message, /n training 200 \/ serving 180\n {6}✗ non-finite \(±Infinity\): training 0\/200 \(0.0%\), serving 20\/200 \(10.0%\) · difference 0.1 > threshold 0.05 · exact hypergeometric \(Fisher\) test p 1\.157e-6/)
  t.ok(inf.result === undefined && (inf.checks[0]!.metrics['distance.x'] as number) < 0.2, 'the finite values still match: Infinity did not collapse the bins')
  t.match(inf.checks[0], { verdict: 'fail', metrics: { 'nonFiniteRateDiff.x': 0.1 } })
  // The same Infinity share on both sides is no skew, but it is reported.
  const both = checkDistributionSkew({ training: servingInf, serving: servingInf, features: ['x'] })
  t.match(both.features[0], { trainingNonFinite: 20, servingNonFinite: 20, verdict: 'pass', nonFiniteRate: { difference: 0, verdict: 'pass' } })
  // One huge finite outlier does not stretch the bins either.
  const outlier = checkDistributionSkew({ training, serving: [...servingClean.slice(1), { x: 1e300 }], features: ['x'], thresholds: 0.2, missingThresholds: 0.05 })
  t.ok(outlier.features[0]!.distance < 0.2, `distance with a 1e300 outlier ${outlier.features[0]!.distance}`)
})

/** Every split of the pooled values into |a| and |b|: the exact permutation p-value of `statistic`. */
function exactPValue<T>(a: readonly T[], b: readonly T[], statistic: (x: T[], y: T[]) => number): { p: number; splits: number } {
  const pooled = [...a, ...b]
  const observed = statistic([...a], [...b])
  let splits = 0
  let atLeast = 0
  const choose = (start: number, picked: number[]) => {
    if (picked.length === a.length) {
      const inA = new Set(picked)
      splits++
      if (statistic(pooled.filter((_, i) => inA.has(i)), pooled.filter((_, i) => !inA.has(i))) >= observed - 1e-12) atLeast++
      return
    }
    for (let i = start; i < pooled.length; i++) choose(i + 1, [...picked, i])
  }
  choose(0, [])
  return { p: atLeast / splits, splits }
}

t.test('checkDistributionSkew: the Monte Carlo permutation p-value matches the exact one on enumerable cases', async (t) => {
  const permutations = 9999
  // Categorical: 4 vs 3 rows, C(7, 4) = 35 splits.
  const ca = ['a', 'a', 'a', 'b']
  const cb = ['a', 'b', 'b']
  const exactC = exactPValue(ca, cb, (x, y) => {
    const count = (v: string[]) => new Map(['a', 'b'].map((k) => [k, v.filter((z) => z === k).length]))
    return lInfinity(count(x), count(y)).distance
  })
  t.equal(exactC.splits, 35)
  const mcC = checkDistributionSkew({ training: ca.map((c) => ({ c })), serving: cb.map((c) => ({ c })), features: ['c'], thresholds: 0, permutations, alpha: 0.001, seed: 3 })
  const pC = mcC.features[0]!.pValue!
  const seC = Math.sqrt((exactC.p * (1 - exactC.p)) / permutations)
  t.ok(Math.abs(pC - exactC.p) < 4 * seC + 1 / (permutations + 1), `categorical: Monte Carlo p ${pC}, exact p ${exactC.p} (${exactC.splits} splits, SE ${seC.toFixed(4)})`)

  // Numeric with 2 bins cut at the training median, recomputed per split: 5 vs 4 rows, C(9, 5) = 126 splits.
  const na = [1, 2, 3, 4, 5]
  const nb = [3.5, 5.5, 6, 7]
  const exactN = exactPValue(na, nb, (x, y) => {
    const binning = quantileBinning(x, 2)
    return jensenShannon(binFractions(x, binning), binFractions(y, binning)).distance
  })
  t.equal(exactN.splits, 126)
  const mcN = checkDistributionSkew({ training: na.map((v) => ({ v })), serving: nb.map((v) => ({ v })), features: ['v'], bins: 2, thresholds: 0, permutations, alpha: 0.001, seed: 3 })
  const pN = mcN.features[0]!.pValue!
  const seN = Math.sqrt((exactN.p * (1 - exactN.p)) / permutations)
  t.ok(exactN.p > 0.02 && exactN.p < 0.98, `a p-value away from the ends (${exactN.p})`)
  t.ok(Math.abs(pN - exactN.p) < 4 * seN + 1 / (permutations + 1), `numeric: Monte Carlo p ${pN}, exact p ${exactN.p} (${exactN.splits} splits, SE ${seN.toFixed(4)})`)
})

t.test('missing and non-finite rate differences get the exact hypergeometric (Fisher) test', async (t) => {
  const flags = (count: number, rows: number) => Array.from({ length: rows }, (_, i) => (i < count ? 1 : 0))
  const rate = (x: number[]) => x.reduce((a, b) => a + b, 0) / x.length
  const enumerated = (kt: number, nt: number, ks: number, ns: number) => exactPValue(flags(kt, nt), flags(ks, ns), (x, y) => Math.abs(rate(x) - rate(y)))
  // By hand, n_t = n_s = 5, M = 3: P(K = k) = C(3, k) C(7, 5 − k) / C(10, 5) = 21, 105, 105, 21 / 252.
  // Observed 0 vs 3 (difference 0.6): only k = 0 and k = 3 are as extreme, p = 42 / 252 = 1/6.
  const hand = enumerated(0, 5, 3, 5)
  t.same(hand, { p: 1 / 6, splits: 252 })
  t.ok(Math.abs(exactRatePValue(0, 5, 3, 5) - 1 / 6) < 1e-12, `exact p ${exactRatePValue(0, 5, 3, 5)} = 1/6`)
  t.ok(Math.abs(exactRatePValue(1, 5, 2, 5) - 1) < 1e-12, '1 vs 2 of 5: every table is as extreme')
  t.same(Array.from(hypergeometricPmf(10, 3, 5).probabilities, (p) => Math.round(p * 252 * 1e9) / 1e9), [21, 105, 105, 21])
  // Unequal sides and other counts against the enumeration of every split.
  for (const [kt, nt, ks, ns] of [[0, 4, 3, 6], [1, 6, 4, 5], [2, 7, 0, 5], [0, 3, 4, 9], [3, 8, 3, 4]] as const) {
    const exact = enumerated(kt, nt, ks, ns).p
    t.ok(Math.abs(exactRatePValue(kt, nt, ks, ns) - exact) < 1e-12, `${kt}/${nt} vs ${ks}/${ns}: ${exactRatePValue(kt, nt, ks, ns)} = enumerated ${exact}`)
  }
  // Stable at N = 200 000: the distribution sums to 1 with the hypergeometric mean and variance.
  const N = 200_000
  const M = 2200
  const n = 100_000
  const { low, probabilities } = hypergeometricPmf(N, M, n)
  let sum = 0
  let mean = 0
  let square = 0
  probabilities.forEach((p, i) => { sum += p; mean += (low + i) * p; square += (low + i) ** 2 * p })
  const variance = (n * M / N) * (1 - M / N) * (N - n) / (N - 1)
  t.ok(Math.abs(sum - 1) < 1e-9 && Math.abs(mean - n * M / N) < 1e-6 && Math.abs(square - mean ** 2 - variance) / variance < 1e-6, `sum ${sum}, mean ${mean}, variance ${square - mean ** 2} (expected ${variance})`)
  const big = exactRatePValue(1000, n, 1200, n)
  t.ok(big > 0 && big < 1e-3, `1.0% vs 1.2% of 100 000 rows each: p ${big}`)
  t.ok(Math.abs(exactRatePValue(1100, n, 1100, n) - 1) < 1e-12, 'equal rates: p 1')

  // In the check: the test is named in the line and in the H0 description.
  const training = Array.from({ length: 5 }, () => ({ x: 1 }))
  const serving = Array.from({ length: 5 }, (_, i) => ({ x: i < 3 ? null : 1 }))
  const noise = await inTest(() => checkDistributionSkew({ training, serving, features: ['x'], thresholds: 1, permutations: 99 }))
  t.equal(noise.error, undefined, 'p 1/6, Holm-adjusted over 2 tests (x\'s distance and missing rate) 1/3 >= alpha: sampling noise, no throw')
  t.match(noise.result!.features[0]!.missingRate, { verdict: 'pass', test: 'exact hypergeometric (Fisher) test' })
  t.ok(Math.abs(noise.result!.features[0]!.missingRate.pValue! - 1 / 6) < 1e-12)
  t.ok(Math.abs(noise.result!.features[0]!.missingRate.pValueAdjusted! - 1 / 3) < 1e-12)
  t.match(noise.checks[0], { verdict: 'pass', summary: /^0\/1 features skewed \(n 5 \/ 5\); over threshold but within sampling noise: x missing rate diff 0.6 > 0.05 \(p 0.1667, Holm-adjusted 0.3333\)$/ })
  // 0 of 20 vs 12 of 20: p = 2 · C(28, 20) / C(40, 20) ≈ 4e-5 < alpha, so skew, and the line names the test.
  const many = (missing: number) => Array.from({ length: 20 }, (_, i) => ({ x: i < missing ? null : 1 }))
  const skew = await inTest(() => checkDistributionSkew({ training: many(0), serving: many(12), features: ['x'], thresholds: 1, permutations: 99 }))
  t.match(skew.error!.message, /✗ missing \(undefined, null, NaN\): training 0\/20 \(0\.0%\), serving 12\/20 \(60\.0%\) · difference 0\.6 > threshold 0\.05 · exact hypergeometric \(Fisher\) test p [\d.e-]+/)
  t.match(skew.error!.message, 'exact hypergeometric (Fisher) test of each rate difference over its threshold')
  const choose = (a: number, b: number) => { let r = 1; for (let i = 1; i <= b; i++) r = (r * (a - b + i)) / i; return r }
  t.ok(Math.abs(skew.checks[0]!.metrics['missingRateDiff.x'] as number - 0.6) < 1e-12)
  t.ok(Math.abs(exactRatePValue(0, 20, 12, 20) - (2 * choose(28, 20)) / choose(40, 20)) < 1e-15, `p ${exactRatePValue(0, 20, 12, 20)} = 2 C(28,20)/C(40,20)`)
})

t.test('checkDistributionSkew: a permutation test separates skew from sampling noise', async (t) => {
  // Perfectly separated categories: a permutation reaches L-infinity 1 only with the same split
  // (probability 1/C(40,20) ~ 7e-12), so p is the minimum, 1 / (1 + 199) = 0.005.
  const a = Array.from({ length: 20 }, () => ({ c: 'a' }))
  const b = Array.from({ length: 20 }, () => ({ c: 'b' }))
  const skew = await inTest(() => checkDistributionSkew({ training: a, serving: b, features: ['c'], permutations: 199 }))
  t.match(skew.error!.message, '✗ c: L-infinity 1 > threshold 0.1 · permutation p 0.005')
  t.match(skew.error!.message, 'H0: training and serving values come from the same distribution (permutation test of each distance over its threshold; exact hypergeometric (Fisher) test of each rate difference over its threshold); 199 permutations, p = (1 + #{permuted >= observed}) / (1 + 199), seed 1234; Holm correction over the 1 tests of this check: skew where the Holm-adjusted p < alpha 0.05 (family-wise) (replay: same --seed)')
  t.equal(skew.checks[0]!.metrics['pValue.c'], 0.005)

  // Two small samples of one distribution: over the threshold, but p is large → sampling noise, a pass that says so.
  // 5 of 12 vs 7 of 12 are "x": L-infinity 2/12, well within what 12-row samples differ by.
  const small = (xs: number, ds = 6) => Array.from({ length: 12 }, (_, i) => ({ c: i < xs ? 'x' : 'y', d: i < ds ? 'x' : 'y' }))
  const noise = await inTest(() => checkDistributionSkew({ training: small(5), serving: small(7), features: ['c'], thresholds: 0.01, permutations: 199 }))
  t.equal(noise.error, undefined)
  const f = noise.result!.features[0]!
  t.ok(Math.abs(f.distance - 2 / 12) < 1e-12 && f.pValue! >= 0.05 && f.verdict === 'pass', `distance ${f.distance}, p ${f.pValue}, ${f.verdict}`)
  t.match(noise.checks[0], { verdict: 'pass', summary: /^0\/1 features skewed \(n 12 \/ 12\); over threshold but within sampling noise: c 0.1667 > 0.01 \(p 0\.\d+\)$/ })

  const again = checkDistributionSkew({ training: small(5), serving: small(7), features: ['c'], thresholds: 0.01, permutations: 199, seed: 1234 })
  t.equal(again.features[0]!.pValue, f.pValue, 'the same seed gives the same p-value')
  // Each feature derives its own seed: c's p-value does not change when another feature is tested first.
  const withOther = checkDistributionSkew({ training: small(5), serving: small(7, 3), features: ['d', 'c'], thresholds: 0.01, permutations: 199, seed: 1234 })
  t.ok(withOther.features[0]!.feature === 'd' && withOther.features[0]!.pValue !== undefined, 'd ran its own permutation test first')
  t.equal(withOther.features[1]!.pValue, f.pValue, 'c alone and after d: the same p-value')
  t.not(checkDistributionSkew({ training: small(5), serving: small(7), features: ['c'], thresholds: 0.01, permutations: 199, seed: 99 }).features[0]!.pValue, f.pValue, 'another seed, another Monte Carlo estimate')

  // alpha decides: 12 vs 23 "x" of 40 rows, p ≈ 0.025 — skew at alpha 0.05, sampling noise at alpha 0.01.
  const rows = (xs: number) => Array.from({ length: 40 }, (_, i) => ({ c: i < xs ? 'x' : 'y' }))
  const at05 = await inTest(() => checkDistributionSkew({ training: rows(12), serving: rows(23), features: ['c'], thresholds: 0.1, permutations: 999, alpha: 0.05 }))
  const p = at05.checks[0]!.metrics['pValue.c'] as number
  t.ok(p > 0.01 && p < 0.05, `p ${p}`)
  t.match(at05.error!.message, `✗ c: L-infinity 0.275 > threshold 0.1 · permutation p ${p}`)
  const at01 = await inTest(() => checkDistributionSkew({ training: rows(12), serving: rows(23), features: ['c'], thresholds: 0.1, permutations: 999, alpha: 0.01 }))
  t.equal(at01.error, undefined, 'not significant at alpha 0.01')
  t.match(at01.checks[0], { verdict: 'pass', metrics: { 'pValue.c': p } })
})
