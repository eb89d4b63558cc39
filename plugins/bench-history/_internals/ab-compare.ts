/**
 * The verdicts of A/B mode (`mltest bench --ab REF` / `--ab-model OLD.onnx`): the baseline (A)
 * and the current code or model (B) are measured in alternating runs of one job, A B B A A B
 * ..., so a slow drift of the machine hits both alike. Two tests, and the more cautious counts:
 *
 * - within the runs: the pooled samples of A against those of B, as `compareBenchmark` does
 *   with `interleaved: true` (Mann–Whitney U + Hodges–Lehmann for p50; bootstrap for p99 and
 *   throughput);
 * - between the runs: a paired Student-t test over the rounds on the log ratio of each
 *   round's statistic (B's over A's), because each run (a process: JIT decisions, memory
 *   layout) shifts a statistic by its own amount, which no within-run test sees:
 *
 *     d_r = log(stat(B_r)) − log(stat(A_r)),  mean d̄, sd s,  se = s / √R,  t = d̄ / se,  df = R − 1.
 *
 * The larger p-value and the union of the two intervals go into the usual rule (`judgeChange`):
 * significance, the min effect, the absolute floor. Peak RSS (one figure per run) has the
 * paired test alone, with the 1 MiB floor.
 */
import tCdf from '@stdlib/stats-base-dists-t-cdf'
import tQuantile from '@stdlib/stats-base-dists-t-quantile'
import type { CollectedBenchmark } from './collect-benchmarks.ts'
import { compareBenchmark, judgeChange, RSS_FLOOR_MB, type CompareOptions, type MetricComparison } from './compare.ts'
import { mean, quantileSorted, sortedCopy } from './quantile.ts'

/** Fewer rounds than this and the paired test has too few degrees of freedom to be useful. */
export const AB_MIN_ROUNDS = 3

export interface PairedRatio {
  /** exp(mean log ratio): the geometric mean of B's statistic over A's, per round. */
  ratio: number
  low: number
  high: number
  p: number
  rounds: number
}

/** The paired t test on log ratios; undefined when a value is not positive or there are fewer than 2 pairs. */
export function pairedRatio(a: readonly number[], b: readonly number[], confidence: number): PairedRatio | undefined {
  const r = Math.min(a.length, b.length)
  if (r < 2) return undefined
  const d: number[] = []
  for (let i = 0; i < r; i++) {
    if (!(a[i]! > 0) || !(b[i]! > 0)) return undefined
    d.push(Math.log(b[i]!) - Math.log(a[i]!))
  }
  const mean = d.reduce((s, v) => s + v, 0) / r
  const sd = Math.sqrt(d.reduce((s, v) => s + (v - mean) ** 2, 0) / (r - 1))
  const se = sd / Math.sqrt(r)
  if (se === 0) return { ratio: Math.exp(mean), low: Math.exp(mean), high: Math.exp(mean), p: mean === 0 ? 1 : 0, rounds: r }
  const df = r - 1
  const half = tQuantile(1 - (1 - confidence) / 2, df) * se
  return { ratio: Math.exp(mean), low: Math.exp(mean - half), high: Math.exp(mean + half), p: Math.min(1, 2 * tCdf(-Math.abs(mean / se), df)), rounds: r }
}

type Stat = (sorted: Float64Array) => number
const STATS: Record<'p50' | 'p99' | 'throughput', Stat> = {
  p50: (s) => quantileSorted(s, 0.5),
  p99: (s) => quantileSorted(s, 0.99),
  // Throughput is judged in latency space, on the mean latency (batch / mean = items per second).
  throughput: (s) => mean(s),
}

/** Widens one within-run row with the paired test over the rounds and judges it again. */
function withPairedRounds(row: MetricComparison, a: readonly Float64Array[], b: readonly Float64Array[], options: CompareOptions): MetricComparison {
  if (row.metric === 'peak rss' || row.p === null || row.ratioLow === null || row.ratioHigh === null) return row
  const stat = STATS[row.metric]
  const paired = pairedRatio(a.map(stat), b.map(stat), 1 - options.alpha)
  if (!paired) return row
  const throughput = row.metric === 'throughput'
  // In latency space (ratio > 1 is slower); throughput rows carry the inverse.
  const within = throughput ? { ratio: 1 / row.ratio, low: 1 / row.ratioHigh, high: 1 / row.ratioLow } : { ratio: row.ratio, low: row.ratioLow, high: row.ratioHigh }
  const low = Math.min(within.low, paired.low)
  const high = Math.max(within.high, paired.high)
  const p = Math.max(row.p, paired.p)
  const baseStat = throughput ? mean(a.flatMap((s) => [...s])) : row.baseline
  const judged = judgeChange({ ratio: within.ratio, low, high, p, absoluteChangeMs: (within.ratio - 1) * baseStat, shownRatio: throughput ? row.ratio : undefined }, options)
  const method = `${row.method.replace(' (interleaved: run-to-run variation cancels)', '')} + paired t over ${paired.rounds} interleaved rounds`
  return throughput
    ? { ...row, ratioLow: 1 / high, ratioHigh: 1 / low, p, method, ...judged }
    : { ...row, ratioLow: low, ratioHigh: high, p, method, ...judged }
}

/** Peak RSS: one figure per run, so the paired test alone, with the 1 MiB floor. */
function rssRow(a: readonly CollectedBenchmark[], b: readonly CollectedBenchmark[], options: CompareOptions): MetricComparison | undefined {
  const pairs = a.map((x, i) => [x.peakRssMb, b[i]?.peakRssMb] as const).filter((p): p is readonly [number, number] => typeof p[0] === 'number' && p[0] > 0 && typeof p[1] === 'number' && p[1] > 0)
  if (pairs.length < 2) return undefined
  const paired = pairedRatio(pairs.map((p) => p[0]), pairs.map((p) => p[1]), 1 - options.alpha)!
  const base = quantileSorted(sortedCopy(pairs.map((p) => p[0])), 0.5)
  const current = quantileSorted(sortedCopy(pairs.map((p) => p[1])), 0.5)
  const row = { metric: 'peak rss' as const, unit: 'MiB' as const, baseline: base, current, ratio: paired.ratio, ratioLow: paired.low, ratioHigh: paired.high, confidence: 1 - options.alpha, p: paired.p, method: `paired t over ${paired.rounds} interleaved rounds`, nBaseline: pairs.length, nCurrent: pairs.length }
  if (Math.abs(current - base) < RSS_FLOOR_MB) return { ...row, verdict: 'unchanged', reason: `change ${(current - base).toFixed(2)} MiB below the ${RSS_FLOOR_MB} MiB floor` }
  return { ...row, ...judgeChange({ ratio: paired.ratio, low: paired.low, high: paired.high, p: paired.p, absoluteChangeMs: Infinity }, { ...options, floorMs: 0 }) }
}

/** Pools B's rounds into one measurement (what the table shows as "current"). */
export function pooledRounds(rounds: readonly CollectedBenchmark[]): CollectedBenchmark {
  const first = rounds[0]!
  const rates = rounds.map((r) => r.throughputPerSec).filter((v): v is number => typeof v === 'number')
  return {
    ...first,
    samplesMs: rounds.flatMap((r) => r.samplesMs),
    throughputPerSec: rates.length === rounds.length ? rates.reduce((s, v) => s + v, 0) / rates.length : null,
    peakRssMb: null,
  }
}

/** Every metric of one benchmark, A's rounds against B's (same order: round r of A beside round r of B). */
export function compareAb(a: readonly CollectedBenchmark[], b: readonly CollectedBenchmark[], options: CompareOptions): MetricComparison[] {
  const current = pooledRounds(b)
  const within = compareBenchmark(
    a.map((r) => ({ samplesMs: r.samplesMs, throughputPerSec: r.throughputPerSec })),
    { samplesMs: current.samplesMs, throughputPerSec: current.throughputPerSec },
    current.batchSize,
    { ...options, interleaved: true },
  )
  const aSorted = a.map((r) => sortedCopy(r.samplesMs))
  const bSorted = b.map((r) => sortedCopy(r.samplesMs))
  const rows = within.map((row) => withPairedRounds(row, aSorted, bSorted, options))
  const rss = rssRow(a, b, options)
  if (rss) rows.push(rss)
  return rows
}
