/**
 * One feature's distribution distance between training and serving, and optionally a
 * permutation test of it. Small samples differ by chance: with ~80 serving rows, two samples
 * of the same penguins are ~0.16 apart in JS distance over 10 bins. The permutation p-value
 * says whether an observed distance is larger than such sampling noise.
 */
import type { Rng } from '../../../core/index.ts'
import { binFractions, equalWidthBinning, jensenShannon, lInfinity } from './distances.ts'
import { countLabels, featureSamples, type FeatureKind } from './feature-samples.ts'
import { fmt } from './report-format.ts'

export type FeatureVerdict = 'pass' | 'fail' | 'inconclusive'

export interface FeatureDistributionSkew {
  feature: string
  kind: FeatureKind
  metric: 'L-infinity' | 'Jensen-Shannon distance'
  distance: number
  threshold: number
  /** pass: distance <= threshold; fail: over it (and significant, with a permutation test); inconclusive: over it but not significant. */
  verdict: FeatureVerdict
  /** Non-missing values compared on each side. */
  trainingCount: number
  servingCount: number
  /** Missing values (undefined, null, NaN) on each side, excluded from the distributions. */
  trainingMissing: number
  servingMissing: number
  /** JS divergence (log base 2) for numeric features; the distance is its square root. */
  divergence?: number
  /** Permutation p-value of the distance, when a permutation test ran. */
  pValue?: number
  /** What drove the distance: the category with the largest gap, or the bins. */
  detail: string
}

export interface MeasureOptions {
  feature: string
  kind: FeatureKind
  bins: number
  threshold: number
  permutations: number
  alpha: number
  rng: Rng
}

/** (1 + #{permuted distance >= observed}) / (1 + permutations): the chance of a distance this large under no skew. */
function permutationPValue<T>(a: readonly T[], b: readonly T[], observed: number, distance: (x: T[], y: T[]) => number, permutations: number, rng: Rng): number {
  const pooled = [...a, ...b]
  let atLeast = 0
  for (let p = 0; p < permutations; p++) {
    for (let i = pooled.length - 1; i > 0; i--) {
      const j = rng.int(0, i)
      ;[pooled[i], pooled[j]] = [pooled[j]!, pooled[i]!]
    }
    // A relative slack so permutations equal to the observed split count despite rounding.
    if (distance(pooled.slice(0, a.length), pooled.slice(a.length)) >= observed - 1e-12) atLeast++
  }
  return (1 + atLeast) / (1 + permutations)
}

export function measureDistribution(
  training: readonly Readonly<Record<string, unknown>>[],
  serving: readonly Readonly<Record<string, unknown>>[],
  o: MeasureOptions,
): FeatureDistributionSkew {
  const t = featureSamples(training, o.feature, o.kind, 'training')
  const s = featureSamples(serving, o.feature, o.kind, 'serving')
  const metric = o.kind === 'categorical' ? 'L-infinity' : 'Jensen-Shannon distance'
  const base = { feature: o.feature, kind: o.kind, metric, threshold: o.threshold, trainingCount: t.count, servingCount: s.count, trainingMissing: t.missing, servingMissing: s.missing } as const
  if (t.count === 0 || s.count === 0) {
    return { ...base, distance: 1, verdict: 'fail', detail: `no ${t.count === 0 ? 'training' : 'serving'} values: every row is missing it` }
  }
  let result: FeatureDistributionSkew
  let pValue: (() => number) | undefined
  if (o.kind === 'categorical') {
    const gap = lInfinity(t.categories, s.categories)
    const detail = `largest gap ${JSON.stringify(gap.category)}: training ${fmt(gap.training)}, serving ${fmt(gap.serving)}`
    result = { ...base, distance: gap.distance, verdict: 'pass', detail }
    pValue = () => permutationPValue(t.labels, s.labels, gap.distance, (x, y) => lInfinity(countLabels(x), countLabels(y)).distance, o.permutations, o.rng)
  } else {
    const binning = equalWidthBinning(t.numbers, s.numbers, o.bins)
    const js = (x: readonly number[], y: readonly number[]) => jensenShannon(binFractions(x, binning), binFractions(y, binning))
    const observed = js(t.numbers, s.numbers)
    const detail = `JS divergence ${fmt(observed.divergence)} (log2) · ${binning.bins} equal-width bins over [${fmt(binning.min)}, ${fmt(binning.max)}]`
    result = { ...base, distance: observed.distance, divergence: observed.divergence, verdict: 'pass', detail }
    pValue = () => permutationPValue(t.numbers, s.numbers, observed.distance, (x, y) => js(x, y).distance, o.permutations, o.rng)
  }
  if (result.distance <= o.threshold) return result
  if (o.permutations > 0) {
    result.pValue = pValue()
    result.verdict = result.pValue < o.alpha ? 'fail' : 'inconclusive'
  } else result.verdict = 'fail'
  return result
}
