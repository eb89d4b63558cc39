// Fixtures (`test.extend`, core/worker/fixtures.ts): reading what a function destructures,
// checking a fixture set (missing, circular, scope-violating dependencies), set-up and
// teardown in-process, then the real CLI on sample projects: test, file and worker scopes
// (a worker-scoped fixture set up once per long-lived worker, once per file under
// `--isolate file`), set-up and teardown errors where the issue puts them, seeds, and the
// extended test with describe, each, skip, only, fails and tags.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { deriveSeed } from '../../core/seed.ts'
import { destructuredNames, extendFixtures, FileFixtures, fixturesUsedBy, markContextParam, teardownWorkerFixtures } from '../../core/worker/fixtures.ts'
import type { SerializedError } from '../../core/protocol.ts'
import { makeProject, runCli } from '../e2e/run-cli.ts'

t.test('destructuredNames reads the context parameter of every function form', async (t) => {
  /* eslint-disable */
  const cases: Array<[Function, number, string[] | undefined]> = [
    [async ({ penguins, session }: any) => {}, 0, ['penguins', 'session']],
    [function ({ a, b: renamed, c = { x: [1, 2] }, 'd': e }: any) {}, 0, ['a', 'b', 'c', 'd']],
    [async function named({ a /* , notMe */, b }: any, use: any) {}, 0, ['a', 'b']],
    [({}: any, use: any) => use, 0, []],
    [(t: any) => t, 0, undefined],
    [async (t: any) => t, 0, undefined],
    [() => {}, 0, undefined],
    [(x: number, y: string, { model, ...rest }: any) => rest, 2, ['model']],
    [({ a = ')', b = '}' }: any) => {}, 0, ['a', 'b']],
  ]
  for (const [fn, index, expected] of cases) t.same(destructuredNames(fn, index), expected, String(fn))
  // A bare arrow parameter that shadows nothing: not destructured.
  t.equal(destructuredNames(new Function('return t => t.penguins')() as Function, 0), undefined)
})

t.test('fixturesUsedBy: only names of the set; a .each row function is read at its context parameter', async (t) => {
  const set = extendFixtures(undefined, { data: async ({}, use: any) => use(1), model: async ({ data }: any, use: any) => use(data) })
  t.same(fixturesUsedBy(({ model, seed }: any) => [model, seed], set), ['model'])
  t.same(fixturesUsedBy((t: any) => t.model, set), [])
  const original = (n: number, label: string, { data }: any) => [n, label, data]
  const row = (...rest: unknown[]) => (original as any)(1, 'a', ...rest)
  t.same(fixturesUsedBy(row, set), [], 'unmarked: the wrapper destructures nothing')
  markContextParam(row, original, 2)
  t.same(fixturesUsedBy(row, set), ['data'])
})

t.test('extendFixtures: clear errors naming the fixtures, for a missing, circular or scope-violating dependency', async (t) => {
  const use = (v: unknown) => v
  t.throws(() => extendFixtures(undefined, { a: async ({ b }: any, u: any) => u(b) }), /fixture "a" uses "b", which is not a fixture — the fixtures are: a/)
  t.throws(
    () => extendFixtures(undefined, { a: async ({ b }: any, u: any) => u(b), b: async ({ c }: any, u: any) => u(c), c: async ({ a }: any, u: any) => u(a) }),
    /circular fixture dependency: a -> b -> c -> a/,
  )
  t.throws(() => extendFixtures(undefined, { self: async ({ self }: any, u: any) => u(self) }), /circular fixture dependency: self -> self/)
  t.throws(
    () => extendFixtures(undefined, { data: async ({}, u: any) => u(1), model: [async ({ data }: any, u: any) => u(data), { scope: 'worker' }] }),
    /fixture "model" \(scope worker\) uses "data" \(scope test\) — a fixture can use only fixtures of its own or a wider scope/,
  )
  t.throws(() => extendFixtures(undefined, { seed: async ({}, u: any) => u(1) }), /"seed" is a field of the test context already/)
  t.throws(() => extendFixtures(undefined, { a: [async ({}, u: any) => u(1), { scope: 'session' }] }), /scope "session" — use 'test', 'file' or 'worker'/)
  t.throws(() => extendFixtures(undefined, { a: [async ({}, u: any) => u(1), { scop: 'file' }] }), /unknown option "scop"/)
  t.throws(() => extendFixtures(undefined, { a: 42 }), /fixture "a" must be a function/)
  // The same set, well formed, is accepted; a later extend may use the earlier fixtures.
  const base = extendFixtures(undefined, { data: [async ({}, u: any) => u(1), { scope: 'worker' }] })
  const more = extendFixtures(base, { model: [async ({ data }: any, u: any) => u(data), { scope: 'file' }] })
  t.same([...more.defs.keys()], ['data', 'model'])
  t.same(more.defs.get('model')!.deps, ['data'])
  void use
})

t.test('FileFixtures in-process: dependencies, teardown last-in first-out, caching per scope, errors', async (t) => {
  const events: string[] = []
  const set = extendFixtures(undefined, {
    data: [async ({ seed }: any, use: any) => (events.push(`data up ${seed}`), await use([1, 2, 3]), events.push('data down')), { scope: 'file' }],
    model: async ({ data }: any, use: any) => (events.push('model up'), await use(data.length), events.push('model down')),
    broken: async () => {
      throw new Error('no data file')
    },
    lazy: async () => {},
    leaky: async ({}, use: any) => {
      await use(1)
      throw new Error('teardown boom')
    },
  })
  const fileErrors: SerializedError[] = []
  const fixtures = new FileFixtures('a/b.mltest.ts', 7, 5000, (e) => fileErrors.push(e))
  const ctx1: Record<string, unknown> = {}
  const first = await fixtures.setUp(set, ['model'], 111, ctx1, 5000)
  t.equal(first.error, undefined)
  t.equal(ctx1.model, 3)
  t.throws(() => ctx1.broken, /fixture "broken" is set up only for a test that destructures it — write the test as async \(\{ broken \}\)/)
  t.same(await fixtures.teardownTest(first.scope), [])
  const ctx2: Record<string, unknown> = {}
  const second = await fixtures.setUp(set, ['model', 'data'], 222, ctx2, 5000)
  t.same(ctx2.data, [1, 2, 3])
  await fixtures.teardownTest(second.scope)
  t.same(events, [`data up ${deriveSeed(7, 'a/b.mltest.ts', 'fixture', 'data')}`, 'model up', 'model down', 'model up', 'model down'], 'file scope set up once')
  t.same(await fixtures.teardownFile(), [])
  t.equal(events.at(-1), 'data down')

  const failed = await fixtures.setUp(set, ['broken'], 1, {}, 5000)
  t.equal(failed.error?.message, 'fixture "broken" failed to set up: no data file')
  const noUse = await fixtures.setUp(set, ['lazy'], 1, {}, 5000)
  t.match(noUse.error?.message, /fixture "lazy" failed to set up: fixture "lazy" returned without calling use\(value\)/)
  const leaky = await fixtures.setUp(set, ['leaky'], 1, {}, 5000)
  const errors = await fixtures.teardownTest(leaky.scope)
  t.equal(errors[0]?.message, 'fixture "leaky" (scope test) failed to tear down: teardown boom')
  t.same(await teardownWorkerFixtures(), [], 'no worker fixture was set up here')
})

// -- the real CLI ------------------------------------------------------------------------

const SCOPES_SHARED = `
import { appendFileSync } from 'node:fs'
import { threadId } from 'node:worker_threads'
import { test as base } from 'mltest'
const record = (event: string) => appendFileSync(new URL('./events.log', import.meta.url), event + ' @' + process.pid + ':' + threadId + '\\n')
export const test = base.extend<{ model: string; table: string; scratch: string }>({
  model: [async ({ seed }, use) => { record('model up ' + seed); await use('m'); record('model down') }, { scope: 'worker' }],
  table: [async ({ model }, use) => { record('table up'); await use(model + 't'); record('table down') }, { scope: 'file' }],
  scratch: async ({ table }, use) => { record('scratch up'); await use(table + 's'); record('scratch down') },
})
`
const scopesFile = (name: string) => `
import { expect } from 'mltest'
import { test } from './shared.ts'
test('${name} scratch', ({ scratch }) => { expect(scratch).toBe('mts') })
test('${name} model', ({ model }) => { expect(model).toBe('m') })
test('${name} plain', () => {})
`
const SCOPES = { 'shared.ts': SCOPES_SHARED, 'a.mltest.ts': scopesFile('a'), 'b.mltest.ts': scopesFile('b'), 'c.mltest.ts': scopesFile('c') }

interface Event {
  what: string
  worker: string
}
const readEvents = (dir: string): Event[] =>
  readFileSync(join(dir, 'events.log'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => {
      const [what, worker] = line.split(' @')
      return { what: what!, worker: worker! }
    })
const count = (events: Event[], prefix: string) => events.filter((e) => e.what.startsWith(prefix)).length

t.test('scopes: a worker fixture is set up once per long-lived worker and torn down when the pass ends', async (t) => {
  const dir = makeProject(t, SCOPES)
  const run = await runCli(dir, ['run', '--workers', '1', '--seed', '7'])
  t.equal(run.code, 0, run.stdout + run.stderr)
  t.equal(run.closing, 'mltest: 9 passed, 0 failed, 0 skipped')
  const events = readEvents(dir)
  t.same(events.filter((e) => e.what.startsWith('model up')).map((e) => e.what), [`model up ${deriveSeed(7, 'fixture', 'model')}`], 'once for three files, with its own seed')
  t.equal(count(events, 'model down'), 1)
  t.equal(events.at(-1)!.what, 'model down', 'the worker fixture ends last, after every file')
  t.equal(count(events, 'table up'), 3, 'the file fixture: once per file')
  t.equal(count(events, 'table down'), 3)
  t.equal(count(events, 'scratch up'), 3, 'the test fixture: once per test using it')
  // Within a file: set-up outermost first, teardown innermost first.
  const firstFile = events.slice(0, events.findIndex((e) => e.what === 'table down') + 1).map((e) => e.what)
  t.same(firstFile, [`model up ${deriveSeed(7, 'fixture', 'model')}`, 'table up', 'scratch up', 'scratch down', 'table down'])
})

t.test('scopes: --isolate file recycles the worker after each file, and its worker fixture with it', async (t) => {
  const dir = makeProject(t, SCOPES)
  const run = await runCli(dir, ['run', '--workers', '1', '--isolate', 'file'])
  t.equal(run.code, 0, run.stdout + run.stderr)
  const events = readEvents(dir)
  const ups = events.filter((e) => e.what.startsWith('model up'))
  t.equal(ups.length, 3)
  t.equal(new Set(ups.map((e) => e.worker)).size, 3, 'three workers')
  t.equal(count(events, 'model down'), 3, 'each torn down before its worker ended')
  for (const up of ups) t.ok(events.some((e) => e.what === 'model down' && e.worker === up.worker), `torn down on ${up.worker}`)
})

t.test('scopes: two workers and --isolate process: one set-up per worker that needed it, each torn down', async (t) => {
  const dir1 = makeProject(t, SCOPES)
  const dir2 = makeProject(t, SCOPES)
  const [threads, processes] = await Promise.all([runCli(dir1, ['run', '--workers', '2']), runCli(dir2, ['run', '--workers', '1', '--isolate', 'process'])])
  for (const [run, dir, workers] of [[threads, dir1, 2], [processes, dir2, 1]] as const) {
    t.equal(run.code, 0, run.stdout + run.stderr)
    const events = readEvents(dir)
    const ups = events.filter((e) => e.what.startsWith('model up')).map((e) => e.worker)
    t.ok(ups.length >= 1 && ups.length <= workers, `${ups.length} set-up(s) on ${workers} worker(s)`)
    t.equal(new Set(ups).size, ups.length, 'never twice on one worker')
    t.same(events.filter((e) => e.what === 'model down').map((e) => e.worker).sort(), [...ups].sort(), 'each torn down on its worker')
  }
})

t.test('errors: set-up fails the tests using it, teardown is reported on the file (worker scope: the run), dependencies are checked at collection', async (t) => {
  const dir = makeProject(t, {
    'errors.mltest.ts': `
import { test as base } from 'mltest'
const test = base.extend<{ broken: number; dependent: number; leaky: number; leakyFile: number; leakyWorker: number }>({
  broken: async () => { throw new Error('no data file') },
  dependent: async ({ broken }, use) => { await use(broken) },
  leaky: async ({}, use) => { await use(1); throw new Error('test teardown boom') },
  leakyFile: [async ({}, use) => { await use(1); throw new Error('file teardown boom') }, { scope: 'file' }],
  leakyWorker: [async ({}, use) => { await use(1); throw new Error('worker teardown boom') }, { scope: 'worker' }],
})
test('uses broken', ({ broken }) => { void broken })
test('uses dependent', ({ dependent }) => { void dependent })
test('uses none', () => {})
test('uses the leaky ones', ({ leaky, leakyFile, leakyWorker }) => { void [leaky, leakyFile, leakyWorker] })
`,
    'missing.mltest.ts': `
import { test as base } from 'mltest'
const test = base.extend<{ session: number }>({ session: async ({ penguinz }: any, use) => { await use(penguinz) } })
test('never collected', ({ session }) => { void session })
`,
    'cycle.mltest.ts': `
import { test as base } from 'mltest'
const test = base.extend<{ a: number; b: number }>({ a: async ({ b }, use) => { await use(b) }, b: async ({ a }, use) => { await use(a) } })
test('never collected', ({ a }) => { void a })
`,
  })
  const run = await runCli(dir, ['run', '--workers', '1', '--reporter', 'console', '--reporter', 'json:out.json'])
  t.equal(run.code, 1, 'errors fail the run')
  const json = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8')) as {
    files: Array<{ file: string; errors: Array<{ message: string }>; tests: Array<{ fullName: string; state: string; error?: { message: string } }> }>
    runErrors: string[]
  }
  const file = (name: string) => json.files.find((f) => f.file.endsWith(name))!
  const state = Object.fromEntries(file('errors.mltest.ts').tests.map((x) => [x.fullName, x]))
  t.equal(state['uses broken']!.state, 'failed')
  t.equal(state['uses broken']!.error!.message, 'fixture "broken" failed to set up: no data file')
  t.equal(state['uses dependent']!.error!.message, 'fixture "broken" failed to set up: no data file', 'a dependency\'s failure names the dependency')
  t.equal(state['uses none']!.state, 'passed')
  t.equal(state['uses the leaky ones']!.state, 'passed', 'a teardown error does not turn a passed test into a failure')
  t.same(
    file('errors.mltest.ts').errors.map((e) => e.message).sort(),
    ['fixture "leaky" (scope test) failed to tear down: test teardown boom', 'fixture "leakyFile" (scope file) failed to tear down: file teardown boom'],
  )
  t.same(json.runErrors, ['fixture "leakyWorker" (scope worker) failed to tear down: worker teardown boom'])
  t.match(file('missing.mltest.ts').errors[0]!.message, /failed to load the test file: test\.extend: fixture "session" uses "penguinz", which is not a fixture — the fixtures are: session/)
  t.match(file('cycle.mltest.ts').errors[0]!.message, /circular fixture dependency: a -> b -> a/)
  t.match(run.stdout, /worker teardown boom/, 'the console shows the run error')
})

t.test('the extended test works with describe, each, skip, only, fails and tags; t.seed stays the test\'s own', async (t) => {
  const dir = makeProject(t, {
    'shared.ts': `
import { appendFileSync } from 'node:fs'
import { test as base } from 'mltest'
export const record = (event: string) => appendFileSync(new URL('./events.log', import.meta.url), event + '\\n')
export const test = base.extend<{ rows: number[] }>({ rows: async ({ seed }, use) => { record('rows up ' + seed); await use([1, 2, 3]) } })
`,
    'modifiers.mltest.ts': `
import { describe, expect, test as plain } from 'mltest'
import { record, test } from './shared.ts'
describe('block', () => {
  test('in describe', ({ rows, seed }) => { expect(rows).toEqual([1, 2, 3]); record('seed in describe ' + seed) })
  test.each([[1, 'one'], [2, 'two']])('each %s', (n, word, { rows }) => { expect(rows[n - 1]).toBe(n); expect(typeof word).toBe('string') })
  test.each([{ k: 3 }])('object row $k', ({ k }, { rows }) => { expect(rows).toContain(k) })
})
test.skip('skipped', ({ rows }) => { record('skipped ran'); void rows })
test.fails('expected failure', ({ rows }) => { expect(rows).toEqual([]) })
test('tagged', ({ rows }) => { expect(rows.length).toBe(3) }, { tags: ['slow'] })
test.extend<{ doubled: number[] }>({ doubled: async ({ rows }, use) => { await use(rows.map((r) => r * 2)) } })('chained', ({ doubled }) => { expect(doubled).toEqual([2, 4, 6]) })
plain('plain', ({ seed }) => { record('seed in plain ' + seed) })
`,
    'only.mltest.ts': `
import { expect } from 'mltest'
import { test } from './shared.ts'
test.only('the only one', ({ rows }) => { expect(rows).toHaveLength(3) })
test('not this one', () => { throw new Error('should be skipped') })
`,
  })
  const [all, tagged] = await Promise.all([
    runCli(dir, ['run', '--workers', '1', '--seed', '5', '--reporter', 'json:out.json', 'modifiers.mltest.ts', 'only.mltest.ts']),
    runCli(dir, ['run', '--workers', '1', '--seed', '5', '--tag', 'slow', '--reporter', 'json:tagged.json', 'modifiers.mltest.ts']),
  ])
  t.equal(all.code, 0, all.stdout + all.stderr)
  const json = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8')) as { files: Array<{ tests: Array<{ fullName: string; state: string; seed: number }> }> }
  const states = Object.fromEntries(json.files.flatMap((f) => f.tests.map((x) => [x.fullName, x.state])))
  t.same(states, {
    'block > in describe': 'passed',
    'block > each 1': 'passed',
    'block > each 2': 'passed',
    'block > object row 3': 'passed',
    skipped: 'skipped',
    'expected failure': 'passed',
    tagged: 'passed',
    chained: 'passed',
    plain: 'passed',
    'the only one': 'passed',
    'not this one': 'skipped',
  })
  t.equal(tagged.code, 0, tagged.stdout + tagged.stderr)
  const taggedJson = JSON.parse(readFileSync(join(dir, 'tagged.json'), 'utf8')) as { files: Array<{ tests: Array<{ fullName: string; state: string }> }> }
  t.same(taggedJson.files.flatMap((f) => f.tests.map((x) => x.fullName)), ['tagged'])
  const events = readFileSync(join(dir, 'events.log'), 'utf8').trim().split('\n')
  t.notOk(events.includes('skipped ran'))
  const testSeed = deriveSeed(5, 'modifiers.mltest.ts', 'block > in describe')
  t.ok(events.includes(`seed in describe ${testSeed}`), 't.seed of a test with fixtures is the usual test seed')
  t.ok(events.includes(`rows up ${deriveSeed(testSeed, 'fixture', 'rows')}`), 'its fixture has a seed of its own, derived from the test\'s')
  t.ok(events.includes(`seed in plain ${deriveSeed(5, 'modifiers.mltest.ts', 'plain')}`))
})

t.test('--isolate process: a worker fixture whose teardown blocks the child is given up after the limit, and the run ends', async (t) => {
  // The child's event loop never returns, so only the pool's timer can end it (the run used to hang).
  const dir = makeProject(t, {
    'block.mltest.ts': `import { test as base } from 'mltest'
const test = base.extend<{ stuck: number }>({ stuck: [async ({}, use) => { await use(1); while (true) {} }, { scope: 'worker' }] })
test('uses it', ({ stuck }) => { if (stuck !== 1) throw new Error('no fixture') })
`,
  })
  const r = await runCli(dir, ['run', '--isolate', 'process'], { env: { MLTEST_FIXTURE_TEARDOWN_LIMIT_MS: '3000' }, timeoutMs: 60_000 })
  t.equal(r.code, 1, `${r.stdout}\n${r.stderr}`)
  t.match(`${r.stdout}\n${r.stderr}`, /worker-scoped fixtures of worker process \d+ could not tear down: did not finish within 3 s; the process was killed/)
  t.match(r.closing, /^mltest: 1 passed, 0 failed/)
})
