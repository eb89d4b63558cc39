// The junit reporter: output of a real run validates against the strict Ant schema with
// xmllint, failures and errors are told apart, properties carry annotations and checks, and
// any string (control characters, lone surrogates, markup, very long text) still gives
// well-formed, valid XML whose values read back as written (fast-check).
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import t from 'tap'
import type { TestResult } from '../../core/protocol.ts'
import type { RunResult } from '../../core/reporter.ts'
import { renderJunit } from '../../reporters/junit/index.ts'
import { xmlSafe } from '../../reporters/junit/xml-text.ts'
import { cli, writeProject } from './_project.ts'
import { validateJunit, xmllintMissing } from '../xsd.ts'

// Every test here reads or validates XML with xmllint.
if (xmllintMissing) t.plan(0, xmllintMissing)

const scratch = mkdtempSync(join(tmpdir(), 'mltest-junit-'))
t.teardown(() => rmSync(scratch, { recursive: true, force: true }))

function validate(xml: string): { ok: boolean; output: string } {
  const file = join(scratch, 'doc.xml')
  writeFileSync(file, xml)
  return validateJunit(file)
}

function xpath(xml: string, expr: string): string {
  const file = join(scratch, 'query.xml')
  writeFileSync(file, xml)
  const r = spawnSync('xmllint', ['--xpath', expr, file], { encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`xmllint --xpath failed: ${r.stderr}`)
  return r.stdout.replace(/\n$/, '')
}

t.test('a real run gives a schema-valid report with failures, errors, skips and properties', async (t) => {
  const project = writeProject()
  t.teardown(project.cleanup)
  const r = cli(['run', '--seed', '7', '--workers', '2', '--reporter', 'junit:out/junit.xml'], project.dir)
  t.equal(r.status, 1, 'the project has failures')
  const xml = readFileSync(join(project.dir, 'out/junit.xml'), 'utf8')
  const valid = validate(xml)
  t.ok(valid.ok, valid.output)

  const suite = (name: string) => `//testsuite[@name="${name}"]`
  t.equal(xpath(xml, `string(${suite('b-mixed.mltest.ts')}/@failures)`), '1', 'the assertion failure is a <failure>')
  t.equal(xpath(xml, `string(${suite('b-mixed.mltest.ts')}/@errors)`), '2', 'the TypeError and the Error are <error>s')
  t.equal(xpath(xml, `string(${suite('b-mixed.mltest.ts')}/@skipped)`), '3', 'skip, todo and inconclusive are <skipped>')
  t.equal(xpath(xml, `string(${suite('b-mixed.mltest.ts')}/testcase[@name="model > equal objects"]/failure/@type)`), 'Error')
  t.equal(xpath(xml, `string(${suite('b-mixed.mltest.ts')}/testcase[@name="model > throws a TypeError"]/error/@type)`), 'TypeError')
  t.match(xpath(xml, `string(${suite('b-mixed.mltest.ts')}/testcase[@name="model > later"]/skipped/@message)`), 'todo')
  t.equal(xpath(xml, `string(${suite('b-mixed.mltest.ts')}/testcase[@name="model > inconclusive drift"]/skipped/@message)`), 'inconclusive: checkDrift: n = 40 is below the 120 samples the test needs for 80% power', "the check's reason")
  t.equal(xpath(xml, `string(${suite('d-timeout.mltest.ts')}/testcase[@name="slow"]/error/@type)`), 'TimeoutError', 'a timeout is an <error>')
  t.match(xpath(xml, `string(${suite('c-broken.mltest.ts')}/testcase[@name="(file error)"]/error/@message)`), 'cannot load the model registry')
  t.equal(xpath(xml, `count(${suite('b-mixed.mltest.ts')}/testcase[@name="model > known bug"]/*)`), '0', 'test.fails that failed passes')

  const prop = (name: string) => xpath(xml, `string(//property[@name="${name}"]/@value)`)
  t.equal(prop('adds :: accuracy'), '0.93', 'annotation')
  t.equal(prop('stable check :: checkStability.maxAbsError'), '1e-7', 'check metric')
  t.equal(prop('stable check :: checkStability.verdict'), 'pass', 'check verdict')
  t.equal(prop('stable check :: checkStability.practice'), 'numerical-stability', 'check practice')
  t.equal(prop('model > inconclusive drift :: checkDrift.pValue'), '0.07')
  t.equal(prop('adds :: loss'), '0.30000000000000004', 'properties keep full precision')
  t.equal(prop('mltest.seed'), '7')

  const out = xpath(xml, `string(${suite('a-pass.mltest.ts')}/system-out)`)
  t.match(out, 'top-level log of a-pass', 'file-level output in system-out')
  t.match(out, '--- adds ---\ninside adds', 'test output in system-out under its name')
  t.match(xpath(xml, `string(${suite('a-pass.mltest.ts')}/system-err)`), 'warning from adds', 'stderr in system-err')

  t.test('the schema check bites: the same report without a hostname is rejected', async (t) => {
    const broken = xml.replace(/ hostname="[^"]*"/, '')
    t.notOk(validate(broken).ok)
  })
})

t.test('--inconclusive fail makes an inconclusive verdict a <failure>', async (t) => {
  const project = writeProject()
  t.teardown(project.cleanup)
  cli(['run', 'b-mixed.mltest.ts', '--inconclusive', 'fail', '--reporter', 'junit:j.xml'], project.dir)
  const xml = readFileSync(join(project.dir, 'j.xml'), 'utf8')
  t.ok(validate(xml).ok)
  t.equal(xpath(xml, 'string(//testcase[@name="model > inconclusive drift"]/failure/@type)'), 'Inconclusive')
  t.equal(xpath(xml, 'string(//testcase[@name="model > inconclusive drift"]/failure/@message)'), 'checkDrift: n = 40 is below the 120 samples the test needs for 80% power')
})

t.test('an inconclusive check without a reason leaves the test its own reason', async (t) => {
  const base = { file: '/p/a.mltest.ts', suitePath: [], tags: [], durationMs: 1, attempts: 1, expectFail: false, seed: 1, annotations: [], logs: [] }
  const check = { practice: 'drift', verdict: 'inconclusive' as const, metrics: {} }
  const tests: TestResult[] = [
    { ...base, id: '1', name: 'old', fullName: 'old', state: 'inconclusive', reason: 'p = 0.07, n = 40', checks: [{ ...check, check: 'checkDrift', summary: 'p = 0.07, n = 40' }] },
    {
      ...base, id: '2', name: 'two', fullName: 'two', state: 'inconclusive', reason: 'summary of the first',
      checks: [{ ...check, check: 'benchOnnx', reason: 'batch 1: only 3 of the 20 minimum iterations fit in maxTimeMs 5 ms' }, { ...check, check: 'toMeetBudget', reason: 'batch 1 p99 needs at least 368 runs for an upper bound; 3 ran' }],
    },
  ]
  const run: RunResult = {
    rootDir: '/p', seed: 1, startedAt: new Date(0).toISOString(), durationMs: 1, notRun: [], runErrors: [],
    files: [{ file: '/p/a.mltest.ts', durationMs: 1, errors: [], tests }],
    summary: { passed: 0, failed: 0, skipped: 0, todo: 0, inconclusive: 2, fileErrors: 0, durationMs: 1 },
  }
  const xml = renderJunit(run)
  t.ok(validate(xml).ok)
  t.equal(xpath(xml, 'string(//testcase[@name="old"]/skipped/@message)'), 'inconclusive: p = 0.07, n = 40')
  t.equal(
    xpath(xml, 'string(//testcase[@name="two"]/skipped/@message)'),
    'inconclusive: benchOnnx: batch 1: only 3 of the 20 minimum iterations fit in maxTimeMs 5 ms; toMeetBudget: batch 1 p99 needs at least 368 runs for an upper bound; 3 ran',
  )
})

// Strings built to hurt: control characters, lone surrogates, markup, whitespace, astral
// characters, ANSI escapes.
const nasty = fc
  .array(
    fc.oneof(
      fc.string({ unit: 'binary', maxLength: 4 }),
      fc.integer({ min: 0, max: 0x1f }).map((n) => String.fromCharCode(n)),
      fc.integer({ min: 0xd800, max: 0xdfff }).map((n) => String.fromCharCode(n)),
      fc.constantFrom('<', '>', '&', '"', "'", ']]>', '\r\n', '\t', ' ', '  ', '\u001b[31m', '\uFFFE', '\uFFFF', '&amp;', '<!--', '\u0085', '\u2028'),
    ),
    { maxLength: 24 },
  )
  .map((parts) => parts.join('').replace(/\uFDD0/g, ''))

function sampleRun(name: string, message: string, log: string, key: string, value: string, file: string): RunResult {
  const base = { file, suitePath: [], tags: [], durationMs: 1.5, attempts: 1, expectFail: false, seed: 1, checks: [], location: undefined }
  const failed: TestResult = {
    ...base, id: '1', name, fullName: name, state: 'failed',
    error: { kind: 'assertion', name: 'AssertionError', message, stack: `AssertionError: ${message}\n    at ${file}:1:1`, diff: message },
    annotations: [{ key, value }], logs: [{ stream: 'stdout', text: log }, { stream: 'stderr', text: log }],
  }
  const skipped: TestResult = { ...base, id: '2', name: message, fullName: message, state: 'skipped', reason: log, annotations: [], logs: [] }
  const errored: TestResult = { ...base, id: '3', name: key, fullName: key, state: 'failed', error: { kind: 'crash', name: value, message: log }, annotations: [], logs: [] }
  return {
    rootDir: '/', seed: 1, startedAt: new Date(0).toISOString(), durationMs: 3,
    files: [{ file, durationMs: 3, errors: [{ kind: 'error', name, message }], tests: [failed, skipped, errored], logs: [{ stream: 'stdout', text: log }] }],
    summary: { passed: 0, failed: 2, skipped: 1, todo: 0, inconclusive: 0, fileErrors: 1, durationMs: 3 },
    notRun: [file], runErrors: [message],
    environment: { mltestVersion: '0', node: 'v20', platform: 'linux', arch: 'x64', cpuModel: name, cpuCount: 1, totalMemoryMb: 1, hostname: key },
  }
}

t.test('any strings give well-formed, schema-valid XML that reads back as written', async (t) => {
  fc.assert(
    fc.property(nasty, nasty, nasty, nasty, nasty, nasty, (name, message, log, key, value, file) => {
      const xml = renderJunit(sampleRun(name, message, log, key, value, `/${file}`))
      const valid = validate(xml)
      if (!valid.ok) throw new Error(`invalid XML: ${valid.output}`)
      const sep = '\uFDD0'
      const got = xpath(xml, `concat(//testcase[1]/@name, "${sep}", //testcase[1]/failure/@message, "${sep}", //testsuite[1]/system-out, "${sep}", //property[2]/@name)`).split(sep)
      const expected = [xmlSafe(name), xmlSafe(message), xmlSafe(`${log}\n--- ${name} ---\n${log}`), xmlSafe(`${name} :: ${key}`)]
      t.strictSame(got, expected)
    }),
    { numRuns: 40 },
  )
})

t.test('very long text stays valid', async (t) => {
  const long = 'α<&\u0000'.repeat(20_000)
  const valid = validate(renderJunit(sampleRun(long, long, long, long, long, '/long.ts')))
  t.ok(valid.ok, valid.output)
})

t.test('xmlSafe keeps what XML can hold and spells out the rest', async (t) => {
  t.equal(xmlSafe('a\tb\nc\rd é 😀'), 'a\tb\nc\rd é 😀')
  t.equal(xmlSafe('\u0000\u0001\u001f'), '\\u0000\\u0001\\u001F')
  t.equal(xmlSafe('x\uD800y\uDFFFz'), 'x\\uD800y\\uDFFFz', 'lone surrogates')
  t.equal(xmlSafe('\uFFFE\uFFFF'), '\\uFFFE\\uFFFF')
  t.equal(xmlSafe('\u001b[31mred\u001b[0m'), 'red', 'ANSI colour codes dropped')
})
