/**
 * The junit reporter: one XML file valid against the strict Apache Ant JUnit schema, which
 * Jenkins, GitLab and the GitHub test-report actions all read. One `<testsuite>` per test
 * file; an assertion failure is a `<failure>`, anything else (exception, timeout, crash) an
 * `<error>`; skipped and todo tests are `<skipped>`. Annotations and check results become
 * suite properties named `<full test name> :: <key>`, because the Ant schema has no
 * per-testcase properties; so do `attempts` after a retry and `flaky` (passed on a retry).
 * Captured logs go to the suite's `system-out`/`system-err`.
 */
import { hostname } from 'node:os'
import { dirname, relative } from 'node:path'
import type { FileReport, LogEntry, Reporter, ReporterOptions, RunResult, TestResult } from 'mltest/plugin'
import { errorText } from '../error-text.ts'
import { inconclusiveReason } from '../inconclusive-reason.ts'
import { writeReportOrStdout } from '../write-report.ts'
import { checkProperties, readinessProperties } from './properties.ts'
import { xmlAttr, xmlSafe, xmlText } from './xml-text.ts'

export function junitReporter(options: ReporterOptions): Reporter {
  return {
    onRunEnd(run: RunResult) {
      writeReportOrStdout('junit', options.outputFile, renderJunit(run))
    },
  }
}

interface Case {
  name: string
  time: number
  /** The element inside `<testcase>`, if any. */
  body?: string
  kind: 'passed' | 'failure' | 'error' | 'skipped'
}

interface Suite {
  name: string
  time: number
  properties: Array<[string, string]>
  cases: Case[]
  stdout: string
  stderr: string
}

/** A value for an `xs:token` attribute with a minimum length: blank values get `fallback`. */
const token = (value: string, fallback: string) => (xmlSafe(value).replace(/[ \t\n\r]/g, '') === '' ? fallback : value)
const seconds = (ms: number) => (Number.isFinite(ms) && ms > 0 ? ms / 1000 : 0).toFixed(3)

function problem(tag: 'failure' | 'error', type: string, message: string, text: string): string {
  return `<${tag} message="${xmlAttr(message)}" type="${xmlAttr(type)}">${xmlText(text)}</${tag}>`
}

function skipped(message: string): string {
  return `<skipped message="${xmlAttr(message)}"/>`
}

function testCase(test: TestResult, inconclusiveFails: boolean): Case {
  const base = { name: test.fullName, time: test.durationMs }
  switch (test.state) {
    case 'passed':
      return { ...base, kind: 'passed' }
    case 'failed': {
      const tag = test.error.kind === 'assertion' ? 'failure' : 'error'
      const checks = test.checks.map((c) => `${c.check} [${c.practice}] ${c.verdict}${c.summary ? ` — ${c.summary}` : ''}`)
      const text = [errorText(test.error), ...(checks.length ? ['', ...checks] : [])].join('\n')
      return { ...base, kind: tag, body: problem(tag, test.error.name, test.error.message, text) }
    }
    case 'skipped':
      return { ...base, kind: 'skipped', body: skipped(test.reason ?? 'skipped') }
    case 'todo':
      return { ...base, kind: 'skipped', body: skipped('todo') }
    case 'inconclusive': {
      const reason = inconclusiveReason(test)
      if (inconclusiveFails) return { ...base, kind: 'failure', body: problem('failure', 'Inconclusive', reason, `inconclusive: ${reason}`) }
      return { ...base, kind: 'skipped', body: skipped(`inconclusive: ${reason}`) }
    }
  }
}

function logsOf(file: FileReport, stream: LogEntry['stream']): string {
  const parts: string[] = []
  const own = (file.logs ?? []).filter((l) => l.stream === stream)
  if (own.length) parts.push(own.map((l) => l.text).join(''))
  for (const test of file.tests) {
    const logs = test.logs.filter((l) => l.stream === stream)
    if (logs.length) parts.push(`--- ${test.fullName} ---\n${logs.map((l) => l.text).join('')}`)
  }
  return parts.join('\n')
}

function fileSuite(run: RunResult, file: FileReport, name: string): Suite {
  const inconclusiveFails = run.config?.inconclusive === 'fail'
  const cases = file.tests.map((test) => testCase(test, inconclusiveFails))
  file.errors.forEach((error, i) => {
    cases.push({ name: i === 0 ? '(file error)' : `(file error ${i + 1})`, time: 0, kind: 'error', body: problem('error', error.name, error.message, errorText(error)) })
  })
  const properties: Array<[string, string]> = [['mltest.seed', String(run.seed)], ...interruptedProperty(run)]
  for (const test of file.tests) {
    for (const a of test.annotations) properties.push([`${test.fullName} :: ${a.key}`, String(a.value)])
    properties.push(...checkProperties(test))
    if (test.state === 'failed' || test.state === 'inconclusive') properties.push([`${test.fullName} :: seed`, String(test.seed)])
    if (test.attempts > 1) properties.push([`${test.fullName} :: attempts`, String(test.attempts)])
    if (test.state === 'passed' && test.flaky) properties.push([`${test.fullName} :: flaky`, 'true'])
  }
  return { name, time: file.durationMs, properties, cases, stdout: logsOf(file, 'stdout'), stderr: logsOf(file, 'stderr') }
}

/** An interrupted run (SIGINT, SIGTERM) says so in every suite: the Ant schema has no run-level properties. */
function interruptedProperty(run: RunResult): Array<[string, string]> {
  return run.interrupted ? [['mltest.interrupted', run.interrupted]] : []
}

function suitesOf(run: RunResult): Suite[] {
  const rel = (file: string) => relative(run.rootDir, file).split('\\').join('/') || file
  const suites = run.files.map((file) => fileSuite(run, file, rel(file.file)))
  const notRunReason = run.interrupted ? `not run: the run was interrupted (${run.interrupted}) first` : 'not run: --bail stopped the run first'
  for (const file of run.notRun) {
    suites.push({ name: rel(file), time: 0, properties: interruptedProperty(run), cases: [{ name: '(not run)', time: 0, kind: 'skipped', body: skipped(notRunReason) }], stdout: '', stderr: '' })
  }
  const readiness = readinessProperties(run)
  if (readiness.length) suites.push({ name: 'mltest readiness', time: 0, properties: readiness, cases: [], stdout: '', stderr: '' })
  if (run.runErrors.length) {
    const cases = run.runErrors.map((message, i): Case => ({ name: `(run error ${i + 1})`, time: 0, kind: 'error', body: problem('error', 'RunError', message, message) }))
    suites.push({ name: 'mltest', time: 0, properties: interruptedProperty(run), cases, stdout: '', stderr: '' })
  }
  return suites
}

/** The whole document. Timestamps are UTC without a zone, as the Ant schema requires. */
export function renderJunit(run: RunResult): string {
  const started = new Date(run.startedAt)
  const timestamp = (Number.isNaN(started.getTime()) ? new Date(0) : started).toISOString().slice(0, 19)
  const host = xmlAttr(token(run.environment?.hostname ?? hostname(), 'localhost'))
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<testsuites>']
  suitesOf(run).forEach((suite, id) => {
    const count = (kind: Case['kind']) => suite.cases.filter((c) => c.kind === kind).length
    const name = token(suite.name, '(unnamed)')
    lines.push(
      `  <testsuite name="${xmlAttr(name)}" package="${xmlAttr(token(dirname(name), '.'))}" id="${id}" timestamp="${timestamp}" hostname="${host}" ` +
        `tests="${suite.cases.length}" failures="${count('failure')}" errors="${count('error')}" skipped="${count('skipped')}" time="${seconds(suite.time)}">`,
    )
    lines.push('    <properties>')
    for (const [name, value] of suite.properties) lines.push(`      <property name="${xmlAttr(name)}" value="${xmlAttr(value)}"/>`)
    lines.push('    </properties>')
    for (const c of suite.cases) {
      const open = `    <testcase name="${xmlAttr(c.name)}" classname="${xmlAttr(name)}" time="${seconds(c.time)}"`
      lines.push(c.body ? `${open}>${c.body}</testcase>` : `${open}/>`)
    }
    lines.push(`    <system-out>${xmlText(suite.stdout)}</system-out>`)
    lines.push(`    <system-err>${xmlText(suite.stderr)}</system-err>`)
    lines.push('  </testsuite>')
  })
  lines.push('</testsuites>')
  return lines.join('\n') + '\n'
}
