/**
 * One benchmark's verdict per metric, current run against its baseline (the samples of one
 * or more earlier runs, pooled):
 *
 * - p50: Mann–Whitney U test on the latencies (p-value) and the Hodges–Lehmann estimate of the
 *   shift of log latency with its Moses confidence interval, reported as a ratio exp(shift);
 * - p99 (when both sides have ≥ 368 samples): percentile bootstrap of the ratio of p99s;
 * - throughput (when the records carry it): percentile bootstrap of the ratio of mean latencies;
 * - peak rss (one figure per run): the run-to-run test alone — see `compareRss`.
 *
 * Every tested metric also gets a run-to-run check (see `run-to-run.ts`): the larger of the
 * two p-values and the union of the two intervals count, so a shift no larger than the runs'
 * own variation is never significant. Before the history has `SPREAD_MIN_RUNS` comparable
 * runs that variation is unknown, and a change is inconclusive rather than called.
 *
 * A verdict needs all of: statistical significance (p < alpha, interval excluding 1), an
 * estimated change of at least `minEffect`, and an absolute change of at least the floor.
 * Every ratio is judged in latency space (current / baseline, > 1 is slower); throughput is
 * shown as its own ratio (current / baseline, < 1 is slower).
 */
import { bootstrapRatios, type BootstrapRatio } from './bootstrap.ts'
import { hodgesLehmannShift } from './hodges-lehmann.ts'
import { mannWhitneyU } from './mann-whitney.ts'
import { mean, quantileSorted, sortedCopy } from './quantile.ts'
import { runToRun, SPREAD_MIN_RUNS } from './run-to-run.ts'

export type Change = 'improved' | 'unchanged' | 'regressed' | 'inconclusive'
export type MetricName = 'p50' | 'p99' | 'throughput' | 'peak rss'

/** A p99 has an upper order-statistic bound from 368 samples on (0.99^368 ≤ 2.5%); below, its tail is the maximum. */
export const P99_MIN_SAMPLES = 368
/** Fewer samples than this on a side: no p50 verdict (the exact test cannot reach p < 0.01 with 4 vs 4). */
export const MIN_SAMPLES = 5
/** Latencies are clamped to 1 ns before taking logs (a 0 is a run below the timer's resolution). */
const MIN_LATENCY_MS = 1e-6
/** A peak-rss change below this never counts. */
export const RSS_FLOOR_MB = 1

export interface CompareOptions {
  /** Significance level of the tests; intervals are at confidence 1 − alpha. */
  alpha: number
  /** Smallest relative change that counts, e.g. 0.05. */
  minEffect: number
  /** Smallest absolute latency change that counts, in ms. */
  floorMs: number
  /** Seeds the bootstraps (derive it from the benchmark's identity: same samples, same verdict). */
  seed: number
  bootstrapResamples?: number
  /**
   * Baseline and current were measured interleaved in one job (A/B mode: ABAB...), so drift
   * between runs cancels: no run-to-run check, and a change is called on the samples alone.
   */
  interleaved?: boolean
}

export interface BenchmarkSamples {
  samplesMs: ArrayLike<number>
  throughputPerSec?: number | null
  peakRssMb?: number | null
}

export interface MetricComparison {
  metric: MetricName
  unit: 'ms' | '/s' | 'MiB'
  baseline: number
  current: number
  /** current / baseline of the metric itself (for throughput > 1 is faster). */
  ratio: number
  ratioLow: number | null
  ratioHigh: number | null
  confidence: number | null
  p: number | null
  method: string
  verdict: Change
  reason: string
  nBaseline: number
  nCurrent: number
}

/** What `judgeChange` needs, in latency space: ratio = current / baseline, > 1 slower. */
export interface ChangeEstimate {
  ratio: number
  low: number
  high: number
  p: number
  /** The estimated change in absolute terms (ms), signed. */
  absoluteChangeMs: number
  /** The ratio as the report shows it, when that is not the latency ratio (throughput: its inverse). */
  shownRatio?: number
}

const percent = (ratio: number) => `${ratio >= 1 ? '+' : '−'}${(Math.abs(ratio - 1) * 100).toFixed(1)}%`

/**
 * The verdict rule shared by every tested metric (latency space: ratio > 1 is slower):
 * regressed / improved need significance, an interval on one side of 1, and an estimate of at
 * least the min effect; inconclusive is an estimate of at least the min effect that is not
 * significant (the runs vary too much to tell); everything else is unchanged.
 */
export function judgeChange(e: ChangeEstimate, options: Pick<CompareOptions, 'alpha' | 'minEffect' | 'floorMs'>): { verdict: Change; reason: string } {
  const up = 1 + options.minEffect
  const down = 1 / up
  const band = `±${(options.minEffect * 100).toFixed(0)}%`
  const change = percent(e.shownRatio ?? e.ratio)
  if (!Number.isFinite(e.ratio) || Number.isNaN(e.p)) return { verdict: 'inconclusive', reason: 'no estimate' }
  if (Math.abs(e.absoluteChangeMs) < options.floorMs) {
    return { verdict: 'unchanged', reason: `change ${(e.absoluteChangeMs * 1000).toFixed(2)} µs below the ${(options.floorMs * 1000).toFixed(1)} µs floor` }
  }
  const significant = e.p < options.alpha && (e.low > 1 || e.high < 1)
  if (significant && e.low > 1 && e.ratio >= up) return { verdict: 'regressed', reason: `${change}, significant, ≥ min effect ${band}` }
  if (significant && e.high < 1 && e.ratio <= down) return { verdict: 'improved', reason: `${change}, significant, ≥ min effect ${band}` }
  if (e.ratio > down && e.ratio < up) {
    if (e.low >= down && e.high <= up) return { verdict: 'unchanged', reason: `interval within ${band}` }
    if (significant) return { verdict: 'unchanged', reason: `${change} is significant but below the min effect ${band}` }
    return { verdict: 'unchanged', reason: `${change}, no significant change` }
  }
  return { verdict: 'inconclusive', reason: `${change} but not significant: the runs vary too much to tell` }
}

function pooled(runs: readonly BenchmarkSamples[]): Float64Array {
  const total = runs.reduce((n, r) => n + r.samplesMs.length, 0)
  const out = new Float64Array(total)
  let at = 0
  for (const run of runs) for (let i = 0; i < run.samplesMs.length; i++) out[at++] = run.samplesMs[i]!
  return out
}

/**
 * The within-run estimate widened by the run-to-run check. Before `SPREAD_MIN_RUNS` runs the
 * spread is unknown: `young` says so, and the verdict of a significant change is withheld.
 */
function withRunToRun(e: { low: number; high: number; p: number }, stats: RunStats, currentStat: number, confidence: number, interleaved = false): { low: number; high: number; p: number; note: string; young?: string } {
  if (interleaved) return { ...e, note: ' (interleaved: run-to-run variation cancels)' }
  const spread = stats.spread.length >= stats.baseline.length ? stats.spread : stats.baseline
  const between = spread.length >= SPREAD_MIN_RUNS ? runToRun(stats.baseline, currentStat, confidence, spread) : undefined
  if (!between) return { ...e, note: ` (run-to-run variation unknown: ${spread.length} of ${SPREAD_MIN_RUNS} runs)`, young: `run-to-run variation is unknown before ${SPREAD_MIN_RUNS} stored runs (${spread.length} so far)` }
  return { low: Math.min(e.low, between.low), high: Math.max(e.high, between.high), p: Math.max(e.p, between.p), note: ` + run-to-run t over ${between.runs} runs` }
}

/** A regressed or improved verdict withheld while the run-to-run spread is unknown. */
function withheld(judged: { verdict: Change; reason: string }, young: string | undefined): { verdict: Change; reason: string } {
  if (!young || (judged.verdict !== 'regressed' && judged.verdict !== 'improved')) return judged
  return { verdict: 'inconclusive', reason: `${judged.reason.split(',')[0]} within this run, but ${young}` }
}

/** One statistic per run: of the baseline runs (the level) and of the recent runs (the spread). */
interface RunStats {
  baseline: number[]
  spread: number[]
}

/** A run's summary, enough for the run-to-run spread (stored with every run; no samples needed). */
export interface RunSummary {
  n: number
  p50Ms: number
  p99Ms: number
  meanMs: number
  peakRssMb?: number | null
}

const logOf = (values: Float64Array) => values.map((v) => Math.log(Math.max(v, MIN_LATENCY_MS)))

function compareMedian(x: Float64Array, y: Float64Array, perRun: RunStats, options: CompareOptions): MetricComparison {
  const base = quantileSorted(x, 0.5)
  const cur = quantileSorted(y, 0.5)
  const row = { metric: 'p50' as const, unit: 'ms' as const, baseline: base, current: cur, nBaseline: x.length, nCurrent: y.length }
  if (x.length < MIN_SAMPLES || y.length < MIN_SAMPLES) {
    return { ...row, ratio: cur / base, ratioLow: null, ratioHigh: null, confidence: null, p: null, method: '—', verdict: 'inconclusive', reason: `fewer than ${MIN_SAMPLES} samples on a side` }
  }
  const test = mannWhitneyU(x, y)
  const confidence = 1 - options.alpha
  const shift = hodgesLehmannShift(logOf(x), logOf(y), { confidence, tieTerm: test.tieTerm })
  const ratio = Math.exp(shift.estimate)
  const widened = withRunToRun({ low: Math.exp(shift.low), high: Math.exp(shift.high), p: test.p }, perRun, cur, confidence, options.interleaved)
  const estimate: ChangeEstimate = { ratio, low: widened.low, high: widened.high, p: widened.p, absoluteChangeMs: (ratio - 1) * base }
  const method = `Mann-Whitney U (${test.method === 'exact' ? 'exact' : 'normal approx., tie-corrected'}), Hodges-Lehmann ratio${widened.note}`
  return { ...row, ratio, ratioLow: estimate.low, ratioHigh: estimate.high, confidence: shift.coverage, p: estimate.p, method, ...withheld(judgeChange(estimate, options), widened.young) }
}

function compareBootstrapped(metric: 'p99' | 'throughput', boot: BootstrapRatio, x: Float64Array, y: Float64Array, perRun: RunStats, options: CompareOptions, batchSize: number): MetricComparison {
  const confidence = 1 - options.alpha
  const resamples = boot.resamples
  const baseStat = metric === 'p99' ? quantileSorted(x, 0.99) : mean(x)
  const curStat = metric === 'p99' ? quantileSorted(y, 0.99) : mean(y)
  const widened = withRunToRun(boot, perRun, curStat, confidence, options.interleaved)
  const judged = withheld(judgeChange({ ratio: boot.ratio, low: widened.low, high: widened.high, p: widened.p, absoluteChangeMs: (boot.ratio - 1) * baseStat, shownRatio: metric === 'throughput' ? 1 / boot.ratio : undefined }, options), widened.young)
  const method = `percentile bootstrap (${resamples} resamples) of the ratio of ${metric === 'p99' ? 'p99s' : 'mean latencies'}${widened.note}`
  const common = { metric, confidence, p: widened.p, method, nBaseline: x.length, nCurrent: y.length, ...judged }
  if (metric === 'p99') return { ...common, unit: 'ms', baseline: baseStat, current: curStat, ratio: boot.ratio, ratioLow: widened.low, ratioHigh: widened.high }
  // Throughput is batch / mean latency: its ratio is the inverse of the latency ratio.
  const perSec = (meanMs: number) => (batchSize * 1000) / meanMs
  return { ...common, unit: '/s', baseline: perSec(baseStat), current: perSec(curStat), ratio: 1 / boot.ratio, ratioLow: 1 / widened.high, ratioHigh: 1 / widened.low }
}

/**
 * Peak rss is one figure per run: judged by the run-to-run test alone (the current peak
 * against the baseline runs' geometric mean, spread from the recent runs), with a 1 MiB floor.
 * Before `SPREAD_MIN_RUNS` runs a change beyond the min effect is inconclusive.
 */
export function compareRss(baselineMb: readonly number[], currentMb: number, spreadMb: readonly number[], options: Pick<CompareOptions, 'alpha' | 'minEffect'>): MetricComparison {
  const spread = spreadMb.length >= baselineMb.length ? spreadMb : baselineMb
  const between = spread.length >= SPREAD_MIN_RUNS ? runToRun(baselineMb, currentMb, 1 - options.alpha, spread) : undefined
  const base = between ? currentMb / between.ratio : quantileSorted(sortedCopy(baselineMb), 0.5)
  const ratio = currentMb / base
  const row = { metric: 'peak rss' as const, unit: 'MiB' as const, baseline: base, current: currentMb, ratio, ratioLow: between?.low ?? null, ratioHigh: between?.high ?? null, confidence: between ? 1 - options.alpha : null, p: between?.p ?? null, nBaseline: baselineMb.length, nCurrent: 1 }
  const method = between ? `run-to-run t over ${between.runs} runs` : `run-to-run variation unknown: ${spread.length} of ${SPREAD_MIN_RUNS} runs`
  if (Math.abs(currentMb - base) < RSS_FLOOR_MB) return { ...row, method, verdict: 'unchanged', reason: `change ${(currentMb - base).toFixed(2)} MiB below the ${RSS_FLOOR_MB} MiB floor` }
  if (!between) {
    const inBand = ratio > 1 / (1 + options.minEffect) && ratio < 1 + options.minEffect
    return { ...row, method, verdict: inBand ? 'unchanged' : 'inconclusive', reason: inBand ? `${percent(ratio)}, within ±${(options.minEffect * 100).toFixed(0)}%` : `${percent(ratio)}, but run-to-run variation is unknown before ${SPREAD_MIN_RUNS} stored runs` }
  }
  return { ...row, method, ...judgeChange({ ratio: between.ratio, low: between.low, high: between.high, p: between.p, absoluteChangeMs: Infinity }, { ...options, floorMs: 0 }) }
}

/**
 * Compares one benchmark's current samples with its baseline runs, metric by metric.
 * `spreadRuns` (summaries of the most recent comparable runs, newest first) estimate the
 * run-to-run variation; by default the baseline runs do.
 */
export function compareBenchmark(baselineRuns: readonly BenchmarkSamples[], current: BenchmarkSamples, batchSize: number, options: CompareOptions, spreadRuns?: readonly RunSummary[]): MetricComparison[] {
  const x = pooled(baselineRuns).sort()
  const y = sortedCopy(current.samplesMs)
  const summaries: RunSummary[] = baselineRuns
    .filter((r) => r.samplesMs.length > 0)
    .map((r) => {
      const sorted = sortedCopy(r.samplesMs)
      return { n: sorted.length, p50Ms: quantileSorted(sorted, 0.5), p99Ms: quantileSorted(sorted, 0.99), meanMs: mean(sorted), peakRssMb: r.peakRssMb }
    })
  const spread = spreadRuns ?? summaries
  // A run's own p99 needs the run's own 368 samples to count in the run-to-run check.
  const statsOf = (stat: (s: RunSummary) => number, minN = 1): RunStats => ({ baseline: summaries.filter((s) => s.n >= minN).map(stat), spread: spread.filter((s) => s.n >= minN).map(stat) })
  const rows = [compareMedian(x, y, statsOf((s) => s.p50Ms), options)]
  const withP99 = x.length >= P99_MIN_SAMPLES && y.length >= P99_MIN_SAMPLES
  const withThroughput = baselineRuns.every((r) => r.throughputPerSec != null) && current.throughputPerSec != null && x.length >= MIN_SAMPLES && y.length >= MIN_SAMPLES
  // One set of resamples serves both bootstrapped metrics.
  const statistics = [...(withP99 ? [{ kind: 'quantile', q: 0.99 } as const] : []), ...(withThroughput ? [{ kind: 'mean' } as const] : [])]
  const boots = statistics.length ? bootstrapRatios(x, y, { statistics, confidence: 1 - options.alpha, resamples: options.bootstrapResamples ?? 2000, seed: options.seed }) : []
  if (withP99) rows.push(compareBootstrapped('p99', boots[0]!, x, y, statsOf((s) => s.p99Ms, P99_MIN_SAMPLES), options, batchSize))
  if (withThroughput) rows.push(compareBootstrapped('throughput', boots[boots.length - 1]!, x, y, statsOf((s) => s.meanMs), options, batchSize))
  const rssOf = (runs: ReadonlyArray<{ peakRssMb?: number | null }>) => runs.map((r) => r.peakRssMb).filter((v): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0)
  const rss = rssOf(baselineRuns)
  if (rss.length > 0 && typeof current.peakRssMb === 'number' && current.peakRssMb > 0) rows.push(compareRss(rss, current.peakRssMb, rssOf(spread), options))
  return rows
}

/** The worst verdict of a set of rows: regressed > inconclusive > improved > unchanged. */
export function worstChange(changes: readonly Change[]): Change | undefined {
  for (const change of ['regressed', 'inconclusive', 'improved', 'unchanged'] as const) if (changes.includes(change)) return change
  return undefined
}
