/**
 * The drift statistics other than KS: chi-squared homogeneity of category counts, the
 * population stability index, Wasserstein-1, Jensen-Shannon over reference-quantile bins, and
 * the Benjamini–Hochberg adjustment across features. Each mirrors a documented reference
 * (scipy, Evidently, statsmodels), named at the function.
 */
import chisquareCdf from '@stdlib/stats-base-dists-chisquare-cdf'
import { binFractions, jensenShannon, quantileBinning, type Binning } from 'mltest/plugin'

/** Counts of each category, in first-seen order. */
export function categoryCounts(values: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>()
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1)
  return counts
}

/** Categories of both samples: reference order first, then categories new in current. */
function categoriesOf(reference: ReadonlyMap<string, number>, current: ReadonlyMap<string, number>): string[] {
  return [...new Set([...reference.keys(), ...current.keys()])]
}

export interface ChiSquaredResult {
  statistic: number
  dof: number
  pValue: number
  /** Categories pooled into one column because an expected count was below 5. */
  pooled: string[]
  /** Columns tested after pooling. */
  columns: number
}

/** Smallest expected count a column may have before it is pooled (Cochran's rule of thumb). */
export const MIN_EXPECTED = 5

/**
 * Pearson's chi-squared test of homogeneity of a 2 × k table (reference and current counts per
 * category), without continuity correction: scipy's `chi2_contingency(table, correction=False)`.
 * Categories with an expected count below 5 in either row are pooled into one column first
 * (the chi-squared approximation is poor for them); undefined when fewer than 2 columns remain.
 */
export function chiSquaredHomogeneity(reference: ReadonlyMap<string, number>, current: ReadonlyMap<string, number>): ChiSquaredResult | undefined {
  const categories = categoriesOf(reference, current)
  const nRef = [...reference.values()].reduce((a, b) => a + b, 0)
  const nCur = [...current.values()].reduce((a, b) => a + b, 0)
  const total = nRef + nCur
  const columns: [number, number][] = []
  const pooled: string[] = []
  const rare: [number, number] = [0, 0]
  for (const c of categories) {
    const r = reference.get(c) ?? 0
    const k = current.get(c) ?? 0
    const colTotal = r + k
    if ((nRef * colTotal) / total < MIN_EXPECTED || (nCur * colTotal) / total < MIN_EXPECTED) {
      pooled.push(c)
      rare[0] += r
      rare[1] += k
    } else {
      columns.push([r, k])
    }
  }
  if (pooled.length > 0) columns.push(rare)
  if (columns.length < 2) return undefined
  let statistic = 0
  for (const [r, k] of columns) {
    const colTotal = r + k
    const eR = (nRef * colTotal) / total
    const eK = (nCur * colTotal) / total
    statistic += (r - eR) ** 2 / eR + (k - eK) ** 2 / eK
  }
  const dof = columns.length - 1
  return { statistic, dof, pValue: Math.max(0, 1 - chisquareCdf(statistic, dof)), pooled, columns: columns.length }
}

/** The proportion an empty bin counts as in PSI (Evidently's rule: zeros become 0.0001). */
export const PSI_EMPTY_BIN = 1e-4

/**
 * Population stability index Σ (c_i - r_i) · ln(c_i / r_i) over bins (or categories), with
 * r the reference and c the current shares; a share of 0 on either side is replaced by
 * 0.0001 (not renormalised), as Evidently does, so an empty bin adds a large finite term.
 */
export function psi(referenceShares: readonly number[], currentShares: readonly number[]): number {
  let sum = 0
  for (let i = 0; i < referenceShares.length; i++) {
    const r = referenceShares[i]! === 0 ? PSI_EMPTY_BIN : referenceShares[i]!
    const c = currentShares[i]! === 0 ? PSI_EMPTY_BIN : currentShares[i]!
    sum += (c - r) * Math.log(c / r)
  }
  return sum
}

/** Shares of each category, over the categories of both samples. */
export function categoryShares(reference: ReadonlyMap<string, number>, current: ReadonlyMap<string, number>): { categories: string[]; reference: number[]; current: number[] } {
  const categories = categoriesOf(reference, current)
  const share = (m: ReadonlyMap<string, number>) => {
    const n = [...m.values()].reduce((a, b) => a + b, 0)
    return categories.map((c) => (n ? (m.get(c) ?? 0) / n : 0))
  }
  return { categories, reference: share(reference), current: share(current) }
}

/** Shares of both samples in bins cut at the reference quantiles. */
export function binnedShares(reference: readonly number[], current: readonly number[], bins: number): { binning: Binning; reference: number[]; current: number[] } {
  const binning = quantileBinning(reference, bins)
  return { binning, reference: binFractions(reference, binning), current: binFractions(current, binning) }
}

/** Jensen-Shannon distance (log2) between two share vectors: the SDK's one implementation. */
export function jsDistance(reference: readonly number[], current: readonly number[]): number {
  return jensenShannon(reference, current).distance
}

/**
 * Wasserstein-1 (earth mover's) distance between two empirical distributions,
 * ∫ |F_u(t) - F_v(t)| dt, as scipy's `wasserstein_distance(u, v)`.
 */
export function wasserstein1(u: readonly number[], v: readonly number[]): number {
  const a = Float64Array.from(u).sort()
  const b = Float64Array.from(v).sort()
  const all = Float64Array.from([...a, ...b]).sort()
  let i = 0
  let j = 0
  let sum = 0
  for (let k = 0; k < all.length - 1; k++) {
    const t = all[k]!
    while (i < a.length && a[i]! <= t) i++
    while (j < b.length && b[j]! <= t) j++
    sum += Math.abs(i / a.length - j / b.length) * (all[k + 1]! - t)
  }
  return sum
}

/** Population standard deviation (numpy's default ddof=0), the scale Evidently divides W1 by. */
export function populationStd(values: readonly number[]): number {
  const mean = values.reduce((a, b) => a + b, 0) / values.length
  return Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length)
}

/**
 * Benjamini–Hochberg adjusted p-values (statsmodels' `multipletests(p, method='fdr_bh')`):
 * sort ascending, p_(i) · m / i, then a running minimum from the largest down, capped at 1.
 * A hypothesis is rejected at false-discovery rate q when its adjusted p-value is <= q.
 */
export function benjaminiHochberg(pValues: readonly number[]): number[] {
  const m = pValues.length
  const order = pValues.map((p, i) => [p, i] as const).sort((x, y) => x[0] - y[0])
  const adjusted = new Array<number>(m)
  let running = 1
  for (let rank = m; rank >= 1; rank--) {
    const [p, index] = order[rank - 1]!
    running = Math.min(running, (p * m) / rank)
    adjusted[index] = running
  }
  return adjusted
}

/** The q-quantile of values by linear interpolation (numpy's default 'linear' method). */
export function quantile(values: readonly number[], q: number): number {
  const s = Float64Array.from(values).sort()
  const pos = (s.length - 1) * q
  const lo = Math.floor(pos)
  const hi = Math.min(lo + 1, s.length - 1)
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo)
}
