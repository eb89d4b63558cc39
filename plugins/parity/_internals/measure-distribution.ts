/**
 * One feature's distribution distance between training and serving, its missing and
 * non-finite rates, and optionally a test of each (a permutation test of the distance, the
 * exact hypergeometric test of each rate difference). Small samples differ by
 * chance: with ~80 serving rows, two samples of the same penguins are ~0.16 apart in JS
 * distance over 10 bins. The permutation p-value says whether an observed distance is larger
 * than such sampling noise.
 */
import { createRng, deriveSeed, formatNumber } from 'mltest/plugin'
import { binFractions, describeBinning, jensenShannon, lInfinity, quantileBinning } from './distances.ts'
import { countLabels, featureSamples, type FeatureKind } from './feature-samples.ts'
import { permutationPValue } from './permutation-test.ts'
import { compareRates, type FeatureVerdict, type RateComparison } from './rate-comparison.ts'

export type { FeatureVerdict, RateComparison } from './rate-comparison.ts'

export interface FeatureDistributionSkew {
  feature: string
  kind: FeatureKind
  metric: 'L-infinity' | 'Jensen-Shannon distance'
  distance: number
  threshold: number
  /** The feature's verdict: fail if the distance or a rate fails, else inconclusive if any is, else pass. */
  verdict: FeatureVerdict
  /** The distance alone: pass within threshold; over it fail (and p < alpha with a permutation test) or inconclusive. */
  distanceVerdict: FeatureVerdict
  /** Values compared on each side (neither missing nor non-finite). */
  trainingCount: number
  servingCount: number
  /** Missing values (undefined, null, NaN) on each side, excluded from the distances. */
  trainingMissing: number
  servingMissing: number
  /** ±Infinity on each side (numeric features), excluded from the distances. */
  trainingNonFinite: number
  servingNonFinite: number
  /** The missing-value rates compared, with their own threshold. */
  missingRate: RateComparison
  /** The non-finite rates compared, with the same threshold (always 0 / 0 for categorical features). */
  nonFiniteRate: RateComparison
  /** JS divergence (log base 2) for numeric features; the distance is its square root. */
  divergence?: number
  /** Permutation p-value of the distance, when it was over its threshold and a test ran. */
  pValue?: number
  /** What drove the distance: the category with the largest gap, or the bins. */
  detail: string
}

export interface MeasureOptions {
  feature: string
  kind: FeatureKind
  bins: number
  threshold: number
  /** Threshold of the missing and non-finite rate differences. */
  rateThreshold: number
  permutations: number
  alpha: number
  /** The check's seed; each statistic gets its own stream derived from it and the feature name. */
  seed: number
}

const worst = (verdicts: readonly FeatureVerdict[]): FeatureVerdict =>
  verdicts.includes('fail') ? 'fail' : verdicts.includes('inconclusive') ? 'inconclusive' : 'pass'

export function measureDistribution(
  training: readonly Readonly<Record<string, unknown>>[],
  serving: readonly Readonly<Record<string, unknown>>[],
  o: MeasureOptions,
): FeatureDistributionSkew {
  const t = featureSamples(training, o.feature, o.kind, 'training')
  const s = featureSamples(serving, o.feature, o.kind, 'serving')
  // Rates are tested exactly (hypergeometric), so they need no seed.
  const rateOptions = { threshold: o.rateThreshold, permutations: o.permutations, alpha: o.alpha }
  const missingRate = compareRates('missing', t.missing, t.rows, s.missing, s.rows, rateOptions)
  const nonFiniteRate = compareRates('non-finite', t.nonFinite, t.rows, s.nonFinite, s.rows, rateOptions)
  const metric = o.kind === 'categorical' ? 'L-infinity' : 'Jensen-Shannon distance'
  const base = {
    feature: o.feature, kind: o.kind, metric, threshold: o.threshold, trainingCount: t.count, servingCount: s.count,
    trainingMissing: t.missing, servingMissing: s.missing, trainingNonFinite: t.nonFinite, servingNonFinite: s.nonFinite, missingRate, nonFiniteRate,
  } as const
  const finish = (r: Omit<FeatureDistributionSkew, 'verdict'>): FeatureDistributionSkew => ({ ...r, verdict: worst([r.distanceVerdict, missingRate.verdict, nonFiniteRate.verdict]) })
  if (t.count === 0 || s.count === 0) {
    return finish({ ...base, distance: 1, distanceVerdict: 'fail', detail: `no ${t.count === 0 ? 'training' : 'serving'} values: every row is missing or non-finite` })
  }
  let result: Omit<FeatureDistributionSkew, 'verdict'>
  let pValue: () => number
  // Seeded per feature: one feature's p-value does not depend on which other features are checked.
  const rng = createRng(deriveSeed(o.seed, o.feature))
  if (o.kind === 'categorical') {
    const gap = lInfinity(t.categories, s.categories)
    const detail = `largest gap ${JSON.stringify(gap.category)}: training ${formatNumber(gap.training)}, serving ${formatNumber(gap.serving)}`
    result = { ...base, distance: gap.distance, distanceVerdict: 'pass', detail }
    pValue = () => permutationPValue(t.labels, s.labels, gap.distance, (x, y) => lInfinity(countLabels(x), countLabels(y)).distance, o.permutations, rng)
  } else {
    // The statistic includes its binning: each permutation cuts bins at its own "training" part.
    const js = (x: readonly number[], y: readonly number[]) => {
      const binning = quantileBinning(x, o.bins)
      return jensenShannon(binFractions(x, binning), binFractions(y, binning))
    }
    const observed = js(t.numbers, s.numbers)
    const detail = `JS divergence ${formatNumber(observed.divergence)} (log2) · ${describeBinning(quantileBinning(t.numbers, o.bins), formatNumber)}`
    result = { ...base, distance: observed.distance, divergence: observed.divergence, distanceVerdict: 'pass', detail }
    pValue = () => permutationPValue(t.numbers, s.numbers, observed.distance, (x, y) => js(x, y).distance, o.permutations, rng)
  }
  if (result.distance > o.threshold) {
    if (o.permutations > 0) {
      result.pValue = pValue()
      result.distanceVerdict = result.pValue < o.alpha ? 'fail' : 'inconclusive'
    } else result.distanceVerdict = 'fail'
  }
  return finish(result)
}
