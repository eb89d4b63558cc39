/**
 * Counts of a run and its plain closing line, `mltest: N passed, N failed, N skipped`,
 * followed by todo, inconclusive and file-error counts where non-zero, so CI systems and
 * scripts can read it.
 */
import type { RunSummary } from './hooks.ts'
import type { FileResult } from './protocol.ts'

export function summarize(files: FileResult[], durationMs: number): RunSummary {
  const summary: RunSummary = { passed: 0, failed: 0, skipped: 0, todo: 0, inconclusive: 0, fileErrors: 0, durationMs }
  for (const file of files) {
    summary.fileErrors += file.errors.length
    for (const test of file.tests) summary[test.state]++
  }
  return summary
}

export function summaryLine(s: RunSummary): string {
  const parts = [`${s.passed} passed`, `${s.failed} failed`, `${s.skipped} skipped`]
  if (s.todo) parts.push(`${s.todo} todo`)
  if (s.inconclusive) parts.push(`${s.inconclusive} inconclusive`)
  if (s.fileErrors) parts.push(`${s.fileErrors} file error${s.fileErrors === 1 ? '' : 's'}`)
  return `mltest: ${parts.join(', ')}`
}
