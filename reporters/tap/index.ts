/**
 * The tap reporter: TAP version 14, one subtest per test file, written when the file ends
 * (files run in parallel, so their tests interleave). Failures carry a YAML diagnostic
 * block (message, location, diff, stack, seed, checks, captured output); skipped tests are
 * `# SKIP`, todo tests `# TODO`. Written to stdout, or to PATH with `--reporter tap:PATH`.
 */
import { relative } from 'node:path'
import { stringify } from 'yaml'
import type { FileReport, Reporter, ReporterOptions, RunResult, RunStart, SerializedError, TestResult } from 'mltest/plugin'
import { extraDiff, stackFrames } from '../error-text.ts'
import { inconclusiveReason } from '../inconclusive-reason.ts'
import { writeReport } from '../write-report.ts'

/** A TAP description or directive reason: one line, `#` and `\` escaped, control characters shown as `\uXXXX`. */
export function tapEscape(text: string): string {
  return text
    .replace(/\\/g, '\\\\')
    .replace(/#/g, '\\#')
    .replace(/\s*[\r\n]+\s*/g, ' ')
    .replace(/[\u0000-\u0008\u000B-\u001F\u007F]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`)
}

function indent(text: string, by: string): string {
  return text.replace(/^(?=.)/gm, by)
}

function errorDiagnostic(error: SerializedError): Record<string, unknown> {
  return {
    message: error.message,
    severity: 'fail',
    name: error.name,
    kind: error.kind,
    ...(error.location ? { at: { file: error.location.file, line: error.location.line, column: error.location.column } } : {}),
    ...(extraDiff(error) ? { diff: extraDiff(error) } : {}),
    ...(stackFrames(error).length ? { stack: stackFrames(error).map((l) => l.trim()).join('\n') } : {}),
    ...(error.cause ? { cause: errorDiagnostic(error.cause) } : {}),
  }
}

function yamlBlock(data: Record<string, unknown>): string {
  return `  ---\n${indent(stringify(data, { lineWidth: 0 }), '  ')}  ...\n`
}

function testPoint(n: number, test: TestResult, inconclusiveFails: boolean): string {
  const name = tapEscape(test.fullName)
  const extra = {
    duration_ms: Math.round(test.durationMs * 1000) / 1000,
    seed: test.seed,
    ...(test.attempts > 1 ? { attempts: test.attempts } : {}),
    ...(test.checks.length ? { checks: test.checks } : {}),
    ...(test.annotations.length ? { annotations: Object.fromEntries(test.annotations.map((a) => [a.key, a.value])) } : {}),
    ...(test.logs.length ? { output: test.logs.map((l) => l.text).join('') } : {}),
  }
  switch (test.state) {
    case 'passed':
      return `ok ${n} - ${name}\n`
    case 'failed':
      return `not ok ${n} - ${name}\n${yamlBlock({ ...errorDiagnostic(test.error), ...extra })}`
    case 'skipped':
      return `ok ${n} - ${name} # SKIP${test.reason ? ` ${tapEscape(test.reason)}` : ''}\n`
    case 'todo':
      return `not ok ${n} - ${name} # TODO\n`
    case 'inconclusive': {
      const reason = inconclusiveReason(test)
      if (inconclusiveFails) return `not ok ${n} - ${name}\n${yamlBlock({ message: `inconclusive: ${reason}`, severity: 'fail', ...extra })}`
      return `ok ${n} - ${name} # SKIP ${tapEscape(`inconclusive: ${reason}`)}\n`
    }
  }
}

export function tapReporter(options: ReporterOptions): Reporter {
  const chunks: string[] = []
  const emit = (text: string) => (options.outputFile ? chunks.push(text) : process.stdout.write(text))
  let rootDir = options.rootDir
  let inconclusiveFails = false
  let points = 0

  return {
    onRunStart(run: RunStart) {
      rootDir = run.rootDir
      inconclusiveFails = run.config?.inconclusive === 'fail'
      emit('TAP version 14\n')
    },
    onFileResult(file: FileReport) {
      const name = tapEscape(relative(rootDir, file.file).split('\\').join('/') || file.file)
      const lines: string[] = []
      let n = 0
      for (const test of file.tests) lines.push(testPoint(++n, test, inconclusiveFails))
      for (const error of file.errors) lines.push(`not ok ${++n} - ${tapEscape(`(file error) ${error.message.split('\n')[0]}`)}\n${yamlBlock(errorDiagnostic(error))}`)
      lines.push(`1..${n}\n`)
      const failed = file.errors.length > 0 || file.tests.some((t) => t.state === 'failed' || (t.state === 'inconclusive' && inconclusiveFails))
      emit(`# Subtest: ${name}\n${indent(lines.join(''), '    ')}${failed ? 'not ok' : 'ok'} ${++points} - ${name}\n`)
    },
    onRunEnd(run: RunResult) {
      for (const error of run.runErrors) emit(`not ok ${++points} - ${tapEscape(`(run error) ${error}`)}\n`)
      if (run.interrupted) emit(`Bail out! interrupted by ${run.interrupted}; ${run.notRun.length} file${run.notRun.length === 1 ? '' : 's'} not run\n`)
      else if (run.notRun.length) emit(`Bail out! --bail stopped the run; ${run.notRun.length} file${run.notRun.length === 1 ? '' : 's'} not run\n`)
      else emit(`1..${points}\n`)
      if (options.outputFile) writeReport('tap', options.outputFile, chunks.join(''))
    },
  }
}
