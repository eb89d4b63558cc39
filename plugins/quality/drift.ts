/**
 * `checkDrift`: input and prediction drift between a reference sample (training data, last
 * month's traffic) and a current one, the online proxy for model quality while labels are late
 * (practice `prediction-drift`). Per feature: a two-sample KS test (numbers) or chi-squared
 * homogeneity (categories), or a distance (PSI, Jensen-Shannon, Wasserstein-1) against a
 * threshold, which the calibrated mode takes from reference-vs-reference splits instead of a
 * guess. Tests across features are Benjamini–Hochberg corrected, and the report says so.
 */
import { CheckFailure, currentTest, deriveSeed, formatNumber, parseCheckOptions, recordCheck, z } from 'mltest/plugin'
import { benjaminiHochberg } from './_internals/drift-statistics.ts'
import {
  calibrate, checkMethodFits, DEFAULT_THRESHOLDS, DRIFT_METHODS, measureFeature, resolveMethod, TEST_METHODS,
  type DriftMethod, type MeasuredFeature,
} from './_internals/drift-measure.ts'
import { driftFigures, driftHeadline, driftMetrics, formatDriftReport } from './_internals/drift-report.ts'
import { featureValues, isPlainSample, PREDICTION, type FeatureKind, type FeatureValues, type Primitive } from './_internals/drift-samples.ts'
import type { DriftReport, FeatureDrift } from './_internals/drift-types.ts'

export type { DriftMethod } from './_internals/drift-measure.ts'
export type { FeatureDrift, DriftReport } from './_internals/drift-types.ts'
export type { FeatureKind as DriftFeatureKind } from './_internals/drift-samples.ts'

export interface CheckDriftOptions {
  /**
   * The reference sample: rows (objects with the features as fields), or plain values (numbers
   * or categories, e.g. a model's predictions), which are checked as one feature, `prediction`.
   */
  reference: readonly object[] | readonly Primitive[]
  /** The current sample, the same shape as `reference`. */
  current: readonly object[] | readonly Primitive[]
  /** Feature names (kind read from the first reference value), or name → 'numeric' | 'categorical'. Not needed for plain values. */
  features?: readonly string[] | Readonly<Record<string, FeatureKind>>
  /**
   * 'auto' (default): KS for numbers (exact p-value up to 10,000 rows per side, asymptotic
   * beyond, as scipy's ks_2samp), chi-squared homogeneity for categories. Or one method for
   * every feature: 'ks', 'chi-squared' (tests), 'psi', 'jensen-shannon', 'wasserstein' (distances).
   */
  method?: DriftMethod | 'auto'
  /** Significance level, the false-discovery rate across features under Benjamini–Hochberg (default 0.05; in (0, 1)). */
  alpha?: number
  /**
   * The distance over which a feature has drifted, for 'psi', 'jensen-shannon', 'wasserstein'
   * (W1 divided by the reference std). Defaults are Evidently's: 0.1 each. Not with calibrate.
   */
  threshold?: number
  /**
   * Calibrated mode: the threshold is the (1 - alpha) quantile of the statistic over
   * reference-vs-reference splits, and the share of splits at least as far apart is a
   * p-value, corrected across features like a test's. Default false.
   */
  calibrate?: boolean
  /** Reference splits of the calibrated mode (default max(199, ⌈2 · features / alpha⌉ - 1)). */
  resamples?: number
  /** Bins for numeric PSI and Jensen-Shannon, cut at reference quantiles (default 10). */
  bins?: number
  /** Correction across the features' tests: 'benjamini-hochberg' (default) or 'none'. */
  correction?: 'benjamini-hochberg' | 'none'
  /** Seed of the calibration splits (default: the running test's seed, so `--seed` replays them). */
  seed?: number
}

export interface DriftSummary extends DriftReport {
  verdict: 'pass' | 'fail' | 'inconclusive'
  drifted: FeatureDrift[]
  inconclusive: FeatureDrift[]
  /** The readable report, as the failure message would show it. */
  text: string
}

const CHECK = 'checkDrift'
const KINDS = ['numeric', 'categorical'] as const

const sampleSchema = (name: string) =>
  z.custom<readonly object[] | readonly Primitive[]>((v) => Array.isArray(v) && v.length > 0, {
    error: (issue) => `option "${name}" must be a non-empty array of rows or values (got ${Array.isArray(issue.input) ? 'an empty array' : typeof issue.input === 'object' && issue.input !== null ? 'an object' : String(issue.input)}); pass the ${name} sample`,
  })

const featuresSchema = z.union([
  z.array(z.string().min(1)).min(1, { error: 'option "features" names no feature; pass e.g. [\'temp_max\', \'weather\']' }),
  z.record(z.string(), z.enum(KINDS)),
])

const optionsSchema = z.object({
  reference: sampleSchema('reference'),
  current: sampleSchema('current'),
  features: featuresSchema.optional(),
  method: z.enum(DRIFT_METHODS).optional(),
  alpha: z.number().gt(0).lt(1).optional(),
  threshold: z.number().gt(0).optional(),
  calibrate: z.boolean().optional(),
  resamples: z.number().int().min(1).optional(),
  bins: z.number().int().min(2).optional(),
  correction: z.enum(['benjamini-hochberg', 'none']).optional(),
  seed: z.number().int().optional(),
} satisfies Record<keyof CheckDriftOptions, z.ZodType>)

function featureList(o: CheckDriftOptions, plain: boolean): [string, FeatureKind | undefined][] {
  if (plain) {
    if (o.features !== undefined) throw new TypeError(`${CHECK}: reference holds plain values, checked as one feature "${PREDICTION}"; drop option "features" or pass rows`)
    return [[PREDICTION, undefined]]
  }
  if (o.features === undefined) throw new TypeError(`${CHECK}: option "features" is required with rows; name the fields to compare, e.g. features: ['temp_max', 'weather']`)
  if (Array.isArray(o.features)) return (o.features as string[]).map((f) => [f, undefined])
  const entries = Object.entries(o.features as Record<string, FeatureKind>)
  if (entries.length === 0) throw new TypeError(`${CHECK}: option "features" names no feature; pass e.g. ['temp_max', 'weather']`)
  return entries
}

/** The default number of calibration splits: enough that one feature alone can reach alpha / features. */
function resamplesFor(given: number | undefined, features: number, alpha: number, correction: string): number {
  const level = correction === 'none' ? alpha : alpha / features
  const needed = Math.ceil(1 / level) - 1
  if (given === undefined) return Math.max(199, Math.ceil(2 / level) - 1)
  if (given < needed) {
    throw new TypeError(`${CHECK}: resamples ${given} cannot reach level ${formatNumber(level)}${correction === 'none' || features === 1 ? '' : ` (alpha ${alpha} / ${features} features, what one feature must reach alone under Benjamini–Hochberg)`}: the smallest p-value is 1/(resamples + 1) = ${formatNumber(1 / (given + 1))}; use resamples >= ${needed} or leave it unset`)
  }
  return given
}

/** Verdicts: tests by their (adjusted) p-value, distances by their threshold. */
function decide(measured: MeasuredFeature[], alpha: number, correction: 'benjamini-hochberg' | 'none', calibrated: boolean): { features: FeatureDrift[]; tests: number } {
  const tested = measured.filter((m) => m.pValue !== undefined && m.untestable === undefined)
  const adjusted = correction === 'benjamini-hochberg' ? benjaminiHochberg(tested.map((m) => m.pValue!)) : tested.map((m) => m.pValue!)
  const level = correction === 'benjamini-hochberg' ? alpha / Math.max(1, tested.length) : alpha
  const features = measured.map((m): FeatureDrift => {
    const base = { ...m, calibrated }
    if (m.untestable !== undefined) return { ...base, verdict: 'inconclusive', reason: `${m.feature}: ${m.untestable}.` }
    const i = tested.indexOf(m)
    if (i < 0) return { ...base, verdict: m.statistic > m.threshold! ? 'fail' : 'pass' }
    const adjustedPValue = adjusted[i]!
    if (adjustedPValue <= alpha) return { ...base, adjustedPValue, verdict: 'fail' }
    if (m.smallestPValue !== undefined && m.smallestPValue > level) {
      const sizes = `${m.referenceRows} and ${m.currentRows} rows`
      return { ...base, adjustedPValue, verdict: 'inconclusive', reason: `${m.feature}: with ${sizes} the smallest possible p-value is ${formatNumber(m.smallestPValue)}, above the level ${formatNumber(level)} one feature must reach, so no drift could be shown; compare more rows.` }
    }
    return { ...base, adjustedPValue, verdict: 'pass' }
  })
  return { features, tests: tested.length }
}

/**
 * Measures drift of each feature (or of plain predictions) from `reference` to `current`,
 * records the check (practice `prediction-drift`) with one figure per feature, and throws an
 * assertion error naming every drifted feature with its statistic, test, p-value or threshold,
 * sample sizes and the correction. Inconclusive (not pass) when the sample sizes cannot show
 * drift at the level asked, or a categorical feature has too few rows to test.
 */
export function checkDrift(options: CheckDriftOptions): DriftSummary {
  const o = parseCheckOptions(CHECK, optionsSchema, options)
  const plain = isPlainSample(o.reference)
  if (plain !== isPlainSample(o.current)) {
    throw new TypeError(`${CHECK}: reference holds ${plain ? 'plain values' : 'rows'} but current holds ${plain ? 'rows' : 'plain values'}; pass the same shape on both sides`)
  }
  const method = o.method ?? 'auto'
  const calibrated = o.calibrate ?? false
  if (calibrated && o.threshold !== undefined) throw new TypeError(`${CHECK}: options "threshold" and "calibrate" exclude each other: calibrate takes the threshold from reference splits; drop one`)
  if (o.threshold !== undefined && (method === 'auto' || TEST_METHODS.includes(method))) {
    throw new TypeError(`${CHECK}: option "threshold" applies to the distances ('psi', 'jensen-shannon', 'wasserstein'), but method is '${method}', a test decided by alpha; use alpha, or choose a distance`)
  }
  if (o.resamples !== undefined && !calibrated) throw new TypeError(`${CHECK}: option "resamples" only applies with calibrate: true; add it or drop resamples`)
  const alpha = o.alpha ?? 0.05
  const correction = o.correction ?? 'benjamini-hochberg'
  const bins = o.bins ?? 10
  const seed = o.seed ?? currentTest()?.seed ?? 0
  const entries = featureList(o as CheckDriftOptions, plain)
  const values: FeatureValues[] = entries.map(([feature, kind]) => featureValues(CHECK, o.reference, o.current, feature, kind, plain))
  const resamples = calibrated ? resamplesFor(o.resamples, values.length, alpha, correction) : 0
  const measured = values.map((v) => {
    const { method: m, chosen } = resolveMethod(method, v)
    checkMethodFits(CHECK, m, v)
    const threshold = TEST_METHODS.includes(m) ? undefined : (o.threshold ?? DEFAULT_THRESHOLDS[m])
    const measuredFeature = measureFeature(v, m, chosen, threshold, bins)
    // A feature too thin to test stays inconclusive: calibrating it would read as a pass.
    return calibrated && measuredFeature.untestable === undefined ? calibrate(measuredFeature, v, bins, alpha, resamples, deriveSeed(seed, CHECK, v.feature)) : measuredFeature
  })
  const { features, tests } = decide(measured, alpha, correction, calibrated)
  const report: DriftReport = { features, referenceRows: o.reference.length, currentRows: o.current.length, alpha, correction, tests, calibrated, seed }
  const drifted = features.filter((f) => f.verdict === 'fail')
  const inconclusive = features.filter((f) => f.verdict === 'inconclusive')
  const verdict = drifted.length ? 'fail' : inconclusive.length ? 'inconclusive' : 'pass'
  const samples = new Map(values.map((v) => [v.feature, { reference: v.reference, current: v.current }]))
  recordCheck({
    check: CHECK,
    practice: 'prediction-drift',
    verdict,
    metrics: driftMetrics(report),
    summary: driftHeadline(report),
    ...(verdict === 'inconclusive' ? { reason: inconclusive[0]!.reason! } : {}),
    figures: driftFigures(report, samples),
  })
  const text = formatDriftReport(report)
  if (verdict === 'fail') throw new CheckFailure(text)
  return { ...report, verdict, drifted, inconclusive, text }
}
