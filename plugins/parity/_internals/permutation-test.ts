/**
 * The permutation test behind every distance p-value of checkDistributionSkew. H0: training
 * and serving values come from the same distribution, so their labels are exchangeable; the
 * statistic is recomputed on random relabellings of the pooled values (the whole statistic,
 * binning included) and p is the share of relabellings at least as extreme as the observed one.
 *
 * Each relabelling costs O(rows), without a sort: the pooled values are sorted (or coded) once,
 * and a relabelling only draws which of them are "serving" (a partial Fisher-Yates shuffle of
 * the smaller side), so the default of ~1000 permutations stays cheap on large samples.
 */
import type { Rng } from 'mltest/plugin'

/** A statistic of one labelling of the pooled values: `serving[i]` is 1 where value i is on the serving side. */
export type LabelledStatistic = (serving: Uint8Array) => number

export interface PermutationResult {
  /** (1 + #{permuted >= observed}) / (1 + permutations). */
  pValue: number
  /** The (1 - alpha) quantile of the permuted statistics: what sampling noise alone reaches at these sample sizes. */
  nullQuantile: number
}

/**
 * Monte Carlo permutation p-value, (1 + #{permuted >= observed}) / (1 + permutations): never
 * 0, and valid at any number of permutations (Phipson & Smyth 2010). Its smallest value is
 * 1 / (permutations + 1). `servingCount` of the `pooled` values are relabelled serving each time.
 */
export function permutationTest(pooled: number, servingCount: number, observed: number, statistic: LabelledStatistic, permutations: number, alpha: number, rng: Rng): PermutationResult {
  const order = Int32Array.from({ length: pooled }, (_, i) => i)
  const labels = new Uint8Array(pooled)
  // Draw the smaller side: the labelling is the same in distribution, and it takes fewer draws.
  const drawServing = servingCount <= pooled - servingCount
  const draws = drawServing ? servingCount : pooled - servingCount
  const permuted = new Float64Array(permutations)
  let atLeast = 0
  for (let p = 0; p < permutations; p++) {
    labels.fill(drawServing ? 0 : 1)
    for (let i = 0; i < draws; i++) {
      // rng.next() has 53 random bits: the bias of floor(u · k) is below k / 2^53, and it is 4x faster than rng.int.
      const j = i + Math.floor(rng.next() * (pooled - i))
      const picked = order[j]!
      order[j] = order[i]!
      order[i] = picked
      labels[picked] = drawServing ? 1 : 0
    }
    const value = statistic(labels)
    permuted[p] = value
    // A relative slack so permutations equal to the observed split count despite rounding.
    if (value >= observed - 1e-12) atLeast++
  }
  permuted.sort()
  const nullQuantile = permutations ? permuted[Math.min(permutations - 1, Math.ceil((1 - alpha) * permutations) - 1)]! : Number.NaN
  return { pValue: (1 + atLeast) / (1 + permutations), nullQuantile }
}

/**
 * The fewest permutations whose smallest p-value, 1 / (permutations + 1), is below `level`:
 * with fewer, no statistic can ever be significant and the test could never find skew.
 */
export function minimumPermutations(level: number): number {
  let b = Math.max(1, Math.floor(1 / level) - 1)
  while (1 / (b + 1) >= level) b++
  return b
}

/**
 * The Jensen-Shannon distance of a labelling of numeric values, with bins cut at the quantiles
 * j/bins of the training side (as `quantileBinning` + `binFractions` do on the split arrays):
 * `sorted` is the pooled values in increasing order, so the training quantiles and every bin
 * count come from two walks over it.
 */
export function binnedJensenShannon(sorted: Float64Array, bins: number): LabelledStatistic {
  const n = sorted.length
  const edges = new Float64Array(Math.max(0, bins - 1))
  const training = new Float64Array(bins)
  const serving = new Float64Array(bins)
  return (isServing) => {
    let nS = 0
    for (let i = 0; i < n; i++) nS += isServing[i]!
    const nT = n - nS
    // Cut points: the training values at sorted training positions floor(j * nT / bins); ties merge.
    let edgeCount = 0
    let seen = 0
    let j = 1
    let target = Math.floor(nT / bins)
    for (let i = 0; i < n && j < bins; i++) {
      if (isServing[i]) continue
      while (j < bins && seen === target) {
        const edge = sorted[i]!
        if (edgeCount === 0 || edge > edges[edgeCount - 1]!) edges[edgeCount++] = edge
        j++
        target = Math.floor((j * nT) / bins)
      }
      seen++
    }
    const used = edgeCount + 1
    training.fill(0, 0, used)
    serving.fill(0, 0, used)
    // Bin of v = the number of cut points <= v; values are sorted, so the bin only moves up.
    let bin = 0
    for (let i = 0; i < n; i++) {
      const v = sorted[i]!
      while (bin < edgeCount && edges[bin]! <= v) bin++
      if (isServing[i]) serving[bin]!++
      else training[bin]!++
    }
    // jensenShannon's sums in its order (so the same split gives the same bits), without allocating.
    let klP = 0
    let klQ = 0
    for (let b = 0; b < used; b++) {
      const p = nT ? training[b]! / nT : 0
      const q = nS ? serving[b]! / nS : 0
      const m = (p + q) / 2
      if (p > 0) klP += p * Math.log2(p / m)
      if (q > 0) klQ += q * Math.log2(q / m)
    }
    return Math.sqrt(Math.min(1, Math.max(0, (klP + klQ) / 2)))
  }
}

/** The L-infinity distance between the category frequencies of a labelling; `codes[i]` is value i's category. */
export function categoryLInfinity(codes: Int32Array, categories: number): LabelledStatistic {
  const training = new Float64Array(categories)
  const serving = new Float64Array(categories)
  return (isServing) => {
    training.fill(0)
    serving.fill(0)
    let nS = 0
    for (let i = 0; i < codes.length; i++) {
      if (isServing[i]) {
        serving[codes[i]!]!++
        nS++
      } else training[codes[i]!]!++
    }
    const nT = codes.length - nS
    let max = 0
    for (let c = 0; c < categories; c++) max = Math.max(max, Math.abs((nT ? training[c]! / nT : 0) - (nS ? serving[c]! / nS : 0)))
    return max
  }
}
