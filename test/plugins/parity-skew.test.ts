/**
 * checkDistributionSkew's default verdict on real data (cars from vega-datasets): a random
 * split of one dataset passes, planted skew fails; and the pieces behind it checked against
 * independent computations: the relabelled statistics, Holm's correction, the too-few-rows rule.
 * The A/A false-alarm rate and the power over many splits are measured by bench/skew-false-alarms.mjs.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import t from 'tap'
import { createRng } from '../../core/plugin.ts'
import { checkDistributionSkew } from '../../plugins/parity/index.ts'
import { binFractions, jensenShannon, lInfinity, quantileBinning } from '../../plugins/parity/_internals/distances.ts'
import { countLabels } from '../../plugins/parity/_internals/feature-samples.ts'
import { holmAdjust, tooFewRowsToReach } from '../../plugins/parity/_internals/holm.ts'
import { binnedJensenShannon, categoryLInfinity } from '../../plugins/parity/_internals/permutation-test.ts'
import { inTestOf } from '../in-test.ts'

/** Runs `fn` as the body of a real running test (seed 1234), returning what it recorded and threw. */
const inTest = inTestOf(import.meta.filename, { seed: 1234, name: 'skew' })

type Car = Record<string, string | number>
const data = join(dirname(createRequire(import.meta.url).resolve('vega-datasets')), '..', 'data')
/** The 392 cars with every field present (the 294 + 98 split). */
const cars = (JSON.parse(readFileSync(join(data, 'cars.json'), 'utf8')) as Record<string, unknown>[])
  .filter((r) => Object.values(r).every((v) => v !== null)) as Car[]
const features = ['Miles_per_Gallon', 'Cylinders', 'Displacement', 'Horsepower', 'Weight_in_lbs', 'Acceleration', 'Origin']
/** A random 75/25 split, seeded: the same data on both sides. */
function randomSplit(seed: number) {
  const shuffled = createRng(seed).shuffle(cars)
  return { serving: shuffled.slice(0, 98), training: shuffled.slice(98) }
}

t.test('defaults: a random 75/25 split of cars passes; a fixed threshold alone failed it', async (t) => {
  t.equal(cars.length, 392)
  const { training, serving } = randomSplit(7)
  const run = await inTest(() => checkDistributionSkew({ training, serving, features }))
  t.equal(run.error, undefined, 'the same data on both sides is no skew')
  const check = run.checks[0]!
  t.match(check, { verdict: 'pass', metrics: { trainingRows: 294, servingRows: 98, permutations: 999, alpha: 0.05, correction: 'holm', tests: 7, featuresSkewed: 0 } })
  // Horsepower is 0.1659 apart, over 0.1, but 98 rows differ that much by chance: the summary says so.
  t.match(check.summary, /^0\/7 features skewed \(n 294 \/ 98\); over threshold but within sampling noise: .*Horsepower 0\.1659 > 0\.1 \(p 0\.\d+, Holm-adjusted 1\)/)
  const horsepower = run.result!.features.find((f) => f.feature === 'Horsepower')!
  t.ok(horsepower.pValue! > 0.05 && horsepower.nullQuantile! > horsepower.distance, `p ${horsepower.pValue}; 95% of relabellings reach ${horsepower.nullQuantile}`)

  // What the old default (no test) said about the same split: two of the false alarms.
  const fixed = await inTest(() => checkDistributionSkew({ training, serving, features, permutations: 0 }))
  t.match(fixed.error?.message, /✗ Horsepower: Jensen-Shannon distance 0\.1659 > threshold 0\.1 · JS divergence/)
  t.match(fixed.error?.message, /✗ Weight_in_lbs: Jensen-Shannon distance 0\.1296 > threshold 0\.1 · JS divergence/)

  // Why the correction is the default: without it, 7 tests at alpha 0.05 each call this split skewed.
  const split5 = randomSplit(5)
  t.doesNotThrow(() => checkDistributionSkew({ ...split5, features, seed: 1 }))
  const uncorrected = await inTest(() => checkDistributionSkew({ ...split5, features, seed: 1, correction: 'none' }))
  t.match(uncorrected.error?.message, /no multiple-comparison correction: skew where p < alpha 0.05, for each of the 7 tests/)
  t.match(uncorrected.error?.message, /✗ Weight_in_lbs: Jensen-Shannon distance 0\.2364 > threshold 0\.1 · permutation p 0\.008 ·/)
})

t.test('defaults still catch planted skew: a unit bug on one feature, and traffic from newer cars', async (t) => {
  const { training, serving } = randomSplit(7)
  // Serving sends weight in thousandths of a pound: every serving value lands in the last bin.
  const unitBug = serving.map((car) => ({ ...car, Weight_in_lbs: (car.Weight_in_lbs as number) * 1000 }))
  const bug = await inTest(() => checkDistributionSkew({ training, serving: unitBug, features }))
  t.equal(bug.error?.name, 'AssertionError')
  t.match(bug.checks[0], { verdict: 'fail', metrics: { skewedFeatures: 'Weight_in_lbs', 'pValue.Weight_in_lbs': 0.001, 'pValueAdjusted.Weight_in_lbs': 0.007 } })
  // By hand: training fractions p over the 10 bins, serving all in the last; JS = (KL(p||m) + KL(q||m)) / 2, m = (p + q) / 2.
  const weights = training.map((c) => c.Weight_in_lbs as number).sort((a, b) => a - b)
  const cuts = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((j) => weights[Math.floor((j * weights.length) / 10)]!)
  const p = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
  for (const w of weights) p[cuts.filter((c) => c <= w).length]! += 1 / weights.length
  const q = [0, 0, 0, 0, 0, 0, 0, 0, 0, 1]
  const m = p.map((pi, i) => (pi + q[i]!) / 2)
  const js = p.reduce((s, pi, i) => s + (pi ? (pi * Math.log2(pi / m[i]!)) / 2 : 0) + (q[i] ? (q[i]! * Math.log2(q[i]! / m[i]!)) / 2 : 0), 0)
  t.ok(Math.abs((bug.checks[0]!.metrics['distance.Weight_in_lbs'] as number) - Math.sqrt(js)) < 1e-12, `distance ${bug.checks[0]!.metrics['distance.Weight_in_lbs']} = sqrt(${js})`)
  t.match(bug.error!.message, /✗ Weight_in_lbs: Jensen-Shannon distance 0\.8688 > threshold 0\.1 · permutation p 0\.001, Holm-adjusted 0\.007 ·/)
  t.match(bug.error!.message, /✓ Horsepower: Jensen-Shannon distance 0\.1659 > threshold 0\.1 · permutation p 0\.\d+, Holm-adjusted 1 · within sampling noise; 95% of permuted distances are <= 0\.\d+/)

  // Serving traffic from model years 1980-82 only, against the 1970-78 cars it was trained on.
  const old = cars.filter((c) => (c.Year as string) < '1979')
  const recent = cars.filter((c) => (c.Year as string) >= '1980')
  t.same([old.length, recent.length], [278, 85])
  const shift = await inTest(() => checkDistributionSkew({ training: old, serving: recent, features }))
  t.match(shift.error?.message, /^checkDistributionSkew: [4-7] of 7 features skewed \(training 278 rows, serving 85 rows\)/)
  t.match(shift.error?.message, /✗ Miles_per_Gallon: Jensen-Shannon distance 0\.\d+ > threshold 0\.1 · permutation p 0\.001, Holm-adjusted 0\.00\d ·/)
})

t.test('the relabelled statistics equal the reference distances bit for bit', async (t) => {
  const rng = createRng(5)
  for (let round = 0; round < 200; round++) {
    const n = rng.int(2, 60)
    const bins = rng.int(2, 12)
    // Integers from a small range: many ties, so cut points merge.
    const values = Array.from({ length: n }, () => rng.int(0, round % 2 ? 5 : 1000))
    const isServing = Uint8Array.from({ length: n }, () => (rng.next() < 0.3 ? 1 : 0))
    const training = values.filter((_, i) => !isServing[i])
    const serving = values.filter((_, i) => isServing[i])
    const order = values.map((v, i) => ({ v, s: isServing[i]! })).sort((a, b) => a.v - b.v)
    const fast = binnedJensenShannon(Float64Array.from(order, (o) => o.v), bins)(Uint8Array.from(order, (o) => o.s))
    const binning = quantileBinning(training, bins)
    const reference = jensenShannon(binFractions(training, binning), binFractions(serving, binning)).distance
    if (fast !== reference) t.fail(`round ${round}: relabelled ${fast} vs reference ${reference} (n ${n}, bins ${bins})`)

    const labels = values.map((v) => `c${v % 4}`)
    const codes = Int32Array.from(labels, (l) => Number(l.slice(1)))
    const fastL = categoryLInfinity(codes, 4)(isServing)
    const referenceL = lInfinity(countLabels(labels.filter((_, i) => !isServing[i])), countLabels(labels.filter((_, i) => isServing[i]))).distance
    if (fastL !== referenceL) t.fail(`round ${round}: relabelled L-infinity ${fastL} vs reference ${referenceL}`)
  }
  t.pass('200 random labellings, numeric (with ties) and categorical')
})

t.test("Holm's correction against hand-computed values and the step-down definition", async (t) => {
  // Sorted: 0.005·4 = 0.02, 0.01·3 = 0.03, 0.03·2 = 0.06, 0.04·1 = 0.04 → running max 0.02, 0.03, 0.06, 0.06.
  const close = (a: number[], b: number[]) => a.length === b.length && a.every((x, i) => Math.abs(x - b[i]!) < 1e-15)
  t.ok(close(holmAdjust([0.01, 0.04, 0.03, 0.005], 4), [0.03, 0.06, 0.06, 0.02]), 'four tests')
  // Two more hypotheses that were not tested (within threshold): 0.005·6, 0.01·5, 0.03·4, 0.04·3.
  t.ok(close(holmAdjust([0.01, 0.04, 0.03, 0.005], 6), [0.05, 0.12, 0.12, 0.03]), 'six hypotheses, four tested')
  t.same(holmAdjust([0.5, 0.9], 2), [1, 1], 'capped at 1')
  t.throws(() => holmAdjust([0.1, 0.2], 1), /2 p-values but only 1 hypotheses/)
  // Step-down: reject the k smallest while p_(j) < alpha / (m - j + 1) for all j <= k.
  const rng = createRng(9)
  for (let round = 0; round < 500; round++) {
    const m = rng.int(1, 12)
    const ps = Array.from({ length: rng.int(1, m) }, () => (rng.next() < 0.5 ? rng.next() * 0.02 : rng.next()))
    const sorted = [...ps].sort((a, b) => a - b)
    let k = 0
    while (k < sorted.length && sorted[k]! < 0.05 / (m - k)) k++
    const rejected = new Set(sorted.slice(0, k))
    const adjusted = holmAdjust(ps, m)
    if (ps.some((p, i) => rejected.has(p) !== adjusted[i]! < 0.05)) t.fail(`round ${round}: ${JSON.stringify(ps)} m ${m}`)
  }
  t.pass('adjusted p < 0.05 rejects exactly what the step-down procedure rejects (500 random cases)')
})

t.test('too few rows to ever be significant is inconclusive, never a silent pass', async (t) => {
  // C(6, 3) = 20 splits: the observed one alone has probability 1/20 = 0.05, so p can never be < 0.05.
  t.equal(tooFewRowsToReach(3, 3, 0.05), true)
  t.equal(tooFewRowsToReach(4, 4, 0.05), false, 'C(8, 4) = 70 > 20')
  t.equal(tooFewRowsToReach(4, 4, 1 / 70), true, '1/C(8, 4) is not below 1/70')
  t.equal(tooFewRowsToReach(1, 200, 0.005), false, 'C(201, 1) = 201 > 200')
  t.equal(tooFewRowsToReach(1, 199, 0.005), true, 'C(200, 1) = 200')
  const a = [{ c: 'a' }, { c: 'a' }, { c: 'a' }]
  const b = [{ c: 'b' }, { c: 'b' }, { c: 'b' }]
  const tiny = await inTest(() => checkDistributionSkew({ training: a, serving: b, features: ['c'] }))
  t.equal(tiny.error, undefined)
  t.match(tiny.checks[0], { verdict: 'inconclusive', summary: '1/1 features over threshold with too few rows for the test to tell (n 3 / 3): c 1 > 0.1 (p 0.' })
  t.match(tiny.result!.features[0], { verdict: 'inconclusive', distanceVerdict: 'inconclusive', distance: 1 })
})

t.test('permutations are checked against the corrected level; the default grows with the tests and shrinks with the rows', async (t) => {
  const rows = [{ a: 'x', b: 'y', c: 'z' }, { a: 'y', b: 'x', c: 'z' }]
  const three = { training: rows, serving: rows, features: ['a', 'b', 'c'] }
  t.throws(() => checkDistributionSkew({ ...three, permutations: 20 }), {
    message: "checkDistributionSkew: permutations 20 cannot reach alpha 0.05 Holm-corrected over 3 tests (a test alone must reach 0.05/3 = 0.01667): the smallest p-value is 1/(permutations + 1) = 0.04762; use permutations >= 60 (e.g. 999), leave it unset, pass correction: 'none' or 0 for no test",
  })
  t.doesNotThrow(() => checkDistributionSkew({ ...three, permutations: 20, correction: 'none' }), 'alpha 0.05 per test needs only 20')
  // 60 features: alone, a test must reach 0.05/60; the default gives 1/(permutations + 1) <= half of that.
  const wide = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`f${i}`, i % 2]))
  const run = await inTest(() => checkDistributionSkew({ training: [wide, wide], serving: [wide], features: Object.keys(wide) }))
  t.match(run.checks[0], { verdict: 'pass', metrics: { tests: 60, permutations: 2399 } })
  t.ok(1 / 2400 <= 0.05 / 60 / 2)
  // Large samples: each permutation costs O(rows), so 40 000 rows get 2e7 / 40 000 = 500, one feature needs >= 39.
  const many = Array.from({ length: 20_000 }, (_, i) => ({ c: i % 3 }))
  const large = await inTest(() => checkDistributionSkew({ training: many, serving: many, features: ['c'] }))
  t.match(large.checks[0], { verdict: 'pass', metrics: { tests: 1, permutations: 500 } })
  const huge = Array.from({ length: 1_000_000 }, () => ({ c: 1 }))
  t.match((await inTest(() => checkDistributionSkew({ training: huge, serving: huge.slice(0, 10), features: ['c'] }))).checks[0], { metrics: { permutations: 39 } }, 'never fewer than 2 / alpha - 1')
})
