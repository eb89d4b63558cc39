// The statistics behind `mltest bench` verdicts, checked against independently computed values:
// scipy 1.17.1 / numpy 2.4 results (computed once, quoted with their call), brute-force
// enumeration of every split of the pooled samples for the exact U distribution, brute-force
// pairwise differences for Hodges–Lehmann, test inversion for its interval, and coverage by
// simulation for the normal approximation.
import t from 'tap'
import { createRng } from 'mltest/plugin'
import { bootstrapRatio } from '../../plugins/bench-history/_internals/bootstrap.ts'
import { compareBenchmark, compareRss, judgeChange, P99_MIN_SAMPLES, type CompareOptions } from '../../plugins/bench-history/_internals/compare.ts'
import { hodgesLehmannShift, intervalRank, kthDifference } from '../../plugins/bench-history/_internals/hodges-lehmann.ts'
import { exactUDistribution, mannWhitneyU } from '../../plugins/bench-history/_internals/mann-whitney.ts'
import { quantile, quantileSorted } from '../../plugins/bench-history/_internals/quantile.ts'
import { runToRun } from '../../plugins/bench-history/_internals/run-to-run.ts'

const A_X = [1.83, 0.5, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.3]
const A_Y = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.07, 3.14, 1.28]
const B_X = [0.8, 0.9, 1.0, 1.0, 1.1, 1.2, 1.2, 1.2]
const B_Y = [1.0, 1.1, 1.2, 1.2, 1.3, 1.3, 1.4, 1.5, 1.6]
// Python: C_X = [(100 + ((i*7919) % 1000) // 10) / 100 for i in range(60)], C_Y likewise from 105: many ties.
const C_X = Array.from({ length: 60 }, (_, i) => (100 + Math.floor(((i * 7919) % 1000) / 10)) / 100)
const C_Y = Array.from({ length: 80 }, (_, j) => (105 + Math.floor(((j * 104729) % 1000) / 10)) / 100)
const D_X = Array.from({ length: 30 }, (_, i) => 1 + ((i * 7919) % 997) / 997)
const D_Y = Array.from({ length: 40 }, (_, j) => 1.1 + ((j * 104729) % 991) / 991)

/** Every way to choose which `m` of the pooled positions belong to the first group. */
function* combinations(n: number, m: number, start = 0, chosen: number[] = []): Generator<number[]> {
  if (chosen.length === m) {
    yield chosen
    return
  }
  for (let i = start; i <= n - (m - chosen.length); i++) yield* combinations(n, m, i + 1, [...chosen, i])
}

/** U of the second group by counting pairs directly (ties 1/2). */
function bruteU(x: readonly number[], y: readonly number[]): number {
  let u = 0
  for (const a of x) for (const b of y) u += b > a ? 1 : b === a ? 0.5 : 0
  return u
}

/** Exact two-sided permutation p-value of U by enumerating every relabelling. */
function brutePermutationP(x: readonly number[], y: readonly number[]): number {
  const pooled = [...x, ...y]
  const observed = bruteU(x, y)
  const mu = (x.length * y.length) / 2
  let lower = 0
  let upper = 0
  let total = 0
  for (const firstGroup of combinations(pooled.length, x.length)) {
    const inFirst = new Set(firstGroup)
    const u = bruteU(
      firstGroup.map((i) => pooled[i]!),
      pooled.filter((_, i) => !inFirst.has(i)),
    )
    total++
    if (u <= observed) lower++
    if (u >= observed) upper++
  }
  void mu
  return Math.min(1, (2 * Math.min(lower, upper)) / total)
}

const pairwise = (x: readonly number[], y: readonly number[]) => x.flatMap((a) => y.map((b) => b - a)).sort((p, q) => p - q)
const median = (sorted: readonly number[]) => (sorted.length % 2 ? sorted[(sorted.length - 1) / 2]! : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2)

t.test('quantiles are Hyndman-Fan type 7 (numpy.percentile)', async (t) => {
  // np.percentile(C_X, [50, 99, 12.5]) = [1.495, 1.9582, 1.1175]; np.percentile(C_Y, [50, 99]) = [1.535, 2.0242]
  t.ok(Math.abs(quantile(C_X, 0.5) - 1.495) < 1e-12)
  t.ok(Math.abs(quantile(C_X, 0.99) - 1.9582) < 1e-12)
  t.ok(Math.abs(quantile(C_X, 0.125) - 1.1175) < 1e-12)
  t.ok(Math.abs(quantile(C_Y, 0.5) - 1.535) < 1e-12)
  t.ok(Math.abs(quantile(C_Y, 0.99) - 2.0242) < 1e-12)
  t.equal(quantileSorted(Float64Array.of(3), 0.99), 3)
})

t.test('the exact null distribution of U equals full enumeration of the splits', async (t) => {
  for (const [m, n] of [
    [1, 1],
    [3, 7],
    [4, 5],
    [6, 6],
  ] as const) {
    const counts = new Array(m * n + 1).fill(0)
    let total = 0
    const values = Array.from({ length: m + n }, (_, i) => i)
    for (const firstGroup of combinations(m + n, m)) {
      const inFirst = new Set(firstGroup)
      counts[bruteU(firstGroup, values.filter((v) => !inFirst.has(v)))]++
      total++
    }
    const dist = exactUDistribution(m, n)
    t.equal(dist.length, m * n + 1)
    t.ok(
      counts.every((c, u) => Math.abs(c / total - dist[u]!) < 1e-14),
      `(${m}, ${n}): P(U = u) matches ${total} enumerated splits`,
    )
  }
})

t.test('Mann-Whitney U: exact p-values match scipy and brute-force permutation', async (t) => {
  // scipy.stats.mannwhitneyu(A_Y, A_X, method='exact') → U=23, p=0.13591114767585355
  const a = mannWhitneyU(A_X, A_Y)
  t.equal(a.method, 'exact')
  t.equal(a.u, 23)
  t.ok(Math.abs(a.p - 0.13591114767585355) < 1e-12, `p ${a.p}`)
  t.ok(Math.abs(a.p - brutePermutationP(A_X, A_Y)) < 1e-12, 'equals the permutation p over all 48620 splits')
  // mannwhitneyu(D_Y, D_X, method='exact') → U=629, p=0.7368210435827549 (30 vs 40: exact still)
  const d = mannWhitneyU(D_X, D_Y)
  t.equal(d.method, 'exact')
  t.equal(d.u, 629)
  t.ok(Math.abs(d.p - 0.7368210435827549) < 1e-9, `p ${d.p}`)
  t.equal(d.u, bruteU(D_X, D_Y))
})

t.test('Mann-Whitney U: normal approximation with ties matches scipy (tie + continuity correction)', async (t) => {
  // mannwhitneyu(B_Y, B_X, method='asymptotic') → U=60.5, p=0.01892036701496344
  const b = mannWhitneyU(B_X, B_Y)
  t.equal(b.method, 'normal', 'ties: no exact table')
  t.equal(b.u, 60.5)
  t.equal(b.u, bruteU(B_X, B_Y))
  t.ok(Math.abs(b.p - 0.01892036701496344) < 1e-12, `p ${b.p}`)
  // mannwhitneyu(C_Y, C_X, method='asymptotic') → U=2638.5, p=0.31622678600738885
  const c = mannWhitneyU(C_X, C_Y)
  t.equal(c.u, 2638.5)
  t.equal(c.u, bruteU(C_X, C_Y))
  t.ok(Math.abs(c.p - 0.31622678600738885) < 1e-12, `p ${c.p}`)
  t.ok(c.tieTerm > 0)
  // Symmetric: swapping the groups mirrors U and keeps p.
  const swapped = mannWhitneyU(C_Y, C_X)
  t.equal(swapped.u, 60 * 80 - 2638.5)
  t.ok(Math.abs(swapped.p - c.p) < 1e-15)
  // Far apart: p underflows gracefully instead of cancelling to 0 early.
  const far = mannWhitneyU(
    Array.from({ length: 500 }, (_, i) => i),
    Array.from({ length: 500 }, (_, i) => 1000 + i),
  )
  t.ok(far.p > 0 && far.p < 1e-100, `p ${far.p}`)
})

t.test('k-th pairwise difference and the Hodges-Lehmann estimate equal brute force', async (t) => {
  const x = Float64Array.from(C_X).sort()
  const y = Float64Array.from(C_Y).sort()
  const all = pairwise(C_X, C_Y)
  for (const k of [1, 2, 17, 1000, 2400, 2401, 4799, 4800]) t.equal(kthDifference(x, y, k), all[k - 1], `k = ${k} (many tied differences)`)
  // np.median(np.subtract.outer(np.log(C_Y), np.log(C_X))) = 0.03409421134297608
  const hl = hodgesLehmannShift(C_X.map(Math.log), C_Y.map(Math.log), { confidence: 0.95, tieTerm: mannWhitneyU(C_X, C_Y).tieTerm })
  t.ok(Math.abs(hl.estimate - 0.03409421134297608) < 1e-12, `HL ${hl.estimate}`)
  const rng = createRng(7)
  const big1 = Array.from({ length: 301 }, () => Math.exp(rng.normal(0, 0.3)))
  const big2 = Array.from({ length: 257 }, () => Math.exp(rng.normal(0.1, 0.3)))
  const logs1 = big1.map(Math.log)
  const logs2 = big2.map(Math.log)
  const brute = median(pairwise(logs1, logs2))
  t.equal(hodgesLehmannShift(logs1, logs2, { confidence: 0.95, tieTerm: 0 }).estimate, brute, 'odd count: the middle difference itself')
})

t.test('the exact Hodges-Lehmann interval is the set of shifts the exact test does not reject', async (t) => {
  const x = [1.1, 2.3, 0.7, 1.9, 3.2, 1.4]
  const y = [2.0, 3.9, 2.8, 1.6, 4.4, 3.1, 2.5]
  const alpha = 0.05
  const ci = hodgesLehmannShift(x, y, { confidence: 1 - alpha, tieTerm: 0 })
  t.equal(ci.method, 'exact')
  // Brute force: scan shifts between consecutive pairwise differences; keep those with permutation p > alpha.
  const diffs = pairwise(x, y)
  const candidates = [diffs[0]! - 1, ...diffs.slice(1).map((d, i) => (d + diffs[i]!) / 2), diffs[diffs.length - 1]! + 1]
  const accepted = candidates.filter((d) => brutePermutationP(x, y.map((v) => v - d)) > alpha)
  // Accepted shifts run from just above the lower end to just below the upper end.
  const lowIndex = candidates.indexOf(accepted[0]!)
  const highIndex = candidates.indexOf(accepted[accepted.length - 1]!)
  t.equal(ci.low, diffs[lowIndex - 1], `low end ${ci.low}`)
  t.equal(ci.high, diffs[highIndex], `high end ${ci.high}`)
  t.ok(ci.coverage >= 0.95 && ci.coverage < 0.97, `exact coverage ${ci.coverage}`)
})

t.test('the normal-approximation interval covers the true log ratio about 95% of the time', async (t) => {
  const rng = createRng(2024)
  const trueShift = Math.log(1.2)
  let covered = 0
  const trials = 400
  for (let trial = 0; trial < trials; trial++) {
    const x = Array.from({ length: 60 }, () => rng.normal(0, 0.25))
    const y = Array.from({ length: 80 }, () => rng.normal(trueShift, 0.25))
    const ci = hodgesLehmannShift(x, y, { confidence: 0.95, tieTerm: 0 })
    t.equal(ci.method, 'normal') // 80 > 50 a side
    if (ci.low <= trueShift && trueShift <= ci.high) covered++
  }
  // Binomial(400, 0.95): sd 1.1 points; 92%..98% is about ±2.7 sd.
  t.ok(covered / trials >= 0.92 && covered / trials <= 0.98, `coverage ${covered}/${trials}`)
})

t.test('interval ranks: unbounded when the samples are too small, exact coverage otherwise', async (t) => {
  t.equal(intervalRank(2, 2, 0.95, 0).k, 0, 'P(U = 0) = 1/6 > 2.5%: no finite interval')
  const { k, coverage } = intervalRank(8, 8, 0.95, 0)
  // Tables (e.g. Hollander & Wolfe): for m = n = 8, alpha = 0.05 two-sided, the lower critical U is 13, so k = 14.
  t.equal(k, 14)
  t.ok(coverage >= 0.95)
  const tiny = hodgesLehmannShift([1, 2], [3, 4], { confidence: 0.95, tieTerm: 0 })
  t.equal(tiny.low, -Infinity)
  t.equal(tiny.high, Infinity)
})

t.test('bootstrap: seeded, resampled quantiles computed from counts, centred on the observed ratio', async (t) => {
  const rng = createRng(5)
  const base = Array.from({ length: 800 }, () => Math.exp(rng.normal(0, 0.2)))
  const slower = base.map((v) => v * 1.5)
  const options = { statistic: { kind: 'quantile', q: 0.99 } as const, confidence: 0.95, resamples: 500, seed: 11 }
  const a = bootstrapRatio(base, slower, options)
  const b = bootstrapRatio(base, slower, options)
  t.same(a, b, 'same seed, same interval')
  t.ok(Math.abs(a.ratio - 1.5) < 1e-12, 'observed ratio of p99s')
  t.ok(a.low < 1.5 && a.high > 1.4 && a.low > 1.1, `CI [${a.low}, ${a.high}]`)
  t.ok(a.p < 0.01, `p ${a.p}`)
  const same = bootstrapRatio(base, base, { ...options, statistic: { kind: 'mean' } })
  t.equal(same.ratio, 1)
  t.ok(same.low < 1 && same.high > 1 && same.p > 0.5, `identical samples: CI [${same.low}, ${same.high}], p ${same.p}`)
  t.equal(bootstrapRatio(base, slower, { ...options, resamples: 99 }).p >= 1 / 100, true, 'p never below 1/(B+1)')
})

t.test('run-to-run: the Student-t prediction interval of a new run matches scipy', async (t) => {
  // l = np.log(b); d = np.log(c) - l.mean(); se = l.std(ddof=1) * np.sqrt(1 + 1/K)
  // p = 2 * scipy.stats.t.sf(abs(d / se), K - 1); CI = np.exp(d ± scipy.stats.t.ppf(1 - alpha/2, K - 1) * se)
  const five = runToRun([1.0, 1.02, 0.98, 1.01, 0.99], 1.1, 0.99)!
  t.ok(Math.abs(five.p - 0.005300982010425264) < 1e-12, `p ${five.p}`)
  t.ok(Math.abs(five.low - 1.0157776720462743) < 1e-12 && Math.abs(five.high - 1.1914438549553015) < 1e-12, `[${five.low}, ${five.high}]`)
  t.ok(Math.abs(five.ratio - 1.1001100242068222) < 1e-12)
  const two = runToRun([0.55, 0.61], 0.5, 0.95)!
  t.ok(Math.abs(two.p - 0.34854355525435143) < 1e-12, `p ${two.p}`)
  t.ok(Math.abs(two.low - 0.27625487171471586) < 1e-12 && Math.abs(two.high - 2.697351464740548) < 1e-9, `[${two.low}, ${two.high}]`)
  // The spread from 10 recent runs (df = 9), the level from the 2 baseline runs:
  // b, sp = np.log([1.0, 1.02]), np.log([1.0, 1.02, 0.98, 1.01, 0.99, 1.03, 0.97, 1.0, 1.01, 0.99]); se = sp.std(ddof=1) * np.sqrt(1 + 1/2)
  const spread = runToRun([1.0, 1.02], 1.1, 0.99, [1.0, 1.02, 0.98, 1.01, 0.99, 1.03, 0.97, 1.0, 1.01, 0.99])!
  t.ok(Math.abs(spread.p - 0.004098778359836868) < 1e-12, `p ${spread.p}`)
  t.ok(Math.abs(spread.low - 1.0128023237782042) < 1e-12 && Math.abs(spread.high - 1.1712794115426086) < 1e-12, `[${spread.low}, ${spread.high}]`)
  t.equal(spread.runs, 10)
  t.equal(runToRun([1], 2, 0.99), undefined, 'one run: no spread to estimate')
  t.same(runToRun([1, 1, 1], 1, 0.99), { ratio: 1, low: 1, high: 1, p: 1, runs: 3 })
})

t.test('a shift within the runs\' own variation is never significant, however many samples', async (t) => {
  // Five baseline runs whose medians wander by ±6% (as tails do on a busy machine); the current
  // run sits 8% above their mean: the within-run test alone would call that a regression.
  const medians = [0.94, 1.06, 1.0, 0.95, 1.05, 0.97, 1.03, 0.96, 1.04, 1.0, 0.98, 1.02]
  const history = medians.map((m, i) => ({ samplesMs: latencies(100 + i, 2000, m, 0.02) }))
  const runs = history.slice(0, 5)
  const spread = history.map((r) => ({ n: 2000, p50Ms: quantile(r.samplesMs, 0.5), p99Ms: quantile(r.samplesMs, 0.99), meanMs: r.samplesMs.reduce((a, b) => a + b) / 2000 }))
  const young = compareBenchmark(runs.slice(0, 2), { samplesMs: latencies(200, 2000, 1.3, 0.02) }, 1, OPTIONS)
  t.equal(young[0]!.verdict, 'inconclusive', 'two runs do not estimate a spread: +30% within one run is not called')
  t.match(young[0]!.reason, /^\+\d+\.\d% within this run, but run-to-run variation is unknown before 3 stored runs \(2 so far\)$/)
  t.match(young[0]!.method, /run-to-run variation unknown: 2 of 3 runs/)
  const interleaved = compareBenchmark(runs.slice(0, 1), { samplesMs: latencies(200, 2000, 1.3, 0.02) }, 1, { ...OPTIONS, interleaved: true })
  t.equal(interleaved[0]!.verdict, 'regressed', 'measured interleaved (A/B mode), one run is enough')
  t.match(interleaved[0]!.method, /interleaved: run-to-run variation cancels/)
  const rows = compareBenchmark(runs, { samplesMs: latencies(200, 2000, 1.08, 0.02) }, 1, OPTIONS, spread)
  t.ok(rows[0]!.ratio > 1.05, `estimate ${rows[0]!.ratio}`)
  t.not(rows[0]!.verdict, 'regressed', rows[0]!.reason)
  t.ok(rows[0]!.p! > 0.01, `run-to-run p ${rows[0]!.p}`)
  t.match(rows[0]!.method, /run-to-run t over 12 runs/)
  const clear = compareBenchmark(runs, { samplesMs: latencies(200, 2000, 1.5, 0.02) }, 1, OPTIONS, spread)
  t.equal(clear[0]!.verdict, 'regressed', 'a shift far beyond the runs\' variation still is')
})

const OPTIONS: CompareOptions = { alpha: 0.01, minEffect: 0.05, floorMs: 0.002, seed: 1 }

t.test('judgeChange: every branch of the rule', async (t) => {
  const j = (e: Partial<Parameters<typeof judgeChange>[0]>) => judgeChange({ ratio: 1, low: 0.99, high: 1.01, p: 0.5, absoluteChangeMs: 1, ...e }, OPTIONS).verdict
  t.equal(j({ ratio: 1.2, low: 1.15, high: 1.25, p: 1e-6 }), 'regressed')
  t.equal(j({ ratio: 0.8, low: 0.75, high: 0.85, p: 1e-6 }), 'improved')
  t.equal(j({ ratio: 1.2, low: 1.15, high: 1.25, p: 1e-6, absoluteChangeMs: 0.001 }), 'unchanged', 'below the absolute floor')
  t.equal(j({ ratio: 1.03, low: 1.02, high: 1.04, p: 1e-6 }), 'unchanged', 'significant but below the min effect')
  t.equal(j({ ratio: 1.04, low: 1.01, high: 1.07, p: 1e-3 }), 'unchanged', 'estimate inside the band though the interval is not')
  t.equal(j({ ratio: 1.01, low: 0.98, high: 1.03, p: 0.4 }), 'unchanged', 'interval inside ±5%')
  t.equal(j({ ratio: 1.02, low: 0.9, high: 1.15, p: 0.6 }), 'unchanged', 'no significant change, estimate inside the band')
  t.equal(j({ ratio: 1.08, low: 0.9, high: 1.3, p: 0.2 }), 'inconclusive', 'estimate beyond the band, not significant')
  t.equal(j({ ratio: 1.2, low: 1.15, high: 1.25, p: 0.02 }), 'inconclusive', 'p above alpha')
  t.equal(j({ ratio: 1.2, low: 0.99, high: 1.4, p: 0.001 }), 'inconclusive', 'interval includes 1')
  t.equal(j({ ratio: 0.9, low: 0.8, high: 1.02, p: 0.03 }), 'inconclusive', 'a possible improvement, not significant')
  t.equal(j({ ratio: Number.NaN }), 'inconclusive')
})

/** Lognormal latencies around `medianMs`, seeded. */
function latencies(seed: number, n: number, medianMs: number, sigma = 0.1): number[] {
  const rng = createRng(seed)
  return Array.from({ length: n }, () => medianMs * Math.exp(rng.normal(0, sigma)))
}

t.test('compareBenchmark: A/A unchanged, 30% slower regressed, 30% faster improved; metric rows by sample size', async (t) => {
  const baseline = [1, 2, 3].map((s) => ({ samplesMs: latencies(s, 400, 1), throughputPerSec: 1000, peakRssMb: 200 }))
  const aa = compareBenchmark(baseline, { samplesMs: latencies(9, 400, 1), throughputPerSec: 1000, peakRssMb: 201 }, 1, OPTIONS)
  t.same(
    aa.map((r) => r.metric),
    ['p50', 'p99', 'throughput', 'peak rss'],
  )
  const why = aa.map((r) => `${r.metric} ${r.verdict}: ${r.reason}`).join('; ')
  t.equal(aa[0]!.verdict, 'unchanged', why)
  // 400 samples pin a p99 only to about ±8%: unchanged or inconclusive, never a change.
  t.ok(aa.every((r) => r.verdict === 'unchanged' || r.verdict === 'inconclusive'), why)
  const slow = compareBenchmark(baseline, { samplesMs: latencies(9, 400, 1.3), throughputPerSec: 770, peakRssMb: 260 }, 1, OPTIONS)
  t.same(
    slow.map((r) => r.verdict),
    ['regressed', 'regressed', 'regressed', 'regressed'],
  )
  const p50 = slow[0]!
  t.ok(p50.ratio > 1.25 && p50.ratio < 1.35 && p50.ratioLow! > 1.1, `ratio ${p50.ratio} [${p50.ratioLow}, ${p50.ratioHigh}]`)
  t.ok(slow[2]!.ratio < 0.8, 'throughput ratio below 1 when slower')
  t.match(slow[2]!.reason, /^−2\d\.\d%, significant/, 'the throughput row speaks of throughput: down, not latency up')
  const fast = compareBenchmark(baseline, { samplesMs: latencies(9, 400, 0.7) }, 1, OPTIONS)
  t.same(
    fast.map((r) => [r.metric, r.verdict]),
    [
      ['p50', 'improved'],
      ['p99', 'improved'],
    ],
    'no throughput or rss rows without figures on both sides',
  )
  const short = compareBenchmark(baseline, { samplesMs: latencies(9, P99_MIN_SAMPLES - 1, 1) }, 1, OPTIONS)
  t.same(
    short.map((r) => r.metric),
    ['p50'],
    'no p99 verdict below 368 samples',
  )
  t.equal(compareBenchmark([{ samplesMs: [1, 1, 1] }], { samplesMs: [2, 2, 2, 2, 2] }, 1, OPTIONS)[0]!.verdict, 'inconclusive', 'fewer than 5 samples')
})

t.test('a change below the absolute floor never counts, however significant', async (t) => {
  // 10 µs benchmark, 15% slower = 1.5 µs < the 2 µs floor.
  const rows = compareBenchmark([{ samplesMs: latencies(1, 500, 0.01, 0.02) }], { samplesMs: latencies(2, 500, 0.0115, 0.02) }, 1, OPTIONS)
  t.equal(rows[0]!.verdict, 'unchanged')
  t.match(rows[0]!.reason, /below the 2\.0 µs floor/)
  t.ok(rows[0]!.p! < 1e-10, 'though the test is certain')
})

t.test('peak rss: the run-to-run test over the recent runs; inconclusive before 3 runs', async (t) => {
  const spread = [200, 203, 198, 201, 199, 202, 200, 197, 204, 200]
  t.equal(compareRss([200, 203, 198], 230, spread, { alpha: 0.01, minEffect: 0.05 }).verdict, 'regressed', '15% above runs that vary by 1%')
  t.equal(compareRss([200, 203, 198], 203.5, spread, { alpha: 0.01, minEffect: 0.05 }).verdict, 'unchanged')
  const noisy = compareRss([200, 230, 180], 230, [200, 230, 180, 250, 170, 210, 240, 190, 220, 185], { alpha: 0.01, minEffect: 0.05 })
  t.not(noisy.verdict, 'regressed', `runs that vary by 15%: ${noisy.reason}`)
  t.match(noisy.method, /run-to-run t over 10 runs/)
  t.equal(compareRss([200, 201], 200.5, spread, { alpha: 0.01, minEffect: 0.05 }).reason, 'change 0.00 MiB below the 1 MiB floor')
  const young = compareRss([200, 201], 260, [200, 201], { alpha: 0.01, minEffect: 0.05 })
  t.equal(young.verdict, 'inconclusive', 'two runs: their spread is unknown')
  t.match(young.reason, /run-to-run variation is unknown before 3 stored runs/)
  t.equal(compareRss([200, 201], 202, [200, 201], { alpha: 0.01, minEffect: 0.05 }).verdict, 'unchanged', 'within the band, young or not')
})
