/**
 * mltest/quality, drift: the KS test (exact and asymptotic, scipy's switch), chi-squared
 * homogeneity, PSI, Jensen-Shannon, Wasserstein-1 and Benjamini–Hochberg against values from
 * scipy 1.17.1 (each call written beside its value) or worked by hand; then checkDrift on the
 * real seattle-weather data: drift between years is caught, none between alternate days of one
 * year; the calibrated mode; the option and input errors.
 */
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { createRequire } from 'node:module'
import t, { type Test } from 'tap'
import { inTestOf } from '../../in-test.ts'
import { jensenShannon } from '../../../core/plugin.ts'
import { checkDrift } from '../../../plugins/quality/drift.ts'
import {
  kolmogorovSf, ksExactPValue, ksSmallestPValue, ksStatistic, ksTwoSample, probOutsideInsideMethod, probOutsideSquare, smirnovSf,
} from '../../../plugins/quality/_internals/drift-ks.ts'
import {
  benjaminiHochberg, categoryCounts, chiSquaredHomogeneity, psi, quantile, wasserstein1,
} from '../../../plugins/quality/_internals/drift-statistics.ts'

const require = createRequire(import.meta.url)

/** |a - b| <= rel · |b|: the 1e-9 relative agreement with the quoted values. */
function close(t: Test, actual: number, expected: number, rel: number, what: string) {
  t.ok(Math.abs(actual - expected) <= rel * Math.abs(expected), `${what}: ${actual} vs ${expected} (rel ${rel})`)
}

const inTest = inTestOf(import.meta.filename, { seed: 1234, name: 'drift' })

interface Day { date: string; precipitation: number; temp_max: number; temp_min: number; wind: number; weather: string }
/** vega-datasets exports only its JS entry; the data folder is next to it. */
const csv = readFileSync(join(dirname(require.resolve('vega-datasets')), '..', 'data', 'seattle-weather.csv'), 'utf8').trim().split('\n').slice(1)
const days: Day[] = csv.map((line) => {
  const [date, precipitation, tempMax, tempMin, wind, weather] = line.split(',')
  return { date: date!, precipitation: +precipitation!, temp_max: +tempMax!, temp_min: +tempMin!, wind: +wind!, weather: weather! }
})
const year = (y: string) => days.filter((d) => d.date.startsWith(y))
const FEATURES = ['precipitation', 'temp_max', 'temp_min', 'wind', 'weather']

// Samples the scipy values below were computed on.
const X = [0.61, 0.29, 0.06, 0.59, -1.73, -0.74, 0.51, -0.56, 0.39, 1.64, 0.05, -0.06, 0.64, -0.82, 0.37, 1.77, 1.09, -1.28, 2.36, 1.31, 1.05, -0.52, -0.74, 0.2]
const Y = [1.38, 0.92, 1.11, 2.29, 0.41, 1.07, 2.61, 0.36, 1.66, 0.34, 1.63, 2.22, -0.47, 1.04, 0.8]

t.test('KS exact p-values agree with scipy ks_2samp (method auto) to 1e-9', async (t) => {
  // scipy.stats.ks_2samp(X, Y) -> statistic 0.48333333333333334, pvalue 0.017401878438220848, statistic_location 0.64
  const r = ksTwoSample(X, Y)
  close(t, r.statistic, 0.48333333333333334, 1e-12, 'D unequal sizes')
  close(t, r.pValue, 0.017401878438220848, 1e-9, 'p unequal sizes')
  t.equal(r.mode, 'exact')
  t.equal(r.location, 0.64)
  // ks_2samp(X[:15], Y) -> 0.6666666666666666, 0.0018373939965002021 (n1 == n2: _compute_prob_outside_square)
  const eq = ksTwoSample(X.slice(0, 15), Y)
  close(t, eq.statistic, 2 / 3, 1e-12, 'D equal sizes')
  close(t, eq.pValue, 0.0018373939965002021, 1e-9, 'p equal sizes')
  // ks_2samp([1,1,2,2,3,3,3], [2,3,3,4,4,5]) -> 0.5, 0.3327505827505828 (ties)
  const ties = ksTwoSample([1, 1, 2, 2, 3, 3, 3], [2, 3, 3, 4, 4, 5])
  close(t, ties.statistic, 0.5, 1e-12, 'D with ties')
  close(t, ties.pValue, 0.3327505827505828, 1e-9, 'p with ties')
  // Real data: ks_2samp(temp_max of 2012, temp_max of 2015) -> 0.15254135788606932, 0.00031570876212856956
  const real = ksTwoSample(year('2012').map((d) => d.temp_max), year('2015').map((d) => d.temp_max))
  close(t, real.statistic, 0.15254135788606932, 1e-12, 'D seattle temp_max 2012 vs 2015')
  close(t, real.pValue, 0.00031570876212856956, 1e-9, 'p seattle temp_max 2012 vs 2015')
})

t.test('KS lattice-path algorithms agree with scipy internals and with brute-force enumeration', async (t) => {
  // scipy.stats._stats_py._compute_outer_prob_inside_method(m, n, gcd, h) and _compute_prob_outside_square(n, h)
  const inside: [number, number, number, number, number][] = [
    [5, 7, 1, 10, 0.9090909090909092], [10, 15, 5, 12, 0.2521145633206476], [30, 20, 10, 25, 0.024351206903677477],
    [100, 60, 20, 100, 0.00035119949396277326], [1000, 700, 100, 3000, 2.0349744726706022e-68], [13, 29, 1, 200, 0.006810822924265694],
    [400, 399, 1, 20000, 0.003349663861453732],
  ]
  for (const [m, n, g, h, p] of inside) close(t, probOutsideInsideMethod(m, n, g, h), p, 1e-9, `inside method ${m}x${n} h ${h}`)
  const square: [number, number, number][] = [[10, 3, 0.7869297884777761], [50, 10, 0.2719135601522248], [1000, 50, 0.16411447756429137], [5000, 120, 0.1122510249500138]]
  for (const [n, h, p] of square) close(t, probOutsideSquare(n, h), p, 1e-9, `outside square n ${n} h ${h}`)

  // Independent check: the exact p-value is the share of all C(12, 5) = 792 splits of 12
  // distinct values into samples of 5 and 7 whose D is at least the observed one.
  const values = Array.from({ length: 12 }, (_, i) => i)
  const splits: number[] = []
  for (let mask = 0; mask < 1 << 12; mask++) {
    let bits = 0
    for (let b = mask; b; b &= b - 1) bits++
    if (bits === 5) splits.push(ksStatistic(values.filter((_, i) => mask & (1 << i)), values.filter((_, i) => !(mask & (1 << i)))).statistic)
  }
  t.equal(splits.length, 792)
  for (const d of [2 / 7, 17 / 35, 0.6, 5 / 7, 1]) {
    const share = splits.filter((s) => s >= d - 1e-12).length / splits.length
    close(t, ksExactPValue(5, 7, d)!.p, share, 1e-12, `exact p at D ${d} = share of splits`)
  }
  close(t, ksSmallestPValue(5, 7), 2 / 792, 1e-12, 'D = 1 happens for 2 of 792 splits')
})

t.test("KS 'auto' switches to asymptotic above 10,000 rows per side, as scipy", async (t) => {
  // Deterministic samples: frac(i · golden ratio), i = 1..n; frac(i · 0.7548776662466927) + 0.06, i = 1..300.
  const x = Array.from({ length: 10001 }, (_, i) => ((i + 1) * 0.6180339887498949) % 1)
  const y = Array.from({ length: 300 }, (_, i) => (((i + 1) * 0.7548776662466927) % 1) + 0.06)
  // ks_2samp(x, y) -> 0.06623470986234709, 0.1487854736240669 (asymptotic: kstwo.sf(D, round(10001·300/10301) = 291))
  const big = ksTwoSample(x, y)
  t.equal(big.mode, 'asymptotic')
  close(t, big.statistic, 0.06623470986234709, 1e-12, 'D')
  close(t, big.pValue, 0.1487854736240669, 1e-9, 'asymptotic p')
  // ks_2samp(x[:10000], y) -> 0.06626666666666667, 0.14808969815286666 (exact at max(n) = 10,000)
  const edge = ksTwoSample(x.slice(0, 10000), y)
  t.equal(edge.mode, 'exact')
  close(t, edge.pValue, 0.14808969815286666, 1e-9, 'exact p at 10,000 rows')
  // The one-sample distribution of the asymptotic branch: scipy.stats.kstwo.sf(x, n) and scipy.special.smirnov(n, x).
  const kstwo: [number, number, number][] = [
    [5000, 0.01, 0.6954557253913853], [5000, 0.02, 0.03613941395325637], [12000, 0.012, 0.06260373515166295],
    [200, 0.08, 0.1463961356372503], [200, 0.2, 1.7317874617308334e-7], [300, 0.6, 8.399665126868074e-104], [150, 0.15, 0.002067286298751634],
  ]
  for (const [n, d, p] of kstwo) close(t, kolmogorovSf(n, d), p, 1e-9, `kstwo.sf(${d}, ${n})`)
  close(t, kolmogorovSf(5000, 0.03), 0.00024159234422666817, 1e-9, 'kstwo.sf(0.03, 5000)')
  close(t, smirnovSf(1000, 0.1), 1.8518435484088554e-9, 1e-9, 'smirnov(1000, 0.1)')
  // Where scipy takes the Durbin matrix (n x^1.5 <= 1.4) Pelz–Good stands in; p-values there are
  // above ~0.92, and agree within 1e-5 (scipy.stats.kstwo.sf(0.045, 141), kstwo.sf(0.012, 1000)).
  t.ok(Math.abs(kolmogorovSf(141, 0.045) - 0.925251190599722) < 1e-5, 'Durbin region, n 141')
  t.ok(Math.abs(kolmogorovSf(1000, 0.012) - 0.9984464668620097) < 1e-5, 'Durbin region, n 1000')
  // Effective sizes <= 140 (a sample over 10,000 rows against one of ~141 or fewer): scipy uses
  // small-n algorithms there, the check Pelz–Good: within 1e-4 absolute of scipy.stats.kstwo.sf.
  for (const [n, d, p] of [[20, 0.2, 0.352720173623415], [20, 0.3, 0.04306706665851623], [50, 0.15, 0.19026366518248072]] as const) {
    t.ok(Math.abs(kolmogorovSf(n, d) - p) < 1e-4, `kstwo.sf(${d}, ${n}) within 1e-4 of scipy's ${p}`)
  }
})

t.test('chi-squared homogeneity, PSI, Jensen-Shannon, Wasserstein-1 against scipy and hand-worked values', async (t) => {
  // scipy.stats.chi2_contingency([[3,10,25,12],[9,14,11,16]], correction=False) -> 9.682539682539682, p 0.02146667624073888, dof 3
  const rows = (counts: number[]) => new Map(counts.map((c, i) => [`c${i}`, c]))
  const chi = chiSquaredHomogeneity(rows([3, 10, 25, 12]), rows([9, 14, 11, 16]))!
  close(t, chi.statistic, 9.682539682539682, 1e-12, 'chi-squared statistic')
  close(t, chi.pValue, 0.02146667624073888, 1e-9, 'chi-squared p')
  t.equal(chi.dof, 3)
  t.same(chi.pooled, [])
  // Pooling by hand: counts a 40/40, b 30/30, c 2/1, d 1/2: c and d expect 1.5 < 5 per row, so
  // they pool into one column 3/3; the table [[40,30,3],[40,30,3]] is homogeneous: statistic 0.
  const pooled = chiSquaredHomogeneity(new Map([['a', 40], ['b', 30], ['c', 2], ['d', 1]]), new Map([['a', 40], ['b', 30], ['c', 1], ['d', 2]]))!
  t.same(pooled.pooled, ['c', 'd'])
  t.equal(pooled.statistic, 0)
  t.equal(pooled.dof, 2)
  t.equal(chiSquaredHomogeneity(new Map([['a', 3]]), new Map([['b', 3]])), undefined, 'all categories rare: untestable')
  t.same([...categoryCounts(['x', 'y', 'x'])], [['x', 2], ['y', 1]])

  // PSI by hand: r = 1/4 each, c = (0.1, 0.2, 0.3, 0.4):
  // -0.15 ln 0.4 - 0.05 ln 0.8 + 0.05 ln 1.2 + 0.15 ln 1.6 = 0.22821740957339182 (numpy sum of the same terms)
  close(t, psi([0.25, 0.25, 0.25, 0.25], [0.1, 0.2, 0.3, 0.4]), 0.22821740957339182, 1e-12, 'PSI')
  // An empty current bin counts as 0.0001: (0.0001 - 0.5) ln(0.0001/0.5) + (0.5 - 0.5) ln 1 + ... worked out:
  const empty = psi([0.5, 0.5], [0, 1])
  close(t, empty, (0.0001 - 0.5) * Math.log(0.0001 / 0.5) + 0.5 * Math.log(2), 1e-12, 'PSI with an empty bin')
  t.ok(Number.isFinite(empty))

  // scipy.spatial.distance.jensenshannon([0.1,0.4,0.5],[0.3,0.3,0.4], base=2) -> 0.21663402449519667
  close(t, jensenShannon([0.1, 0.4, 0.5], [0.3, 0.3, 0.4]).distance, 0.21663402449519667, 1e-9, 'JS distance (the SDK implementation)')

  // scipy.stats.wasserstein_distance([0,1,3],[5,6,8]) -> 5.0; (X, Y) -> 0.8880000000000001
  close(t, wasserstein1([0, 1, 3], [5, 6, 8]), 5, 1e-12, 'W1 shifted')
  close(t, wasserstein1(X, Y), 0.8880000000000001, 1e-9, 'W1 X vs Y')
  // numpy.quantile([1,2,3,4], 0.95) = 3.85
  close(t, quantile([4, 1, 3, 2], 0.95), 3.85, 1e-12, 'linear quantile')
})

t.test('Benjamini–Hochberg on the worked example of Benjamini & Hochberg (1995)', async (t) => {
  // The 15 p-values of their section 4; at q = 0.05 the step-up rule rejects the 4 smallest
  // (largest i with p_(i) <= 0.05 · i / 15 is i = 4: 0.0095 <= 0.01333; p_(5) 0.0201 > 0.01667, ...).
  const p = [0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459, 0.324, 0.4262, 0.5719, 0.6528, 0.759, 1]
  // scipy.stats.false_discovery_control(p, method='bh'):
  const expected = [0.0015, 0.003, 0.0095, 0.035625, 0.0603, 0.06385714285714286, 0.06385714285714286, 0.0645, 0.07650000000000001, 0.486, 0.5811818181818181, 0.7148749999999999, 0.7532307692307693, 0.8132142857142857, 1]
  const adjusted = benjaminiHochberg(p)
  expected.forEach((e, i) => close(t, adjusted[i]!, e, 1e-12, `adjusted p ${i + 1}`))
  t.equal(adjusted.filter((a) => a <= 0.05).length, 4, 'four discoveries at 0.05')
  // Order does not matter: the same values shuffled give the same adjusted values at their places.
  const shuffled = [p[9]!, p[0]!, p[4]!]
  const adjustedShuffled = benjaminiHochberg(shuffled)
  close(t, adjustedShuffled[1]!, 0.0003, 1e-12, '0.0001 · 3 / 1')
  close(t, adjustedShuffled[2]!, 0.03015, 1e-12, '0.0201 · 3 / 2')
  close(t, adjustedShuffled[0]!, 0.324, 1e-12, '0.324 · 3 / 3')
})

t.test('checkDrift fails on drift between years of seattle-weather and passes on alternate days of one year', async (t) => {
  const bad = await inTest(() => checkDrift({ reference: year('2012'), current: year('2015'), features: FEATURES }))
  t.ok(bad.error, 'drift between 2012 and 2015 fails the check')
  const report = bad.error!.message
  t.match(report, 'checkDrift: 3 of 5 features drifted (reference 366 rows, current 365 rows)')
  t.match(report, 'decision: Benjamini–Hochberg over 5 tests, false-discovery rate alpha 0.05')
  // temp_max: D and exact p as scipy's ks_2samp above; BH-adjusted by hand: p-values sorted
  // (weather ~0, temp_max 0.0003157, temp_min 0.01124, precipitation 0.06596, wind 0.2175):
  // temp_max is rank 2 -> 0.0003157 · 5/2 = 0.0007893.
  t.match(report, '✗ temp_max: KS D 0.1525 · p 0.0003157 (exact), BH-adjusted 0.0007893 <= alpha 0.05 · n reference 366 / current 365 · auto: numeric → KS, exact p-value as max(n) 366 <= 10000')
  t.match(report, /✗ weather: chi-squared [\d.]+ · p \S+ \(chi-squared, dof 4\)/)
  t.match(report, '✓ wind: KS D 0.0762')
  const record = bad.checks[0]!
  t.equal(record.practice, 'prediction-drift')
  t.equal(record.verdict, 'fail')
  t.equal(record.metrics['temp_max.pValue'], ksTwoSample(year('2012').map((d) => d.temp_max), year('2015').map((d) => d.temp_max)).pValue)
  t.equal(record.figures!.length, 5, 'one figure per feature')
  t.match(record.figures![1]!.title, 'temp_max: KS D 0.1525')
  t.ok(Buffer.byteLength(JSON.stringify(record.figures)) < 256 * 1024)

  const y14 = year('2014')
  const good = await inTest(() => checkDrift({ reference: y14.filter((_, i) => i % 2 === 0), current: y14.filter((_, i) => i % 2 === 1), features: FEATURES }))
  t.equal(good.error, undefined, 'alternate days of 2014 do not drift')
  t.equal(good.result!.verdict, 'pass')
  t.equal(good.checks[0]!.verdict, 'pass')
  t.equal(good.result!.tests, 5)
  t.match(good.result!.text, 'checkDrift: 0 of 5 features drifted (reference 183 rows, current 182 rows)')
})

t.test('prediction drift on plain values; a categorical mix; explicit kinds', async (t) => {
  const ref = year('2013').map((d) => d.temp_max)
  const shifted = await inTest(() => checkDrift({ reference: ref, current: ref.map((v) => v + 3) }))
  t.match(shifted.error?.message, '✗ prediction: KS D')
  const same = await inTest(() => checkDrift({ reference: ref.slice(0, 180), current: ref.slice(0, 180) }))
  t.equal(same.result?.verdict, 'pass')
  t.equal(same.result?.features[0]!.pValue, 1)
  const labels = await inTest(() => checkDrift({ reference: year('2012').map((d) => d.weather), current: year('2015').map((d) => d.weather) }))
  t.match(labels.error?.message, '✗ prediction: chi-squared')
  // Numbers declared categorical go through chi-squared.
  const kinds = await inTest(() => checkDrift({ reference: year('2013'), current: year('2014'), features: { weather: 'categorical', wind: 'numeric' }, method: 'jensen-shannon', threshold: 0.5 }))
  t.equal(kinds.result?.verdict, 'pass')
  t.match(kinds.result!.text, 'fixed threshold, no test')
})

t.test('too few rows to tell is inconclusive, never a pass', async (t) => {
  // n 3 and 3: the exact p-value at D = 1 is 2 / C(6, 3) = 0.1 > 0.05, no data could show drift.
  const tiny = await inTest(() => checkDrift({ reference: [1, 2, 3], current: [1.5, 2.5, 3.5] }))
  t.equal(tiny.result?.verdict, 'inconclusive')
  t.equal(tiny.checks[0]!.verdict, 'inconclusive')
  t.match(tiny.checks[0]!.reason, 'smallest possible p-value is 0.1, above the level 0.05')
  // Every category rare (expected counts < 5): no chi-squared test possible.
  const rare = await inTest(() => checkDrift({ reference: ['a', 'b', 'c'], current: ['a', 'b', 'd'] }))
  t.equal(rare.result?.verdict, 'inconclusive')
  t.match(rare.checks[0]!.reason, 'too few rows for a chi-squared test')
  // ... and calibrating it does not turn it into a pass.
  const rareCalibrated = await inTest(() => checkDrift({ reference: ['a', 'b', 'c'], current: ['a', 'b', 'd'], calibrate: true }))
  t.equal(rareCalibrated.result?.verdict, 'inconclusive')
})

t.test('PSI, Jensen-Shannon and Wasserstein with fixed thresholds; the calibrated mode replaces the guess', async (t) => {
  const y14 = year('2014')
  const even = y14.filter((_, i) => i % 2 === 0)
  const odd = y14.filter((_, i) => i % 2 === 1)
  // PSI's fixed 0.1 calls noise drift on 183 vs 182 rows of the same year ...
  const fixed = await inTest(() => checkDrift({ reference: even, current: odd, features: ['temp_max', 'wind'], method: 'psi' }))
  t.match(fixed.error?.message, '✗ temp_max: PSI 0.1319 · threshold 0.1 (over; fixed threshold, no test)')
  t.match(fixed.error?.message, 'empty bins count as share 0.0001')
  // ... the calibrated threshold (95th percentile of bootstrap pairs from the reference) does not,
  const calibrated = await inTest(() => checkDrift({ reference: even, current: odd, features: ['temp_max', 'wind'], method: 'psi', calibrate: true }))
  t.equal(calibrated.result?.verdict, 'pass')
  const tm = calibrated.result!.features.find((f) => f.feature === 'temp_max')!
  t.ok(tm.threshold! > tm.statistic, `calibrated threshold ${tm.threshold} above the noise ${tm.statistic}`)
  t.match(calibrated.result!.text, 'calibrated: 199 bootstrap pairs from the reference (183 and 182 rows)')
  // ... and still catches a shift of one standard deviation in temp_max.
  const mean = even.reduce((a, d) => a + d.temp_max, 0) / even.length
  const sd = Math.sqrt(even.reduce((a, d) => a + (d.temp_max - mean) ** 2, 0) / even.length)
  const shifted = odd.map((d) => ({ ...d, temp_max: d.temp_max + sd }))
  const caught = await inTest(() => checkDrift({ reference: even, current: shifted, features: ['temp_max', 'wind'], method: 'psi', calibrate: true }))
  t.match(caught.error?.message, /✗ temp_max: PSI [\d.]+ · p 0.005 \(calibrated: 199 bootstrap pairs/)
  // Same seed, same verdict and numbers; the seed comes from the running test.
  const again = await inTest(() => checkDrift({ reference: even, current: odd, features: ['temp_max', 'wind'], method: 'psi', calibrate: true }))
  t.same(again.result!.features.map((f) => f.threshold), calibrated.result!.features.map((f) => f.threshold))
  // Wasserstein: W1 of a sample and itself moved by c is c; over the reference std (ddof 0) that is exactly 1 here.
  const moved = even.map((d) => ({ ...d, temp_max: d.temp_max + sd }))
  const w = await inTest(() => checkDrift({ reference: even, current: moved, features: ['temp_max'], method: 'wasserstein' }))
  close(t, w.checks[0]!.metrics['temp_max.statistic'] as number, 1, 1e-9, 'normalised W1 of a one-std move')
  t.match(w.error?.message, '✗ temp_max: Wasserstein-1 / reference std 1 · threshold 0.1 (over; fixed threshold, no test)')
  const js = await inTest(() => checkDrift({ reference: even, current: shifted, features: ['temp_max'], method: 'jensen-shannon', threshold: 0.2 }))
  t.match(js.error?.message, '✗ temp_max: Jensen-Shannon distance')
})

t.test('clear errors naming the field: missing feature, NaN, empty input, wrong method, misspelled option', async (t) => {
  const y13 = year('2013')
  t.throws(() => checkDrift({ reference: y13, current: y13.map(({ wind: _w, ...d }) => d), features: ['wind'] }),
    /checkDrift: feature "wind" is missing from current \(its rows have: date, precipitation, temp_max, temp_min, weather\); check the name or add the field/)
  t.throws(() => checkDrift({ reference: y13, current: y13.map((d, i) => (i === 7 ? { ...d, wind: NaN } : d)), features: ['wind'] }),
    /checkDrift: current\[7\]\.wind is NaN; drop or impute missing values before checking drift/)
  t.throws(() => checkDrift({ reference: [], current: [1, 2] }), /checkDrift: option "reference" must be a non-empty array of rows or values \(got an empty array\)/)
  t.throws(() => checkDrift({ reference: [1, 2], current: [1, NaN] }), /checkDrift: current\[1\] is NaN/)
  t.throws(() => checkDrift({ reference: y13, current: y13, features: ['weather'], method: 'ks' }), /feature "weather" is categorical, but method 'ks' needs numbers/)
  t.throws(() => checkDrift({ reference: y13, current: y13, features: ['wind'], alpah: 0.01 } as never), /checkDrift: unknown option "alpah" — did you mean "alpha"\?/)
  t.throws(() => checkDrift({ reference: y13, current: y13, features: ['wind'], threshold: 0.2 }), /option "threshold" applies to the distances/)
  t.throws(() => checkDrift({ reference: y13, current: y13 }), /option "features" is required with rows/)
  t.throws(() => checkDrift({ reference: y13, current: y13, features: ['wind'], calibrate: true, resamples: 9 }), /resamples 9 cannot reach level 0.05: the smallest p-value is 1\/\(resamples \+ 1\) = 0.1; use resamples >= 19/)
  t.throws(() => checkDrift({ reference: y13, current: [1, 2], features: ['wind'] }), /reference holds rows but current holds plain values/)
})
