/**
 * Percentile bootstrap of the ratio of a statistic between two independent samples, for the
 * metrics a rank test does not address: the p99 (a tail, not a location) and the mean latency
 * behind throughput. Each group is resampled with replacement on its own, B times, with a PRNG
 * seeded from the benchmark's identity, so the same stored samples always give the same
 * interval. A resample is drawn as multinomial counts over the sorted values, so a quantile of
 * a resample costs O(n), not a sort.
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

/** The statistic of one multinomial resample of `sorted`. */
function resampledStatistic(sorted: Float64Array, counts: Int32Array, statistic: BootstrapStatistic, rng: Rng): number {
  const n = sorted.length
  counts.fill(0)
  for (let k = 0; k < n; k++) counts[Math.floor(rng.next() * n)]!++
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

/** Bootstrap distribution of statistic(current*) / statistic(baseline*), summarised. */
export function bootstrapRatio(baseline: ArrayLike<number>, current: ArrayLike<number>, options: { statistic: BootstrapStatistic; confidence: number; resamples: number; seed: number }): BootstrapRatio {
  const x = Float64Array.from(baseline).sort()
  const y = Float64Array.from(current).sort()
  const rng = createRng(options.seed)
  const countsX = new Int32Array(x.length)
  const countsY = new Int32Array(y.length)
  const ratios = new Float64Array(options.resamples)
  let atMostOne = 0
  let atLeastOne = 0
  for (let b = 0; b < options.resamples; b++) {
    const r = resampledStatistic(y, countsY, options.statistic, rng) / resampledStatistic(x, countsX, options.statistic, rng)
    ratios[b] = r
    if (r <= 1) atMostOne++
    if (r >= 1) atLeastOne++
  }
  ratios.sort()
  const tail = (1 - options.confidence) / 2
  return {
    ratio: observed(y, options.statistic) / observed(x, options.statistic),
    low: quantileSorted(ratios, tail),
    high: quantileSorted(ratios, 1 - tail),
    p: Math.min(1, (2 * Math.min(atMostOne, atLeastOne) + 1) / (options.resamples + 1)),
    resamples: options.resamples,
  }
}
