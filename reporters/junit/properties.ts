/**
 * JUnit properties of one test's check results. A check's figures are named
 * `<full test name> :: <check>.<metric>`, next to its `verdict`, `practice` and `summary`;
 * a check called twice in one test gets `#2`, `#3` ... so no figure hides another.
 */
import type { TestResult } from 'mltest/plugin'

export function checkProperties(test: TestResult): Array<[string, string]> {
  const out: Array<[string, string]> = []
  const seen = new Map<string, number>()
  for (const check of test.checks) {
    const n = (seen.get(check.check) ?? 0) + 1
    seen.set(check.check, n)
    const prefix = `${test.fullName} :: ${check.check}${n > 1 ? `#${n}` : ''}`
    out.push([`${prefix}.verdict`, check.verdict], [`${prefix}.practice`, check.practice])
    if (check.summary !== undefined) out.push([`${prefix}.summary`, check.summary])
    for (const [key, value] of Object.entries(check.metrics)) out.push([`${prefix}.${key}`, String(value)])
  }
  return out
}
