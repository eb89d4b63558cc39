// End-to-end: runner semantics compared with vitest and pytest (issue 11, items 11 and 12) —
// teardown hooks in reverse order of declaration, the closing line when no test is found
// and with `--reporter github` alone, an error thrown by a stray timer after its file
// finished, tests that passed only on retry (flaky), and `--changed` ignoring `import type`.
import { execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { makeProject, runCli } from './run-cli.ts'

const CLOSING_EMPTY = 'mltest: 0 passed, 0 failed, 0 skipped'

interface JsonTest {
  fullName: string
  state: string
  attempts: number
  flaky?: boolean
}
interface JsonRun {
  files: Array<{ file: string; errors: unknown[]; tests: JsonTest[] }>
  runErrors: string[]
}
const readJson = (dir: string, name: string) => JSON.parse(readFileSync(join(dir, name), 'utf8')) as JsonRun

t.test('teardown mirrors set-up: after-hooks of a block run last declared first', async (t) => {
  const dir = makeProject(t, {
    'order.mltest.ts': `
import { appendFileSync } from 'node:fs'
import { afterAll, afterEach, beforeAll, beforeEach, describe, test } from 'mltest'
const record = (event: string) => appendFileSync(new URL('./order.log', import.meta.url), event + '\\n')
beforeAll(() => record('beforeAll 1'))
beforeAll(() => record('beforeAll 2'))
afterAll(() => record('afterAll 1'))
afterAll(() => record('afterAll 2'))
beforeEach(() => record('beforeEach 1'))
beforeEach(() => record('beforeEach 2'))
afterEach(() => record('afterEach 1'))
afterEach(() => record('afterEach 2'))
describe('inner', () => {
  afterAll(() => record('inner afterAll 1'))
  afterAll(() => record('inner afterAll 2'))
  beforeEach(() => record('inner beforeEach 1'))
  beforeEach(() => record('inner beforeEach 2'))
  afterEach(() => record('inner afterEach 1'))
  afterEach(() => record('inner afterEach 2'))
  test('test', () => record('test'))
})
`,
  })
  const run = await runCli(dir, ['run', '--seed', '1'])
  t.equal(run.code, 0, run.stdout + run.stderr)
  t.same(readFileSync(join(dir, 'order.log'), 'utf8').trim().split('\n'), [
    'beforeAll 1',
    'beforeAll 2',
    'beforeEach 1',
    'beforeEach 2',
    'inner beforeEach 1',
    'inner beforeEach 2',
    'test',
    'inner afterEach 2',
    'inner afterEach 1',
    'afterEach 2',
    'afterEach 1',
    'inner afterAll 2',
    'inner afterAll 1',
    'afterAll 2',
    'afterAll 1',
  ])
})

t.test('the closing line is printed when no test is found', async (t) => {
  const dir = makeProject(t, {
    'empty/.keep': '',
    'one.mltest.ts': `import { test } from 'mltest'\ntest('only one', () => {})\n`,
  })
  const runs = await Promise.all([
    runCli(dir, ['run', 'empty']),
    runCli(dir, ['run', 'empty', '--reporter', 'junit:out/empty.xml']),
    runCli(dir, ['run', 'one.mltest.ts', '-t', 'no such test', '--reporter', 'json:out/none.json']),
    runCli(dir, ['run', 'empty', '--reporter', 'github'], { env: { GITHUB_ACTIONS: '' } }),
  ])
  for (const run of runs) {
    t.equal(run.code, 1, `${run.command}: no tests found is still exit 1`)
    t.equal(run.closing, CLOSING_EMPTY, `${run.command}: the closing line`)
    t.match(run.stderr, /^mltest: no tests found in /m, `${run.command}: the reason, on stderr`)
    t.notMatch(run.stdout, /no tests found/, `${run.command}: not on stdout`)
  }
})

t.test('--reporter github alone still prints the closing line, in and out of GitHub Actions', async (t) => {
  const dir = makeProject(t, {
    'a.mltest.ts': `import { test } from 'mltest'\ntest('passes', () => {})\ntest('fails', () => { throw new Error('on purpose') })\n`,
  })
  const summary = join(dir, 'step-summary.md')
  writeFileSync(summary, '')
  const [outside, inside] = await Promise.all([
    runCli(dir, ['run', '--reporter', 'github'], { env: { GITHUB_ACTIONS: '' } }),
    runCli(dir, ['run', '--reporter', 'github'], { env: { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary, GITHUB_WORKSPACE: dir } }),
  ])
  t.equal(outside.code, 1)
  t.equal(outside.stdout, 'mltest: 1 passed, 1 failed, 0 skipped\n', 'outside Actions: only the closing line')
  t.equal(inside.code, 1)
  t.match(inside.stdout, /^::error file=a\.mltest\.ts,/m, 'inside Actions: the annotation')
  t.equal(inside.closing, 'mltest: 1 passed, 1 failed, 0 skipped', 'and the closing line last')
  t.match(readFileSync(summary, 'utf8'), /fails/, 'and the job summary')
})

t.test('an error thrown by a stray timer after its file finished is a run error naming that file', async (t) => {
  const dir = makeProject(t, {
    // a's timer fires while b's test runs on the same (only) worker.
    'a.mltest.ts': `import { test } from 'mltest'\ntest('leaves a timer', () => {\n  setTimeout(() => { throw new Error('late from a') }, 50)\n})\n`,
    'b.mltest.ts': `import { test } from 'mltest'\ntest('slow', async () => {\n  await new Promise((resolve) => setTimeout(resolve, 500))\n})\n`,
  })
  const run = await runCli(dir, ['run', '--workers', '1', '--reporter', 'console', '--reporter', 'json:out.json'])
  t.equal(run.code, 1, `a run error fails the run\n${run.stdout}${run.stderr}`)
  const json = readJson(dir, 'out.json')
  t.same(json.files.map((f) => f.tests.map((test) => test.state)), [['passed'], ['passed']], "b's test is not blamed")
  t.same(json.files.map((f) => f.errors.length), [0, 0], 'nor is b')
  t.equal(json.runErrors.length, 1)
  t.match(json.runErrors[0], /^a\.mltest\.ts: a timer or promise the file left running threw after the file had finished: Error: late from a \(a\.mltest\.ts:3:/)
  t.match(run.stdout, /^run error: a\.mltest\.ts: .*late from a/m, 'the console shows it')
  t.equal(run.closing, 'mltest: 2 passed, 0 failed, 0 skipped')
})

t.test('an error thrown by a stray timer while its worker is idle is reported with the next file it runs', async (t) => {
  // a's afterAll schedules an immediate that fires once a's result is sent. A child process
  // (--isolate process) is idle then, waiting for b; a thread worker sleeps until b arrives.
  const dir = makeProject(t, {
    'a.mltest.ts': `import { afterAll, test } from 'mltest'\ntest('a', () => {})\nafterAll(() => {\n  setImmediate(() => { throw new Error('late while idle') })\n})\n`,
    'b.mltest.ts': `import { test } from 'mltest'\ntest('b', () => {})\n`,
  })
  const runs = await Promise.all([
    runCli(dir, ['run', '--workers', '1', '--isolate', 'process', '--reporter', 'json:out/process.json']),
    runCli(dir, ['run', '--workers', '1', '--reporter', 'json:out/threads.json']),
  ])
  for (const [run, json] of [[runs[0]!, 'out/process.json'], [runs[1]!, 'out/threads.json']] as const) {
    t.equal(run.code, 1, `${run.command}\n${run.stdout}${run.stderr}`)
    const result = readJson(dir, json)
    t.same(result.files.map((f) => [f.tests.map((test) => test.state), f.errors.length]), [[['passed'], 0], [['passed'], 0]], run.command)
    t.equal(result.runErrors.length, 1, run.command)
    t.match(result.runErrors[0], /^a\.mltest\.ts: a timer or promise the file left running threw after the file had finished: Error: late while idle \(a\.mltest\.ts:4:/)
    t.equal(run.closing, 'mltest: 2 passed, 0 failed, 0 skipped')
  }
})

t.test('a test that passed only on retry is marked flaky in the console, JSON and JUnit', async (t) => {
  const dir = makeProject(t, {
    'retry.mltest.ts': `import { describe, test } from 'mltest'
describe('net', () => {
  test('flaky once', (t) => {
    if (t.attempt === 1) throw new Error('first attempt fails')
  }, { retries: 2 })
})
test('steady', () => {}, { retries: 2 })
`,
  })
  const run = await runCli(dir, ['run', '--reporter', 'console', '--reporter', 'json:out/r.json', '--reporter', 'junit:out/r.xml'])
  t.equal(run.code, 0, run.stdout + run.stderr)
  t.match(run.stdout, /^ {2}✓ net > flaky once \(flaky: passed on attempt 2\)$/m)
  t.notMatch(run.stdout, /✓ steady/, 'a test that passed at once is not listed')
  t.match(run.stdout, /^Flaky tests \(passed on retry\):\n {2}~ retry\.mltest\.ts > net > flaky once \(passed on attempt 2\)$/m)
  const tests = readJson(dir, 'out/r.json').files[0]!.tests
  t.match(tests.find((x) => x.fullName === 'net > flaky once'), { state: 'passed', attempts: 2, flaky: true })
  t.equal(tests.find((x) => x.fullName === 'steady')?.flaky, undefined, 'only on the flaky test')
  const xml = readFileSync(join(dir, 'out/r.xml'), 'utf8')
  t.match(xml, '<property name="net &gt; flaky once :: flaky" value="true"/>')
  t.match(xml, '<property name="net &gt; flaky once :: attempts" value="2"/>')
  t.notMatch(xml, 'steady :: flaky')

  const replay = await runCli(dir, ['report', 'out/r.json', '--reporter', 'junit'])
  t.equal(replay.code, 0, replay.stderr)
  t.match(replay.stdout, '<property name="net &gt; flaky once :: flaky" value="true"/>', 'mltest report keeps it')
})

t.test('--changed: a type-only import does not make a test depend on a module', async (t) => {
  const dir = makeProject(t, {
    '.gitignore': 'node_modules\nout\n',
    'types.ts': 'export interface Sample { x: number }\n',
    'helper.ts': 'export const double = (x: number) => x * 2\n',
    'typed.mltest.ts': `import { expect, test } from 'mltest'
import type { Sample } from './types.ts'
export type { Sample as Row } from './types.ts'
import { double } from './helper.ts'
const s: Sample = { x: 2 }
test('doubles', () => expect(double(s.x)).toBe(4))
`,
  })
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.email=ci@example.com', '-c', 'user.name=ci', ...args], { cwd: dir, encoding: 'utf8' })
  git('init', '-q')
  git('add', '.')
  git('commit', '-qm', 'start')

  writeFileSync(join(dir, 'types.ts'), 'export interface Sample { x: number; y?: number }\n')
  const typesOnly = await runCli(dir, ['run', '--changed'])
  t.equal(typesOnly.code, 0, typesOnly.stdout + typesOnly.stderr)
  t.match(typesOnly.stderr, 'no test file is affected by changes since HEAD', 'a type-only import is no dependency')

  writeFileSync(join(dir, 'helper.ts'), 'export const double = (x: number) => x + x\n')
  const value = await runCli(dir, ['run', '--changed', '--reporter', 'json:out/changed.json'])
  t.equal(value.code, 0, value.stdout + value.stderr)
  t.same(readJson(dir, 'out/changed.json').files.map((f) => f.file.slice(dir.length + 1)), ['typed.mltest.ts'], 'a value import is')
})
