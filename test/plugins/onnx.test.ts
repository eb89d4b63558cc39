// mltest/onnx: the statistics against known values, benchOnnx on real onnxruntime-node
// sessions (MLPs built in JS, and models from Debian's libonnx-testdata checked against the
// package's expected outputs), every bad-input error, and toMeetBudget passing, failing and
// staying inconclusive. No timing is asserted: figures come from bench/harness-overhead.mjs.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import onnxProto from 'onnx-proto'
import ort from 'onnxruntime-node'
import t from 'tap'
import { expect } from '../../core/expect/index.ts'
import { buildMlp, LARGE_MLP, mlpBias, mlpWeight, SMALL_MLP, writeMlp } from '../fixtures/models/mlp-model.ts'
import { timingDefaults, BUILTIN_DEFAULTS } from '../../plugins/onnx/_internals/defaults.ts'
import { optionFields, setPluginOptions } from '../../core/plugin-options.ts'
import { resolveConfig } from '../../core/node/resolve-config.ts'
import { judgeBudget } from '../../plugins/onnx/_internals/judge-budget.ts'
import { bootstrapDistribution, latencyIntervals, percentileInterval, quantileSorted, summarize } from '../../plugins/onnx/_internals/latency-stats.ts'
import { binomialCdf, quantileInterval, quantileRanks, samplesForUpperBound } from '../../plugins/onnx/_internals/quantile-interval.ts'
import { measureTimer, timerResolution, timerWarning, type TimerResolution } from '../../plugins/onnx/_internals/timer-resolution.ts'
import { measureBatch } from '../../plugins/onnx/_internals/measure-batch.ts'
import { RssSampler } from '../../plugins/onnx/_internals/rss.ts'
import { benchOnnx, onnxPlugin, toMeetBudget, type BenchOnnxOptions, type BenchOnnxResult } from '../../plugins/onnx/index.ts'
import { failureOf } from '../failure-of.ts'

expect.extend(onnxPlugin().matchers!)

const { onnx } = onnxProto
const dir = mkdtempSync(join(tmpdir(), 'mltest-onnx-'))
t.teardown(() => rmSync(dir, { recursive: true, force: true }))
const small = writeMlp(join(dir, 'small.onnx'), SMALL_MLP)
/** Fast settings: the tests check what is measured and reported, not how fast it is. */
const quick: BenchOnnxOptions = { minTimeMs: 30, maxTimeMs: 3000, warmup: 2, minIterations: 20, bootstrapResamples: 500 }


t.test('percentiles match numpy.percentile (linear, type 7)', async (t) => {
  // Reference values from numpy 2.4: np.percentile(x, q).
  const q = (xs: number[], p: number) => quantileSorted(Float64Array.from(xs).sort(), p / 100)
  t.same([50, 90, 99].map((p) => q([1, 2, 3, 4], p)).map((v) => +v.toFixed(12)), [2.5, 3.7, 3.97])
  t.same([5, 30, 40, 50, 100].map((p) => q([15, 20, 35, 40, 50], p)).map((v) => +v.toFixed(12)), [16, 23, 29, 35, 50])
  const x = [3.1, 0.2, 7.7, 1.5, 9.9, 4.4, 2.8]
  t.same([0, 10, 25, 50, 90, 95, 99, 100].map((p) => +q(x, p).toFixed(12)), [0.2, 0.98, 2.15, 3.1, 8.58, 9.24, 9.768, 9.9])
  const s = summarize(Float64Array.from(x).sort())
  t.equal(+s.mean.toFixed(12), 4.228571428571)
  t.equal(+s.stdev.toFixed(12), 3.445632155698) // np.std(x, ddof=1)
  t.equal(q([42], 99), 42)
  t.equal(summarize([5]).stdev, 0)
  t.throws(() => quantileSorted([], 0.5), /no samples/)
  t.throws(() => quantileSorted([1], 1.5), /q must be in \[0, 1\]/)
})

t.test('bootstrap of the median matches its exact distribution', async (t) => {
  // For n = 21 distinct values, the bootstrap median is the k-th smallest with
  // P(median* <= x_(k)) = P(Binomial(21, k/21) >= 11): the resampling must reproduce it.
  const n = 21
  const sorted = Array.from({ length: n }, (_, i) => i + 1)
  const choose = (a: number, b: number) => { let r = 1; for (let i = 1; i <= b; i++) r = (r * (a - b + i)) / i; return r }
  const cdf = (k: number) => { let p = 0; for (let j = 11; j <= n; j++) p += choose(n, j) * (k / n) ** j * (1 - k / n) ** (n - j); return p }
  const B = 20_000
  const { quantiles } = bootstrapDistribution(sorted, [0.5], B, 7)
  const freq = new Array<number>(n + 1).fill(0)
  for (const m of quantiles[0]!) freq[m]! += 1 / B
  let worst = 0
  for (let k = 1; k <= n; k++) worst = Math.max(worst, Math.abs(freq[k]! - (cdf(k) - cdf(k - 1))))
  t.ok(worst < 0.015, `largest gap between bootstrap and exact probabilities ${worst.toFixed(4)} < 0.015 (4 standard errors at B = ${B})`)
  // Exact 2.5% and 97.5% points: CDF(6) = 0.018 < 0.025 <= CDF(7) = 0.056; CDF(14) = 0.944 < 0.975 <= CDF(15) = 0.982.
  const bootMedian = (resamples: number, seed: number) => percentileInterval(bootstrapDistribution(sorted, [0.5], resamples, seed).quantiles[0]!)
  for (const seed of [1, 2, 3]) t.same(bootMedian(B, seed), { low: 7, high: 15 }, `seed ${seed}`)
  t.same(latencyIntervals(sorted, 500, 9), latencyIntervals(sorted, 500, 9), 'same seed, same interval')
  t.notSame(bootstrapDistribution(sorted, [0.5], 50, 1).quantiles[0], bootstrapDistribution(sorted, [0.5], 50, 2).quantiles[0], 'another seed, other resamples')
})

/** Exact P(Binomial(n, a/d) <= k) as a fraction num / d^n, in BigInt: independent of the float code. */
function exactCdf(n: number, a: number, d: number): { num: bigint[]; den: bigint } {
  const N = BigInt(n)
  const A = BigInt(a)
  const Bq = BigInt(d - a)
  const num: bigint[] = []
  let choose = 1n
  let sum = 0n
  for (let j = 0n; j <= N; j++) {
    if (j > 0n) choose = (choose * (N - j + 1n)) / j
    sum += choose * A ** j * Bq ** (N - j)
    num.push(sum)
  }
  return { num, den: BigInt(d) ** N }
}

/** Equal-tailed 95% ranks from the exact CDF: largest l with CDF(l-1) <= 1/40, smallest u with CDF(u-1) >= 39/40. */
function exactRanks(n: number, a: number, d: number): { low: number; high: number } {
  const { num, den } = exactCdf(n, a, d)
  const cdf40 = (k: number) => (k < 0 ? 0n : num[k]! * 40n)
  let low = 0
  for (let r = 1; r <= n; r++) if (cdf40(r - 1) <= den) low = r
  let high = n + 1
  for (let r = n; r >= 1; r--) if (cdf40(r - 1) >= 39n * den) high = r
  return { low, high }
}

t.test('order-statistic intervals of quantiles use exact binomial ranks', async (t) => {
  // Textbook case (Conover, Practical Nonparametric Statistics): the 95% CI of the median of
  // 20 values is [x(6), x(15)] with coverage P(6 <= B <= 14) = 0.9586, B ~ Bin(20, 0.5).
  t.same(exactRanks(20, 1, 2), { low: 6, high: 15 }, 'the exact BigInt ranks agree with the table')
  const median = quantileRanks(20, 0.5)
  t.same([median.lowRank, median.highRank], [6, 15])
  t.equal(+median.coverage.toFixed(4), 0.9586)
  // p99 of 20 runs: P(B <= 18) = 0.0169 <= 0.025 gives x(19) below, but P(B <= 19) = 1 - 0.99^20 = 0.182
  // never reaches 0.975, so nothing bounds it above.
  t.same(exactRanks(20, 99, 100), { low: 19, high: 21 })
  const p99 = quantileRanks(20, 0.99)
  t.same([p99.lowRank, p99.highRank], [19, 21])
  const sorted = Array.from({ length: 20 }, (_, i) => i + 1)
  t.same(quantileInterval(sorted, 0.99), { q: 0.99, low: 19, high: Number.POSITIVE_INFINITY, lowRank: 19, highRank: 21, coverage: p99.coverage })
  t.same([quantileInterval(sorted, 0.5).low, quantileInterval(sorted, 0.5).high], [6, 15])
  // The p99 gets an upper bound (the maximum) from 368 runs on: 0.99^367 > 0.025 >= 0.99^368.
  t.equal(samplesForUpperBound(0.99), 368)
  t.equal(exactRanks(367, 99, 100).high, 368, '367 runs: unbounded')
  t.equal(exactRanks(368, 99, 100).high, 368, '368 runs: bounded by the maximum')
  t.equal(quantileRanks(367, 0.99).highRank, 368)
  t.equal(quantileRanks(368, 0.99).highRank, 368)
  // Other sizes and quantiles match the exact ranks too.
  for (const [n, a, d] of [[21, 1, 2], [50, 9, 10], [100, 99, 100], [400, 99, 100], [1000, 1, 2], [1000, 99, 100]] as const) {
    const r = quantileRanks(n, a / d)
    t.same({ low: r.lowRank, high: r.highRank }, exactRanks(n, a, d), `n=${n}, q=${a / d}`)
    t.ok(r.coverage >= 0.95, `coverage ${r.coverage.toFixed(4)} >= 0.95`)
  }
  const cdf = binomialCdf(20, 0.5)
  t.equal(+cdf[5]!.toFixed(6), 0.020695)
  t.equal(cdf[20], 1)
  t.throws(() => binomialCdf(10, 1), /p must be in \(0, 1\)/)
})

t.test('on 20 runs a bootstrap p99 CI looks bounded, the order-statistic one is not', async (t) => {
  // The flaw the order-statistic interval fixes: a percentile bootstrap never exceeds the
  // sample maximum, so it "confirmed" a p99 budget at the maximum of 20 runs.
  const r20 = await benchOnnx(small, { ...quick, minIterations: 20, maxIterations: 20, log: false })
  const b = r20.batches[0]!
  const sorted = Float64Array.from(b.samplesMs).sort()
  const bootstrap = percentileInterval(bootstrapDistribution(sorted, [0.99], 2000, 1).quantiles[0]!)
  t.ok(bootstrap.high <= b.maxMs, 'the bootstrap upper bound is at most the maximum')
  t.equal(b.p99CiMs.high, Number.POSITIVE_INFINITY, 'the order-statistic upper bound is unbounded')
  t.equal(b.p99CiMs.low, sorted[18], 'and its lower bound is x(19)')
  t.match(b.warnings.join('\n'), /p99 from 20 runs has no upper 95% confidence bound \(it needs 368\+\), so a p99 budget is inconclusive/)
  const judged = judgeBudget(r20, { p99Ms: b.maxMs * 10 })
  t.equal(judged.verdict, 'inconclusive', 'a budget ten times the maximum is still not confirmed by 20 runs')
  t.match(judged.lines[0]!.text, /batch 1 \(n=20\) p99 latency \S+ ms \(95% CI \S+ ms–unbounded: 20 runs cannot bound this percentile from above, 368 can\) CI straddles budget <= /)
  t.equal(judgeBudget(r20, { p99Ms: b.p99CiMs.low * 0.99 }).verdict, 'fail', 'a budget below the lower bound is breached even on 20 runs')
  // With 400 runs the upper bound is an order statistic and the same kind of budget is met.
  const r400 = await benchOnnx(small, { ...quick, minIterations: 400, log: false })
  const c = r400.batches[0]!
  t.ok(Number.isFinite(c.p99CiMs.high) && c.p99CiMs.highRank <= c.iterations, `n=${c.iterations}: bounded by x(${c.p99CiMs.highRank})`)
  t.notOk(c.warnings.some((w) => w.startsWith('p99 from')), 'no p99 warning from 368 runs on')
  // Just beyond the upper bound plus the timer's error (a budget within that error stays inconclusive).
  const met = judgeBudget(r400, { p99Ms: c.p99CiMs.high + (r400.timer.errorNs + 1) / 1e6 })
  t.equal(met.verdict, 'pass')
  t.match(met.lines[0]!.text, new RegExp(`p99 latency \\S+ ms \\(95% CI \\S+ ms–\\S+ ms, order statistics ${c.p99CiMs.lowRank}–${c.p99CiMs.highRank}\\) within budget`))
  t.equal(r400.method.quantileCi, 'distribution-free order-statistic interval (ranks from Binomial(n, q)), coverage >= 95%')
})

t.test('bootstrap interval of the mean agrees with normal theory on a large sample', async (t) => {
  // 2000 standard normal draws (Box-Muller over a fixed LCG): the mean's 95% CI is
  // mean ± 1.96 s / sqrt(n); the bootstrap's should match within 10% of its width.
  let state = 12345
  const uniform = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) + 0.5) / 4294967296
  const xs = Array.from({ length: 2000 }, () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform()))
  const sorted = Float64Array.from(xs).sort()
  const s = summarize(sorted)
  const half = (1.96 * s.stdev) / Math.sqrt(xs.length)
  const ci = latencyIntervals(sorted, 4000, 3).mean
  t.ok(Math.abs(ci.low - (s.mean - half)) < 0.1 * 2 * half, `low ${ci.low} vs ${s.mean - half}`)
  t.ok(Math.abs(ci.high - (s.mean + half)) < 0.1 * 2 * half, `high ${ci.high} vs ${s.mean + half}`)
})

t.test('timer: measured once per worker, its error is step + read cost, warned about near it', async (t) => {
  const timer = measureTimer()
  t.ok(timer.resolutionNs > 0 && timer.resolutionNs < 1e6, `step ${timer.resolutionNs} ns`)
  t.ok(timer.readCostNs >= 0 && timer.readCostNs < 1e6, `read cost ${timer.readCostNs} ns`)
  t.equal(timer.errorNs, timer.resolutionNs + timer.readCostNs)
  t.equal(timer.reads, 16_000)
  t.equal(timerResolution(), timerResolution(), 'cached: every benchmark in this worker uses the same figures')
  // 100 errors of 1.05 µs = 0.105 ms: a 0.05 ms median is warned about, 0.2 ms is not.
  const coarse: TimerResolution = { resolutionNs: 1000, readCostNs: 50, errorNs: 1050, reads: 16_000 }
  t.match(timerWarning(0.05, coarse), /^median 50\.0 µs is within 100x the timer's error \(±1\.05 µs: 1\.00 µs step \+ 50 ns per read\), so each sample may be off by more than 1% — a budget within that error of a CI is inconclusive/)
  t.equal(timerWarning(0.2, coarse), undefined)
})

t.test('the timer decides a budget only when the budget lies within its error of the CI', async (t) => {
  // A clock with a 1 ms step, far coarser than a 10-50 µs run: before the fix this alone made
  // the benchmark inconclusive, whatever the budget.
  const ms1: TimerResolution = { resolutionNs: 1e6, readCostNs: 0, errorNs: 1e6, reads: 16_000 }
  const session = await ort.InferenceSession.create(small)
  t.teardown(() => session.release())
  const feeds = { x: new ort.Tensor('float32', new Float32Array(64), [1, 64]) }
  const loop = { warmup: 2, minIterations: 400, minTimeMs: 0, maxTimeMs: 3000, maxIterations: 400, bootstrapResamples: 200, seed: 1 }
  const b = await measureBatch(session, feeds, 1, loop, new RssSampler(10), ms1, 'small.onnx')
  t.ok(b.p50Ms < 1, `p50 ${b.p50Ms} ms is below the 1 ms step`)
  t.match(b.warnings.join('\n'), /within 100x the timer's error \(±1\.00 ms/, 'the warning states the error')
  t.equal(b.inconclusive, false, 'a measurement near the clock\'s step is still a measurement')
  const r = { ...(await benchOnnx(small, { ...quick, log: false })), timer: ms1, batches: [b] }
  const judged = (budget: number) => judgeBudget(r, { p50Ms: budget })
  // Widened CI: [low − 1 ms, high + 1 ms]. A budget beyond high + 1 ms is met.
  t.equal(judged(b.p50CiMs.high + 1.001).verdict, 'pass', 'a budget cleared by more than the timer error is met')
  const inside = judged(b.p50CiMs.high + 0.5)
  t.equal(inside.verdict, 'inconclusive', 'a budget the raw CI clears, but within the timer error, stays inconclusive')
  t.match(inside.lines[0]!.text, /CI ±1\.00 ms timer error straddles budget <= /)
  t.match(inside.reason, /^the budget \S+ ms lies within the timer's error \(±1\.00 ms per run\) of the batch 1 p50 95% CI \S+ ms–\S+ ms \(n=400\)$/)
  t.same([inside.lines[0]!.judgedCi!.low, inside.lines[0]!.judgedCi!.high], [b.p50CiMs.low - 1, b.p50CiMs.high + 1])
  // With this worker's real timer (tens of ns), a ~0.01-0.05 ms median against 1 ms is met.
  const real = { ...r, timer: timerResolution() }
  t.equal(judgeBudget(real, { p50Ms: 1 }).verdict, 'pass', `p50 ${b.p50Ms} ms vs 1 ms with a ±${real.timer.errorNs} ns timer`)
  // Throughput is widened through the mean latency: a clock error of 1 ms makes 0 samples/s possible.
  t.equal(judgeBudget(r, { throughputMin: 2000 }).verdict, 'inconclusive', 'a 1 ms error allows under 1000 samples/s')
  // With the real timer the same budget is decided; a 100/s floor (10 ms mean latency) keeps
  // this a statement about the timer, not about how loaded the machine is (the mean, unlike the
  // p50, takes every preemption spike; at load 14-18 a 2000/s floor failed here twice).
  t.equal(judgeBudget(real, { throughputMin: 100 }).verdict, 'pass')
})

t.test('the same benchmark called 8 times in one file gives the same verdict each time', async (t) => {
  // A 10-50 µs model: before the fix, each call re-measured the timer's read cost (30-140 ns)
  // and the median sat at the 100x line, so calls flipped between pass and inconclusive.
  const verdicts: string[] = []
  const budgets: string[] = []
  for (let i = 0; i < 8; i++) {
    const r = await benchOnnx(small, { ...quick, minTimeMs: 20, log: false })
    verdicts.push(r.verdict)
    budgets.push(judgeBudget(r, { p50Ms: 1 }).verdict)
    t.equal(r.timer, timerResolution(), `call ${i + 1} uses the worker's timer`)
  }
  t.same(verdicts, new Array(8).fill('pass'))
  t.same(budgets, new Array(8).fill('pass'), 'a p50 of ~0.01-0.05 ms meets a 1 ms budget every time')
})

t.test('benchOnnx measures a real session at each batch size', async (t) => {
  const result = await benchOnnx(small, { ...quick, batchSizes: [1, 4], seed: 5 })
  t.equal(result.kind, 'benchOnnx')
  t.equal(result.model, 'small.onnx')
  t.same(result.inputs, ['x: float32 [batch, 64]'])
  t.same(result.batches.map((b) => b.feeds), [['x: float32 [1, 64]'], ['x: float32 [4, 64]']])
  t.ok(result.loadMs! > 0)
  t.equal(result.method.seed, 5)
  for (const b of result.batches) {
    t.ok(b.iterations >= 20 && b.samplesMs.length === b.iterations, `batch ${b.batchSize}: ${b.iterations} samples kept`)
    t.equal(b.warmupIterations, 2)
    const sorted = Float64Array.from(b.samplesMs).sort()
    t.equal(b.p50Ms, quantileSorted(sorted, 0.5), 'p50 is the type-7 median of the kept samples')
    t.equal(b.p99Ms, quantileSorted(sorted, 0.99))
    t.ok(b.minMs <= b.p50Ms && b.p50Ms <= b.p90Ms && b.p90Ms <= b.p95Ms && b.p95Ms <= b.p99Ms && b.p99Ms <= b.maxMs, 'ordered')
    t.ok(b.p50CiMs.low <= b.p50Ms && b.p50Ms <= b.p50CiMs.high, 'the median lies in its CI')
    const ranks = quantileRanks(b.iterations, 0.5)
    t.same([b.p50CiMs.low, b.p50CiMs.high], [sorted[ranks.lowRank - 1], sorted[ranks.highRank - 1]], 'the median CI is the order statistics of its binomial ranks')
    const total = b.samplesMs.reduce((a, x) => a + x, 0)
    t.ok(Math.abs(b.throughput - (b.batchSize * b.iterations * 1000) / total) < 1e-6 * b.throughput, 'throughput = batch × n / summed latency')
    t.ok(b.throughputCi.low <= b.throughput && b.throughput <= b.throughputCi.high * 1.0001)
  }
  const m = result.memory
  t.ok(m.rssBeforeLoadMb! > 0 && m.rssAfterLoadMb! > 0 && m.rssAfterReleaseMb! > 0)
  t.ok(m.rssSampledPeakMb >= m.rssAfterLoadMb!, 'the sampled peak covers the rss after load')
  t.ok(m.rssPeakMb >= m.rssSampledPeakMb, 'the reported peak is at least the sampled one')
  t.equal(m.rssDeltaMb, m.rssPeakMb - m.rssBeforeLoadMb!, 'rssDeltaMb is the peak minus rss before load')
  if (process.platform === 'linux') {
    t.ok(m.processPeakRssMb! >= m.rssPeakMb, 'the kernel high-water mark bounds every peak')
    t.equal(m.rssPeakMb, m.rssPeakSource === 'kernel high-water mark' ? m.processPeakRssMb : m.rssSampledPeakMb, `peak from the ${m.rssPeakSource}`)
  }
  t.equal(JSON.parse(JSON.stringify(result)).batches[0].samplesMs.length, result.batches[0]!.iterations, 'the result is plain JSON')
})

t.test('a benchmark cut short by maxTimeMs is inconclusive', async (t) => {
  const cut = await benchOnnx(small, { ...quick, minIterations: 40_000, minTimeMs: 0, maxTimeMs: 5, log: false })
  const b = cut.batches[0]!
  t.ok(b.iterations < 40_000)
  t.equal(cut.verdict, 'inconclusive')
  t.ok(b.inconclusive)
  t.match(b.warnings[0], new RegExp(`only ${b.iterations} of the 40000 minimum iterations fit in maxTimeMs 5 ms — raise maxTimeMs`))
  const full = await benchOnnx(small, { ...quick, log: false })
  t.notOk(full.batches[0]!.warnings.some((w) => w.startsWith('only')), 'no cut when minIterations fit')
  t.equal(full.verdict, full.batches[0]!.inconclusive ? 'inconclusive' : 'pass', 'the verdict follows the batches')
})

t.test('the MLP built in JS computes what its weights say', async (t) => {
  // Guards the example's model builder: onnxruntime's output equals a JS forward pass.
  const session = await ort.InferenceSession.create(buildMlp(SMALL_MLP))
  const x = Float32Array.from({ length: 2 * 64 }, (_, i) => Math.cos(i))
  const out = await session.run({ x: new ort.Tensor('float32', x, [2, 64]) })
  const sizes = [64, 128, 10]
  let h: number[][] = [Array.from(x.slice(0, 64)), Array.from(x.slice(64))]
  for (let layer = 0; layer < 2; layer++) {
    h = h.map((row) =>
      Array.from({ length: sizes[layer + 1]! }, (_, j) => {
        let z = mlpBias(layer, j)
        for (let i = 0; i < sizes[layer]!; i++) z += row[i]! * Math.fround(mlpWeight(layer, i * sizes[layer + 1]! + j, sizes[layer]!))
        return layer === 0 ? Math.max(0, z) : z
      }),
    )
  }
  expect(out.y).toAllClose(h, { rtol: 1e-4, atol: 1e-5 })
  t.equal(LARGE_MLP.hidden.length, 2)
  await session.release()
})

t.test('benchOnnx with a session and fixed inputs', async (t) => {
  const session = await ort.InferenceSession.create(small)
  const x = new ort.Tensor('float32', new Float32Array(3 * 64).fill(0.5), [3, 64])
  const result = await benchOnnx(session, { ...quick, inputs: { x } })
  t.equal(result.loadMs, null, 'no load time for a given session')
  t.equal(result.memory.rssBeforeLoadMb, null)
  t.equal(result.memory.rssAfterReleaseMb, null, 'a given session is not released')
  t.equal(result.memory.rssDeltaMb, null, 'no rss growth without a load')
  t.throws(() => expect(result).toMeetBudget({ rssDeltaMb: 100 }), /budget rssDeltaMb needs benchOnnx to load the model/)
  t.equal(result.batches[0]!.batchSize, 3, 'batch size read from axis 0')
  t.ok((await session.run({ x })).y, 'the session still runs afterwards')
  const plain = await benchOnnx(session, { ...quick, inputs: { x: { data: new Array(64).fill(1), dims: [1, 64] } }, batchSize: 1, name: 'plain' })
  t.equal(plain.model, 'plain')
  t.same(plain.batches[0]!.feeds, ['x: float32 [1, 64]'])
  await session.release()
})

/** A one-node model with a chosen opset, IR version and input shape. */
function reluModel(opts: { opset?: number; ir?: number; dims?: Array<number | string> } = {}): Uint8Array {
  const dim = (opts.dims ?? ['batch', 4]).map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d }))
  const info = (name: string) => ({ name, type: { tensorType: { elemType: 1, shape: { dim } } } })
  return onnx.ModelProto.encode(
    onnx.ModelProto.create({
      irVersion: opts.ir ?? 8,
      opsetImport: [{ domain: '', version: opts.opset ?? 17 }],
      graph: { name: 'g', node: [{ opType: 'Relu', input: ['x'], output: ['y'] }], input: [info('x')], output: [info('y')] },
    }),
  ).finish()
}

t.test('bad models fail with one line naming the problem and the fix', async (t) => {
  const reject = (model: Parameters<typeof benchOnnx>[0], pattern: RegExp, code: string, options: BenchOnnxOptions = {}) =>
    t.rejects(benchOnnx(model, { ...quick, ...options }), { name: 'BenchOnnxError', code, message: pattern })
  await reject(join(dir, 'missing.onnx'), /model file not found: .*missing\.onnx — check the path/, 'MODEL_NOT_FOUND')
  await reject(dir, /is a folder — pass the \.onnx file inside it/, 'MODEL_NOT_FOUND')
  writeFileSync(join(dir, 'empty.onnx'), '')
  await reject(join(dir, 'empty.onnx'), /is empty \(0 bytes\)/, 'MODEL_INVALID')
  writeFileSync(join(dir, 'lfs.onnx'), 'version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 123\n')
  await reject(join(dir, 'lfs.onnx'), /is a Git LFS pointer, not the model — run "git lfs pull"/, 'MODEL_INVALID')
  writeFileSync(join(dir, 'text.onnx'), 'this is not a protobuf at all, just some text\n'.repeat(20))
  await reject(join(dir, 'text.onnx'), /text\.onnx is not a valid ONNX model \(protobuf parsing failed\)/, 'MODEL_INVALID')
  await reject(reluModel({ opset: 27 }), /uses opset 27 of domain ai\.onnx, but onnxruntime-node 1\.\d+\.\d+ supports up to opset 26 — re-export the model with opset 26 or lower/, 'MODEL_UNSUPPORTED')
  await reject(reluModel({ ir: 14 }), /has IR version 14, but onnxruntime-node .* supports up to IR version 13/, 'MODEL_UNSUPPORTED')
  await reject(42 as never, /model must be a \.onnx file path, its bytes .* got number/, 'BAD_OPTION')
  // And the good twins load: opset 26 / IR 13 are the newest this runtime takes.
  t.equal((await benchOnnx(reluModel({ opset: 26, ir: 13 }), { ...quick, log: false })).batches.length, 1)
})

t.test('bad inputs name the input and the expected vs given dtype or shape', async (t) => {
  const reject = (options: BenchOnnxOptions, pattern: RegExp, code: string) =>
    t.rejects(benchOnnx(small, { ...quick, ...options }), { name: 'BenchOnnxError', code, message: pattern })
  const f32 = (dims: number[]) => new ort.Tensor('float32', new Float32Array(dims.reduce((a, b) => a * b, 1)), dims)
  await reject({ inputs: { input: f32([1, 64]) } }, /input 'input' is not an input of small\.onnx, which expects x: float32 \[batch, 64\]/, 'INPUT_UNKNOWN')
  await reject({ inputs: {} }, /input 'x' is missing — small\.onnx expects x: float32 \[batch, 64\]; given: none/, 'INPUT_MISSING')
  await reject(
    { inputs: { x: new ort.Tensor('float64', new Float64Array(64), [1, 64]) } },
    /input 'x' has dtype float64, but small\.onnx expects float32 \(expected x: float32 \[batch, 64\], given float64 \[1, 64\]\)/,
    'INPUT_DTYPE',
  )
  await reject({ inputs: { x: f32([64]) } }, /input 'x' has rank 1, but small\.onnx expects rank 2 \(expected x: float32 \[batch, 64\], given float32 \[64\]\) — reshape it to \[batch, 64\]/, 'INPUT_SHAPE')
  await reject({ inputs: { x: f32([2, 32]) } }, /input 'x' has size 32 at axis 1, but small\.onnx expects 64 \(expected x: float32 \[batch, 64\], given float32 \[2, 32\]\) — feed shape \[2, 64\]/, 'INPUT_SHAPE')
  await reject({ inputs: { x: { data: [1, 2, 3], dims: [1, 64] } } }, /input 'x' has 3 values but dims \[1, 64\] hold 64/, 'INPUT_SHAPE')
  await reject({ inputs: { x: f32([1, 64]) }, batchSizes: [1] }, /give either inputs .* or batchSizes/, 'BAD_OPTION')
  await reject({ batchSizes: [0] }, /^benchOnnx: option "batchSizes\.0" must be >= 1 \(got 0\)$/, 'BAD_OPTION')
  await reject({ minTimeMs: 100, maxTimeMs: 10 }, /maxTimeMs \(10\) is below minTimeMs \(100\)/, 'BAD_OPTION')
  await reject({ warmup: -1 }, /^benchOnnx: option "warmup" must be a count of runs \(an integer >= 0\) or \{ ms \} with ms >= 0 \(got -1\)$/, 'BAD_OPTION')
  await reject({ dims: { seq: 2.5 } }, /^benchOnnx: option "dims\.seq" must be an integer \(got 2\.5\)$/, 'BAD_OPTION')
  // Feeds that are not tensors: a bare typed array or plain array has no shape.
  await reject({ inputs: { x: new Float32Array(64) as never } }, /input 'x' is a Float32Array, which has no shape — pass an ort\.Tensor or \{ data, dims \}/, 'INPUT_SHAPE')
  await reject({ inputs: { x: new Array(64).fill(0) as never } }, /input 'x' is a plain array, which has no shape — pass an ort\.Tensor or \{ data, dims \}/, 'INPUT_SHAPE')
  await reject({ inputs: { x: { data: new Float32Array(64), dims: '1x64' } as never } }, /input 'x' has dims "1x64", not an array of sizes/, 'INPUT_SHAPE')
  await reject({ inputs: { x: { data: 5, dims: [1, 64] } as never } }, /input 'x' has data that is a number, not a typed or plain array/, 'INPUT_SHAPE')
  await reject({ inputs: { x: f32([1, 64]) }, dims: { seq: 4 } }, /dims sizes generated feeds, but inputs are fixed feeds/, 'BAD_OPTION')
  // A dims entry for the batch axis would override batchSizes and so the throughput's batch.
  await reject({ batchSizes: [4], dims: { batch: 2 } }, /dims\.batch names the batch axis \(axis 0 of x: float32 \[batch, 64\]\) — set batch sizes with batchSizes: \[2\], not dims/, 'BAD_OPTION')
  await reject({ dims: { sq: 4 } }, /dims\.sq is not a dimension of small\.onnx \(it has no named dynamic dimension besides the batch\) — check the name/, 'BAD_OPTION')
  // A dynamic dimension past axis 0 needs a size; given one, the model runs.
  const seq = reluModel({ dims: ['batch', 'seq'] })
  await t.rejects(benchOnnx(seq, quick), { message: /input 'x' has a dynamic dimension "seq" at axis 1 \(x: float32 \[batch, seq\]\) — give its size with dims: \{ seq: <size> \}/ })
  await t.rejects(benchOnnx(seq, { ...quick, dims: { sq: 16 } }), { code: 'BAD_OPTION', message: /dims\.sq is not a dimension of model \(its named dynamic dimensions: seq\)/ })
  t.same((await benchOnnx(seq, { ...quick, dims: { seq: 16 }, batchSizes: [2], log: false })).batches[0]!.feeds, ['x: float32 [2, 16]'])
  // A model with fixed shapes runs at its own batch size only.
  const fixed = reluModel({ dims: [3, 4] })
  await t.rejects(benchOnnx(fixed, { ...quick, batchSizes: [8] }), { message: /has no dynamic dimension \(x: float32 \[3, 4\]\), so it only runs at batch size 3 — use batchSizes: \[3\]/ })
  t.equal((await benchOnnx(fixed, { ...quick, log: false })).batches[0]!.batchSize, 3)
})

t.test('benchOnnx options: a misspelled or ill-typed option is a one-line error naming it', async (t) => {
  // Before: { minIteration: 400 } ran the default 20 iterations without a word.
  const reject = (options: Record<string, unknown>, message: RegExp) =>
    t.rejects(benchOnnx(small, { ...quick, ...options } as BenchOnnxOptions), { name: 'BenchOnnxError', code: 'BAD_OPTION', message })
  await reject({ minIteration: 400 }, /^benchOnnx: unknown option "minIteration" — did you mean "minIterations"\? \(known: name, inputs, batchSize, batchSizes, batchDim, dims, generate, warmup, minIterations, .*\)$/)
  await reject({ batchsizes: [1, 8] }, /^benchOnnx: unknown option "batchsizes" — did you mean "batchSizes"\?/)
  await reject({ minIterations: '400' }, /^benchOnnx: option "minIterations" must be an integer \(got "400"\)$/)
  await reject({ minIterations: 2.5 }, /^benchOnnx: option "minIterations" must be an integer \(got 2\.5\)$/)
  await reject({ maxTimeMs: -1 }, /^benchOnnx: option "maxTimeMs" must be a number >= 0 \(got -1\)$/)
  await reject({ log: 'yes' }, /^benchOnnx: option "log" must be a boolean \(got "yes"\)$/)
  await reject({ generate: 5 }, /^benchOnnx: option "generate" must be a function \(input, rng\) => data \(got 5\)$/)
  await reject({ batchSizes: [] }, /^benchOnnx: option "batchSizes" must be at least 1 long \(got \[\]\)$/)
  await reject({ inputs: 3 }, /^benchOnnx: option "inputs" must be an object of feeds by input name \(got 3\)$/)
  await t.rejects(benchOnnx(small, 400 as never), { code: 'BAD_OPTION', message: /^benchOnnx: options must be an object such as \{ batchSizes: \[1, 8\] \} \(got 400\)$/ })
  // The same options spelled right run.
  const ok = await benchOnnx(small, { ...quick, minIterations: 25, batchSizes: [1], log: false, generate: () => new Float32Array(64) })
  t.equal(ok.batches[0]!.iterations >= 25, true)
})

t.test('batchDim: a seq-first [seq, batch, d] model benchmarks its batch axis', async (t) => {
  const seqFirst = reluModel({ dims: ['seq', 'batch', 4] })
  // Axis 0 is the batch by default, so seq cannot be sized and batch is left unset.
  await t.rejects(benchOnnx(seqFirst, { ...quick, dims: { seq: 3 } }), { code: 'BAD_OPTION', message: /dims\.seq names the batch axis \(axis 0 of x: float32 \[seq, batch, 4\]\) — set batch sizes with batchSizes: \[3\], not dims; if another dimension is the batch, name it with batchDim: '<name>'/ })
  // A batchDim the model does not have is a typo, reported with the names it has.
  await t.rejects(benchOnnx(seqFirst, { ...quick, batchDim: 'batch_size', dims: { seq: 3 } }), {
    name: 'BenchOnnxError',
    code: 'BAD_OPTION',
    message: /batchDim "batch_size" is not a dynamic dimension of model \(its named dynamic dimensions: seq, batch; inputs x: float32 \[seq, batch, 4\]\) — name the batch dimension/,
  })
  // With batchDim: 'batch', dims may size seq at axis 0 but not the batch itself.
  await t.rejects(benchOnnx(seqFirst, { ...quick, batchDim: 'batch', dims: { batch: 2 } }), { code: 'BAD_OPTION', message: /dims\.batch names the batch axis \(axis 1 of x: float32 \[seq, batch, 4\]\) — set batch sizes with batchSizes: \[2\], not dims$/ })
  await t.rejects(benchOnnx(seqFirst, { ...quick, batchDim: 'batch' }), { code: 'INPUT_UNBUILDABLE', message: /dynamic dimension "seq" at axis 0 .* give its size with dims: \{ seq: <size> \}/ })
  const result = await benchOnnx(seqFirst, { ...quick, batchDim: 'batch', dims: { seq: 3 }, batchSizes: [2, 8], log: false })
  t.same(result.batches.map((b) => b.feeds), [['x: float32 [3, 2, 4]'], ['x: float32 [3, 8, 4]']])
  t.same(result.batches.map((b) => b.batchSize), [2, 8])
  for (const b of result.batches) {
    const sum = b.samplesMs.reduce((a, c) => a + c, 0)
    t.equal(b.throughput, (b.batchSize * b.samplesMs.length * 1000) / sum, `throughput of batch ${b.batchSize} counts batch rows, not seq steps`)
  }
  // Fixed feeds: the batch they hold is read from the batchDim axis, not axis 0.
  const fixedFeeds = await benchOnnx(seqFirst, { ...quick, batchDim: 'batch', inputs: { x: { data: new Float32Array(3 * 5 * 4), dims: [3, 5, 4] } }, log: false })
  t.equal(fixedFeeds.batches[0]!.batchSize, 5)
  t.equal((await benchOnnx(seqFirst, { ...quick, inputs: { x: { data: new Float32Array(3 * 5 * 4), dims: [3, 5, 4] } }, log: false })).batches[0]!.batchSize, 3, 'default: axis 0')
})

t.test('feeds across inputs: shared dimensions, custom generators', async (t) => {
  // Two inputs that share the symbolic dimension 'batch'.
  const info = (name: string) => ({ name, type: { tensorType: { elemType: 1, shape: { dim: [{ dimParam: 'batch' }, { dimValue: 4 }] } } } })
  const add = onnx.ModelProto.encode(
    onnx.ModelProto.create({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 17 }],
      graph: { name: 'add', node: [{ opType: 'Add', input: ['a', 'b'], output: ['y'] }], input: [info('a'), info('b')], output: [info('y')] },
    }),
  ).finish()
  const f32 = (rows: number) => ({ data: new Float32Array(rows * 4), dims: [rows, 4] })
  await t.rejects(benchOnnx(add, { ...quick, inputs: { a: f32(2), b: f32(3) } }), {
    code: 'INPUT_SHAPE',
    message: /dimension 'batch' is 2 in input 'a' but 3 in input 'b' \(b: float32 \[batch, 4\]\) — feeds must agree on it/,
  })
  t.equal((await benchOnnx(add, { ...quick, inputs: { a: f32(2), b: f32(2) }, log: false })).batches[0]!.batchSize, 2)
  const seen: string[] = []
  const generated = await benchOnnx(add, {
    ...quick,
    batchSizes: [5],
    log: false,
    generate: (input, rng) => {
      seen.push(`${input.name}:${input.type}:[${input.dims.join(',')}]`)
      return Float32Array.from({ length: input.dims[0]! * input.dims[1]! }, () => rng.next())
    },
  })
  t.same(seen, ['a:float32:[5,4]', 'b:float32:[5,4]'], 'the generator gets each input with its filled dims')
  t.same(generated.batches[0]!.feeds, ['a: float32 [5, 4]', 'b: float32 [5, 4]'])
  await t.rejects(benchOnnx(add, { ...quick, generate: () => new Float32Array(3) }), {
    code: 'INPUT_SHAPE',
    message: /options\.generate returned 3 values for input 'a', but dims \[1, 4\] hold 4/,
  })
})

/** A result of the small model, measured once and judged against many budgets (400 runs: a bounded p99 CI). */
let measured: BenchOnnxResult | undefined
async function smallResult(): Promise<BenchOnnxResult> {
  measured ??= await benchOnnx(small, { ...quick, minIterations: 400, batchSizes: [1, 8], log: false })
  return measured
}

t.test('toMeetBudget passes generous budgets and lists every breached one', async (t) => {
  const r = await smallResult()
  t.equal(judgeBudget(r, { p50Ms: 10_000, p99Ms: 10_000, throughputMin: 0.001, rssMb: 1e6, rssDeltaMb: 1e6, loadMs: 1e6 }).verdict, 'pass')
  expect(r).toMeetBudget({ p50Ms: 10_000, p99Ms: 10_000, throughputMin: 0.001, rssMb: 1e6, rssDeltaMb: 1e6, loadMs: 1e6 })
  expect(r).toMeetBudget({ p99Ms: { 1: 10_000, 8: 20_000 } })
  const message = failureOf(() => expect(r).toMeetBudget({ p99Ms: 1e-6, throughputMin: 1e12, rssMb: 1, loadMs: 1e6 }))
  t.match(message, /small\.onnx breached 5 of 6 budgets:/)
  t.match(message, /✗ batch 1 \(n=\d+\) p99 latency \S+ ms \(95% CI \S+ ms–\S+ ms, order statistics \d+–\d+\) exceeds budget <= 0\.00000100 ms/)
  t.match(message, /✗ batch 8 \(n=\d+\) p99 latency/)
  t.match(message, /✗ batch 8 \(n=\d+\) throughput \S+\/s \(95% CI \S+\/s–\S+\/s\) below budget >= 1,000,000,000,000\/s/)
  t.match(message, /✗ peak rss of the whole process \d+\.\d MiB \(single measurement\) exceeds budget <= 1\.0 MiB/)
  t.match(message, /other budgets:\n  ✓ load time .* within budget/)
  t.match(message, /percentiles: linear interpolation .*; p50\/p99 CI: distribution-free order-statistic interval \(ranks from Binomial\(n, q\)\), coverage >= 95%; throughput CI: percentile bootstrap of the mean latency, 95%, 500 resamples, seed \d+/)
  t.match(failureOf(() => expect(r).not.toMeetBudget({ p99Ms: 10_000 })), /Expected a breached budget, but small\.onnx met every budget/)
})

t.test('a budget inside the confidence interval is inconclusive, not a pass or a fail', async (t) => {
  const r = await smallResult()
  const b = r.batches[0]!
  t.ok(b.p50CiMs.low < b.p50CiMs.high, 'the CI has width')
  const inside = (b.p50CiMs.low + b.p50CiMs.high) / 2
  const judged = judgeBudget(r, { p50Ms: { 1: inside } })
  t.equal(judged.verdict, 'inconclusive')
  t.match(judged.lines[0]!.text, /p50 latency .* CI straddles budget <= /)
  expect(r).toMeetBudget({ p50Ms: { 1: inside } }) // inconclusive: the matcher does not throw
  // The CI is judged widened by the timer's error e on each side.
  const e = (r.timer.errorNs + 1) / 1e6
  t.equal(judgeBudget(r, { p50Ms: { 1: b.p50CiMs.high + e } }).verdict, 'pass', 'the whole CI (± the timer error) within the budget')
  t.equal(judgeBudget(r, { p50Ms: { 1: b.p50CiMs.low - e } }).verdict, 'fail', 'the whole CI (± the timer error) beyond the budget')
  t.equal(judgeBudget(r, { p50Ms: { 1: b.p50CiMs.high } }).verdict, 'inconclusive', 'the upper bound itself is within the timer error')
  t.match(judged.reason, new RegExp(`^the budget \\S+ ms lies inside the batch 1 p50 95% CI \\S+ ms–\\S+ ms \\(n=${b.iterations}\\)$`))
})

t.test('throughput and load-time budgets: inconclusive inside the CI, breached beyond it', async (t) => {
  const r = await smallResult()
  const b = r.batches[1]!
  t.ok(b.throughputCi.low < b.throughputCi.high, 'the throughput CI has width')
  const inside = (b.throughputCi.low + b.throughputCi.high) / 2
  const straddled = judgeBudget(r, { throughputMin: { 8: inside } })
  t.equal(straddled.verdict, 'inconclusive')
  t.match(straddled.lines[0]!.text, /batch 8 \(n=\d+\) throughput \S+\/s \(95% CI \S+\/s–\S+\/s\) CI straddles budget >= /)
  const line = straddled.lines[0]!
  t.ok(line.judgedCi!.low < b.throughputCi.low && line.judgedCi!.high > b.throughputCi.high, 'judged on the CI widened by the timer error')
  t.equal(judgeBudget(r, { throughputMin: { 8: line.judgedCi!.low } }).verdict, 'pass', 'the whole widened CI at or above the minimum')
  t.equal(judgeBudget(r, { throughputMin: { 8: line.judgedCi!.high * 1.001 } }).verdict, 'fail', 'the whole widened CI below the minimum')
  t.match(straddled.reason, /^the budget \S+\/s lies inside the batch 8 throughput 95% CI \S+\/s–\S+\/s \(n=\d+\)$/)
  // Load time is one measurement, judged on its value.
  const load = failureOf(() => expect(r).toMeetBudget({ loadMs: r.loadMs! / 2 }))
  t.match(load, /breached 1 of 1 budgets:\n  ✗ load time \S+ ms \(single measurement\) exceeds budget <= \S+ ms/)
  t.equal(judgeBudget(r, { loadMs: r.loadMs! }).verdict, 'pass')
})

t.test('rssDeltaMb: what loading and running a model added to rss', async (t) => {
  // The large MLP holds 21 MB of float32 weights: loading it must raise rss by more than that.
  const large = writeMlp(join(dir, 'large.onnx'), LARGE_MLP)
  const r = await benchOnnx(large, { warmup: 0, minIterations: 1, minTimeMs: 0, bootstrapResamples: 50, log: false })
  const m = r.memory
  t.ok(m.rssDeltaMb! > 20, `rssDeltaMb ${m.rssDeltaMb!.toFixed(1)} MiB > 20 MiB of weights`)
  t.equal(m.rssDeltaMb, m.rssPeakMb - m.rssBeforeLoadMb!)
  expect(r).toMeetBudget({ rssDeltaMb: 4096 })
  const message = failureOf(() => expect(r).toMeetBudget({ rssDeltaMb: 10 }))
  t.match(message, /✗ rss growth \(peak − before load\) \d+\.\d MiB \(single measurement\) exceeds budget <= 10\.0 MiB/)
})

/** A model that loads but fails at run time unless the batch is 2: Reshape to a constant [2, 4]. */
function reshapeModel(): Uint8Array {
  const info = (name: string, dim: Array<{ dimParam?: string; dimValue?: number }>) => ({ name, type: { tensorType: { elemType: 1, shape: { dim } } } })
  const shape = onnx.TensorProto.create({ name: 'shape', dims: [2], dataType: onnx.TensorProto.DataType.INT64, int64Data: [2, 4] })
  return onnx.ModelProto.encode(
    onnx.ModelProto.create({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 17 }],
      graph: {
        name: 'reshape',
        node: [{ opType: 'Reshape', input: ['x', 'shape'], output: ['y'] }],
        initializer: [shape],
        input: [info('x', [{ dimParam: 'batch' }, { dimValue: 4 }])],
        output: [info('y', [{ dimValue: 2 }, { dimValue: 4 }])],
      },
    }),
  ).finish()
}

/** A model whose input is a sequence of tensors, which benchOnnx cannot generate. */
function sequenceModel(): Uint8Array {
  const element = { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 4 }] } } }
  return onnx.ModelProto.encode(
    onnx.ModelProto.create({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 17 }],
      graph: {
        name: 'seq',
        node: [{ opType: 'SequenceLength', input: ['s'], output: ['n'] }],
        input: [{ name: 's', type: { sequenceType: { elemType: element } } }],
        output: [{ name: 'n', type: { tensorType: { elemType: 7, shape: { dim: [] } } } }],
      },
    }),
  ).finish()
}

t.test('run failures, sequence inputs and sessionOptions with a session are clear errors', async (t) => {
  await t.rejects(benchOnnx(reshapeModel(), { ...quick, batchSizes: [1] }), {
    name: 'BenchOnnxError',
    code: 'RUN_FAILED',
    message: /^benchOnnx: model failed at batch size 1 with feeds x: float32 \[1, 4\]: .*reshape/i,
  })
  t.equal((await benchOnnx(reshapeModel(), { ...quick, batchSizes: [2], log: false })).batches[0]!.batchSize, 2, 'the batch the model fits runs')
  await t.rejects(benchOnnx(sequenceModel(), quick), {
    code: 'INPUT_UNBUILDABLE',
    message: /input 's' of model is a sequence or map, which benchOnnx cannot generate — pass it in options\.inputs/,
  })
  const session = await ort.InferenceSession.create(small)
  await t.rejects(benchOnnx(session, { ...quick, sessionOptions: { intraOpNumThreads: 1 } }), {
    code: 'BAD_OPTION',
    message: /sessionOptions apply only when benchOnnx creates the session — pass them to InferenceSession\.create yourself/,
  })
  t.equal((await benchOnnx(session, { ...quick, log: false })).loadMs, null, 'the session alone is fine')
  await session.release()
})

t.test('warm-up: a duration, and bounded by maxTimeMs', async (t) => {
  const timed = await benchOnnx(small, { ...quick, warmup: { ms: 5 }, log: false })
  t.ok(timed.batches[0]!.warmupIterations >= 1, `${timed.batches[0]!.warmupIterations} warm-up runs in 5 ms`)
  t.notOk(timed.batches[0]!.warnings.some((w) => w.startsWith('warm-up')))
  // A warm-up longer than maxTimeMs stops at maxTimeMs and makes the batch inconclusive.
  for (const warmup of [{ ms: 600_000 }, 10_000_000]) {
    const cut = await benchOnnx(small, { ...quick, warmup, minTimeMs: 0, maxTimeMs: 20, log: false })
    const b = cut.batches[0]!
    t.ok(b.warmupIterations >= 1 && b.warmupIterations < 10_000_000, `warmup ${JSON.stringify(warmup)}: stopped after ${b.warmupIterations} runs`)
    t.match(b.warnings.join('\n'), new RegExp(`warm-up stopped after ${b.warmupIterations} runs at maxTimeMs 20 ms, so cold runs may be timed`))
    t.equal(cut.verdict, 'inconclusive')
  }
  await t.rejects(benchOnnx(small, { ...quick, warmup: {} as never }), { code: 'BAD_OPTION', message: /option "warmup" must be a count of runs .* \(got \{\}\)$/ })
  await t.rejects(benchOnnx(small, { ...quick, warmup: { ms: -1 } }), { code: 'BAD_OPTION', message: /option "warmup" must be .* \(got \{"ms":-1\}\)$/ })
})

t.test('toMeetBudget rejects a budget it cannot check', async (t) => {
  const r = await smallResult()
  t.throws(() => expect(r).toMeetBudget({ p99: 5 } as never), /Invalid budget: unknown budget "p99" — budgets are p50Ms, p99Ms, throughputMin, rssMb, rssDeltaMb, loadMs/)
  t.throws(() => expect(r).toMeetBudget({}), /the budget is empty/)
  t.throws(() => expect(r).toMeetBudget({ p99Ms: { 32: 5 } }), /names batch size 32, but the benchmark ran batch sizes 1, 8/)
  t.throws(() => expect(r).toMeetBudget({ p50Ms: -1 }), /p50Ms must be a non-negative number, got -1/)
  t.throws(() => expect({ p99Ms: 3 }).toMeetBudget({ p99Ms: 5 }), /received is not a benchOnnx or bench result — pass the value returned by await benchOnnx\(\.\.\.\) or await bench\(\.\.\.\)/)
  t.equal(typeof toMeetBudget, 'function')
})

t.test('plugin options set run-wide timing defaults, validated by core', async (t) => {
  const plugin = onnxPlugin()
  t.same(optionFields(plugin.options!).map((o) => o.name), ['minTimeMs', 'maxTimeMs', 'warmup', 'minIterations'])
  const resolve = (given: Record<string, unknown>, flags: Record<string, string> = {}) =>
    resolveConfig('/tmp', undefined, { pluginOptions: { onnx: given } }, { pluginFlags: flags }).pluginOptions.onnx!
  t.teardown(() => setPluginOptions({}))
  setPluginOptions({ onnx: resolve({ minTimeMs: 10, maxTimeMs: 20, warmup: 1, minIterations: 3 }) })
  t.same(timingDefaults(), { minTimeMs: 10, maxTimeMs: 20, warmup: 1, minIterations: 3 })
  const r = await benchOnnx(small, { log: false })
  t.equal(r.batches[0]!.warmupIterations, 1)
  t.ok(r.batches[0]!.iterations >= 3)
  setPluginOptions({})
  t.throws(() => resolve({ minTimeMs: 'soon' }), /^config pluginOptions\.onnx: option "onnx\.minTimeMs" must be a number \(got "soon"\)$/)
  t.throws(() => resolve({ minTimeMs: -5 }), /option "onnx\.minTimeMs" must be a number >= 0 \(got -5\)/)
  t.throws(() => resolve({ minTimeMs: 50, maxTimeMs: 10 }), /^onnx\.maxTimeMs is below onnx\.minTimeMs — raise maxTimeMs or lower minTimeMs$/)
  // Counts of runs are integers, and at least one run is timed.
  t.throws(() => resolve({ minIterations: 2.5 }), /option "onnx\.minIterations" must be an integer \(got 2\.5\)/)
  t.throws(() => resolve({}, { 'onnx.minIterations': '0' }), /^--onnx-min-iterations must be an integer >= 1 \(got "0"\)$/)
  t.throws(() => resolve({}, { 'onnx.warmup': '1.5' }), /^--onnx-warmup must be an integer \(got "1\.5"\)$/)
  t.throws(() => resolve({}, { 'onnx.warmup': '' }), /^--onnx-warmup must be an integer \(got ""\)$/)
  t.same(resolve({}, { 'onnx.minIterations': '3', 'onnx.warmup': '0' }), { ...BUILTIN_DEFAULTS, minIterations: 3, warmup: 0 }, 'integer text from the CLI is read as a number')
  t.same(timingDefaults(), BUILTIN_DEFAULTS, 'outside a run the built-in defaults apply')
})

// Models and tensors from Debian's libonnx-testdata (the ONNX backend test suite).
const TESTDATA = '/usr/share/libonnx-testdata/data'
const DTYPES: Record<number, [ort.Tensor.Type, { new (buffer: ArrayBuffer, offset: number, length: number): ArrayLike<unknown> }]> = {
  1: ['float32', Float32Array], 6: ['int32', Int32Array], 7: ['int64', BigInt64Array], 11: ['float64', Float64Array],
}

/** Decodes a TensorProto (.pb) file into an onnxruntime Tensor. */
function readTensor(path: string): { name: string; tensor: ort.Tensor } {
  const proto = onnx.TensorProto.decode(readFileSync(path))
  const entry = DTYPES[proto.dataType]
  if (!entry) throw new Error(`${path}: dtype ${proto.dataType} is not decoded by this test`)
  const dims = proto.dims.map(Number)
  const size = dims.reduce((a, b) => a * b, 1)
  let data: ArrayLike<unknown>
  if (proto.rawData.length > 0) data = new entry[1](Uint8Array.from(proto.rawData).buffer, 0, size)
  else if (entry[0] === 'float32') data = Float32Array.from(proto.floatData)
  else if (entry[0] === 'int64') data = BigInt64Array.from(proto.int64Data.map((v) => BigInt(v.toString())))
  else throw new Error(`${path}: typed-field ${entry[0]} data is not decoded by this test`)
  return { name: proto.name, tensor: new ort.Tensor(entry[0], data as Float32Array, dims) }
}

const CASES = ['node/test_relu', 'node/test_gemm_default_no_bias', 'pytorch-converted/test_Conv2d', 'pytorch-converted/test_Embedding']

t.test('libonnx-testdata models: benchmarked on their inputs, outputs as expected', { skip: existsSync(TESTDATA) ? false : `${TESTDATA} is absent — apt-get install libonnx-testdata` }, async (t) => {
  for (const name of CASES) {
    const folder = join(TESTDATA, name)
    const data = join(folder, 'test_data_set_0')
    // Errors-only logging: two of these models are stamped opset 6, which onnxruntime warns about.
    const session = await ort.InferenceSession.create(join(folder, 'model.onnx'), { logSeverityLevel: 3 })
    const files = readdirSync(data).sort()
    const inputs: Record<string, ort.Tensor> = {}
    files.filter((f) => f.startsWith('input_')).forEach((f, i) => {
      const { name: input, tensor } = readTensor(join(data, f))
      inputs[input || session.inputNames[i]!] = tensor
    })
    const result = await benchOnnx(session, { ...quick, inputs, name, log: false })
    t.ok(result.batches[0]!.iterations >= 20, `${name}: ${result.batches[0]!.iterations} runs, p50 ${result.batches[0]!.p50Ms.toFixed(4)} ms`)
    const outputs = await session.run(inputs)
    files.filter((f) => f.startsWith('output_')).forEach((f, i) => {
      const { name: output, tensor } = readTensor(join(data, f))
      const actual = outputs[output || session.outputNames[i]!]!
      expect(actual).toAllClose(tensor, { rtol: 1e-4, atol: 1e-5 })
      if (tensor.type === 'float32') {
        // The comparison is sharp: one perturbed expected value is caught.
        const wrong = Float32Array.from(tensor.data as Float32Array)
        wrong[0] = wrong[0]! + 0.5
        t.match(failureOf(() => expect(actual).toAllClose(new ort.Tensor('float32', wrong, tensor.dims), { rtol: 1e-4, atol: 1e-5 })), /1 of \d+ elements .* differ/)
      }
    })
    await session.release()
  }
  // Generated feeds for an integer (index) input are zeros, which stay in range.
  const embedding = await benchOnnx(join(TESTDATA, 'pytorch-converted/test_Embedding/model.onnx'), { ...quick, log: false })
  t.match(embedding.batches[0]!.feeds[0], /: int64 \[1, 4\]$/)
  // A real legacy model: opset 6 Gemm has no implementation in this runtime.
  await t.rejects(benchOnnx(join(TESTDATA, 'pytorch-converted/test_Linear/model.onnx'), quick), {
    code: 'MODEL_UNSUPPORTED',
    message: /uses operator Gemm from opset 6, which onnxruntime-node .* does not implement .* re-export the model with a newer opset/,
  })
})
