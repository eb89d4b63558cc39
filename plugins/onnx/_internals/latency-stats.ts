/**
 * Latency statistics: percentiles with one stated method, order-statistic confidence
 * intervals for them (quantile-interval.ts) and a seeded percentile bootstrap for the mean,
 * which throughput comes from. Percentiles use linear interpolation between closest ranks
 * (Hyndman & Fan type 7, numpy's and R's default), so figures match what users get when they
 * re-analyse the raw samples in numpy.
 */
import { QUANTILE_METHOD, quantileSorted as sdkQuantileSorted } from 'mltest/plugin'
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus'
import { quantileInterval, type QuantileInterval } from './quantile-interval.ts'

export const PERCENTILE_METHOD = QUANTILE_METHOD
export const MEAN_CI_METHOD = 'percentile bootstrap of the mean latency, 95%'

/** The q-quantile of values sorted ascending (the SDK's type 7); benchmarks always have samples, so none is an error here. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) throw new RangeError('quantileSorted: no samples')
  return sdkQuantileSorted(sorted, q)
}

export interface LatencySummary {
  n: number
  min: number
  mean: number
  /** Sample standard deviation (n - 1 in the denominator); 0 for one sample. */
  stdev: number
  p50: number
  p90: number
  p95: number
  p99: number
  max: number
}

export function summarize(sorted: ArrayLike<number>): LatencySummary {
  const n = sorted.length
  let sum = 0
  for (let i = 0; i < n; i++) sum += sorted[i]!
  const mean = sum / n
  let squares = 0
  for (let i = 0; i < n; i++) squares += (sorted[i]! - mean) ** 2
  return {
    n,
    min: sorted[0]!,
    mean,
    stdev: n > 1 ? Math.sqrt(squares / (n - 1)) : 0,
    p50: quantileSorted(sorted, 0.5),
    p90: quantileSorted(sorted, 0.9),
    p95: quantileSorted(sorted, 0.95),
    p99: quantileSorted(sorted, 0.99),
    max: sorted[n - 1]!,
  }
}

export interface BootstrapDistribution {
  /** For each requested quantile, its value in every resample. */
  quantiles: Float64Array[]
  /** The mean of every resample. */
  means: Float64Array
}

/**
 * Resamples `sorted` with replacement `resamples` times. Each resample is kept as counts per
 * index of the sorted array, so its order statistics come from one cumulative walk instead
 * of a sort: O(n) per resample. Indices come from 32-bit xoroshiro128+ outputs scaled to
 * [0, n) (bias below n / 2^32, negligible for sample counts a benchmark keeps).
 */
export function bootstrapDistribution(sorted: ArrayLike<number>, qs: readonly number[], resamples: number, seed: number): BootstrapDistribution {
  const n = sorted.length
  if (n === 0) throw new RangeError('bootstrap: no samples')
  const gen = xoroshiro128plus(seed)
  const counts = new Uint32Array(n)
  const quantiles = qs.map(() => new Float64Array(resamples))
  const means = new Float64Array(resamples)
  // Type-7 ranks (0-based) each quantile needs: floor(h) and floor(h) + 1.
  const ranks = qs.map((q) => {
    const h = (n - 1) * q
    return { lo: Math.floor(h), frac: h - Math.floor(h) }
  })
  for (let b = 0; b < resamples; b++) {
    counts.fill(0)
    for (let i = 0; i < n; i++) counts[Math.floor(((gen.next() >>> 0) * n) / 4294967296)]!++
    let sum = 0
    let seen = 0
    const lowValues = new Array<number>(qs.length).fill(NaN)
    const highValues = new Array<number>(qs.length).fill(NaN)
    for (let i = 0; i < n; i++) {
      const c = counts[i]!
      if (c === 0) continue
      sum += c * sorted[i]!
      const first = seen
      seen += c
      // Ranks first .. seen-1 of the resample hold sorted[i].
      for (let k = 0; k < ranks.length; k++) {
        const { lo } = ranks[k]!
        const hi = Math.min(lo + 1, n - 1)
        if (lo >= first && lo < seen) lowValues[k] = sorted[i]!
        if (hi >= first && hi < seen) highValues[k] = sorted[i]!
      }
    }
    means[b] = sum / n
    for (let k = 0; k < ranks.length; k++) {
      quantiles[k]![b] = lowValues[k]! + ranks[k]!.frac * (highValues[k]! - lowValues[k]!)
    }
  }
  return { quantiles, means }
}

/** A two-sided 95% interval. */
export interface Interval {
  low: number
  high: number
}

/** The 2.5% and 97.5% quantiles (type 7) of a bootstrap distribution. */
export function percentileInterval(values: Float64Array): Interval {
  const sorted = Float64Array.from(values).sort()
  return { low: quantileSorted(sorted, 0.025), high: quantileSorted(sorted, 0.975) }
}

export interface LatencyIntervals {
  p50: QuantileInterval
  p99: QuantileInterval
  mean: Interval
}

/**
 * 95% intervals of the median and the p99 (order statistics, distribution-free) and of the
 * mean latency (percentile bootstrap: the mean has no order-statistic interval).
 */
export function latencyIntervals(sorted: ArrayLike<number>, resamples: number, seed: number): LatencyIntervals {
  return {
    p50: quantileInterval(sorted, 0.5),
    p99: quantileInterval(sorted, 0.99),
    mean: percentileInterval(bootstrapDistribution(sorted, [], resamples, seed).means),
  }
}
