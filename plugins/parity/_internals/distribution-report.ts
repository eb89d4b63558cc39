/**
 * What checkDistributionSkew reports: the readable failure report (what was compared, the
 * metrics and their thresholds, the hypothesis the p-values test and the correction, then one
 * block per feature: the distance, and the missing / non-finite rates whenever a side has
 * any), the one-line summary and the metrics recorded on the running test.
 */
import { formatNumber, type AnnotationValue } from 'mltest/plugin'
import { EXACT_RATE_TEST } from './exact-rate-test.ts'
import type { FeatureDistributionSkew } from './measure-distribution.ts'
import { describePValue, describeRate, type RateComparison } from './rate-comparison.ts'
import { singleTestLevel, type TestPlan } from './skew-verdicts.ts'

export interface DistributionReportInput {
  check: string
  features: FeatureDistributionSkew[]
  trainingRows: number
  servingRows: number
  plan: TestPlan
  seed: number
}

const MARK = { pass: '✓', fail: '✗', inconclusive: '?' } as const

/** The statistical test in one line, also recorded as the check's `test` metric. */
export function describeTest(plan: TestPlan, seed: number): string {
  if (!plan.permutations) return 'no test (permutations 0): any statistic over its threshold is skew, however few rows back it'
  const decision = plan.correction === 'holm'
    ? `Holm correction over the ${plan.hypotheses} tests of this check: skew where the Holm-adjusted p < alpha ${plan.alpha} (family-wise)`
    : `no multiple-comparison correction: skew where p < alpha ${plan.alpha}, for each of the ${plan.hypotheses} tests`
  return `H0: training and serving values come from the same distribution (permutation test of each distance over its threshold; ${EXACT_RATE_TEST} of each rate difference over its threshold); ` +
    `${plan.permutations} permutations, p = (1 + #{permuted >= observed}) / (1 + ${plan.permutations}), seed ${seed}; ${decision}`
}

/** Why a tested statistic over its threshold passed or was inconclusive. */
function noiseNote(verdict: string, plan: TestPlan, nullQuantile?: number): string {
  if (verdict === 'inconclusive') return ` · too few rows: no split could reach p < ${formatNumber(singleTestLevel(plan))}`
  if (verdict !== 'pass') return ''
  const floor = nullQuantile === undefined ? '' : `; ${formatNumber((1 - plan.alpha) * 100)}% of permuted distances are <= ${formatNumber(nullQuantile)}`
  return ` · within sampling noise${floor}`
}

function featureLines(f: FeatureDistributionSkew, plan: TestPlan): string[] {
  const cmp = f.distance > f.threshold ? '>' : '<='
  const p = describePValue('permutation', f.pValue, f.pValueAdjusted) + (f.pValue === undefined ? '' : noiseNote(f.distanceVerdict, plan, f.nullQuantile))
  const lines = [`  ${MARK[f.verdict]} ${f.feature}: ${f.metric} ${formatNumber(f.distance)} ${cmp} threshold ${f.threshold}${p} · ${f.detail} · n training ${f.trainingCount} / serving ${f.servingCount}`]
  for (const rate of [f.missingRate, f.nonFiniteRate]) {
    if (rate.training || rate.serving || rate.verdict !== 'pass') lines.push(`      ${describeRate(rate)}${rate.pValue === undefined ? '' : noiseNote(rate.verdict, plan)}`)
  }
  return lines
}

export function formatDistributionReport(r: DistributionReportInput): string {
  const skewed = r.features.filter((f) => f.verdict === 'fail')
  const rateThresholds = [...new Set(r.features.map((f) => f.missingRate.threshold))].join(' / ')
  return [
    `${r.check}: ${skewed.length} of ${r.features.length} features skewed (training ${r.trainingRows} rows, serving ${r.servingRows} rows)`,
    `  metric: L-infinity distance of category frequencies (categorical); Jensen-Shannon distance = sqrt(JS divergence, log base 2) of values binned at training quantiles, first and last bins open-ended (numeric)`,
    `  missing (undefined, null, NaN) and non-finite (±Infinity) values are left out of the distances; their share of rows is compared on its own: |training − serving| <= ${rateThresholds}`,
    `  ${describeTest(r.plan, r.seed)}${r.plan.permutations ? ' (replay: same --seed)' : ''}`,
    ...skewed.flatMap((f) => featureLines(f, r.plan)),
    ...r.features.filter((f) => f.verdict !== 'fail').flatMap((f) => featureLines(f, r.plan)),
  ].join('\n')
}

const pNote = (p: number | undefined, adjusted: number | undefined) =>
  p === undefined ? '' : ` (p ${formatNumber(p)}${adjusted !== undefined && adjusted !== p ? `, Holm-adjusted ${formatNumber(adjusted)}` : ''})`

/** `Horsepower 0.167 > 0.1 (p 0.41)`, `sex missing rate diff 0.096 > 0.05 (p 1.1e-5)`: the statistics of one verdict. */
function overThreshold(f: FeatureDistributionSkew, verdict: FeatureDistributionSkew['verdict']): string {
  const parts = f.distanceVerdict === verdict && f.distance > f.threshold ? [`${formatNumber(f.distance)} > ${f.threshold}${pNote(f.pValue, f.pValueAdjusted)}`] : []
  for (const r of [f.missingRate, f.nonFiniteRate] as RateComparison[]) {
    if (r.verdict === verdict && r.difference > r.threshold) parts.push(`${r.what} rate diff ${formatNumber(r.difference)} > ${r.threshold}${pNote(r.pValue, r.pValueAdjusted)}`)
  }
  return parts.length ? `${f.feature} ${parts.join(', ')}` : ''
}

/** The one-line summary: skewed features, or why none is, including those over threshold but within sampling noise. */
export function skewSummary(r: DistributionReportInput): string {
  const n = `(n ${r.trainingRows} / ${r.servingRows})`
  const list = (verdict: FeatureDistributionSkew['verdict']) => r.features.map((f) => overThreshold(f, verdict)).filter(Boolean)
  const shown = (items: string[]) => items.slice(0, 5).join(', ') + (items.length > 5 ? `, … (${items.length - 5} more)` : '')
  const skewed = r.features.filter((f) => f.verdict === 'fail')
  if (skewed.length) return `${skewed.length}/${r.features.length} features skewed ${n}: ${shown(list('fail'))}`
  const inconclusive = r.features.filter((f) => f.verdict === 'inconclusive')
  if (inconclusive.length) return `${inconclusive.length}/${r.features.length} features over threshold with too few rows for the test to tell ${n}: ${shown(list('inconclusive'))}`
  const noise = list('pass')
  return `0/${r.features.length} features skewed ${n}${noise.length ? `; over threshold but within sampling noise: ${shown(noise)}` : ''}`
}

/** Figures recorded on the running test: the settings, and per feature (first 20) distance, threshold and p-values. */
export function skewMetrics(r: DistributionReportInput): Record<string, AnnotationValue> {
  const skewed = r.features.filter((f) => f.verdict === 'fail')
  const metrics: Record<string, AnnotationValue> = {
    metric: 'L-infinity (categorical), Jensen-Shannon distance, log2, bins at training quantiles (numeric); missing and non-finite rate differences',
    trainingRows: r.trainingRows, servingRows: r.servingRows,
    features: r.features.length, featuresSkewed: skewed.length, featuresInconclusive: r.features.filter((f) => f.verdict === 'inconclusive').length,
    skewedFeatures: skewed.map((f) => f.feature).join(','),
    alpha: r.plan.alpha, permutations: r.plan.permutations, correction: r.plan.correction, tests: r.plan.hypotheses, seed: r.seed,
    test: describeTest(r.plan, r.seed),
  }
  for (const f of r.features.slice(0, 20)) {
    metrics[`distance.${f.feature}`] = f.distance
    metrics[`threshold.${f.feature}`] = f.threshold
    if (f.pValue !== undefined) metrics[`pValue.${f.feature}`] = f.pValue
    if (f.pValueAdjusted !== undefined) metrics[`pValueAdjusted.${f.feature}`] = f.pValueAdjusted
    if (f.nullQuantile !== undefined) metrics[`nullQuantile.${f.feature}`] = f.nullQuantile
    metrics[`missingRateDiff.${f.feature}`] = f.missingRate.difference
    if (f.kind === 'numeric') metrics[`nonFiniteRateDiff.${f.feature}`] = f.nonFiniteRate.difference
  }
  return metrics
}
