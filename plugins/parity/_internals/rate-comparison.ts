/**
 * The share of rows whose value is missing (or non-finite), training against serving. A
 * distance over the present values cannot see a serving system that drops a field for one
 * request in ten: the present values keep their distribution. So each rate is compared on its
 * own, as TFDV's completeness checks do, with its own threshold. A difference over the
 * threshold is tested with the exact hypergeometric (Fisher) test (exact-rate-test.ts); the
 * verdict is decided with the other tests of the check (skew-verdicts.ts).
 */
import { formatNumber } from 'mltest/plugin'
import { EXACT_RATE_TEST, exactRatePValue } from './exact-rate-test.ts'
import { countOf } from './report-format.ts'

export type FeatureVerdict = 'pass' | 'fail' | 'inconclusive'

export interface RateComparison {
  /** `missing` (undefined, null, NaN) or `non-finite` (±Infinity). */
  what: 'missing' | 'non-finite'
  training: number
  serving: number
  trainingRows: number
  servingRows: number
  /** |training rate - serving rate|, rates as fractions of rows. */
  difference: number
  threshold: number
  /**
   * pass: difference <= threshold, or over it but not significant; fail: over it and, with a
   * test, significant after the check's multiple-comparison correction; inconclusive: over it,
   * not significant, and too few rows for any difference to be significant.
   */
  verdict: FeatureVerdict
  /** Exact hypergeometric (Fisher) p-value of the difference, when it was over its threshold and a test ran. */
  pValue?: number
  /** pValue after the check's multiple-comparison correction (equal to pValue with `correction: 'none'`). */
  pValueAdjusted?: number
  /** The test behind pValue. */
  test?: typeof EXACT_RATE_TEST
}

/** The two rates and their difference; with `test`, the exact p-value of a difference over the threshold. */
export function compareRates(what: RateComparison['what'], training: number, trainingRows: number, serving: number, servingRows: number, threshold: number, test: boolean): RateComparison {
  const difference = Math.abs(training / trainingRows - serving / servingRows)
  const result: RateComparison = { what, training, serving, trainingRows, servingRows, difference, threshold, verdict: 'pass' }
  if (difference <= threshold) return result
  if (!test) return { ...result, verdict: 'fail' }
  return { ...result, pValue: exactRatePValue(training, trainingRows, serving, servingRows), test: EXACT_RATE_TEST }
}

/** ` · exact hypergeometric (Fisher) test p 0.0001, Holm-adjusted 0.0006`. */
export function describePValue(test: string, pValue: number | undefined, adjusted: number | undefined): string {
  if (pValue === undefined) return ''
  const adj = adjusted !== undefined && adjusted !== pValue ? `, Holm-adjusted ${formatNumber(adjusted)}` : ''
  return ` · ${test} p ${formatNumber(pValue)}${adj}`
}

/** `✗ missing (undefined, null, NaN): training 0/4 (0.0%), serving 1/5 (20.0%) · difference 0.2 > threshold 0.05`. */
export function describeRate(r: RateComparison): string {
  const mark = { pass: '✓', fail: '✗', inconclusive: '?' }[r.verdict]
  const label = r.what === 'missing' ? 'missing (undefined, null, NaN)' : 'non-finite (±Infinity)'
  return `${mark} ${label}: training ${countOf(r.training, r.trainingRows)}, serving ${countOf(r.serving, r.servingRows)} · difference ${formatNumber(r.difference)} ${r.difference > r.threshold ? '>' : '<='} threshold ${r.threshold}${describePValue(EXACT_RATE_TEST, r.pValue, r.pValueAdjusted)}`
}
