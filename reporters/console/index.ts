/**
 * The console reporter. On a TTY: a live progress line (files done/total, the test running,
 * elapsed time), failures printed as they happen with a code frame, the diff and a cleaned
 * stack, then a summary. Not on a TTY, or with `CI=true`: plain lines, no cursor movement.
 * The very last line is always `mltest: N passed, N failed, N skipped[, ...]`.
 */
import { relative } from 'node:path'
import { createColors } from 'picocolors'
import { formatNumber, formatReadiness, summaryLine, type CheckRecord, type FileResult, type LogEntry, type Reporter, type ReporterOptions, type RunResult, type RunStart, type SerializedError, type TestResult } from 'mltest/plugin'
import { inconclusiveFailuresLine, inconclusiveReason } from '../inconclusive-reason.ts'
import { codeFrame } from './code-frame.ts'

export interface ConsoleReporterOptions extends ReporterOptions {
  stream?: NodeJS.WriteStream
  /** Live progress line; default: the stream is a TTY and `CI` is not set. */
  live?: boolean
}

export function consoleReporter(options: ConsoleReporterOptions): Reporter {
  const out = options.stream ?? process.stdout
  const c = createColors(options.color)
  const live = options.live ?? (Boolean(out.isTTY) && !process.env.CI)
  const rel = (file: string) => relative(options.rootDir, file) || file
  let total = 0
  let seed = 0
  let filesDone = 0
  let startedAt = 0
  let statusShown = false
  let ticker: ReturnType<typeof setInterval> | undefined
  const runningTests = new Map<string, string>()

  const clearStatus = () => {
    if (statusShown) out.write('\r\u001b[2K')
    statusShown = false
  }
  const drawStatus = () => {
    if (!live) return
    clearStatus()
    const current = [...runningTests.values()].at(-1)
    const elapsed = ((Date.now() - startedAt) / 1000).toFixed(1)
    const line = `${c.cyan('RUN')} ${filesDone}/${total} files · ${elapsed}s${current ? ` · ${current}` : ''}`
    out.write(line.slice(0, (out.columns || 100) - 1 + (line.length - stripLength(line))))
    statusShown = true
  }
  const print = (text: string) => {
    clearStatus()
    out.write(text.endsWith('\n') ? text : text + '\n')
    drawStatus()
  }

  const stateMark = (r: TestResult) =>
    ({ passed: c.green('✓'), failed: c.red('✗'), skipped: c.yellow('↓'), todo: c.magenta('…'), inconclusive: c.yellow('?') })[r.state]

  const formatChecks = (checks: CheckRecord[]) =>
    checks.map((k) => `    ${c.dim('▸')} ${k.check} [${k.practice}] ${verdictColor(k.verdict)}${k.summary ? ` — ${k.summary}` : ''}`).join('\n')
  const formatAnnotations = (annotations: TestResult['annotations']) =>
    `    ${c.dim('▸')} ${annotations.map((a) => `${a.key} ${c.dim('=')} ${typeof a.value === 'number' ? formatNumber(a.value) : String(a.value)}`).join(c.dim(' · '))}`
  const verdictColor = (v: CheckRecord['verdict']) => (v === 'pass' ? c.green(v) : v === 'fail' ? c.red(v) : c.yellow(v))

  const formatError = (error: SerializedError, indent = '  '): string => {
    const lines = [c.red(`${error.name}: ${error.message}`)]
    if (error.diff && !error.message.includes(error.diff.split('\n')[0]!)) lines.push(error.diff)
    if (error.location) {
      const frame = codeFrame(error.location, options.color)
      if (frame) lines.push('', c.dim(`${rel(error.location.file)}:${error.location.line}:${error.location.column}`), frame)
    }
    const frames = error.stack?.split('\n').filter((l) => /^\s+at /.test(l))
    if (frames?.length) lines.push(c.dim(frames.slice(0, 8).join('\n')))
    if (error.cause) lines.push(`${c.dim('Caused by:')} ${formatError(error.cause, '').trimStart()}`)
    return lines.join('\n').replace(/^/gm, indent)
  }

  const formatFailure = (r: TestResult & { state: 'failed' }) => {
    const head = `${c.bgRed(c.white(' FAIL '))} ${rel(r.file)} ${c.dim('>')} ${r.fullName}${r.attempts > 1 ? c.dim(` (after ${r.attempts} attempts)`) : ''}`
    const parts = [head, formatError(r.error)]
    if (r.checks.length) parts.push(formatChecks(r.checks))
    if (r.annotations.length) parts.push(formatAnnotations(r.annotations))
    if (r.logs.length) parts.push(c.dim('  captured output:\n') + r.logs.map((l) => `    ${l.text.trimEnd()}`).join('\n'))
    parts.push(c.dim(`  replay: mltest run ${rel(r.file)} --seed ${seed} -t ${exactNamePattern(r.fullName)}`))
    return parts.join('\n') + '\n'
  }

  return {
    onRunStart(run: RunStart) {
      total = run.files.length
      seed = run.seed
      startedAt = Date.now()
      const isolate = run.isolate === 'none' ? '' : ` · isolate ${run.isolate}`
      const shard = run.shard ? ` · shard ${run.shard.index}/${run.shard.count}` : ''
      print(`${c.bold('mltest')} · seed ${run.seed} · ${run.workers} worker${run.workers === 1 ? '' : 's'}${isolate} · ${total} file${total === 1 ? '' : 's'}${shard}`)
      if (live) ticker = setInterval(drawStatus, 100)
      ticker?.unref()
    },
    onTestStart(file, testId) {
      runningTests.set(file, testId.slice(testId.indexOf('::') + 2))
    },
    onTestResult(r) {
      runningTests.delete(r.file)
      if (r.state === 'failed') print(formatFailure(r))
    },
    onLog(file: string, testId: string | null, entry: LogEntry) {
      const who = testId ? testId.replace('::', ' > ') : rel(file)
      print(`${c.dim(`${entry.stream} | ${who}`)}\n${entry.text.trimEnd()}`)
    },
    onFileResult(file: FileResult) {
      filesDone++
      runningTests.delete(file.file)
      const counts = countStates(file.tests)
      const bad = counts.failed > 0 || file.errors.length > 0
      const mark = bad ? c.red('✗') : c.green('✓')
      const detail = [`${file.tests.length} test${file.tests.length === 1 ? '' : 's'}`]
      if (counts.failed) detail.push(c.red(`${counts.failed} failed`))
      if (file.errors.length) detail.push(c.red(`${file.errors.length} error${file.errors.length === 1 ? '' : 's'}`))
      const lines = [`${mark} ${rel(file.file)} ${c.dim(`(${detail.join(', ')}, ${Math.round(file.durationMs)} ms)`)}`]
      for (const error of file.errors) lines.push(`${c.bgRed(c.white(' ERROR '))} ${rel(file.file)}\n${formatError(error)}`)
      for (const t of file.tests) {
        const showState = t.state !== 'passed' && t.state !== 'failed'
        const flaky = t.state === 'passed' && t.flaky === true
        // Failed tests showed their figures with the failure already.
        const showChecks = t.checks.length > 0 && t.state !== 'failed'
        const showAnnotations = t.annotations.length > 0 && t.state !== 'failed'
        if (!showState && !flaky && !showChecks && !showAnnotations) continue
        const note = t.state === 'inconclusive' ? c.yellow(` — inconclusive: ${inconclusiveReason(t)}`) : flaky ? c.yellow(` (flaky: passed on attempt ${t.attempts})`) : ''
        const head = `  ${stateMark(t)} ${showState ? c.dim(t.fullName) : t.fullName}${note}`
        lines.push([head, ...(showChecks ? [formatChecks(t.checks)] : []), ...(showAnnotations ? [formatAnnotations(t.annotations)] : [])].join('\n'))
      }
      print(lines.join('\n'))
    },
    onRunEnd(run: RunResult) {
      if (ticker) clearInterval(ticker)
      clearStatus()
      const s = run.summary
      const failed = run.files.flatMap((f) => f.tests.filter((t) => t.state === 'failed').map((t) => `${rel(f.file)} > ${t.fullName}`))
      const lines = ['']
      if (failed.length) lines.push(c.red(c.bold('Failed tests:')), ...failed.map((name) => `  ${c.red('✗')} ${name}`), '')
      const withErrors = run.files.filter((f) => f.errors.length > 0).map((f) => rel(f.file))
      if (withErrors.length) lines.push(c.red(c.bold('Files with errors:')), ...withErrors.map((f) => `  ${c.red('!')} ${f}`), '')
      const flaky = run.files.flatMap((f) => f.tests.filter((t) => t.state === 'passed' && t.flaky).map((t) => `${rel(f.file)} > ${t.fullName} (passed on attempt ${t.attempts})`))
      if (flaky.length) lines.push(c.yellow(c.bold('Flaky tests (passed on retry):')), ...flaky.map((name) => `  ${c.yellow('~')} ${name}`), '')
      for (const error of run.runErrors) lines.push(c.red(`run error: ${error}`))
      if (run.notRun.length) lines.push(c.yellow(`not run (${run.interrupted ? `interrupted by ${run.interrupted}` : 'bail'}): ${run.notRun.length} file${run.notRun.length === 1 ? '' : 's'}`))
      lines.push(`${c.dim('Files   ')} ${run.files.length}${withErrors.length ? c.red(` (${withErrors.length} with errors)`) : ''}`)
      lines.push(`${c.dim('Seed    ')} ${run.seed} ${c.dim(`(replay: --seed ${run.seed})`)}`)
      lines.push(`${c.dim('Duration')} ${(run.durationMs / 1000).toFixed(2)} s`)
      if (run.config?.inconclusive === 'fail' && s.inconclusive > 0) lines.push(c.red(inconclusiveFailuresLine(s.inconclusive)))
      // --readiness: the ledger just above the closing line, which stays last.
      if (run.config?.readiness && run.readiness) lines.push('', formatReadiness(run.readiness, { paint: c }))
      lines.push(summaryLine(s))
      out.write(lines.join('\n') + '\n')
    },
  }
}

function countStates(tests: TestResult[]) {
  return { failed: tests.filter((t) => t.state === 'failed').length }
}

function stripLength(text: string): number {
  return text.replace(/\u001b\[[0-9;]*m/g, '').length
}

/** `-t` takes a regular expression: the exact name, escaped and anchored, single-quoted for a shell. */
function exactNamePattern(fullName: string): string {
  const pattern = `^${fullName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`
  return `'${pattern.replace(/'/g, `'\\''`)}'`
}
