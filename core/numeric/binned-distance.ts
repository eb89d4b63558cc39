/**
 * Distances between binned distributions, one implementation for every plugin: the
 * Jensen-Shannon divergence and distance (log base 2, so both lie in [0, 1]) and the bins they
 * are computed over, cut at quantiles of a reference sample with open-ended edge bins. The
 * parity plugin's skew check and the quality plugin's drift check both use these.
 */

/** KL(p || m) in bits, skipping empty bins of p (0 · log 0 = 0). */
function klBits(p: readonly number[], m: readonly number[]): number {
  let sum = 0
  for (let i = 0; i < p.length; i++) if (p[i]! > 0) sum += p[i]! * Math.log2(p[i]! / m[i]!)
  return sum
}

export interface JensenShannon {
  /** JS divergence with log base 2, in [0, 1]. */
  divergence: number
  /** JS distance: the square root of the base-2 divergence, a metric in [0, 1]. */
  distance: number
}

/** Jensen-Shannon divergence and distance between two probability vectors over the same bins. */
export function jensenShannon(p: readonly number[], q: readonly number[]): JensenShannon {
  if (p.length !== q.length) throw new RangeError(`jensenShannon: distributions have ${p.length} and ${q.length} bins`)
  const m = p.map((pi, i) => (pi + q[i]!) / 2)
  // Rounding can push an exact zero a hair below 0; clamp so the square root stays real.
  const divergence = Math.min(1, Math.max(0, (klBits(p, m) + klBits(q, m)) / 2))
  return { divergence, distance: Math.sqrt(divergence) }
}

/**
 * Bins cut at quantiles of the reference values, with open-ended first and last bins: each bin
 * holds about the same share of the reference data, and an outlier in the other sample lands in an edge bin
 * instead of stretching every bin (with equal-width bins over the joint range, one value of
 * 1e9 puts all other data into one bin and the distance says nothing).
 */
export interface Binning {
  /** Increasing cut points; bin 0 is (-∞, edges[0]), bin i is [edges[i-1], edges[i]), the last [edges.at(-1), ∞). */
  edges: number[]
  bins: number
}

/** Up to `bins` bins cut at the reference quantiles j/bins (j = 1 … bins-1); tied cut points merge. */
export function quantileBinning(reference: readonly number[], bins: number): Binning {
  const sorted = Float64Array.from(reference).sort()
  const edges: number[] = []
  for (let j = 1; j < bins && sorted.length > 0; j++) {
    const edge = sorted[Math.floor((j * sorted.length) / bins)]!
    if (edges.length === 0 || edge > edges[edges.length - 1]!) edges.push(edge)
  }
  return { edges, bins: edges.length + 1 }
}

/** The bin of `v`: the number of cut points <= v (binary search). */
function binOf(v: number, edges: readonly number[]): number {
  let lo = 0
  let hi = edges.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (edges[mid]! <= v) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** Fractions of `values` in each bin (all zeros for an empty sample). */
export function binFractions(values: readonly number[], binning: Binning): number[] {
  const counts = new Array<number>(binning.bins).fill(0)
  for (const v of values) counts[binOf(v, binning.edges)]!++
  return counts.map((c) => (values.length ? c / values.length : 0))
}

/**
 * `3 bins cut at training quantiles: (-∞, 1.2) [1.2, 1.7) [1.7, ∞)`, cut short after 4 bins;
 * `sample` names the sample the bins were cut at (parity's training set, drift's reference).
 */
export function describeBinning(binning: Binning, fmt: (n: number) => string, sample = 'training'): string {
  const e = binning.edges
  if (e.length === 0) return `1 bin (no ${sample} values to cut at)`
  const bins = [`(-∞, ${fmt(e[0]!)})`, ...e.slice(1).map((edge, i) => `[${fmt(e[i]!)}, ${fmt(edge)})`), `[${fmt(e.at(-1)!)}, ∞)`]
  const shown = bins.length <= 4 ? bins : [bins[0]!, bins[1]!, '…', bins.at(-1)!]
  return `${binning.bins} bins cut at ${sample} quantiles: ${shown.join(' ')}`
}
