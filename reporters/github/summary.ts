/**
 * The job summary: Markdown tables GitHub shows on the run's page. Counts first, then the
 * failed tests and the check verdicts (the ML figures a reviewer wants to see without
 * opening logs). Cells are HTML-escaped and kept to one short line, and long tables are
 * cut, because GitHub renders HTML in Markdown and caps a step summary at 1 MiB.
 */
import { relative } from 'node:path'
import { escape } from 'html-escaper'
import type { RunResult } from 'mltest/plugin'

const MAX_ROWS = 100
const MAX_CELL = 300

export function cell(text: string): string {
  const one = text.replace(/\s*[\r\n]+\s*/g, ' ').trim()
  const cut = one.length > MAX_CELL ? `${one.slice(0, MAX_CELL - 1)}…` : one
  return escape(cut).replace(/\|/g, '\\|')
}

function table(header: string[], rows: string[][], align: string[]): string[] {
  const shown = rows.slice(0, MAX_ROWS)
  const lines = [`| ${header.join(' | ')} |`, `| ${align.join(' | ')} |`, ...shown.map((r) => `| ${r.join(' | ')} |`)]
  if (rows.length > shown.length) lines.push('', `… and ${rows.length - shown.length} more`)
  return lines
}

export function jobSummary(run: RunResult, rootDir: string): string {
  const s = run.summary
  const rel = (file: string) => relative(rootDir, file).split('\\').join('/') || file
  const bad = s.failed > 0 || s.fileErrors > 0 || run.runErrors.length > 0
  const lines = [`## ${bad ? '❌' : '✅'} mltest`, '']
  lines.push(
    ...table(
      ['Passed', 'Failed', 'Skipped', 'Todo', 'Inconclusive', 'File errors', 'Duration'],
      [[s.passed, s.failed, s.skipped, s.todo, s.inconclusive, s.fileErrors].map(String).concat(`${(run.durationMs / 1000).toFixed(1)} s`)],
      ['---:', '---:', '---:', '---:', '---:', '---:', '---:'],
    ),
  )
  const context = [`seed \`${run.seed}\``]
  if (run.shard) context.push(`shard ${run.shard.index}/${run.shard.count}`)
  if (run.mergedFrom) context.push(`merged from ${run.mergedFrom.length} results`)
  if (run.environment) context.push(run.environment.runtime ?? `Node ${run.environment.node}`, `${run.environment.cpuCount} × ${cell(run.environment.cpuModel)}`, `mltest ${run.environment.mltestVersion}`)
  lines.push('', context.join(' · '))

  const failures = run.files.flatMap((f) => [
    ...f.tests.flatMap((t) => (t.state === 'failed' ? [[cell(`${rel(f.file)}${t.error.location ? `:${t.error.location.line}` : ''}`), cell(t.fullName), cell(`${t.error.name}: ${t.error.message.split('\n')[0]}`)]] : [])),
    ...f.errors.map((e) => [cell(rel(f.file)), '(file error)', cell(`${e.name}: ${e.message.split('\n')[0]}`)]),
  ])
  if (failures.length) lines.push('', '### Failed', '', ...table(['File', 'Test', 'Error'], failures, ['---', '---', '---']))
  if (run.runErrors.length) lines.push('', '### Run errors', '', ...run.runErrors.map((e) => `- ${cell(e)}`))

  const checks = run.files.flatMap((f) => f.tests.flatMap((t) => t.checks.map((c) => [cell(t.fullName), cell(c.check), cell(c.practice), c.verdict, cell(c.summary ?? '')])))
  if (checks.length) lines.push('', '### Checks', '', ...table(['Test', 'Check', 'Practice', 'Verdict', 'Summary'], checks, ['---', '---', '---', '---', '---']))

  // The readiness ledger, when any check ran (or --readiness asked for it).
  const ledger = run.readiness
  if (ledger && (ledger.checks > 0 || run.config?.readiness)) {
    const icon = { automated: '✅ automated', failing: '❌ failing', missing: '⚪ missing' } as const
    const rows = [...ledger.practices, ...ledger.other].map((p) => {
      const tests = [...new Set(p.coverage.map((c) => c.test))]
      return [p.stage ?? 'other', cell(p.id), cell(p.title), icon[p.status], cell(tests.length > 3 ? `${tests.slice(0, 3).join('; ')} and ${tests.length - 3} more` : tests.join('; '))]
    })
    const stages = ledger.stages.map((s) => `${s.stage} ${s.automated}/${s.practices}`).join(' · ')
    lines.push('', `### Production readiness: score ${ledger.score} of ${ledger.maxScore}`, '', `A point per automated practice; the score is the lowest stage: ${stages}`, '')
    lines.push(...table(['Stage', 'Practice', 'Title', 'Status', 'Tests'], rows, ['---', '---', '---', '---', '---']))
  }
  return lines.join('\n') + '\n'
}
