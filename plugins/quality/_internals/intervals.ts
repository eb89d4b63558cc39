/**
 * The interval rule every quality verdict follows: an interval entirely on the wrong side of
 * a limit fails, one entirely on the right side passes, one that straddles it is inconclusive
 * (the data cannot tell), never a silent pass.
 */
import { formatNumber } from 'mltest/plugin'

export type IntervalVerdict = 'pass' | 'fail' | 'inconclusive'

export interface Interval {
  lower: number
  upper: number
}

/**
 * Verdict of an interval against a limit. `direction` 'min': the quantity must be at least
 * `limit` (accuracy ≥ 0.8, a ratio ≥ 0.8); 'max': at most (log loss ≤ 0.5, a difference ≤ 0.1).
 */
export function intervalVerdict(interval: Interval, limit: number, direction: 'min' | 'max'): IntervalVerdict {
  if (Number.isNaN(interval.lower) || Number.isNaN(interval.upper)) return 'inconclusive'
  if (direction === 'min') return interval.upper < limit ? 'fail' : interval.lower >= limit ? 'pass' : 'inconclusive'
  return interval.lower > limit ? 'fail' : interval.upper <= limit ? 'pass' : 'inconclusive'
}

/** Combines verdicts: any fail fails, else any inconclusive is inconclusive, else pass. */
export function combineVerdicts(verdicts: readonly IntervalVerdict[]): IntervalVerdict {
  return verdicts.includes('fail') ? 'fail' : verdicts.includes('inconclusive') ? 'inconclusive' : 'pass'
}

/** `[lower, upper]` at report precision. */
export function intervalText(interval: Interval): string {
  return `[${formatNumber(interval.lower)}, ${formatNumber(interval.upper)}]`
}

/** The percentage a confidence level prints as: 0.95 → `95%`. */
export function levelText(confidence: number): string {
  return `${formatNumber(confidence * 100)}%`
}
