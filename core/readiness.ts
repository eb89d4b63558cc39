/**
 * The readiness ledger: which of the 14 practices of production ML (`core/practices.ts`) a
 * run's checks automate, scored in the manner of Google's ML Test Score (Breck et al. 2017):
 * a point per automated practice, summed per stage, and the final score the lowest stage's
 * sum, because a team is only as ready as its weakest stage.
 *
 * It is computed from the check records alone (`computeReadiness(files)`), so the JSON
 * result keeps it, `mltest report` shows it again and `mltest merge` recomputes it over all
 * shards' tests. Side-neutral: reporters reach it through `mltest/plugin`.
 *
 * A practice is `automated` when a check of it passed and none failed, `failing` when a check
 * of it failed its test, and `missing` when no check of it passed or failed (never ran, or
 * only inconclusive). A failing check inside a test that passed was expected to fail (a
 * `test.fails` test, or one that catches the failure to assert on its report): it
 * demonstrates the check, it is not a gate, and it counts for nothing; so do all records of
 * `test.fails` tests.
 */
import { relative } from 'node:path'
import { PRACTICES, STAGES, type Stage } from './practices.ts'
import type { FileResult, Verdict } from './protocol.ts'

export type PracticeStatus = 'automated' | 'failing' | 'missing'

/** One check of a practice in one test. */
export interface PracticeCoverage {
  /** `file > full test name`, the file relative to the run's root. */
  test: string
  check: string
  verdict: Verdict
}

export interface PracticeReadiness {
  id: string
  stage: Stage | null
  title: string
  status: PracticeStatus
  /** Every check of this practice that ran, failing first. */
  coverage: PracticeCoverage[]
}

export interface StageReadiness {
  stage: Stage
  /** Automated practices of this stage: its points. */
  automated: number
  failing: number
  practices: number
}

export interface ReadinessLedger {
  /** The lowest stage's points. */
  score: number
  /** The best score possible: the number of practices of the smallest stage. */
  maxScore: number
  stages: StageReadiness[]
  /** The 14 practices, in stage order. */
  practices: PracticeReadiness[]
  /** Practice ids outside the 14 (a third-party check's own), listed but not scored. */
  other: PracticeReadiness[]
  /** Check records counted (expected failures and `test.fails` tests left out). */
  checks: number
}

/** The highest score any run can reach: the smallest stage's practice count. */
export const MAX_READINESS_SCORE = Math.min(...STAGES.map((stage) => PRACTICES.filter((p) => p.stage === stage).length))

const ORDER: Record<Verdict, number> = { fail: 0, inconclusive: 1, pass: 2 }

function statusOf(coverage: PracticeCoverage[]): PracticeStatus {
  if (coverage.some((c) => c.verdict === 'fail')) return 'failing'
  return coverage.some((c) => c.verdict === 'pass') ? 'automated' : 'missing'
}

export function computeReadiness(files: readonly FileResult[], rootDir: string): ReadinessLedger {
  const byPractice = new Map<string, PracticeCoverage[]>()
  let checks = 0
  for (const file of files) {
    const rel = relative(rootDir, file.file).split('\\').join('/') || file.file
    for (const test of file.tests) {
      if (test.expectFail) continue
      for (const record of test.checks) {
        if (record.verdict === 'fail' && test.state !== 'failed') continue
        checks++
        const list = byPractice.get(record.practice) ?? []
        list.push({ test: `${rel} > ${test.fullName}`, check: record.check, verdict: record.verdict })
        byPractice.set(record.practice, list)
      }
    }
  }
  const entry = (id: string, stage: Stage | null, title: string): PracticeReadiness => {
    const coverage = (byPractice.get(id) ?? []).sort((a, b) => ORDER[a.verdict] - ORDER[b.verdict] || (a.test < b.test ? -1 : a.test > b.test ? 1 : 0))
    return { id, stage, title, status: statusOf(coverage), coverage }
  }
  const practices = PRACTICES.map((p) => entry(p.id, p.stage, p.title))
  const known = new Set<string>(PRACTICES.map((p) => p.id))
  const other = [...byPractice.keys()].filter((id) => !known.has(id)).sort().map((id) => entry(id, null, id))
  const stages = STAGES.map((stage) => {
    const of = practices.filter((p) => p.stage === stage)
    return { stage, automated: of.filter((p) => p.status === 'automated').length, failing: of.filter((p) => p.status === 'failing').length, practices: of.length }
  })
  return { score: Math.min(...stages.map((s) => s.automated)), maxScore: MAX_READINESS_SCORE, stages, practices, other, checks }
}

/** `development 2/4, deployment 3/5, monitoring 1/5`. */
export function stageScores(ledger: ReadinessLedger): string {
  return ledger.stages.map((s) => `${s.stage} ${s.automated}/${s.practices}`).join(', ')
}

/** The one line `--min-readiness` prints when the score is below it, or undefined when it is met. */
export function minReadinessFailure(ledger: ReadinessLedger, min: number): string | undefined {
  if (ledger.score >= min) return undefined
  return `readiness score ${ledger.score} is below --min-readiness ${min} (${stageScores(ledger)}; the score is the lowest stage)`
}

export interface FormatReadinessOptions {
  /** Wraps text in a colour (the console passes picocolors); identity by default. */
  paint?: { green(s: string): string; red(s: string): string; dim(s: string): string; bold(s: string): string }
  /** Tests listed per practice (default 3; the rest are counted). */
  maxTests?: number
}

const plain = { green: (s: string) => s, red: (s: string) => s, dim: (s: string) => s, bold: (s: string) => s }

/** The ledger as the console prints it: practices by stage, with the tests that cover them, and the score. */
export function formatReadiness(ledger: ReadinessLedger, options: FormatReadinessOptions = {}): string {
  const c = options.paint ?? plain
  const maxTests = options.maxTests ?? 3
  const mark = (status: PracticeStatus) => (status === 'automated' ? c.green('✓ automated') : status === 'failing' ? c.red('✗ failing  ') : c.dim('· missing  '))
  const lines = [c.bold('Production readiness') + c.dim(' (ML Test Score: a point per automated practice; the score is the lowest stage)')]
  const practiceLines = (p: PracticeReadiness) => {
    const out = [`    ${mark(p.status)}  ${p.id}${p.stage ? c.dim(` — ${p.title}`) : ''}`]
    const tests = [...new Map(p.coverage.map((cov) => [`${cov.test}|${cov.check}`, cov])).values()]
    for (const cov of tests.slice(0, maxTests)) out.push(c.dim(`        ${cov.test} (${cov.check}: ${cov.verdict})`))
    if (tests.length > maxTests) out.push(c.dim(`        … and ${tests.length - maxTests} more`))
    return out
  }
  for (const stage of ledger.stages) {
    lines.push(`  ${c.bold(stage.stage.padEnd(12))} ${stage.automated}/${stage.practices}`)
    for (const p of ledger.practices.filter((x) => x.stage === stage.stage)) lines.push(...practiceLines(p))
  }
  if (ledger.other.length) {
    lines.push(`  ${c.bold('other')} ${c.dim('(not scored)')}`)
    for (const p of ledger.other) lines.push(...practiceLines(p))
  }
  lines.push(`Readiness score ${c.bold(`${ledger.score} of ${ledger.maxScore}`)} ${c.dim(`(${stageScores(ledger)})`)}`)
  return lines.join('\n')
}
