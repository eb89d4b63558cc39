/**
 * `checkDistributionSkew`: distribution-level skew between a training set and serving data,
 * as TFDV computes it: L-infinity distance of category frequencies for categorical features,
 * Jensen-Shannon distance of binned values for numeric ones, and the shares of missing and
 * non-finite values. Catches skew that no single record shows, e.g. serving traffic from one
 * region only, a unit change upstream, or a field the serving system drops now and then.
 */
import { CheckFailure, currentTest, formatNumber, recordCheck, type AnnotationValue } from 'mltest/plugin'
import { describeTest, formatDistributionReport } from './_internals/distribution-report.ts'
import type { FeatureKind } from './_internals/feature-samples.ts'
import { measureDistribution, type FeatureDistributionSkew } from './_internals/measure-distribution.ts'
import { minimumPermutations } from './_internals/permutation-test.ts'
import { assertOptions, fraction, positiveInteger } from './_internals/report-format.ts'

export type { FeatureKind } from './_internals/feature-samples.ts'
export type { FeatureDistributionSkew, FeatureVerdict, RateComparison } from './_internals/measure-distribution.ts'

type Row = Readonly<Record<string, unknown>>
type Thresholds = number | Readonly<Record<string, number>>

export interface CheckDistributionSkewOptions {
  /** Training rows: objects with the features as fields. */
  training: readonly Row[]
  /** Serving rows, same shape. */
  serving: readonly Row[]
  /** Feature names (kind inferred from the values), or name → kind / { type, bins }. */
  features: readonly string[] | Readonly<Record<string, FeatureKind | { type: FeatureKind; bins?: number }>>
  /** Largest allowed distance: one for all, or name → threshold with `'*'` as default (default 0.1). */
  thresholds?: Thresholds
  /**
   * Largest allowed difference between the training and serving shares of rows with a missing
   * value, and (separately) with a non-finite one: one for all, or name → threshold with `'*'`
   * as default (default 0.05).
   */
  missingThresholds?: Thresholds
  /** Bins for numeric features, cut at training quantiles with open-ended edge bins (default 10). */
  bins?: number
  /** Permutations for a p-value of each statistic over its threshold (default 0: no test); at least floor(1/alpha). */
  permutations?: number
  /** With a permutation test, a statistic over threshold with p >= alpha is inconclusive, not skew (default 0.05; in (0, 1)). */
  alpha?: number
  /** Seed of the permutation test (default: the running test's seed, so `--seed` replays it); each feature derives its own. */
  seed?: number
}

export interface DistributionSkewSummary {
  features: FeatureDistributionSkew[]
  skewedFeatures: FeatureDistributionSkew[]
  inconclusiveFeatures: FeatureDistributionSkew[]
}

const CHECK = 'checkDistributionSkew'

function thresholdLookup(thresholds: Thresholds | undefined, fallback: number, option: string): (feature: string) => number {
  if (thresholds === undefined) return () => fallback
  if (typeof thresholds === 'number') {
    const t = fraction(thresholds, fallback, option)
    return () => t
  }
  if (typeof thresholds !== 'object' || thresholds === null) throw new TypeError(`${CHECK}: ${option} must be a number in [0, 1] or { '*': default, name: threshold } (got ${String(thresholds)})`)
  for (const [name, value] of Object.entries(thresholds)) fraction(value, 0, `${option}["${name}"]`)
  const byDefault = thresholds['*'] ?? fallback
  return (feature) => thresholds[feature] ?? byDefault
}

function inferKind(options: CheckDistributionSkewOptions, feature: string): FeatureKind {
  for (const rows of [options.training, options.serving]) {
    for (const row of rows) {
      const v = row[feature]
      if (typeof v === 'number') return 'numeric'
      if (typeof v === 'string' || typeof v === 'boolean') return 'categorical'
    }
  }
  throw new TypeError(`${CHECK}: feature "${feature}" has no number, string or boolean value in training or serving; check the name or declare its kind`)
}

/** alpha in (0, 1), and enough permutations that p can fall below it. */
function testSettings(options: CheckDistributionSkewOptions): { permutations: number; alpha: number } {
  const alpha = options.alpha ?? 0.05
  if (typeof alpha !== 'number' || !(alpha > 0 && alpha < 1)) throw new TypeError(`${CHECK}: alpha must be a number in (0, 1), e.g. 0.05 (got ${String(options.alpha)})`)
  const permutations = options.permutations ?? 0
  if (!Number.isInteger(permutations) || permutations < 0) throw new TypeError(`${CHECK}: permutations must be 0 (no test) or a positive integer (got ${String(options.permutations)})`)
  const needed = minimumPermutations(alpha)
  if (permutations > 0 && permutations < needed) {
    throw new TypeError(`${CHECK}: permutations ${permutations} cannot reach alpha ${alpha}: the smallest p-value is 1/(permutations + 1) = ${formatNumber(1 / (permutations + 1))}; use permutations >= ${needed} (e.g. 999) or 0 for no test`)
  }
  return { permutations, alpha }
}

/**
 * Computes each feature's distance and missing / non-finite rates between training and
 * serving, and throws an assertion error listing every feature with a statistic over its
 * threshold, with thresholds, sample sizes and, with a permutation test, p-values. Statistics
 * over threshold but not significant make the verdict inconclusive.
 */
export function checkDistributionSkew(options: CheckDistributionSkewOptions): DistributionSkewSummary {
  assertOptions(options, CHECK, '{ training, serving, features }')
  for (const side of ['training', 'serving'] as const) {
    if (!Array.isArray(options[side]) || options[side].length === 0) throw new TypeError(`${CHECK}: \`${side}\` must be a non-empty array of rows`)
  }
  const entries: [string, FeatureKind | { type: FeatureKind; bins?: number } | undefined][] = Array.isArray(options.features)
    ? (options.features as readonly string[]).map((name) => [name, undefined])
    : Object.entries(options.features ?? {})
  if (entries.length === 0) throw new TypeError(`${CHECK}: \`features\` names no feature; pass e.g. ['island', 'body_mass_g']`)
  const thresholdOf = thresholdLookup(options.thresholds, 0.1, 'thresholds')
  const rateThresholdOf = thresholdLookup(options.missingThresholds, 0.05, 'missingThresholds')
  const defaultBins = positiveInteger(options.bins, 10, 'bins')
  const { permutations, alpha } = testSettings(options)
  const seed = options.seed ?? currentTest()?.seed ?? 0
  const features = entries.map(([feature, spec]) => measureDistribution(options.training, options.serving, {
    feature,
    kind: (typeof spec === 'object' ? spec.type : spec) ?? inferKind(options, feature),
    bins: typeof spec === 'object' ? positiveInteger(spec.bins, defaultBins, `features["${feature}"].bins`) : defaultBins,
    threshold: thresholdOf(feature),
    rateThreshold: rateThresholdOf(feature),
    permutations, alpha, seed,
  }))
  const skewedFeatures = features.filter((f) => f.verdict === 'fail')
  const inconclusiveFeatures = features.filter((f) => f.verdict === 'inconclusive')
  const verdict = skewedFeatures.length ? 'fail' : inconclusiveFeatures.length ? 'inconclusive' : 'pass'
  const metrics: Record<string, AnnotationValue> = {
    metric: 'L-infinity (categorical), Jensen-Shannon distance, log2, bins at training quantiles (numeric); missing and non-finite rate differences',
    trainingRows: options.training.length, servingRows: options.serving.length,
    features: features.length, featuresSkewed: skewedFeatures.length, featuresInconclusive: inconclusiveFeatures.length,
    skewedFeatures: skewedFeatures.map((f) => f.feature).join(','), test: describeTest({ permutations, alpha, seed, features }),
  }
  for (const f of features.slice(0, 20)) {
    metrics[`distance.${f.feature}`] = f.distance
    metrics[`threshold.${f.feature}`] = f.threshold
    if (f.pValue !== undefined) metrics[`pValue.${f.feature}`] = f.pValue
    metrics[`missingRateDiff.${f.feature}`] = f.missingRate.difference
    if (f.kind === 'numeric') metrics[`nonFiniteRateDiff.${f.feature}`] = f.nonFiniteRate.difference
  }
  const over = [...skewedFeatures, ...inconclusiveFeatures].slice(0, 5).map((f) => {
    const parts = [f.distanceVerdict !== 'pass' ? `${formatNumber(f.distance)} > ${f.threshold}${f.pValue === undefined ? '' : ` (p ${formatNumber(f.pValue)})`}` : '']
    for (const r of [f.missingRate, f.nonFiniteRate]) if (r.verdict !== 'pass') parts.push(`${r.what} rate diff ${formatNumber(r.difference)} > ${r.threshold}${r.pValue === undefined ? '' : ` (p ${formatNumber(r.pValue)})`}`)
    return `${f.feature} ${parts.filter(Boolean).join(', ')}`
  })
  const summary = verdict === 'inconclusive'
    ? `${inconclusiveFeatures.length}/${features.length} features over threshold but within sampling noise (p >= ${alpha}): ${over.join(', ')}`
    : `${skewedFeatures.length}/${features.length} features skewed (n ${options.training.length} / ${options.serving.length})${over.length ? `: ${over.join(', ')}` : ''}`
  recordCheck({ check: CHECK, practice: 'train-serve-skew', verdict, metrics, summary })
  if (verdict === 'fail') {
    throw new CheckFailure(formatDistributionReport({ check: CHECK, features, trainingRows: options.training.length, servingRows: options.serving.length, permutations, alpha, seed }))
  }
  return { features, skewedFeatures, inconclusiveFeatures }
}
