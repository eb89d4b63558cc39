/**
 * The Mann–Whitney U test (Wilcoxon rank-sum), two-sided: do the current samples tend to be
 * larger or smaller than the baseline's? Distribution-free; assumes independent samples.
 *
 * - Exact when both groups have at most `EXACT_MAX_N` samples and there are no ties: the
 *   null distribution of U is computed by the recurrence of Mann and Whitney (1947).
 * - Otherwise the normal approximation with the tie correction of the variance and a
 *   continuity correction of 0.5 (what `scipy.stats.mannwhitneyu(method='asymptotic')` does).
 */
import normalCdf from '@stdlib/stats-base-dists-normal-cdf'

/** Largest group size for the exact distribution (its table costs O(n1·n2·n1·n2)). */
export const EXACT_MAX_N = 50

export interface MannWhitneyResult {
  /** U of the current group: pairs (baseline x, current y) with y > x, ties counting 1/2. */
  u: number
  n1: number
  n2: number
  /** Two-sided p-value. */
  p: number
  method: 'exact' | 'normal'
  /** z of the normal approximation (continuity-corrected); NaN for the exact method. */
  z: number
  /** Σ(t³ − t) over groups of tied values. */
  tieTerm: number
}

/** Midranks (1-based, ties averaged) of the pooled values, and the tie term Σ(t³ − t). */
function rankSumOfSecond(x: ArrayLike<number>, y: ArrayLike<number>): { rankSum: number; tieTerm: number } {
  const n1 = x.length
  const n = n1 + y.length
  const values = new Float64Array(n)
  for (let i = 0; i < n1; i++) values[i] = x[i]!
  for (let j = 0; j < y.length; j++) values[n1 + j] = y[j]!
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a]! - values[b]!)
  let rankSum = 0
  let tieTerm = 0
  for (let start = 0; start < n; ) {
    let end = start + 1
    while (end < n && values[order[end]!] === values[order[start]!]) end++
    const t = end - start
    const midrank = (start + 1 + end) / 2
    for (let k = start; k < end; k++) if (order[k]! >= n1) rankSum += midrank
    if (t > 1) tieTerm += t * t * t - t
    start = end
  }
  return { rankSum, tieTerm }
}

const exactCache = new Map<string, Float64Array>()

/**
 * P(U = u) for u = 0..n1·n2 under the null hypothesis (no ties), by the recurrence
 * p(m, n, u) = m/(m+n)·p(m−1, n, u−n) + n/(m+n)·p(m, n−1, u), which only adds positive terms.
 */
export function exactUDistribution(n1: number, n2: number): Float64Array {
  const key = `${n1},${n2}`
  const cached = exactCache.get(key)
  if (cached) return cached
  // rows[m][n] for the current m, as n runs 0..n2.
  let previous: Float64Array[] = Array.from({ length: n2 + 1 }, () => Float64Array.of(1))
  for (let m = 1; m <= n1; m++) {
    const current: Float64Array[] = [Float64Array.of(1)]
    for (let n = 1; n <= n2; n++) {
      const dist = new Float64Array(m * n + 1)
      // The largest pooled value is from group 1 with probability m/(m+n): no y beats it, U
      // unchanged, (m−1, n) left; or from group 2: it beats all m x values, U + m, (m, n−1) left.
      const fromM = previous[n]!
      const fromN = current[n - 1]!
      for (let u = 0; u < fromM.length; u++) dist[u]! += (m / (m + n)) * fromM[u]!
      for (let u = 0; u < fromN.length; u++) dist[u + m]! += (n / (m + n)) * fromN[u]!
      current.push(dist)
    }
    previous = current
  }
  const result = previous[n2]!
  exactCache.set(key, result)
  return result
}

/** Two-sided Mann–Whitney U test of `current` against `baseline`. */
export function mannWhitneyU(baseline: ArrayLike<number>, current: ArrayLike<number>): MannWhitneyResult {
  const n1 = baseline.length
  const n2 = current.length
  if (n1 === 0 || n2 === 0) throw new RangeError('mannWhitneyU needs at least one value in each group')
  const { rankSum, tieTerm } = rankSumOfSecond(baseline, current)
  const u = rankSum - (n2 * (n2 + 1)) / 2
  if (tieTerm === 0 && n1 <= EXACT_MAX_N && n2 <= EXACT_MAX_N) {
    const dist = exactUDistribution(n1, n2)
    let lower = 0
    let upper = 0
    for (let k = 0; k < dist.length; k++) {
      if (k <= u) lower += dist[k]!
      if (k >= u) upper += dist[k]!
    }
    return { u, n1, n2, p: Math.min(1, 2 * Math.min(lower, upper)), method: 'exact', z: Number.NaN, tieTerm }
  }
  const n = n1 + n2
  const mu = (n1 * n2) / 2
  const sigma = Math.sqrt(((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1))))
  const deviation = u - mu
  const corrected = Math.sign(deviation) * Math.max(0, Math.abs(deviation) - 0.5)
  const z = sigma > 0 ? corrected / sigma : 0
  // 2·Φ(−|z|) rather than 2·(1 − Φ(|z|)): no cancellation for small p.
  return { u, n1, n2, p: Math.min(1, 2 * normalCdf(-Math.abs(z), 0, 1)), method: 'normal', z, tieTerm }
}
