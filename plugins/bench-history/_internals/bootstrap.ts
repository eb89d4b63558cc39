/**
 * Percentile bootstrap of the ratio of a statistic between two independent samples, for the
 * metrics a rank test does not address: the p99 (a tail, not a location) and the mean latency
 * behind throughput. Each group is resampled with replacement on its own, B times, with a PRNG
 * seeded from the benchmark's identity, so the same stored samples always give the same
 * interval. A resample is drawn as multinomial counts over the sorted values, so a quantile of
 * a resample costs O(n), not a sort, and one resample serves every statistic. The draws come
 * from a 32-bit xorshift seeded by mltest's seeded PRNG: at 2 ns a draw instead of 10, a
 * comparison of 5 × 10,000 against 10,000 samples takes a second, not five.
 */
import { createRng, type Rng } from 'mltest/plugin'
import { quantileSorted } from './quantile.ts'

export type BootstrapStatistic = { kind: 'quantile'; q: number } | { kind: 'mean' }

export interface BootstrapRatio {
  /** statistic(current) / statistic(baseline) on the observed samples. */
  ratio: number
  low: number
  high: number
  /**
   * Two-sided bootstrap p-value of "ratio = 1": (2·min(#{r* ≤ 1}, #{r* ≥ 1}) + 1) / (B + 1),
   * capped at 1; never 0, its resolution is about 2/B.
   */
  p: number
  resamples: number
}

/** A 32-bit xorshift (Marsaglia 2003) seeded from `rng`: uniform integers in [0, n) for the draw loop. */
function fastIndex(rng: Rng): (n: number) => number {
  let state = rng.int(1, 0x7fffffff)
  return (n) => {
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    return Math.floor(((state >>> 0) / 4294967296) * n)
  }
}

/** Draws one multinomial resample of `counts.length` values as counts per sorted position. */
function drawCounts(counts: Int32Array, index: (n: number) => number): void {
  const n = counts.length
  counts.fill(0)
  for (let k = 0; k < n; k++) counts[index(n)]!++
}

/** A statistic of the resample held in `counts` over `sorted`. */
function statisticOf(sorted: Float64Array, counts: Int32Array, statistic: BootstrapStatistic): number {
  const n = sorted.length
  if (statistic.kind === 'mean') {
    let sum = 0
    for (let i = 0; i < n; i++) sum += counts[i]! * sorted[i]!
    return sum / n
  }
  // Type-7 quantile of the resample: the values at 0-based ranks lo and lo + 1 of the resample.
  const h = (n - 1) * statistic.q
  const lo = Math.floor(h)
  let seen = 0
  let atLo = Number.NaN
  for (let i = 0; i < n; i++) {
    seen += counts[i]!
    if (Number.isNaN(atLo) && seen > lo) atLo = sorted[i]!
    if (seen > lo + 1 || (seen > lo && lo + 1 >= n)) return atLo + (h - lo) * (sorted[i]! - atLo)
  }
  return atLo
}

function observed(sorted: Float64Array, statistic: BootstrapStatistic): number {
  if (statistic.kind === 'quantile') return quantileSorted(sorted, statistic.q)
  let sum = 0
  for (const v of sorted) sum += v
  return sum / sorted.length
}

/** Bootstrap distributions of statistic(current*) / statistic(baseline*) for several statistics, from the same resamples. */
export function bootstrapRatios(baseline: ArrayLike<number>, current: ArrayLike<number>, options: { statistics: readonly BootstrapStatistic[]; confidence: number; resamples: number; seed: number }): BootstrapRatio[] {
  const x = Float64Array.from(baseline).sort()
  const y = Float64Array.from(current).sort()
  const index = fastIndex(createRng(options.seed))
  const countsX = new Int32Array(x.length)
  const countsY = new Int32Array(y.length)
  const k = options.statistics.length
  const ratios = options.statistics.map(() => new Float64Array(options.resamples))
  const atMostOne = new Array<number>(k).fill(0)
  const atLeastOne = new Array<number>(k).fill(0)
  for (let b = 0; b < options.resamples; b++) {
    drawCounts(countsY, index)
    drawCounts(countsX, index)
    for (let s = 0; s < k; s++) {
      const r = statisticOf(y, countsY, options.statistics[s]!) / statisticOf(x, countsX, options.statistics[s]!)
      ratios[s]![b] = r
      if (r <= 1) atMostOne[s]!++
      if (r >= 1) atLeastOne[s]!++
    }
  }
  const tail = (1 - options.confidence) / 2
  return options.statistics.map((statistic, s) => {
    const sorted = ratios[s]!.sort()
    return {
      ratio: observed(y, statistic) / observed(x, statistic),
      low: quantileSorted(sorted, tail),
      high: quantileSorted(sorted, 1 - tail),
      p: Math.min(1, (2 * Math.min(atMostOne[s]!, atLeastOne[s]!) + 1) / (options.resamples + 1)),
      resamples: options.resamples,
    }
  })
}

/** Bootstrap distribution of statistic(current*) / statistic(baseline*), summarised. */
export function bootstrapRatio(baseline: ArrayLike<number>, current: ArrayLike<number>, options: { statistic: BootstrapStatistic; confidence: number; resamples: number; seed: number }): BootstrapRatio {
  return bootstrapRatios(baseline, current, { ...options, statistics: [options.statistic] })[0]!
}
