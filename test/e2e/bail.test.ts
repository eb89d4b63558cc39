// End-to-end: `--bail [N]` stops after N failed tests also inside a file, as pytest's -x
// does (issue 11, item 10). The worker learns the run's remaining budget with its task and
// skips the rest of the file once it is spent; tests not run are skipped with a reason
// naming --bail, and files never started are listed as not run.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import type { RunResult } from '../../core/reporter.ts'
import { makeProject, runCli } from './run-cli.ts'

const FIVE_FAILING = `
import { appendFileSync } from 'node:fs'
import { afterAll, expect, test } from 'mltest'
const ran = (name: string) => appendFileSync(new URL('./ran.log', import.meta.url), name + '\\n')
afterAll(() => ran('afterAll'))
test('passes first', () => ran('passes first'))
for (let i = 1; i <= 5; i++) {
  test(\`fails \${i}\`, () => {
    ran(\`fails \${i}\`)
    expect(i).toBe(0)
  })
}
test('passes last', () => ran('passes last'))
`

const OTHER = `
import { test } from 'mltest'
test('elsewhere', () => {})
`

const statesOf = (run: RunResult, file: string) =>
  run.files.find((f) => f.file.endsWith(file))!.tests.map((test) => `${test.name}: ${test.state}${test.state === 'skipped' ? ` (${test.reason})` : ''}`)

t.test('--bail stops inside a file after the first failed test', async (t) => {
  const dir = makeProject(t, { 'five.mltest.ts': FIVE_FAILING })
  const r = await runCli(dir, ['run', '--no-color', '--bail', '--reporter', 'json:r.json', '--reporter', 'console'])
  t.equal(r.code, 1, r.command, { stdout: r.stdout, stderr: r.stderr })
  t.equal(r.closing, 'mltest: 1 passed, 1 failed, 5 skipped')
  const run = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')) as RunResult
  t.same(statesOf(run, 'five.mltest.ts'), [
    'passes first: passed',
    'fails 1: failed',
    'fails 2: skipped (--bail: stopped after 1 failure)',
    'fails 3: skipped (--bail: stopped after 1 failure)',
    'fails 4: skipped (--bail: stopped after 1 failure)',
    'fails 5: skipped (--bail: stopped after 1 failure)',
    'passes last: skipped (--bail: stopped after 1 failure)',
  ])
  t.same(readFileSync(join(dir, 'ran.log'), 'utf8').trim().split('\n'), ['passes first', 'fails 1', 'afterAll'], 'no test ran after the failure; the afterAll hook still cleaned up')
})

t.test('--bail N counts N failed tests across files; files never started are not run', async (t) => {
  const dir = makeProject(t, { 'a-five.mltest.ts': FIVE_FAILING, 'b-other.mltest.ts': OTHER })
  const [two, none] = await Promise.all([
    runCli(dir, ['run', '--no-color', '--bail', '2', '--workers', '1', '--reporter', 'json:two.json']),
    runCli(makeProject(t, { 'five.mltest.ts': FIVE_FAILING }), ['run', '--no-color', '--bail', '0']),
  ])
  t.equal(two.code, 1, two.command, { stdout: two.stdout, stderr: two.stderr })
  const run = JSON.parse(readFileSync(join(dir, 'two.json'), 'utf8')) as RunResult
  t.same(statesOf(run, 'a-five.mltest.ts'), [
    'passes first: passed',
    'fails 1: failed',
    'fails 2: failed',
    'fails 3: skipped (--bail: stopped after 2 failures)',
    'fails 4: skipped (--bail: stopped after 2 failures)',
    'fails 5: skipped (--bail: stopped after 2 failures)',
    'passes last: skipped (--bail: stopped after 2 failures)',
  ])
  t.same(run.notRun.map((f) => f.slice(dir.length + 1)), ['b-other.mltest.ts'], 'the second file never started')
  t.equal(none.code, 1)
  t.equal(none.closing, 'mltest: 2 passed, 5 failed, 0 skipped', '--bail 0 never stops')
})
