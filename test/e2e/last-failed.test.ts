// End-to-end: last failed first (core/node/last-failed.ts) with the real CLI on
// test/fixtures/last-failed (ten tests: five in a.mltest.ts, three of them a .each table,
// five in b.mltest.ts; broken.json says which throw). Fail two, fix one: --last-failed runs
// exactly the two, then exactly the one; renamed and deleted tests; --failed-first's order;
// a corrupt file; a file that fails to import; --shard with --reporter json; watch mode.
import { spawn } from 'node:child_process'
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { CLI, cleanEnv, makeProject, runCli, type CliResult } from './run-cli.ts'
import { readLastFailed, selectFailed, updateLastFailed, writeLastFailed, type LastFailed } from '../../core/node/last-failed.ts'
import type { FileResult, TestResult } from '../../core/protocol.ts'

const FIXTURE = new URL('../fixtures/last-failed/', import.meta.url)
const project = (t: Parameters<typeof makeProject>[0]) =>
  makeProject(t, Object.fromEntries(readdirSync(FIXTURE).map((name) => [name, readFileSync(new URL(name, FIXTURE), 'utf8')])))

const ALL = ['one', 'two', 'block > row 1', 'block > row 2', 'block > row 3', 'b1', 'b2', 'b3', 'b4', 'b5']

interface JsonRun {
  files: Array<{ file: string; errors: unknown[]; tests: Array<{ fullName: string; state: string }> }>
}

/** Runs `mltest run --workers 1 --seed 3 ...args --reporter json:<file>`; the result, the full names that ran, and the failures remembered after it. */
async function run(dir: string, broken: string[], ...args: string[]) {
  writeFileSync(join(dir, 'broken.json'), JSON.stringify(broken))
  rmSync(join(dir, 'order.log'), { force: true })
  const out = `run-${Math.random().toString(36).slice(2)}.json`
  const cli = await runCli(dir, ['run', '--workers', '1', '--seed', '3', ...args, '--reporter', `json:${out}`])
  const json = JSON.parse(readFileSync(join(dir, out), 'utf8')) as JsonRun
  const ran = json.files.flatMap((f) => f.tests.filter((x) => x.state !== 'skipped').map((x) => x.fullName))
  return { cli, ran, remembered: remembered(dir), json }
}

function remembered(dir: string): Record<string, { tests: string[]; fileError: boolean }> | undefined {
  try {
    return (JSON.parse(readFileSync(join(dir, '.mltest', 'last-failed.json'), 'utf8')) as { files: Record<string, { tests: string[]; fileError: boolean }> }).files
  } catch {
    return undefined
  }
}

const notes = (cli: CliResult) => cli.stderr.split('\n').filter((l) => l.startsWith('mltest: '))
const order = (dir: string) => readFileSync(join(dir, 'order.log'), 'utf8').trim().split('\n')

t.test('fail two of ten, fix one: --last-failed runs exactly the two, then exactly the one', async (t) => {
  const dir = project(t)
  const first = await run(dir, ['row 2', 'b4'])
  t.equal(first.cli.code, 1)
  t.equal(first.cli.closing, 'mltest: 8 passed, 2 failed, 0 skipped')
  t.same(first.ran.sort(), [...ALL].sort())
  t.same(first.remembered, { 'a.mltest.ts': { tests: ['block > row 2'], fileError: false }, 'b.mltest.ts': { tests: ['b4'], fileError: false } }, 'a .each row is remembered by its full name')

  const second = await run(dir, ['b4'], '--last-failed')
  t.same(second.ran, ['block > row 2', 'b4'], 'exactly the two')
  t.equal(second.cli.closing, 'mltest: 1 passed, 1 failed, 0 skipped')
  t.same(notes(second.cli), ['mltest: --last-failed: running the 2 tests that failed last time (2 files)'])
  t.same(second.remembered, { 'b.mltest.ts': { tests: ['b4'], fileError: false } })

  const third = await run(dir, ['b4'], '--last-failed')
  t.same(third.ran, ['b4'], 'exactly the one')
  t.equal(third.cli.code, 1)

  const fixed = await run(dir, [], '--last-failed')
  t.same(fixed.ran, ['b4'])
  t.equal(fixed.cli.code, 0)
  t.same(fixed.remembered, {}, 'nothing failed: nothing remembered')

  const none = await run(dir, [], '--last-failed')
  t.same(none.ran.sort(), [...ALL].sort(), 'no failures remembered: every test runs')
  t.same(notes(none.cli), ['mltest: --last-failed: no test failed last time — running all tests'], 'and says so in one line')
})

t.test('renamed and deleted tests: matched by full name, a missing one dropped silently', async (t) => {
  const dir = project(t)
  await run(dir, ['row 2', 'b4'])
  // b4 deleted: the other remembered failure still runs, and b.mltest.ts raises nothing.
  writeFileSync(join(dir, 'b.mltest.ts'), readFileSync(join(dir, 'b.mltest.ts'), 'utf8').replace("'b4', ", ''))
  const deleted = await run(dir, ['row 2', 'b4'], '--last-failed')
  t.same(deleted.ran, ['block > row 2'])
  t.equal(deleted.cli.closing, 'mltest: 0 passed, 1 failed, 0 skipped')
  t.same(deleted.json.files.flatMap((f) => f.errors), [], 'no error for the missing test')
  t.same(deleted.remembered, { 'a.mltest.ts': { tests: ['block > row 2'], fileError: false } }, 'b4 is forgotten')

  // row 2 renamed (the .each template changes): nothing remembered exists any more.
  writeFileSync(join(dir, 'a.mltest.ts'), readFileSync(join(dir, 'a.mltest.ts'), 'utf8').replace("'row %s'", "'case %s'"))
  const renamed = await run(dir, ['row 2'], '--last-failed')
  t.same(renamed.ran, [])
  t.equal(renamed.cli.code, 0, renamed.cli.stderr)
  t.match(notes(renamed.cli).at(-1), /^mltest: --last-failed: the tests that failed last time no longer exist \(deleted or renamed\) — forgotten/)
  t.same(renamed.remembered, {})
  const after = await run(dir, ['row 2'], '--last-failed')
  t.equal(after.ran.length, 9, 'all tests again (b4 was deleted)')
  t.same(after.remembered, { 'a.mltest.ts': { tests: ['block > case 2'], fileError: false } }, 'the renamed test, still failing, is remembered under its new name')
})

t.test('--failed-first runs the failed file first and its failed test first, then the rest', async (t) => {
  const dir = project(t)
  await run(dir, ['b4'])
  const ff = await run(dir, ['b4'], '--failed-first')
  t.same(ff.ran.length, 10)
  t.same(order(dir), ['b4', 'b1', 'b2', 'b3', 'b5', 'one', 'two', 'row 1', 'row 2', 'row 3'])
  t.same(notes(ff.cli), ['mltest: running the 1 test that failed last time first'])
  const plain = await run(dir, ['b4'])
  t.same(order(dir), ['one', 'two', 'row 1', 'row 2', 'row 3', 'b1', 'b2', 'b3', 'b4', 'b5'], 'without the flag, the usual order')
})

t.test('a corrupt file: one line naming it, and the run goes on as if nothing failed; the file is rewritten', async (t) => {
  const dir = project(t)
  await run(dir, ['b4'])
  writeFileSync(join(dir, '.mltest', 'last-failed.json'), '{"version": 1, "files": ')
  const corrupt = await run(dir, ['b4'], '--last-failed')
  t.same(corrupt.ran.length, 10)
  const lines = notes(corrupt.cli)
  t.equal(lines.length, 2, lines.join('\n'))
  t.match(lines[0], /^mltest: ignoring \.mltest\/last-failed\.json: not valid JSON \(.*\) — running as if nothing failed last time; the file is rewritten after this run$/)
  t.same(corrupt.remembered, { 'b.mltest.ts': { tests: ['b4'], fileError: false } })
  writeFileSync(join(dir, '.mltest', 'last-failed.json'), '{"version": 1, "files": {"b.mltest.ts": {"tests": [4]}}}')
  const wrongShape = await run(dir, [], '--last-failed')
  t.match(notes(wrongShape.cli)[0], /ignoring \.mltest\/last-failed\.json: not a version-1 last-failed file/)
})

t.test('a file that failed to load is rerun whole; --shard and --reporter json keep working', async (t) => {
  const dir = project(t)
  writeFileSync(join(dir, 'c.mltest.ts'), "import { test } from 'mltest'\nimport { check } from './check.ts'\ncheck('import c')\ntest('c1', () => {})\n")
  const first = await run(dir, ['import c', 'b4'])
  t.same(first.remembered, { 'b.mltest.ts': { tests: ['b4'], fileError: false }, 'c.mltest.ts': { tests: [], fileError: true } })
  const lf = await run(dir, [], '--last-failed')
  t.same(lf.ran, ['b4', 'c1'])
  t.same(notes(lf.cli), ['mltest: --last-failed: running the 1 test that failed last time and 1 file that failed to run (2 files)'])

  await run(dir, ['row 2', 'b4'])
  const shards = await Promise.all([run(dir, ['row 2', 'b4'], '--last-failed', '--shard', '1/2'), run(dir, ['row 2', 'b4'], '--last-failed', '--shard', '2/2')])
  t.same(shards.flatMap((s) => s.ran).sort(), ['b4', 'block > row 2'], 'the two shards run the two failures between them')
  for (const s of shards) t.equal(s.ran.length, 1, 'one per shard (one file each)')
})

t.test('watch starts with the tests that failed last time', async (t) => {
  const dir = project(t)
  await run(dir, ['b4'])
  rmSync(join(dir, 'order.log'), { force: true })
  const child = spawn(process.execPath, [CLI, 'watch', '--workers', '1', '--no-color', '--seed', '1'], { cwd: dir, env: cleanEnv({ NO_COLOR: '1' }), stdio: ['pipe', 'pipe', 'pipe'] })
  t.teardown(() => child.kill())
  let out = ''
  child.stdout.on('data', (d: Buffer) => (out += d.toString()))
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve))
  const deadline = Date.now() + 90_000
  while (!out.includes('mltest watch: waiting for changes') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
  t.match(out, 'mltest watch: running the 1 test that failed last time first')
  t.same(order(dir), ['b4', 'b1', 'b2', 'b3', 'b5', 'one', 'two', 'row 1', 'row 2', 'row 3'])
  child.stdin.write('q\n')
  t.equal(await exited, 0, 'q quits')
})

// -- the update rules, in-process (no CLI): what a run does to the remembered failures -------

const result = (fullName: string, state: TestResult['state'], reason?: string) =>
  ({ id: fullName, file: '', suitePath: [], name: fullName, fullName, tags: [], durationMs: 0, attempts: 1, expectFail: false, seed: 0, annotations: [], checks: [], logs: [], state, ...(reason ? { reason } : {}), ...(state === 'failed' ? { error: { kind: 'assertion', name: 'Error', message: 'x' } } : {}) }) as TestResult

t.test('updateLastFailed: which outcomes clear, set or keep a remembered failure', async (t) => {
  const dir = project(t)
  const file = (tests: TestResult[], errors: FileResult['errors'] = []): FileResult => ({ file: join(dir, 'b.mltest.ts'), durationMs: 0, errors, tests })
  const before: LastFailed = new Map([
    ['b.mltest.ts', { tests: ['b1', 'b2', 'b3', 'b4', 'gone'], fileError: false }],
    ['a.mltest.ts', { tests: ['one'], fileError: false }],
    ['deleted.mltest.ts', { tests: ['x'], fileError: false }],
  ])
  const run = [file([result('b1', 'passed'), result('b2', 'skipped', '--bail: stopped after 1 failure'), result('b3', 'skipped'), result('b4', 'failed'), result('b5', 'inconclusive')])]
  const after = updateLastFailed(before, run, dir, { filtered: false, inconclusiveFails: false })
  t.same(after.get('b.mltest.ts'), { tests: ['b4', 'b2'], fileError: false }, 'passed and skipped clear, failed sets, --bail-cancelled keeps, a test no longer in the file is dropped')
  t.same(after.get('a.mltest.ts'), { tests: ['one'], fileError: false }, 'a file that did not run keeps its failures')
  t.notOk(after.has('deleted.mltest.ts'), 'a file that no longer exists is dropped')

  const filtered = updateLastFailed(before, run, dir, { filtered: true, inconclusiveFails: true })
  t.same(filtered.get('b.mltest.ts'), { tests: ['b4', 'b5', 'b2', 'gone'], fileError: false }, 'with --grep/--tag a missing test may be filtered out: kept; --inconclusive fail counts b5')
  const narrowed = updateLastFailed(before, run, dir, { filtered: false, narrowedTo: () => ['b1', 'b2', 'b3', 'b4'], inconclusiveFails: false })
  t.same(narrowed.get('b.mltest.ts'), { tests: ['b4', 'b2', 'gone'], fileError: false }, 'narrowed by --last-failed: only a requested test can be found gone')

  const broken = updateLastFailed(before, [file([], [{ kind: 'error', name: 'Error', message: 'failed to load the test file' }])], dir, { filtered: false, inconclusiveFails: false })
  t.same(broken.get('b.mltest.ts'), { tests: ['b1', 'b2', 'b3', 'b4', 'gone'], fileError: true }, 'a file that failed to load keeps its tests and is marked')

  writeLastFailed(dir, after)
  const warnings: string[] = []
  t.same(readLastFailed(dir, (w) => warnings.push(w)), after, 'written and read back')
  t.same(warnings, [])
  const selected = selectFailed([join(dir, 'a.mltest.ts'), join(dir, 'b.mltest.ts')], after, dir, 'only', '^b')
  t.same(selected.files, [join(dir, 'b.mltest.ts')], '--grep applies to the remembered names too')
  t.same(selected.onlyNames(join(dir, 'b.mltest.ts')), ['b4', 'b2'])
})
