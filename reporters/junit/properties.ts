/**
 * JUnit properties of one test's check results. A check's figures are named
 * `<full test name> :: <check>.<metric>`, next to its `verdict`, `practice` and `summary`;
 * a check called twice in one test gets `#2`, `#3` ... so no figure hides another.
 */
import type { RunResult, TestResult } from 'mltest/plugin'

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

/**
 * The readiness ledger as a property set (a suite `mltest readiness` of its own, since the
 * Ant schema has no run-level properties): `mltest.readiness.score`, each stage's points and
 * each practice's status with the tests that cover it. Present when any check ran or
 * `--readiness` asked for it: a suite of plain unit tests has no ledger to show.
 */
export function readinessProperties(run: RunResult): Array<[string, string]> {
  const ledger = run.readiness
  if (!ledger || (ledger.checks === 0 && !run.config?.readiness)) return []
  const out: Array<[string, string]> = [['mltest.readiness.score', String(ledger.score)], ['mltest.readiness.maxScore', String(ledger.maxScore)]]
  for (const stage of ledger.stages) out.push([`mltest.readiness.stage.${stage.stage}`, `${stage.automated}/${stage.practices}`])
  for (const practice of [...ledger.practices, ...ledger.other]) {
    out.push([`mltest.readiness.practice.${practice.id}`, practice.status])
    const tests = [...new Set(practice.coverage.map((c) => c.test))]
    if (tests.length) out.push([`mltest.readiness.practice.${practice.id}.tests`, tests.join('; ')])
  }
  return out
}
