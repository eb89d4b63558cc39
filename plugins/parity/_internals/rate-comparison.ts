/**
 * The share of rows whose value is missing (or non-finite), training against serving. A
 * distance over the present values cannot see a serving system that drops a field for one
 * request in ten: the present values keep their distribution. So each rate is compared on its
 * own, as TFDV's completeness checks do, with its own threshold. A difference over the
 * threshold is tested with the exact hypergeometric (Fisher) test (exact-rate-test.ts).
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
  /** pass: difference <= threshold; fail: over it (and p < alpha when tested); inconclusive: over it, p >= alpha. */
  verdict: FeatureVerdict
  /** Exact hypergeometric (Fisher) p-value of the difference, when it was over its threshold and a test ran. */
  pValue?: number
  /** The test behind pValue. */
  test?: typeof EXACT_RATE_TEST
}

export interface RateOptions {
  threshold: number
  /** 0: no test (over the threshold fails); any other value asks for a test, which for a rate is exact. */
  permutations: number
  alpha: number
}

export function compareRates(what: RateComparison['what'], training: number, trainingRows: number, serving: number, servingRows: number, o: RateOptions): RateComparison {
  const difference = Math.abs(training / trainingRows - serving / servingRows)
  const result: RateComparison = { what, training, serving, trainingRows, servingRows, difference, threshold: o.threshold, verdict: 'pass' }
  if (difference <= o.threshold) return result
  if (o.permutations === 0) return { ...result, verdict: 'fail' }
  const pValue = exactRatePValue(training, trainingRows, serving, servingRows)
  return { ...result, pValue, test: EXACT_RATE_TEST, verdict: pValue < o.alpha ? 'fail' : 'inconclusive' }
}

/** `✗ missing: training 0/4 (0.0%), serving 1/5 (20.0%) · difference 0.2 > threshold 0.05`. */
export function describeRate(r: RateComparison): string {
  const mark = { pass: '✓', fail: '✗', inconclusive: '?' }[r.verdict]
  const label = r.what === 'missing' ? 'missing (undefined, null, NaN)' : 'non-finite (±Infinity)'
  const p = r.pValue === undefined ? '' : ` · ${EXACT_RATE_TEST} p ${formatNumber(r.pValue)}`
  return `${mark} ${label}: training ${countOf(r.training, r.trainingRows)}, serving ${countOf(r.serving, r.servingRows)} · difference ${formatNumber(r.difference)} ${r.difference > r.threshold ? '>' : '<='} threshold ${r.threshold}${p}`
}
