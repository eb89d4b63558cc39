/**
 * `checkDistributionSkew`: distribution-level skew between a training set and serving data,
 * as TFDV computes it: L-infinity distance of category frequencies for categorical features,
 * Jensen-Shannon distance of binned values for numeric ones, and the shares of missing and
 * non-finite values. Catches skew that no single record shows, e.g. serving traffic from one
 * region only, a unit change upstream, or a field the serving system drops now and then.
 * A statistic over its threshold is skew only when a permutation (or exact) test, Holm-
 * corrected across the check, says sampling noise cannot explain it: two random samples of
 * ~100 rows from the same data are often further apart than any fixed threshold.
 */
import { CheckFailure, currentTest, formatNumber, parseCheckOptions, recordCheck, z } from 'mltest/plugin'
import { formatDistributionReport, skewMetrics, skewSummary } from './_internals/distribution-report.ts'
import { featureSamples, type FeatureKind } from './_internals/feature-samples.ts'
import { distributionFigures } from './_internals/figures.ts'
import { measureDistribution, type FeatureDistributionSkew } from './_internals/measure-distribution.ts'
import { arraySchema, refined, shown, thresholdsSchema } from './_internals/option-schemas.ts'
import { minimumPermutations } from './_internals/permutation-test.ts'
import { assertOptions } from './_internals/report-format.ts'
import { countHypotheses, decideVerdicts, singleTestLevel, type Correction, type TestPlan } from './_internals/skew-verdicts.ts'

export type { FeatureKind } from './_internals/feature-samples.ts'
export type { FeatureDistributionSkew, FeatureVerdict, RateComparison } from './_internals/measure-distribution.ts'
export type { Correction } from './_internals/skew-verdicts.ts'

type Row = Readonly<Record<string, unknown>>
type Thresholds = number | Readonly<Record<string, number>>
type FeatureSpec = FeatureKind | { type: FeatureKind; bins?: number }

export interface CheckDistributionSkewOptions {
  /** Training rows: objects with the features as fields. */
  training: readonly Row[]
  /** Serving rows, same shape. */
  serving: readonly Row[]
  /** Feature names (kind inferred from the values), or name → kind / { type, bins }. */
  features: readonly string[] | Readonly<Record<string, FeatureSpec>>
  /**
   * Smallest distance that counts as skew: one for all, or name → threshold with `'*'` as
   * default (default 0.1). A distance over it is skew only when the permutation test finds it
   * significant; below it, even a significant difference is too small to matter.
   */
  thresholds?: Thresholds
  /**
   * Smallest difference between the training and serving shares of rows with a missing
   * value, and (separately) with a non-finite one, that counts: one for all, or name →
   * threshold with `'*'` as default (default 0.05). Tested exactly, like the distances.
   */
  missingThresholds?: Thresholds
  /** Bins for numeric features, cut at training quantiles with open-ended edge bins (default 10). */
  bins?: number
  /**
   * Permutations of the test of each distance over its threshold. Default 999; fewer on large
   * samples (about 2e7 / rows, as each costs O(rows)), more when the correction needs them
   * (at least 2 · tests / alpha − 1). 0 turns the tests off: every statistic over its
   * threshold is then skew, however few rows back it.
   */
  permutations?: number
  /** Significance level of the check as a whole under Holm, or of each test with `correction: 'none'` (default 0.05; in (0, 1)). */
  alpha?: number
  /** Multiple-comparison correction across the check's tests: 'holm' (default; family-wise alpha) or 'none' (alpha per test). */
  correction?: Correction
  /** Seed of the permutation test (default: the running test's seed, so `--seed` replays it); each feature derives its own. */
  seed?: number
}

export interface DistributionSkewSummary {
  features: FeatureDistributionSkew[]
  skewedFeatures: FeatureDistributionSkew[]
  inconclusiveFeatures: FeatureDistributionSkew[]
}

const CHECK = 'checkDistributionSkew'
const KINDS = ['numeric', 'categorical'] as const
const featureSpec = z.object({ type: z.enum(KINDS), bins: z.number().int().min(2).optional() })

function featuresProblem(value: unknown): string | undefined {
  const forms = `an array of feature names or { name: 'numeric' | 'categorical' | { type, bins? } }`
  if (Array.isArray(value)) {
    const bad = value.findIndex((name) => typeof name !== 'string' || name === '')
    if (bad >= 0) return `option "features" must list feature names (got ${shown(value[bad])} at index ${bad})`
  } else if (typeof value !== 'object' || value === null) {
    return `option "features" must be ${forms} (got ${shown(value)})`
  } else {
    for (const [name, spec] of Object.entries(value)) {
      if (typeof spec === 'string' && (KINDS as readonly string[]).includes(spec)) continue
      if (typeof spec !== 'object' || spec === null) return `option "features.${name}" must be 'numeric', 'categorical' or { type, bins? } (got ${shown(spec)})`
      try {
        parseCheckOptions(`option "features.${name}"`, featureSpec, spec)
      } catch (error) {
        return (error as Error).message
      }
    }
  }
  return Object.keys(value).length === 0 ? `option "features" names no feature; pass e.g. ['island', 'body_mass_g']` : undefined
}

/** Every option, declared once; `satisfies` keeps it in step with the interface above. */
const optionsSchema = z.object({
  training: arraySchema<readonly Row[]>('training', 'rows (objects with the features as fields)', { nonEmpty: true }),
  serving: arraySchema<readonly Row[]>('serving', 'rows (objects with the features as fields)', { nonEmpty: true }),
  features: refined<CheckDistributionSkewOptions['features']>(featuresProblem),
  thresholds: thresholdsSchema<Thresholds>('thresholds').optional(),
  missingThresholds: thresholdsSchema<Thresholds>('missingThresholds').optional(),
  bins: z.number().int().min(2).optional(),
  permutations: z.number().int().min(0).optional(),
  alpha: z.number().gt(0).lt(1).optional(),
  correction: z.enum(['holm', 'none']).optional(),
  seed: z.number().int().optional(),
} satisfies Record<keyof CheckDistributionSkewOptions, z.ZodType>)

function thresholdLookup(thresholds: Thresholds | undefined, fallback: number): (feature: string) => number {
  if (thresholds === undefined) return () => fallback
  if (typeof thresholds === 'number') return () => thresholds
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

/** Values times permutations a default test may cost per feature: about 0.2 s at ~10 ns a value. */
const DEFAULT_WORK = 2e7

/**
 * The permutations. By default 999, fewer on large samples (each costs O(rows), and there
 * a distance over its threshold is far beyond sampling noise anyway), and never fewer than
 * make 1 / (permutations + 1) half the level a test must reach alone: the default depends on
 * the sample sizes only, never on the values, so the test stays exact. Given permutations
 * must at least reach that level, or no test could ever find skew.
 */
function permutationsFor(given: number | undefined, plan: Omit<TestPlan, 'permutations'>, rows: number): number {
  const level = singleTestLevel({ ...plan, permutations: 0 })
  if (given === undefined) return Math.max(Math.ceil(2 / level) - 1, Math.min(999, Math.floor(DEFAULT_WORK / rows)))
  const needed = minimumPermutations(level)
  if (given > 0 && given < needed) {
    const corrected = plan.correction === 'holm' && plan.hypotheses > 1
    const target = corrected ? `alpha ${plan.alpha} Holm-corrected over ${plan.hypotheses} tests (a test alone must reach ${plan.alpha}/${plan.hypotheses} = ${formatNumber(level)})` : `alpha ${plan.alpha}`
    throw new TypeError(`${CHECK}: permutations ${given} cannot reach ${target}: the smallest p-value is 1/(permutations + 1) = ${formatNumber(1 / (given + 1))}; use permutations >= ${needed} (e.g. 999), leave it unset${corrected ? ", pass correction: 'none'" : ''} or 0 for no test`)
  }
  return given
}

/**
 * Computes each feature's distance and missing / non-finite rates between training and
 * serving, tests each statistic over its threshold against sampling noise (permutation test
 * of the distance, exact test of a rate difference, Holm-corrected across the check), and
 * throws an assertion error listing every skewed feature with thresholds, sample sizes and
 * p-values. Over threshold but within sampling noise passes, and the summary says so.
 */
export function checkDistributionSkew(options: CheckDistributionSkewOptions): DistributionSkewSummary {
  assertOptions(options, CHECK, '{ training, serving, features }')
  const o = parseCheckOptions(CHECK, optionsSchema, options)
  const entries: [string, FeatureSpec | undefined][] = Array.isArray(o.features)
    ? (o.features as readonly string[]).map((name) => [name, undefined])
    : Object.entries(o.features)
  const thresholdOf = thresholdLookup(o.thresholds, 0.1)
  const rateThresholdOf = thresholdLookup(o.missingThresholds, 0.05)
  const alpha = o.alpha ?? 0.05
  const correction = o.correction ?? 'holm'
  const seed = o.seed ?? currentTest()?.seed ?? 0
  const specs = entries.map(([feature, spec]) => {
    const kind = (typeof spec === 'object' ? spec.type : spec) ?? inferKind(o, feature)
    const bins = (typeof spec === 'object' ? spec.bins : undefined) ?? o.bins ?? 10
    return { feature, kind, bins, training: featureSamples(o.training, feature, kind, 'training'), serving: featureSamples(o.serving, feature, kind, 'serving') }
  })
  const hypotheses = countHypotheses(specs)
  const permutations = permutationsFor(o.permutations, { alpha, correction, hypotheses }, o.training.length + o.serving.length)
  const plan: TestPlan = { permutations, alpha, correction, hypotheses }
  const features = specs.map((f) => measureDistribution(f.training, f.serving, {
    feature: f.feature, kind: f.kind, bins: f.bins, threshold: thresholdOf(f.feature), rateThreshold: rateThresholdOf(f.feature), permutations, alpha, seed,
  }))
  decideVerdicts(features, plan)
  const skewedFeatures = features.filter((f) => f.verdict === 'fail')
  const inconclusiveFeatures = features.filter((f) => f.verdict === 'inconclusive')
  const verdict = skewedFeatures.length ? 'fail' : inconclusiveFeatures.length ? 'inconclusive' : 'pass'
  const report = { check: CHECK, features, trainingRows: o.training.length, servingRows: o.serving.length, plan, seed }
  recordCheck({ check: CHECK, practice: 'train-serve-skew', verdict, metrics: skewMetrics(report), summary: skewSummary(report), figures: distributionFigures(features, specs) })
  if (verdict === 'fail') throw new CheckFailure(formatDistributionReport(report))
  return { features, skewedFeatures, inconclusiveFeatures }
}
