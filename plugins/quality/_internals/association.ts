/**
 * Strength of association between a feature and a categorical protected attribute:
 * Cramér's V for a categorical feature (from Pearson's chi-square of the contingency table,
 * without continuity correction, as scipy.stats.contingency.association), and for a numeric
 * feature the correlation ratio η = sqrt(SS_between / SS_total), which for two groups is the
 * absolute point-biserial correlation. Each with its test: chi-square of independence, and
 * the one-way ANOVA F test (equivalent to the point-biserial t test for two groups).
 */
import chisquareCdf from '@stdlib/stats-base-dists-chisquare-cdf'
import fCdf from '@stdlib/stats-base-dists-f-cdf'

export interface Association {
  /** Cramér's V or the correlation ratio η, in [0, 1]. */
  strength: number
  statistic: number
  /** Degrees of freedom of the test: [df] for chi-square, [between, within] for F. */
  df: number[]
  pValue: number
  test: string
}

/** Cramér's V of codes `a` (feature) and `b` (protected), both small integers, over `rows`. */
export function cramersV(a: ArrayLike<number>, b: ArrayLike<number>, rows: ArrayLike<number>, levelsA: number, levelsB: number): Association {
  const table = new Float64Array(levelsA * levelsB)
  for (let k = 0; k < rows.length; k++) {
    const i = rows[k]!
    table[a[i]! * levelsB + b[i]!]!++
  }
  const n = rows.length
  const rowSums = new Float64Array(levelsA)
  const colSums = new Float64Array(levelsB)
  for (let r = 0; r < levelsA; r++) for (let c = 0; c < levelsB; c++) {
    rowSums[r]! += table[r * levelsB + c]!
    colSums[c]! += table[r * levelsB + c]!
  }
  // Levels absent from these rows do not count (scipy drops nothing, but an empty row/column of a resample would divide by zero).
  const presentRows = rowSums.filter((s) => s > 0).length
  const presentCols = colSums.filter((s) => s > 0).length
  let chi2 = 0
  for (let r = 0; r < levelsA; r++) {
    if (rowSums[r] === 0) continue
    for (let c = 0; c < levelsB; c++) {
      if (colSums[c] === 0) continue
      const expected = (rowSums[r]! * colSums[c]!) / n
      chi2 += (table[r * levelsB + c]! - expected) ** 2 / expected
    }
  }
  const minDim = Math.min(presentRows, presentCols) - 1
  const df = (presentRows - 1) * (presentCols - 1)
  return {
    strength: minDim <= 0 ? Number.NaN : Math.sqrt(chi2 / (n * minDim)),
    statistic: chi2,
    df: [df],
    pValue: df <= 0 ? Number.NaN : 1 - chisquareCdf(chi2, df),
    test: 'chi-square test of independence',
  }
}

/** The correlation ratio η of numeric `x` across the groups `g` (codes), over `rows`, with the one-way ANOVA F test. */
export function correlationRatio(x: ArrayLike<number>, g: ArrayLike<number>, rows: ArrayLike<number>, groups: number): Association {
  const sums = new Float64Array(groups)
  const counts = new Float64Array(groups)
  let total = 0
  for (let k = 0; k < rows.length; k++) {
    const i = rows[k]!
    sums[g[i]!]! += x[i]!
    counts[g[i]!]!++
    total += x[i]!
  }
  const n = rows.length
  const mean = total / n
  let ssTotal = 0
  for (let k = 0; k < rows.length; k++) ssTotal += (x[rows[k]!]! - mean) ** 2
  let ssBetween = 0
  let present = 0
  for (let j = 0; j < groups; j++) {
    if (counts[j] === 0) continue
    present++
    ssBetween += counts[j]! * (sums[j]! / counts[j]! - mean) ** 2
  }
  const d1 = present - 1
  const d2 = n - present
  const ssWithin = ssTotal - ssBetween
  const f = d1 > 0 && d2 > 0 && ssWithin > 0 ? (ssBetween / d1) / (ssWithin / d2) : Number.NaN
  return {
    strength: ssTotal === 0 || d1 <= 0 ? Number.NaN : Math.sqrt(ssBetween / ssTotal),
    statistic: f,
    df: [d1, d2],
    pValue: Number.isNaN(f) ? Number.NaN : 1 - fCdf(f, d1, d2),
    test: present === 2 ? 'F test (= point-biserial t test, t² = F)' : 'one-way ANOVA F test',
  }
}

/** Pearson correlation of `x` with the 0/1 indicator `g`: the signed point-biserial correlation. */
export function pointBiserial(x: ArrayLike<number>, g: ArrayLike<number>, rows: ArrayLike<number>): number {
  let sx = 0, sg = 0, sxx = 0, sgg = 0, sxg = 0
  const n = rows.length
  for (let k = 0; k < n; k++) {
    const i = rows[k]!
    sx += x[i]!; sg += g[i]!; sxx += x[i]! * x[i]!; sgg += g[i]! * g[i]!; sxg += x[i]! * g[i]!
  }
  const cov = sxg - (sx * sg) / n
  return cov / Math.sqrt((sxx - (sx * sx) / n) * (sgg - (sg * sg) / n))
}
