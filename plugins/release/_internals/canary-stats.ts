/**
 * The statistics of a canary verdict: a Wilson score interval for the disagreement rate,
 * distances between two prediction distributions, and a paired percentile bootstrap for any
 * statistic of paired records (prediction drift, the ratio of median latencies).
 */
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile'
import type { Rng } from 'mltest/plugin'

export interface Interval {
  low: number
  high: number
}

/**
 * Wilson's score interval for a proportion (Wilson 1927): `count` of `n`, two-sided at
 * `confidence`. Better coverage than the normal interval near 0, where a canary's
 * disagreement rate lives, and never outside [0, 1].
 */
export function wilsonInterval(count: number, n: number, confidence: number): Interval {
  if (n === 0) return { low: 0, high: 1 }
  const z = normalQuantile(1 - (1 - confidence) / 2, 0, 1)
  const p = count / n
  const z2 = z * z
  const denominator = 1 + z2 / n
  const center = (p + z2 / (2 * n)) / denominator
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denominator
  return { low: Math.max(0, center - half), high: Math.min(1, center + half) }
}

/**
 * Total variation distance between the class histograms of two label lists (half the L1
 * distance of the frequencies): the share of predictions that would have to change class for
 * the candidate's predicted mix to equal the current one's. 0 to 1.
 */
export function totalVariation(a: ArrayLike<number>, b: ArrayLike<number>, classes: number, indices?: ArrayLike<number>): number {
  const n = indices ? indices.length : a.length
  const counts = new Float64Array(classes)
  for (let k = 0; k < n; k++) {
    const i = indices ? indices[k]! : k
    const x = a[i]!
    const y = b[i]!
    counts[x] = counts[x]! + 1
    counts[y] = counts[y]! - 1
  }
  let sum = 0
  for (let c = 0; c < classes; c++) sum += Math.abs(counts[c]!)
  return sum / (2 * n)
}

/**
 * The two-sample Kolmogorov-Smirnov statistic: the largest gap between the empirical CDFs. 0 to
 * 1. A NaN output counts as +Infinity (beyond every real value): it sorts last and the walk
 * ends (a NaN compared with <= never advanced it: the check hung on a NaN candidate).
 */
export function kolmogorovSmirnov(a: ArrayLike<number>, b: ArrayLike<number>, indices?: ArrayLike<number>): number {
  const n = indices ? indices.length : a.length
  const pick = (values: ArrayLike<number>) =>
    Float64Array.from({ length: n }, (_, k) => {
      const v = values[indices ? indices[k]! : k]!
      return Number.isNaN(v) ? Number.POSITIVE_INFINITY : v
    }).sort()
  const x = pick(a)
  const y = pick(b)
  let i = 0
  let j = 0
  let gap = 0
  while (i < n && j < n) {
    const v = Math.min(x[i]!, y[j]!)
    while (i < n && x[i]! <= v) i++
    while (j < n && y[j]! <= v) j++
    gap = Math.max(gap, Math.abs(i - j) / n)
  }
  return gap
}

export function median(values: ArrayLike<number>, indices?: ArrayLike<number>): number {
  const n = indices ? indices.length : values.length
  const sorted = Float64Array.from({ length: n }, (_, k) => values[indices ? indices[k]! : k]!).sort()
  const mid = n >> 1
  return n % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/**
 * Percentile bootstrap interval of `statistic` over `n` paired records: each resample draws
 * `n` record indices with replacement, so pairs stay pairs. Seeded by `rng`, so a verdict is
 * the same on every run of the same code. The indices come from a 32-bit xorshift seeded by
 * `rng` (Marsaglia 2003): a million draws per 1,000 requests, several times faster than the
 * SDK's generator, and uniform enough for resampling.
 */
export function pairedBootstrap(n: number, statistic: (indices: Uint32Array) => number, rng: Rng, resamples: number, confidence: number): Interval {
  const values = new Float64Array(resamples)
  const indices = new Uint32Array(n)
  let state = rng.int(1, 0xffffffff) >>> 0
  for (let r = 0; r < resamples; r++) {
    for (let k = 0; k < n; k++) {
      state ^= state << 13
      state ^= state >>> 17
      state ^= state << 5
      indices[k] = Math.floor(((state >>> 0) / 4294967296) * n)
    }
    values[r] = statistic(indices)
  }
  values.sort()
  const tail = (1 - confidence) / 2
  const at = (q: number) => values[Math.min(resamples - 1, Math.max(0, Math.round(q * (resamples - 1))))]!
  return { low: at(tail), high: at(1 - tail) }
}

export type GateVerdict = 'pass' | 'fail' | 'inconclusive'

/** `observed <= max` decided by its interval: the whole interval at or under max passes, wholly over fails. */
export function gate(interval: Interval, max: number): GateVerdict {
  if (interval.high <= max) return 'pass'
  if (interval.low > max) return 'fail'
  return 'inconclusive'
}
