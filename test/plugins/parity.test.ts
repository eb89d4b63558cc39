/**
 * mltest/parity, data side: feature parity, serving logs (100k records in bounded memory) and
 * distribution skew. Every reported number is checked against a hand-computed case.
 */
import { readFileSync, writeFileSync, mkdtempSync, rmSync, createWriteStream } from 'node:fs'
import { once } from 'node:events'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import t from 'tap'
import { createRunningTest, runWithTest } from '../../core/worker/context.ts'
import type { CheckRecord, LogEntry } from '../../core/protocol.ts'
import {
  checkDistributionSkew, checkFeatureParity, checkServingLog, jensenShannon, lInfinity, ulpDistance,
  type Features, type ServingLogProgress,
} from '../../plugins/parity/index.ts'
import { toleranceLookup, withinTolerance } from '../../plugins/parity/_internals/tolerance.ts'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

/** Runs `fn` as the body of a real running test, returning what it recorded and threw. */
async function inTest<T>(fn: () => T | Promise<T>) {
  const test = { id: 'x', file: import.meta.filename, suitePath: [], name: 'parity', fullName: 'parity', tags: [], mode: 'run' as const, expectFail: false, exclusive: false }
  const logs: LogEntry[] = []
  const running = createRunningTest(test, 1234, 99, 1, (entry) => logs.push(entry), {})
  try {
    const result = await runWithTest(running, fn)
    return { result, error: undefined, checks: running.checks as CheckRecord[], logs }
  } catch (error) {
    return { result: undefined, error: error as Error, checks: running.checks as CheckRecord[], logs }
  }
}

t.test('ulpDistance counts float32 steps', async (t) => {
  t.equal(ulpDistance(1, 1), 0)
  t.equal(ulpDistance(1, 1 + 2 ** -23), 1, 'next float32 after 1')
  t.equal(ulpDistance(1, 1 + 3 * 2 ** -23), 3)
  t.equal(ulpDistance(1, 2), 2 ** 23, 'one binade holds 2^23 floats')
  t.equal(ulpDistance(0, -0), 0)
  t.equal(ulpDistance(-(2 ** -149), 2 ** -149), 2, 'smallest denormals either side of zero')
  t.equal(ulpDistance(1.0000000001, 1), 0, 'both round to the same float32')
  t.equal(ulpDistance(NaN, 1), Infinity)
  t.equal(ulpDistance(NaN, NaN), 0)
})

t.test('tolerances: exact by default, atol/rtol/ulps, per-feature maps, clear errors', async (t) => {
  t.same(toleranceLookup(undefined)('x'), { exact: true })
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

  await t.rejects(checkFeatureParity({ records: [], training, serving: training }), /`records` is empty/)
  await t.rejects(checkFeatureParity({ records, training, serving: 3 as never }), /`serving` must be a function \(record\) => features or an object with batch/)
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

  const bad = join(dir, 'bad.jsonl')
  writeFileSync(bad, `${JSON.stringify({ raw: raws[0], features: logTraining(raws[0]!) })}\n{"raw": 1, "features": \n`)
  await t.rejects(checkServingLog({ log: bad, training: logTraining }), new RegExp(`${bad}:2 is not valid JSON .*; each record must be \\{"raw"`))
  writeFileSync(bad, `{"raw": {}}\n`)
  await t.rejects(checkServingLog({ log: bad, training: logTraining }), /bad.jsonl:1 is not a log record; each record must be/)
  await t.rejects(checkServingLog({ log: join(dir, 'missing.jsonl'), training: logTraining }), /serving log not found: .*missing.jsonl; pass a JSONL file path/)
  await t.rejects(checkServingLog({ log: [], training: logTraining }), /holds no records/)
  await t.rejects(checkServingLog({ log: 42 as never, training: logTraining }), /`log` must be a JSONL file path, a file URL, or an \(async\) iterable/)
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

t.test('checkDistributionSkew: reported distances, thresholds, sample sizes and missing counts', async (t) => {
  // 3 equal-width bins over [0, 3]: training [1, 2, 1]/4, serving [2, 2, 0]/4 → JSD 0.155639, distance 0.394511.
  const trainingRows = [0.5, 1.2, 1.7, 3].map((v, i) => ({ v, c: ['a', 'a', 'b', 'c'][i] }))
  const servingRows = [0, 0.9, 1.1, 1.9, null].map((v, i) => ({ v, c: ['a', 'b', 'b', 'b', undefined][i] }))
  const { error, checks } = await inTest(() => checkDistributionSkew({ training: trainingRows, serving: servingRows, features: ['v', 'c'], bins: 3, thresholds: { v: 0.39, c: 0.6 } }))
  const report = error!.message
  t.equal(error!.name, 'AssertionError')
  t.match(report, 'checkDistributionSkew: 1 of 2 features skewed (training 4 rows, serving 5 rows)')
  t.match(report, '✗ v: Jensen-Shannon distance 0.3945 > threshold 0.39 · JS divergence 0.1556 (log2) · 3 equal-width bins over [0, 3] · n training 4 / serving 4 (missing 0 / 1)')
  // c: training a .5, b .25, c .25; serving (4 values, 1 missing) a .25, b .75 → gap at b = 0.5.
  t.match(report, '✓ c: L-infinity 0.5 <= threshold 0.6 · largest gap "b": training 0.25, serving 0.75 · n training 4 / serving 4 (missing 0 / 1)')
  t.ok(Math.abs((checks[0]!.metrics['distance.v'] as number) - 0.3945111687006674) < 1e-12)
  t.match(checks[0], { verdict: 'fail', metrics: { trainingRows: 4, servingRows: 5, featuresSkewed: 1, skewedFeatures: 'v', 'threshold.v': 0.39, test: 'no permutation test' } })

  const ok = checkDistributionSkew({ training: trainingRows, serving: servingRows, features: { v: { type: 'numeric', bins: 3 }, c: 'categorical' }, thresholds: 0.5 })
  t.same(ok.skewedFeatures, [])
  t.equal(ok.features[0]!.distance, jensenShannon([0.25, 0.5, 0.25], [0.5, 0.5, 0]).distance)

  const none = await inTest(() => checkDistributionSkew({ training: trainingRows, serving: [{ v: null }], features: ['v'] }))
  t.match(none.error!.message, '✗ v: Jensen-Shannon distance 1 > threshold 0.1 · no serving values: every row is missing it')
  t.throws(() => checkDistributionSkew({ training: trainingRows, serving: [{ v: '3' }], features: ['v'] }), /numeric feature "v" is "3" \(string\) in serving row #0; convert it to a number or declare the feature 'categorical'/)
  t.throws(() => checkDistributionSkew({ training: trainingRows, serving: servingRows, features: ['nope'] }), /feature "nope" has no number, string or boolean value/)
  t.throws(() => checkDistributionSkew({ training: trainingRows, serving: servingRows, features: ['v'], thresholds: 2 }), /thresholds must be a number in \[0, 1\] \(got 2\)/)
  t.throws(() => checkDistributionSkew({ training: [], serving: servingRows, features: ['v'] }), /`training` must be a non-empty array of rows/)
})

t.test('checkDistributionSkew: a permutation test separates skew from sampling noise', async (t) => {
  // Perfectly separated categories: a permutation reaches L-infinity 1 only with the same split
  // (probability 1/C(40,20) ~ 7e-12), so p is the minimum, 1 / (1 + 199) = 0.005.
  const a = Array.from({ length: 20 }, () => ({ c: 'a' }))
  const b = Array.from({ length: 20 }, () => ({ c: 'b' }))
  const skew = await inTest(() => checkDistributionSkew({ training: a, serving: b, features: ['c'], permutations: 199 }))
  t.match(skew.error!.message, '✗ c: L-infinity 1 > threshold 0.1 · permutation p 0.005')
  t.match(skew.error!.message, 'permutation test: 199 permutations, alpha 0.05, seed 1234 (replay: same --seed)')
  t.equal(skew.checks[0]!.metrics['pValue.c'], 0.005)

  // Two small samples of one distribution: over the threshold, but p is large → inconclusive, no throw.
  // 5 of 12 vs 7 of 12 are "x": L-infinity 2/12, well within what 12-row samples differ by.
  const small = (xs: number) => Array.from({ length: 12 }, (_, i) => ({ c: i < xs ? 'x' : 'y' }))
  const noise = await inTest(() => checkDistributionSkew({ training: small(5), serving: small(7), features: ['c'], thresholds: 0.01, permutations: 199 }))
  t.equal(noise.error, undefined)
  const f = noise.result!.inconclusiveFeatures[0]!
  t.ok(Math.abs(f.distance - 2 / 12) < 1e-12 && f.pValue! >= 0.05, `distance ${f.distance}, p ${f.pValue}`)
  t.match(noise.checks[0], { verdict: 'inconclusive', summary: /1\/1 features over threshold but within sampling noise \(p >= 0.05\)/ })

  const again = checkDistributionSkew({ training: small(5), serving: small(7), features: ['c'], thresholds: 0.01, permutations: 199, seed: 1234 })
  t.equal(again.inconclusiveFeatures[0]!.pValue, f.pValue, 'the same seed gives the same p-value')
})
