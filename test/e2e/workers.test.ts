// Worker reuse and recycling: long-lived workers share their module cache across files by
// default; `--isolate file` gives every file a fresh worker; `--worker-memory-limit`
// recycles a worker whose heap passed the limit; `--shuffle` reorders reproducibly.
import t from 'tap'
import { makeProject, runCli } from './run-cli.ts'

/** Three files that log the id of the worker thread running them. */
const threadFiles = (extra = ''): Record<string, string> =>
  Object.fromEntries(
    ['a', 'b', 'c'].map((name) => [
      `${name}.mltest.ts`,
      `import { test } from 'mltest'
import { threadId } from 'node:worker_threads'
${extra}
test('${name}', (t) => { t.log('THREAD ${name} ' + threadId) })
`,
    ]),
  )

const threads = (stdout: string) => [...stdout.matchAll(/^THREAD (\w) (\d+)$/gm)].map((m) => [m[1], Number(m[2])] as const)

t.test('by default one worker runs every file; --isolate file gives each file a fresh one', async (t) => {
  const dir = makeProject(t, threadFiles())
  const [shared, isolated] = await Promise.all([
    runCli(dir, ['run', '--workers', '1', '--no-color']),
    runCli(dir, ['run', '--workers', '1', '--no-color', '--isolate', 'file']),
  ])
  t.equal(shared.code, 0, shared.stderr)
  t.equal(isolated.code, 0, isolated.stderr)
  t.equal(threads(shared.stdout).length, 3)
  t.equal(new Set(threads(shared.stdout).map(([, id]) => id)).size, 1, 'the same worker thread ran all three files')
  t.equal(new Set(threads(isolated.stdout).map(([, id]) => id)).size, 3, 'three different worker threads')
  t.match(isolated.stdout, /isolate file/)
})

t.test('--worker-memory-limit recycles a worker whose heap passed the limit', async (t) => {
  // Each file keeps ~40 MB reachable from a global, as a leaking test suite would.
  const leak = `(globalThis as any).kept = [...((globalThis as any).kept ?? []), new Array(5_000_000).fill(1.5)]`
  const dir = makeProject(t, threadFiles(leak))
  const [limited, unlimited] = await Promise.all([
    runCli(dir, ['run', '--workers', '1', '--no-color', '--worker-memory-limit', '30']),
    runCli(dir, ['run', '--workers', '1', '--no-color']),
  ])
  t.equal(limited.code, 0, limited.stderr)
  t.equal(unlimited.code, 0, unlimited.stderr)
  t.equal(new Set(threads(limited.stdout).map(([, id]) => id)).size, 3, 'a new worker after every file over 30 MB')
  t.equal(new Set(threads(unlimited.stdout).map(([, id]) => id)).size, 1, 'without a limit the worker stays')
})

t.test('--shuffle reorders tests reproducibly with the run seed', async (t) => {
  const names = Array.from({ length: 12 }, (_, i) => `t${i}`)
  const dir = makeProject(t, {
    'order.mltest.ts': `import { test } from 'mltest'\n${names.map((n) => `test('${n}', (t) => { t.log('RAN ${n}') })`).join('\n')}\n`,
  })
  const order = (stdout: string) => [...stdout.matchAll(/^RAN (t\d+)$/gm)].map((m) => m[1])
  const [plain, first, again, other] = await Promise.all([
    runCli(dir, ['run', '--no-color', '--seed', '5']),
    runCli(dir, ['run', '--no-color', '--seed', '5', '--shuffle']),
    runCli(dir, ['run', '--no-color', '--seed', '5', '--shuffle']),
    runCli(dir, ['run', '--no-color', '--seed', '6', '--shuffle']),
  ])
  t.same(order(plain.stdout), names, 'declaration order without --shuffle')
  t.same([...order(first.stdout)].sort(), [...names].sort(), 'every test still runs once')
  t.notSame(order(first.stdout), names, 'shuffled')
  t.same(order(again.stdout), order(first.stdout), 'the same seed gives the same order')
  t.notSame(order(other.stdout), order(first.stdout), 'another seed gives another order')
})

t.test('--isolate file with two workers: every file gets its own worker, none is lost to a recycle', async (t) => {
  const files = Object.fromEntries(
    Array.from({ length: 10 }, (_, i) => [
      `f${i}.mltest.ts`,
      `import { test } from 'mltest'\nimport { threadId } from 'node:worker_threads'\ntest('t${i}', (t) => { t.log('THREAD f' + ${i} + ' ' + threadId) })\n`,
    ]),
  )
  const dir = makeProject(t, files)
  const r = await runCli(dir, ['run', '--workers', '2', '--no-color', '--isolate', 'file'])
  t.equal(r.code, 0, r.stdout + r.stderr)
  t.equal(r.closing, 'mltest: 10 passed, 0 failed, 0 skipped')
  const ids = [...r.stdout.matchAll(/^THREAD f\d (\d+)$/gm)].map((m) => m[1])
  t.equal(new Set(ids).size, 10, 'ten files, ten worker threads')
})

t.test('a synchronous loop outside a test (import, beforeAll) ends its worker; the rest of the file and the run go on', async (t) => {
  const dir = makeProject(t, {
    'import-loop.mltest.ts': `import { test } from 'mltest'\ntest('never collected', () => {})\nwhile (true) {}\n`,
    'hook-loop.mltest.ts': `import { beforeAll, describe, test } from 'mltest'
describe('blocked', () => {
  beforeAll(() => { while (true) {} })
  test('after the hook', () => {})
})
test('outside the block', () => {})
`,
    'fine.mltest.ts': `import { test } from 'mltest'\ntest('fine', () => {})\n`,
  })
  const r = await runCli(dir, ['run', '--no-color', '--timeout', '300'], { timeoutMs: 60_000 })
  t.equal(r.code, 1, r.stdout + r.stderr)
  t.match(r.stdout, /importing the file did not finish within 10000 ms/)
  t.match(r.stdout, /FAIL\s+hook-loop\.mltest\.ts > blocked > after the hook[\s\S]*beforeAll hook of "blocked" did not finish within 1600 ms/, 'the hook\'s tests fail with the reason')
  t.match(r.stdout, /✓ fine\.mltest\.ts/)
  // The test outside the blocked describe still runs, on a fresh worker.
  t.match(r.closing, /^mltest: 2 passed, 1 failed, 0 skipped, 1 file error$/)
})

t.test('a crash inside an all-hook or at import is reported with the phase; the rest of the file runs', async (t) => {
  const dir = makeProject(t, {
    'exit-at-import.mltest.ts': `import { test } from 'mltest'\ntest('never collected', () => {})\nprocess.exit(4)\n`,
    'exit-in-hook.mltest.ts': `import { afterAll, describe, test } from 'mltest'
describe('leaky', () => {
  test('inside', () => {})
  afterAll(() => { process.exit(5) })
})
test('after the block', () => {})
`,
  })
  const r = await runCli(dir, ['run', '--no-color', '--workers', '1'])
  t.equal(r.code, 1, r.stdout + r.stderr)
  t.match(r.stdout, /importing the file: the worker exited with code 4/)
  t.match(r.stdout, /afterAll hook of "leaky": the worker exited with code 5/)
  t.match(r.closing, /^mltest: 2 passed, 0 failed, 0 skipped, 2 file errors$/, 'both tests of the hook file ran')
})
