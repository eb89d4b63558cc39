/**
 * The share of rows whose value is missing (or non-finite), training against serving. A
 * distance over the present values cannot see a serving system that drops a field for one
 * request in ten: the present values keep their distribution. So each rate is compared on its
 * own, as TFDV's completeness checks do, with its own threshold.
 */
import type { Rng } from '../../../core/index.ts'
import { permutationPValue } from './permutation-test.ts'
import { countOf, fmt } from './report-format.ts'

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
  /** pass: difference <= threshold; fail: over it (and p < alpha with a permutation test); inconclusive: over it, p >= alpha. */
  verdict: FeatureVerdict
  /** Permutation p-value of the difference, when it was over its threshold and a test ran. */
  pValue?: number
}

export interface RateOptions {
  threshold: number
  permutations: number
  alpha: number
  rng: Rng
}

const rate = (flags: readonly number[]) => (flags.length ? flags.reduce((s, f) => s + f, 0) / flags.length : 0)

export function compareRates(what: RateComparison['what'], training: number, trainingRows: number, serving: number, servingRows: number, o: RateOptions): RateComparison {
  const difference = Math.abs(training / trainingRows - serving / servingRows)
  const result: RateComparison = { what, training, serving, trainingRows, servingRows, difference, threshold: o.threshold, verdict: 'pass' }
  if (difference <= o.threshold) return result
  if (o.permutations === 0) return { ...result, verdict: 'fail' }
  const flags = (count: number, rows: number) => Array.from({ length: rows }, (_, i) => (i < count ? 1 : 0))
  const pValue = permutationPValue(flags(training, trainingRows), flags(serving, servingRows), difference, (x, y) => Math.abs(rate(x) - rate(y)), o.permutations, o.rng)
  return { ...result, pValue, verdict: pValue < o.alpha ? 'fail' : 'inconclusive' }
}

/** `✗ missing: training 0/4 (0.0%), serving 1/5 (20.0%) · difference 0.2 > threshold 0.05`. */
export function describeRate(r: RateComparison): string {
  const mark = { pass: '✓', fail: '✗', inconclusive: '?' }[r.verdict]
  const label = r.what === 'missing' ? 'missing (undefined, null, NaN)' : 'non-finite (±Infinity)'
  const p = r.pValue === undefined ? '' : ` · permutation p ${fmt(r.pValue)}`
  return `${mark} ${label}: training ${countOf(r.training, r.trainingRows)}, serving ${countOf(r.serving, r.servingRows)} · difference ${fmt(r.difference)} ${r.difference > r.threshold ? '>' : '<='} threshold ${r.threshold}${p}`
}
