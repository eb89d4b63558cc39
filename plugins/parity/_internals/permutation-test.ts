/**
 * The permutation test behind every p-value of checkDistributionSkew. H0: training and
 * serving values come from the same distribution, so their labels are exchangeable; the
 * statistic is recomputed on random relabellings of the pooled values (the whole statistic,
 * binning included) and p is the share of relabellings at least as extreme as the observed one.
 */
import type { Rng } from 'mltest/plugin'

/** A statistic of a (training, serving) split, e.g. a distance or a rate difference. */
export type SplitStatistic<T> = (training: readonly T[], serving: readonly T[]) => number

/**
 * Monte Carlo permutation p-value, (1 + #{permuted >= observed}) / (1 + permutations): never
 * 0, and valid at any number of permutations (Phipson & Smyth 2010). Its smallest value is
 * 1 / (permutations + 1).
 */
export function permutationPValue<T>(a: readonly T[], b: readonly T[], observed: number, statistic: SplitStatistic<T>, permutations: number, rng: Rng): number {
  const pooled = [...a, ...b]
  let atLeast = 0
  for (let p = 0; p < permutations; p++) {
    for (let i = pooled.length - 1; i > 0; i--) {
      const j = rng.int(0, i)
      ;[pooled[i], pooled[j]] = [pooled[j]!, pooled[i]!]
    }
    // A relative slack so permutations equal to the observed split count despite rounding.
    if (statistic(pooled.slice(0, a.length), pooled.slice(a.length)) >= observed - 1e-12) atLeast++
  }
  return (1 + atLeast) / (1 + permutations)
}

/**
 * The fewest permutations whose smallest p-value, 1 / (permutations + 1), is below alpha:
 * with fewer, no statistic can ever be significant and every one over its threshold would be
 * inconclusive whatever the data.
 */
export function minimumPermutations(alpha: number): number {
  let b = Math.max(1, Math.floor(1 / alpha) - 1)
  while (1 / (b + 1) >= alpha) b++
  return b
}
