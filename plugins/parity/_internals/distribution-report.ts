/**
 * The readable report of checkDistributionSkew: what was compared, the metrics and their
 * thresholds, the hypothesis the p-values test (and that they are not corrected for testing
 * several features), then one block per feature: the distance, and the missing / non-finite
 * rates whenever a side has any.
 */
import { formatNumber } from 'mltest/plugin'
import type { FeatureDistributionSkew } from './measure-distribution.ts'
import { EXACT_RATE_TEST } from './exact-rate-test.ts'
import { describeRate } from './rate-comparison.ts'

export interface DistributionReportInput {
  check: string
  features: FeatureDistributionSkew[]
  trainingRows: number
  servingRows: number
  permutations: number
  alpha: number
  seed: number
}

const MARK = { pass: '✓', fail: '✗', inconclusive: '?' } as const

/** The statistical test in one line, also recorded as the check's `test` metric. */
export function describeTest(r: Pick<DistributionReportInput, 'permutations' | 'alpha' | 'seed' | 'features'>): string {
  if (!r.permutations) return 'no permutation test (permutations 0): any statistic over its threshold is a failure'
  return `H0: training and serving values come from the same distribution (permutation test of the distance; ${EXACT_RATE_TEST} of each rate difference); ` +
    `${r.permutations} permutations, p = (1 + #{permuted >= observed}) / (1 + ${r.permutations}), alpha ${r.alpha}, seed ${r.seed}; ` +
    `no multiple-comparison correction across the ${r.features.length} features (for a family-wise alpha, pass alpha / ${r.features.length})`
}

function featureLines(f: FeatureDistributionSkew): string[] {
  const cmp = f.distance > f.threshold ? '>' : '<='
  const p = f.pValue === undefined ? '' : ` · permutation p ${formatNumber(f.pValue)}`
  const lines = [`  ${MARK[f.verdict]} ${f.feature}: ${f.metric} ${formatNumber(f.distance)} ${cmp} threshold ${f.threshold}${p} · ${f.detail} · n training ${f.trainingCount} / serving ${f.servingCount}`]
  for (const rate of [f.missingRate, f.nonFiniteRate]) {
    if (rate.training || rate.serving || rate.verdict !== 'pass') lines.push(`      ${describeRate(rate)}`)
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
    `  ${describeTest(r)}${r.permutations ? ' (replay: same --seed)' : ''}`,
    ...skewed.flatMap(featureLines),
    ...r.features.filter((f) => f.verdict !== 'fail').flatMap(featureLines),
  ].join('\n')
}
