/**
 * Why an inconclusive test is inconclusive, as every reporter shows it: the one-sentence
 * `reason` of each inconclusive check (`toMeetBudget: batch 1 p99 needs at least 368 runs
 * for an upper bound; 120 ran`), else the test's own reason (a check that gives no reason
 * leaves its summary there). Read from the checks, so a result replayed from JSON shows the
 * same text.
 */
import type { TestResult } from 'mltest/plugin'

export function inconclusiveReason(test: TestResult & { state: 'inconclusive' }): string {
  const reasons = test.checks.filter((c) => c.verdict === 'inconclusive' && c.reason).map((c) => `${c.check}: ${c.reason}`)
  return reasons.length ? reasons.join('; ') : test.reason
}

/** `1 inconclusive verdict counts as a failure (--inconclusive fail)`, for a run summary. */
export function inconclusiveFailuresLine(count: number): string {
  return `${count} inconclusive verdict${count === 1 ? ' counts as a failure' : 's count as failures'} (--inconclusive fail)`
}
