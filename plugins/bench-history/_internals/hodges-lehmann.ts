/**
 * The Hodges–Lehmann estimate of a shift between two samples: the median of all n1·n2
 * pairwise differences y − x, with the distribution-free confidence interval of Moses (1965)
 * that inverts the Mann–Whitney test: [D₍k₎, D₍n1·n2+1−k₎] of the ordered differences.
 * Applied to log latencies it estimates the multiplicative change (the ratio), which is the
 * natural model for latency: a slower code path scales the whole distribution.
 *
 * The k-th difference is found without building all n1·n2 differences: bisection on the value
 * with an O(n1 + n2) count of the differences at or below it (sorted inputs, two pointers).
 */
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile'
import { exactUDistribution, EXACT_MAX_N } from './mann-whitney.ts'

export interface ShiftEstimate {
  /** Median of the pairwise differences y − x. */
  estimate: number
  /** Confidence interval of the shift; ±Infinity when the samples are too small to bound it. */
  low: number
  high: number
  /** Its guaranteed coverage (exact) or nominal coverage (normal approximation). */
  coverage: number
  method: 'exact' | 'normal'
}

/** Number of pairs (i, j) with y[j] − x[i] ≤ t; x and y sorted ascending. */
function countAtMost(x: Float64Array, y: Float64Array, t: number): number {
  // y[j] − x[i] falls as i rises and rises with j: the pairs ≤ t for y[j] are i ≥ first, and first only moves up.
  let count = 0
  let first = 0
  for (let j = 0; j < y.length; j++) {
    while (first < x.length && y[j]! - x[first]! > t) first++
    count += x.length - first
  }
  return count
}

/** The largest pairwise difference y[j] − x[i] that is ≤ t (−Infinity when none is). */
function largestAtMost(x: Float64Array, y: Float64Array, t: number): number {
  let best = -Infinity
  let first = 0
  for (let j = 0; j < y.length; j++) {
    while (first < x.length && y[j]! - x[first]! > t) first++
    if (first < x.length) best = Math.max(best, y[j]! - x[first]!)
  }
  return best
}

/** The k-th smallest (1-based) of the n1·n2 differences y − x, for sorted x and y. */
export function kthDifference(x: Float64Array, y: Float64Array, k: number): number {
  const total = x.length * y.length
  if (!(k >= 1 && k <= total)) throw new RangeError(`k must be in 1..${total}, got ${k}`)
  let lo = y[0]! - x[x.length - 1]! // the smallest difference: count(lo) ≥ 1
  let hi = y[y.length - 1]! - x[0]! // the largest: count(hi) = total
  if (countAtMost(x, y, lo) >= k) return lo
  // Invariant: count(lo) < k ≤ count(hi). Stop when no double lies strictly between lo and hi.
  for (let step = 0; step < 2000; step++) {
    const mid = lo + (hi - lo) / 2
    if (mid <= lo || mid >= hi) break
    const count = countAtMost(x, y, mid)
    if (count === k) return largestAtMost(x, y, mid)
    if (count > k) hi = mid
    else lo = mid
  }
  return largestAtMost(x, y, hi)
}

/**
 * How many of the smallest differences lie below the interval: the largest k with
 * P(U ≤ k − 1) ≤ (1 − confidence)/2, from the exact null distribution of U for small samples
 * without ties, else from its normal approximation with the tie-corrected variance and a
 * continuity correction. 0 means the interval is unbounded.
 */
export function intervalRank(n1: number, n2: number, confidence: number, tieTerm: number): { k: number; coverage: number; method: 'exact' | 'normal' } {
  const tail = (1 - confidence) / 2
  if (tieTerm === 0 && n1 <= EXACT_MAX_N && n2 <= EXACT_MAX_N) {
    const dist = exactUDistribution(n1, n2)
    let cumulative = 0
    let k = 0
    // P(U ≤ k − 1) for k = 1, 2, ...: stop before it exceeds the tail.
    while (k < dist.length && cumulative + dist[k]! <= tail) cumulative += dist[k++]!
    return { k, coverage: 1 - 2 * cumulative, method: 'exact' }
  }
  const n = n1 + n2
  const mu = (n1 * n2) / 2
  const sigma = Math.sqrt(((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1))))
  const z = normalQuantile(1 - tail, 0, 1)
  // Φ((k − 1 + 0.5 − μ)/σ) ≤ tail  ⇔  k ≤ μ + 0.5 − z·σ.
  const k = Math.max(0, Math.floor(mu + 0.5 - z * sigma))
  return { k, coverage: confidence, method: 'normal' }
}

/** Hodges–Lehmann shift of `current` relative to `baseline` (y − x) with its confidence interval. */
export function hodgesLehmannShift(baseline: ArrayLike<number>, current: ArrayLike<number>, options: { confidence: number; tieTerm: number }): ShiftEstimate {
  const x = Float64Array.from(baseline).sort()
  const y = Float64Array.from(current).sort()
  const total = x.length * y.length
  const estimate = total % 2 === 1 ? kthDifference(x, y, (total + 1) / 2) : (kthDifference(x, y, total / 2) + kthDifference(x, y, total / 2 + 1)) / 2
  const { k, coverage, method } = intervalRank(x.length, y.length, options.confidence, options.tieTerm)
  if (k < 1) return { estimate, low: -Infinity, high: Infinity, coverage: 1, method }
  return { estimate, low: kthDifference(x, y, k), high: kthDifference(x, y, total + 1 - k), coverage, method }
}
