/**
 * The distribution distances TFDV uses for skew: L-infinity between category frequencies, and
 * Jensen-Shannon between binned numeric distributions. Both are bounded in [0, 1], so one
 * threshold means the same thing for every feature.
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

export interface LInfinity {
  /** max over categories of |p(c) - q(c)|. */
  distance: number
  /** The category with the largest gap. */
  category: string
  training: number
  serving: number
}

/** L-infinity distance between two category-frequency maps (counts, normalised here). */
export function lInfinity(training: ReadonlyMap<string, number>, serving: ReadonlyMap<string, number>): LInfinity {
  const total = (m: ReadonlyMap<string, number>) => [...m.values()].reduce((a, b) => a + b, 0)
  const nt = total(training)
  const ns = total(serving)
  const best: LInfinity = { distance: 0, category: '', training: 0, serving: 0 }
  for (const category of new Set([...training.keys(), ...serving.keys()])) {
    const p = nt ? (training.get(category) ?? 0) / nt : 0
    const q = ns ? (serving.get(category) ?? 0) / ns : 0
    if (Math.abs(p - q) > best.distance || best.category === '') Object.assign(best, { distance: Math.abs(p - q), category, training: p, serving: q })
  }
  return best
}

export interface Binning {
  min: number
  max: number
  bins: number
}

/** Equal-width bins over [min, max] of both samples together; the maximum falls in the last bin. */
export function equalWidthBinning(a: readonly number[], b: readonly number[], bins: number): Binning {
  let min = Infinity
  let max = -Infinity
  for (const values of [a, b]) for (const v of values) {
    if (v < min) min = v
    if (v > max) max = v
  }
  return { min, max, bins: max > min ? bins : 1 }
}

/** Fractions of `values` in each bin (all zeros for an empty sample). */
export function binFractions(values: readonly number[], binning: Binning): number[] {
  const counts = new Array<number>(binning.bins).fill(0)
  const width = (binning.max - binning.min) / binning.bins
  for (const v of values) {
    const i = width > 0 ? Math.min(binning.bins - 1, Math.floor((v - binning.min) / width)) : 0
    counts[i]!++
  }
  return counts.map((c) => (values.length ? c / values.length : 0))
}
