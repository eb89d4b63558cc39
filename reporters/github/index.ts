/**
 * The github reporter. Under GitHub Actions (`GITHUB_ACTIONS=true`) it prints an `::error`
 * annotation for every failed test and file error (at the failing line, so it shows in the
 * pull request's diff) and a `::warning` for inconclusive verdicts, and it appends a job
 * summary to `$GITHUB_STEP_SUMMARY`. Elsewhere it stays quiet, so one config serves a
 * laptop and CI; `--reporter github:PATH` also writes the summary Markdown to PATH.
 */
import { appendFileSync } from 'node:fs'
import { isAbsolute, relative } from 'node:path'
import type { Reporter, ReporterOptions, RunResult, SerializedError, SourceLocation } from 'mltest/plugin'
import { errorText } from '../error-text.ts'
import { ReportWriteError, writeReport } from '../write-report.ts'
import { workflowCommand, type AnnotationProperties } from './commands.ts'
import { jobSummary } from './summary.ts'

const MAX_MESSAGE = 4000

function messageOf(error: SerializedError): string {
  const text = errorText(error, { frames: false })
  return text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE)}\n… (cut; see the job log)` : text
}

export function githubReporter(options: ReporterOptions): Reporter {
  return {
    onRunEnd(run: RunResult) {
      const workspace = process.env.GITHUB_WORKSPACE || process.cwd()
      const path = (file: string) => {
        const rel = relative(workspace, file)
        return (rel.startsWith('..') || isAbsolute(rel) ? file : rel).split('\\').join('/')
      }
      const where = (file: string, location?: SourceLocation): AnnotationProperties =>
        location ? { file: path(location.file), line: location.line, col: location.column } : { file: path(file) }

      if (process.env.GITHUB_ACTIONS === 'true') {
        const lines: string[] = []
        for (const file of run.files) {
          for (const test of file.tests) {
            if (test.state === 'failed') lines.push(workflowCommand('error', { ...where(test.file, test.error.location ?? test.location), title: test.fullName }, messageOf(test.error)))
            if (test.state === 'inconclusive') lines.push(workflowCommand('warning', { ...where(test.file, test.location), title: `inconclusive: ${test.fullName}` }, test.reason))
          }
          for (const error of file.errors) lines.push(workflowCommand('error', { ...where(file.file, error.location), title: 'file error' }, messageOf(error)))
        }
        for (const error of run.runErrors) lines.push(workflowCommand('error', { title: 'mltest run error' }, error))
        if (lines.length) process.stdout.write(lines.join('\n') + '\n')
      }

      const summary = jobSummary(run, run.rootDir)
      const stepSummary = process.env.GITHUB_STEP_SUMMARY
      if (stepSummary && process.env.GITHUB_ACTIONS === 'true') {
        try {
          appendFileSync(stepSummary, summary)
        } catch (error) {
          throw new ReportWriteError(`cannot append the job summary to $GITHUB_STEP_SUMMARY=${stepSummary} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`)
        }
      }
      if (options.outputFile) writeReport('github', options.outputFile, summary)
    },
  }
}
