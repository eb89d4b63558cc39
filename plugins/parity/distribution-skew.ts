/**
 * `checkDistributionSkew`: distribution-level skew between a training set and serving data,
 * as TFDV computes it: L-infinity distance of category frequencies for categorical features,
 * Jensen-Shannon distance of binned values for numeric ones. Catches skew that no single
 * record shows, e.g. serving traffic from one region only, or a unit change upstream.
 */
import { currentTest, recordCheck } from '../../core/index.ts'
import type { AnnotationValue } from '../../core/index.ts'
import { createRng } from '../../core/seed.ts'
import type { FeatureKind } from './_internals/feature-samples.ts'
import { measureDistribution, type FeatureDistributionSkew } from './_internals/measure-distribution.ts'
import { fmt, fraction, parityFailure, positiveInteger } from './_internals/report-format.ts'

export type { FeatureKind } from './_internals/feature-samples.ts'
export type { FeatureDistributionSkew, FeatureVerdict } from './_internals/measure-distribution.ts'

type Row = Readonly<Record<string, unknown>>

export interface CheckDistributionSkewOptions {
  /** Training rows: objects with the features as fields. */
  training: readonly Row[]
  /** Serving rows, same shape. */
  serving: readonly Row[]
  /** Feature names (kind inferred from the values), or name → kind / { type, bins }. */
  features: readonly string[] | Readonly<Record<string, FeatureKind | { type: FeatureKind; bins?: number }>>
  /** Largest allowed distance: one for all, or name → threshold with `'*'` as default (default 0.1). */
  thresholds?: number | Readonly<Record<string, number>>
  /** Equal-width bins for numeric features (default 10, as TFDV's standard histograms). */
  bins?: number
  /** Permutations for a p-value of each distance over its threshold (default 0: no test). */
  permutations?: number
  /** With a permutation test, a distance over threshold with p >= alpha is inconclusive, not skew (default 0.05). */
  alpha?: number
  /** Seed of the permutation test (default: the running test's seed, so `--seed` replays it). */
  seed?: number
}

export interface DistributionSkewSummary {
  features: FeatureDistributionSkew[]
  skewedFeatures: FeatureDistributionSkew[]
  inconclusiveFeatures: FeatureDistributionSkew[]
}

function thresholdLookup(thresholds: CheckDistributionSkewOptions['thresholds']): (feature: string) => number {
  if (thresholds === undefined) return () => 0.1
  if (typeof thresholds === 'number') {
    const t = fraction(thresholds, 0.1, 'thresholds')
    return () => t
  }
  for (const [name, value] of Object.entries(thresholds)) fraction(value, 0, `thresholds["${name}"]`)
  const fallback = thresholds['*'] ?? 0.1
  return (feature) => thresholds[feature] ?? fallback
}

function inferKind(options: CheckDistributionSkewOptions, feature: string): FeatureKind {
  for (const rows of [options.training, options.serving]) {
    for (const row of rows) {
      const v = row[feature]
      if (typeof v === 'number') return 'numeric'
      if (typeof v === 'string' || typeof v === 'boolean') return 'categorical'
    }
  }
  throw new TypeError(`checkDistributionSkew: feature "${feature}" has no number, string or boolean value in training or serving; check the name or declare its kind`)
}

function line(f: FeatureDistributionSkew): string {
  const mark = { pass: '✓', fail: '✗', inconclusive: '?' }[f.verdict]
  const cmp = f.distance > f.threshold ? '>' : '<='
  const p = f.pValue === undefined ? '' : ` · permutation p ${fmt(f.pValue)}`
  const missing = f.trainingMissing || f.servingMissing ? ` (missing ${f.trainingMissing} / ${f.servingMissing})` : ''
  return `  ${mark} ${f.feature}: ${f.metric} ${fmt(f.distance)} ${cmp} threshold ${f.threshold}${p} · ${f.detail} · n training ${f.trainingCount} / serving ${f.servingCount}${missing}`
}

/**
 * Computes each feature's distance between training and serving and throws an assertion error
 * listing every feature over its threshold with distance, threshold, sample sizes and, with a
 * permutation test, p-values. Only inconclusive features make the verdict inconclusive.
 */
export function checkDistributionSkew(options: CheckDistributionSkewOptions): DistributionSkewSummary {
  const check = 'checkDistributionSkew'
  for (const side of ['training', 'serving'] as const) {
    if (!Array.isArray(options[side]) || options[side].length === 0) throw new TypeError(`${check}: \`${side}\` must be a non-empty array of rows`)
  }
  const entries: [string, FeatureKind | { type: FeatureKind; bins?: number } | undefined][] = Array.isArray(options.features)
    ? (options.features as readonly string[]).map((name) => [name, undefined])
    : Object.entries(options.features ?? {})
  if (entries.length === 0) throw new TypeError(`${check}: \`features\` names no feature; pass e.g. ['island', 'body_mass_g']`)
  const thresholdOf = thresholdLookup(options.thresholds)
  const defaultBins = positiveInteger(options.bins, 10, 'bins')
  const permutations = options.permutations === 0 ? 0 : positiveInteger(options.permutations, 0, 'permutations')
  const alpha = fraction(options.alpha, 0.05, 'alpha')
  const seed = options.seed ?? currentTest()?.seed ?? 0
  const rng = createRng(seed)
  const features = entries.map(([feature, spec]) => measureDistribution(options.training, options.serving, {
    feature,
    kind: (typeof spec === 'object' ? spec.type : spec) ?? inferKind(options, feature),
    bins: typeof spec === 'object' ? positiveInteger(spec.bins, defaultBins, `features["${feature}"].bins`) : defaultBins,
    threshold: thresholdOf(feature),
    permutations, alpha, rng,
  }))
  const skewedFeatures = features.filter((f) => f.verdict === 'fail')
  const inconclusiveFeatures = features.filter((f) => f.verdict === 'inconclusive')
  const verdict = skewedFeatures.length ? 'fail' : inconclusiveFeatures.length ? 'inconclusive' : 'pass'
  const test = permutations ? `permutation test: ${permutations} permutations, alpha ${alpha}, seed ${seed}` : 'no permutation test'
  const metrics: Record<string, AnnotationValue> = {
    metric: 'L-infinity (categorical), Jensen-Shannon distance, log2 (numeric)',
    trainingRows: options.training.length, servingRows: options.serving.length,
    features: features.length, featuresSkewed: skewedFeatures.length, featuresInconclusive: inconclusiveFeatures.length,
    skewedFeatures: skewedFeatures.map((f) => f.feature).join(','), test,
  }
  for (const f of features.slice(0, 20)) {
    metrics[`distance.${f.feature}`] = f.distance
    metrics[`threshold.${f.feature}`] = f.threshold
    if (f.pValue !== undefined) metrics[`pValue.${f.feature}`] = f.pValue
  }
  const over = [...skewedFeatures, ...inconclusiveFeatures].slice(0, 5).map((f) => `${f.feature} ${fmt(f.distance)} > ${f.threshold}${f.pValue === undefined ? '' : ` (p ${fmt(f.pValue)})`}`)
  const summary = verdict === 'inconclusive'
    ? `${inconclusiveFeatures.length}/${features.length} features over threshold but within sampling noise (p >= ${alpha}): ${over.join(', ')}`
    : `${skewedFeatures.length}/${features.length} features skewed (n ${options.training.length} / ${options.serving.length})${over.length ? `: ${over.join(', ')}` : ''}`
  recordCheck({ check, practice: 'train-serve-skew', verdict, metrics, summary })
  if (verdict === 'fail') {
    throw parityFailure([
      `${check}: ${skewedFeatures.length} of ${features.length} features skewed (training ${options.training.length} rows, serving ${options.serving.length} rows)`,
      `  metric: L-infinity distance of category frequencies (categorical); Jensen-Shannon distance = sqrt(JS divergence, log base 2) of binned values (numeric)`,
      `  ${test}${permutations ? ` (replay: same --seed)` : ''}`,
      ...skewedFeatures.map(line),
      ...features.filter((f) => f.verdict !== 'fail').map(line),
    ].join('\n'))
  }
  return { features, skewedFeatures, inconclusiveFeatures }
}
