/**
 * Distribution-free confidence intervals for quantiles, from order statistics. The number
 * of samples at or below the true q-quantile is Binomial(n, q), so the interval between the
 * l-th and u-th smallest samples covers the quantile with probability
 * P(l <= B < u), whatever the latency distribution. A percentile bootstrap cannot do this
 * for tail quantiles: its upper bound never exceeds the sample maximum, so with 20 runs it
 * "confirms" a p99 that the data cannot bound at all. Here, when no rank is high enough
 * (for the p99 at 95%, fewer than 368 runs), the upper bound is +Infinity and an "at most"
 * budget can only be inconclusive or breached.
 */
import type { Interval } from './latency-stats.ts'

export const QUANTILE_CI_METHOD = 'distribution-free order-statistic interval (ranks from Binomial(n, q)), coverage >= 95%'

/** An interval whose bounds are order statistics of the sample. */
export interface QuantileInterval extends Interval {
  /** The quantile, 0 < q < 1. */
  q: number
  /** 1-based rank of the lower bound; 0 when no rank is low enough (low = -Infinity). */
  lowRank: number
  /** 1-based rank of the upper bound; n + 1 when no rank is high enough (high = +Infinity). */
  highRank: number
  /** Exact coverage P(lowRank <= B < highRank), B ~ Binomial(n, q); at least the confidence asked for. */
  coverage: number
}

/**
 * P(B <= k) for k = 0..n, B ~ Binomial(n, p), 0 < p < 1. Each probability comes from
 * log-factorials (so large n neither overflows nor underflows early), summed in order.
 */
export function binomialCdf(n: number, p: number): Float64Array {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`binomialCdf: n must be an integer >= 0, got ${n}`)
  if (!(p > 0 && p < 1)) throw new RangeError(`binomialCdf: p must be in (0, 1), got ${p}`)
  const logFactorial = new Float64Array(n + 1)
  for (let i = 2; i <= n; i++) logFactorial[i] = logFactorial[i - 1]! + Math.log(i)
  const logP = Math.log(p)
  const logQ = Math.log1p(-p)
  const cdf = new Float64Array(n + 1)
  let sum = 0
  for (let k = 0; k <= n; k++) {
    sum += Math.exp(logFactorial[n]! - logFactorial[k]! - logFactorial[n - k]! + k * logP + (n - k) * logQ)
    cdf[k] = Math.min(sum, 1)
  }
  // Exactly 1 by definition; the sum may fall short by rounding.
  cdf[n] = 1
  return cdf
}

/**
 * The equal-tailed ranks: the largest l with P(B <= l - 1) <= alpha/2 and the smallest u
 * with P(B <= u - 1) >= 1 - alpha/2, where alpha = 1 - confidence.
 */
export function quantileRanks(n: number, q: number, confidence = 0.95): Pick<QuantileInterval, 'lowRank' | 'highRank' | 'coverage'> {
  if (n < 1) throw new RangeError('quantileRanks: no samples')
  const cdf = binomialCdf(n, q)
  const tail = (1 - confidence) / 2
  const at = (k: number) => (k < 0 ? 0 : k >= n ? 1 : cdf[k]!)
  let lowRank = 0
  for (let r = 1; r <= n && at(r - 1) <= tail; r++) lowRank = r
  let highRank = n + 1
  for (let r = n; r >= 1 && at(r - 1) >= 1 - tail; r--) highRank = r
  return { lowRank, highRank, coverage: at(highRank - 1) - at(lowRank - 1) }
}

/** The confidence interval of the q-quantile of `sorted` (ascending). */
export function quantileInterval(sorted: ArrayLike<number>, q: number, confidence = 0.95): QuantileInterval {
  const n = sorted.length
  const ranks = quantileRanks(n, q, confidence)
  return {
    q,
    low: ranks.lowRank === 0 ? Number.NEGATIVE_INFINITY : sorted[ranks.lowRank - 1]!,
    high: ranks.highRank === n + 1 ? Number.POSITIVE_INFINITY : sorted[ranks.highRank - 1]!,
    ...ranks,
  }
}

/** The fewest samples whose largest can bound the q-quantile from above: 1 - q^n >= 1 - alpha/2. */
export function samplesForUpperBound(q: number, confidence = 0.95): number {
  return Math.ceil(Math.log((1 - confidence) / 2) / Math.log(q))
}
