// End-to-end: the real `mltest run` on sample projects — the test API (only/skip/todo/fails/
// each, describe modifiers), hook order, retries, the test context, discovery, filters,
// --list, seed replay and the exit codes of ordinary runs.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { failureBlock, linesWith, makeProject, readRecorded, RECORDER_PLUGIN, runCli } from './run-cli.ts'

// ---------------------------------------------------------------------------------------
// One project exercising the test API; every file records what ran.

const HOOKS = `
import { appendFileSync } from 'node:fs'
import { afterAll, afterEach, beforeAll, beforeEach, describe, test } from 'mltest'
const record = (event: string) => appendFileSync(new URL('./hooks.log', import.meta.url), event + '\\n')
beforeAll(() => record('file beforeAll'))
afterAll(() => record('file afterAll'))
beforeEach((t) => record('file beforeEach ' + t.name))
afterEach((t) => record('file afterEach ' + t.name))
test('first', () => record('test first'))
describe('outer', () => {
  beforeAll(() => record('outer beforeAll'))
  afterAll(() => record('outer afterAll'))
  beforeEach((t) => record('outer beforeEach ' + t.name))
  afterEach((t) => record('outer afterEach ' + t.name))
  test('second', () => record('test second'))
  describe('inner', () => {
    beforeEach((t) => record('inner beforeEach ' + t.name))
    afterEach((t) => record('inner afterEach ' + t.name))
    test('third fails', () => {
      record('test third')
      throw new Error('third failed on purpose')
    })
  })
})
describe.skip('skipped suite', () => {
  beforeAll(() => record('skipped suite beforeAll'))
  test('never runs', () => record('test never runs'))
})
test('last', () => record('test last'))
`

const MODIFIERS = `
import { describe, expect, test } from 'mltest'
test('plain passes', () => {})
test.skip('skipped test', () => { throw new Error('a skipped test ran') })
test.todo('todo test')
test.fails('fails as expected', () => { expect(1).toBe(2) })
test.fails('fails but passes', () => {})
test.each([['relu', 0], ['tanh', 1]])('activation %s index %d', (name, index) => {
  expect(['relu', 'tanh'][index]).toBe(name)
})
test.each([{ model: 'mlp', layers: 2 }, { model: 'cnn', layers: 5 }])('$model has $layers layers', ({ model, layers }) => {
  expect(model === 'mlp' ? 2 : 5).toBe(layers)
})
describe.skip('skipped suite', () => {
  test('inside skipped suite', () => { throw new Error('a test in a skipped suite ran') })
})
describe.todo('todo suite')
describe.each([{ opt: 'sgd' }, { opt: 'adam' }])('optimizer $opt', ({ opt }) => {
  test('has a name', () => { expect(['sgd', 'adam']).toContain(opt) })
})
describe.each([['row', 7]])('table %s %d', (label, n) => {
  test('gets its row', () => { expect([label, n]).toEqual(['row', 7]) })
})
`

// A fixture file (not inline): the project's own check for a forgotten .only skips test/fixtures/.
const ONLY = readFileSync(new URL('../fixtures/modifiers/only.mltest.ts', import.meta.url), 'utf8')

const RETRIES = `
import { describe, test } from 'mltest'
test('flaky passes on third attempt', (t) => {
  console.log('ATTEMPT flaky-a ' + t.attempt)
  if (t.attempt < 3) throw new Error('flaky attempt ' + t.attempt)
}, { retries: 2 })
test('flaky fails with one retry', (t) => {
  console.log('ATTEMPT flaky-b ' + t.attempt)
  if (t.attempt < 3) throw new Error('flaky attempt ' + t.attempt)
}, { retries: 1 })
describe('retried suite', () => {
  test('inherits retries', (t) => { if (t.attempt < 2) throw new Error('first try fails') })
}, { retries: 1 })
test('no retries by default', (t) => {
  console.log('ATTEMPT once ' + t.attempt)
  throw new Error('fails once, not retried')
})
`

const CONTEXT = `
import { existsSync, writeFileSync } from 'node:fs'
import { describe, expect, test } from 'mltest'
const dirs: string[] = []
test('tmpdir is usable', (t) => {
  const dir = t.tmpdir()
  writeFileSync(dir + '/weights.bin', 'x')
  expect(existsSync(dir + '/weights.bin')).toBe(true)
  dirs.push(dir)
  t.log('TMPDIR ' + dir)
})
test('tmpdir of a failing test', (t) => {
  const dir = t.tmpdir()
  dirs.push(dir)
  t.log('TMPDIR ' + dir)
  throw new Error('failing with a tmpdir')
})
test('earlier tmpdirs are gone', () => {
  expect(dirs).toHaveLength(2)
  for (const dir of dirs) expect(existsSync(dir)).toBe(false)
})
test('annotates', (t) => {
  t.annotate('accuracy', 0.93)
  t.annotate('model', 'mlp')
  t.annotate('converged', true)
})
describe('ctx', () => {
  test('fields', (t) => {
    t.log('CTX ' + [t.name, t.fullName, t.file.endsWith('context.mltest.ts'), t.attempt, Number.isInteger(t.seed), t.signal.aborted].join(' | '))
  })
})
`

const api = makeProject(t, {
  'mltest.config.ts': `${RECORDER_PLUGIN}\nexport default { plugins: [recorder()] }\n`,
  'hooks.mltest.ts': HOOKS,
  'modifiers.mltest.ts': MODIFIERS,
  'only.mltest.ts': ONLY,
  'retries.mltest.ts': RETRIES,
  'context.mltest.ts': CONTEXT,
})
const apiRun = runCli(api, ['run', '--no-color', '--workers', '2', '--seed', '7'])

t.test('test API: exit code, closing line and the result of every test', async (t) => {
  const r = await apiRun
  t.equal(r.code, 1, 'a failing test makes exit code 1')
  // The todo count is checked in its own test below (describe.todo).
  t.match(r.closing, /^mltest: 21 passed, 5 failed, 6 skipped, \d+ todo$/, 'closing line is the last stdout line')
  const results = readRecorded(api)
  const states = Object.fromEntries([...results].map(([key, v]) => [key, v.state]))
  t.same(states, {
    'hooks.mltest.ts > first': 'passed',
    'hooks.mltest.ts > outer > second': 'passed',
    'hooks.mltest.ts > outer > inner > third fails': 'failed',
    'hooks.mltest.ts > skipped suite > never runs': 'skipped',
    'hooks.mltest.ts > last': 'passed',
    'modifiers.mltest.ts > plain passes': 'passed',
    'modifiers.mltest.ts > skipped test': 'skipped',
    'modifiers.mltest.ts > todo test': 'todo',
    'modifiers.mltest.ts > fails as expected': 'passed',
    'modifiers.mltest.ts > fails but passes': 'failed',
    'modifiers.mltest.ts > activation relu index 0': 'passed',
    'modifiers.mltest.ts > activation tanh index 1': 'passed',
    'modifiers.mltest.ts > mlp has 2 layers': 'passed',
    'modifiers.mltest.ts > cnn has 5 layers': 'passed',
    'modifiers.mltest.ts > skipped suite > inside skipped suite': 'skipped',
    'modifiers.mltest.ts > optimizer sgd > has a name': 'passed',
    'modifiers.mltest.ts > optimizer adam > has a name': 'passed',
    'modifiers.mltest.ts > table row 7 > gets its row': 'passed',
    'only.mltest.ts > not marked only': 'skipped',
    'only.mltest.ts > marked only': 'passed',
    'only.mltest.ts > only suite > inside only suite': 'passed',
    'only.mltest.ts > only suite > skipped inside only suite': 'skipped',
    'only.mltest.ts > plain suite > outside only': 'skipped',
    'only.mltest.ts > plain suite > nested only': 'passed',
    'retries.mltest.ts > flaky passes on third attempt': 'passed',
    'retries.mltest.ts > flaky fails with one retry': 'failed',
    'retries.mltest.ts > retried suite > inherits retries': 'passed',
    'retries.mltest.ts > no retries by default': 'failed',
    'context.mltest.ts > tmpdir is usable': 'passed',
    'context.mltest.ts > tmpdir of a failing test': 'failed',
    'context.mltest.ts > earlier tmpdirs are gone': 'passed',
    'context.mltest.ts > annotates': 'passed',
    'context.mltest.ts > ctx > fields': 'passed',
    ...(results.has('modifiers.mltest.ts > todo suite') ? { 'modifiers.mltest.ts > todo suite': 'todo' } : {}),
  })
  t.match(r.stdout, /Failed tests:\n(  ✗ .*\n){5}/, 'the summary lists the failed tests')
})

t.test('test.fails passes when the body throws and fails when it passes', async (t) => {
  const r = await apiRun
  t.equal(failureBlock(r.stdout, 'modifiers.mltest.ts > fails as expected'), undefined)
  t.match(failureBlock(r.stdout, 'modifiers.mltest.ts > fails but passes'), /expected to fail, but it passed/)
})

t.test('describe.todo is reported as a todo entry', async (t) => {
  const r = await apiRun
  t.equal(readRecorded(api).get('modifiers.mltest.ts > todo suite')?.state, 'todo')
  t.equal(r.closing, 'mltest: 21 passed, 5 failed, 6 skipped, 2 todo')
})

t.test('hooks run in order at file and describe level', async (t) => {
  await apiRun
  const order = readFileSync(join(api, 'hooks.log'), 'utf8').trim().split('\n')
  t.same(order, [
    'file beforeAll',
    'file beforeEach first',
    'test first',
    'file afterEach first',
    'outer beforeAll',
    'file beforeEach second',
    'outer beforeEach second',
    'test second',
    'outer afterEach second',
    'file afterEach second',
    'file beforeEach third fails',
    'outer beforeEach third fails',
    'inner beforeEach third fails',
    'test third',
    'inner afterEach third fails',
    'outer afterEach third fails',
    'file afterEach third fails',
    'outer afterAll',
    'file beforeEach last',
    'test last',
    'file afterEach last',
    'file afterAll',
  ], 'beforeEach outermost first, afterEach innermost first (also after a failure), no hooks of a skipped suite')
})

t.test('retries: attempts are counted and reported', async (t) => {
  const r = await apiRun
  const results = readRecorded(api)
  t.equal(results.get('retries.mltest.ts > flaky passes on third attempt')?.attempts, 3)
  t.same(linesWith(r.stdout, 'ATTEMPT flaky-a '), ['1', '2', '3'])
  t.equal(results.get('retries.mltest.ts > flaky fails with one retry')?.attempts, 2)
  t.same(linesWith(r.stdout, 'ATTEMPT flaky-b '), ['1', '2'])
  const block = failureBlock(r.stdout, 'retries.mltest.ts > flaky fails with one retry')
  t.match(block, /\(after 2 attempts\)/)
  t.match(block, /flaky attempt 2/, 'the last attempt\'s error is reported')
  t.equal(results.get('retries.mltest.ts > retried suite > inherits retries')?.attempts, 2, 'describe options reach its tests')
  t.equal(results.get('retries.mltest.ts > no retries by default')?.attempts, 1)
  t.same(linesWith(r.stdout, 'ATTEMPT once '), ['1'])
})

t.test('test context: tmpdir removed, annotations recorded, fields set', async (t) => {
  const r = await apiRun
  const results = readRecorded(api)
  const dirs = linesWith(r.stdout, 'TMPDIR ')
  t.equal(dirs.length, 2)
  for (const dir of dirs) t.notOk(existsSync(dir), `${dir} was removed`)
  t.equal(results.get('context.mltest.ts > earlier tmpdirs are gone')?.state, 'passed', 'removed right after each test, failed or not')
  t.same(results.get('context.mltest.ts > annotates')?.annotations, [
    { key: 'accuracy', value: 0.93 },
    { key: 'model', value: 'mlp' },
    { key: 'converged', value: true },
  ])
  t.same(linesWith(r.stdout, 'CTX '), ['fields | ctx > fields | true | 1 | true | false'])
  t.match(failureBlock(r.stdout, 'context.mltest.ts > tmpdir of a failing test'), /captured output:\n\s+TMPDIR /, 'a failure shows the test\'s output')
})

t.test('the console reporter shows t.annotate values', async (t) => {
  const r = await apiRun
  t.match(r.stdout, /accuracy\W+0\.93/)
})

t.test('test locations give test.fails failures a code frame', async (t) => {
  const r = await apiRun
  t.match(failureBlock(r.stdout, 'modifiers.mltest.ts > fails but passes'), /modifiers\.mltest\.ts:7:\d+/)
})

// ---------------------------------------------------------------------------------------
// Discovery, filters and --list on one project.

const tests = (body: string) => `import { describe, test } from 'mltest'\n${body}\n`
const filteredOut = `() => { throw new Error('should have been filtered out') }`
const disco = makeProject(t, {
  'root.mltest.ts': tests(`test('root test', ${filteredOut})`),
  'src/models/mlp.mltest.ts': tests(`describe('mlp', () => {
  test('forward shape', () => {}, { tags: ['fast'] })
  test('trains', () => {}, { tags: ['slow', 'gpu'] })
  test.skip('exports onnx', () => {})
})`),
  'src/models/helper.ts': 'export const notATest = 1\n',
  'src/data/loader.mltest.ts': tests(`test('loads csv', ${filteredOut}, { tags: ['slow'] })
describe('batching', () => {
  test('drops last', ${filteredOut})
}, { tags: ['fast'] })`),
  'src/vendor/node_modules/pkg/deep.mltest.ts': tests(`test('in nested node_modules', ${filteredOut})`),
  'node_modules/dep/dep.mltest.ts': tests(`test('in node_modules', ${filteredOut})`),
  '.hidden/h.mltest.ts': tests(`test('in dot folder', ${filteredOut})`),
  'src/.cache/c.mltest.ts': tests(`test('in nested dot folder', ${filteredOut})`),
  'docs/notes.test.ts': tests(`test('not an mltest file', ${filteredOut})`),
  'only-src.config.ts': `export default { include: ['src/**/*.mltest.ts'], exclude: ['**/data/**'] }\n`,
})
// One worker: these runs test discovery and filters, not parallelism, and start faster.
const list = (...args: string[]) => runCli(disco, ['run', '--list', '--no-color', '--workers', '1', ...args])
const ALL = [
  'root.mltest.ts > root test',
  'src/data/loader.mltest.ts > loads csv [slow]',
  'src/data/loader.mltest.ts > batching > drops last [fast]',
  'src/models/mlp.mltest.ts > mlp > forward shape [fast]',
  'src/models/mlp.mltest.ts > mlp > trains [slow, gpu]',
  'src/models/mlp.mltest.ts > mlp > exports onnx (skip)',
]
const listed = (stdout: string) => stdout.trim().split('\n').slice(0, -1)
const discoRuns = {
  all: list(),
  folder: list('src'),
  fileAndGlob: list('root.mltest.ts', 'src/models/*.mltest.ts'),
  config: list('--config', 'only-src.config.ts'),
  tag: list('--tag', '(fast or gpu) and not slow'),
  runGrep: runCli(disco, ['run', '--no-color', '--workers', '1', '--grep', '^mlp > (forward|trains)']),
  emptyFolder: runCli(disco, ['run', '--no-color', 'docs']),
  emptyPass: runCli(disco, ['run', '--no-color', 'docs', '--pass-with-no-tests']),
}

t.test('discovery: the current folder, skipping node_modules and dot-folders', async (t) => {
  const r = await discoRuns.all
  t.equal(r.code, 0)
  t.same(listed(r.stdout), ALL, 'only *.mltest.ts files, sorted; no node_modules, no dot-folders, no other files')
  t.equal(r.closing, 'mltest: 6 tests collected')
})

t.test('discovery: a folder, a file and a glob', async (t) => {
  const folder = await discoRuns.folder
  t.equal(folder.code, 0)
  t.same(listed(folder.stdout), ALL.filter((l) => l.startsWith('src/')), 'a folder is searched recursively, skipping node_modules and dot-folders')
  const fileAndGlob = await discoRuns.fileAndGlob
  t.equal(fileAndGlob.code, 0)
  t.same(listed(fileAndGlob.stdout), ALL.filter((l) => l.startsWith('root') || l.startsWith('src/models/')))
})

t.test('discovery: config include and exclude', async (t) => {
  const r = await discoRuns.config
  t.equal(r.code, 0)
  t.same(listed(r.stdout), ALL.filter((l) => l.startsWith('src/models/')))
})

t.test('filters: --tag expressions, tags inherited from describe', async (t) => {
  const r = await discoRuns.tag
  t.equal(r.code, 0)
  t.same(listed(r.stdout), [
    'src/data/loader.mltest.ts > batching > drops last [fast]',
    'src/models/mlp.mltest.ts > mlp > forward shape [fast]',
  ], 'and, or, not, parentheses; "drops last" has its describe\'s tag')
})

t.test('filters: --grep matches full names; a run only runs the matching tests', async (t) => {
  const r = await discoRuns.runGrep
  t.equal(r.code, 0, r.stdout + r.stderr)
  t.equal(r.closing, 'mltest: 2 passed, 0 failed, 0 skipped', '"^mlp > " matches the describe title in the full name; the rest neither runs nor counts')
  t.notMatch(r.stdout, /filtered out/)
  t.match(r.stdout, /src\/models\/mlp\.mltest\.ts \(2 tests,/)
})

t.test('exit codes: no tests found is 1 unless --pass-with-no-tests', async (t) => {
  const empty = await discoRuns.emptyFolder
  t.equal(empty.code, 1)
  t.match(empty.stderr, /no tests found in docs/)
  t.equal(empty.closing, 'mltest: 0 passed, 0 failed, 0 skipped')
  const pass = await discoRuns.emptyPass
  t.equal(pass.code, 0)
  t.equal(pass.stderr, '')
})

// ---------------------------------------------------------------------------------------
// Seed replay: a test's t.rng stream depends on the run seed and its name only.

const rngFile = (name: string) => `import { describe, test } from 'mltest'
test('${name} draws', (t) => { t.log('RNG ' + t.fullName + ' ' + [t.rng.next(), t.rng.int(0, 1000000), t.rng.normal(), t.seed].join(' ')) })
describe('${name} group', () => {
  test('draws', (t) => { t.log('RNG ' + t.fullName + ' ' + [t.rng.next(), t.rng.next(), t.rng.shuffle([1, 2, 3, 4, 5]).join(',')].join(' ')) })
})
`
const seeded = makeProject(t, { 'a.mltest.ts': rngFile('a'), 'b.mltest.ts': rngFile('b'), 'c.mltest.ts': rngFile('c') })
const seedRuns = {
  oneWorker: runCli(seeded, ['run', '--no-color', '--seed', '123', '--workers', '1']),
  twoWorkers: runCli(seeded, ['run', '--no-color', '--seed', '123', '--workers', '2']),
  otherSeed: runCli(seeded, ['run', '--no-color', '--seed', '124', '--workers', '2']),
}

t.test('seed replay: same seed, same t.rng values whatever the worker count', async (t) => {
  const [one, two, other] = await Promise.all([seedRuns.oneWorker, seedRuns.twoWorkers, seedRuns.otherSeed])
  for (const r of [one, two, other]) {
    t.equal(r.code, 0, `${r.command} passes`)
    t.equal(r.closing, 'mltest: 6 passed, 0 failed, 0 skipped')
    t.notMatch(r.rawStdout, /\u001b\[/, '--no-color: no escape codes')
  }
  t.match(one.stdout, /seed 123 · 1 worker · 3 files/)
  t.match(two.stdout, /seed 123 · 2 workers · 3 files/)
  t.match(one.stdout, /Seed\s+123 \(replay: --seed 123\)/)
  const draws = (stdout: string) => new Map(linesWith(stdout, 'RNG ').map((l) => [l.slice(0, l.indexOf(' draws') + 6), l]))
  const a = draws(one.stdout)
  const b = draws(two.stdout)
  const c = draws(other.stdout)
  t.equal(a.size, 6, 'every test logged its draws')
  t.same([...b].sort(), [...a].sort(), 'identical with 1 and 2 workers')
  t.equal(new Set([...a.values()].map((l) => l.split(' ').slice(-3).join(' '))).size, 6, 'each test has its own stream')
  t.equal(c.size, 6)
  for (const [name, line] of a) t.not(c.get(name), line, `${name}: another seed gives other values`)
})

t.test('test.fails with { error }: only the expected failure counts', async (t) => {
  const dir = makeProject(t, {
    'fails.mltest.ts': `import { expect, test } from 'mltest'
test.fails('right failure', () => { throw new Error('p99 12 ms > budget 5 ms') }, { error: /p99 .* budget/ })
test.fails('right failure by substring', () => { throw new Error('softmax overflow at [3]') }, { error: 'overflow' })
test.fails('wrong failure', () => { throw new TypeError('cannot read properties of undefined') }, { error: /budget/ })
test.fails('no failure', () => {}, { error: /budget/ })
test.fails('any failure without { error }', () => { expect(1).toBe(2) })
const shared = /overflow/g
test.fails('a /g pattern, first use', () => { throw new Error('overflow in exp') }, { error: shared })
test.fails('a /g pattern, second use', () => { throw new Error('overflow in exp') }, { error: shared })
`,
    'misuse.mltest.ts': `import { test } from 'mltest'\ntest('plain test with error', () => {}, { error: /x/ })\n`,
  })
  const r = await runCli(dir, ['run', '--no-color'])
  t.equal(r.code, 1)
  t.equal(r.closing, 'mltest: 5 passed, 2 failed, 0 skipped, 1 file error')
  t.match(r.stdout, /the error option applies to test\.fails only/)
  t.match(r.stdout, /FAIL\s+fails\.mltest\.ts > wrong failure[\s\S]*not with the expected error \(\/budget\/\):\s+cannot read properties of undefined/)
  t.match(r.stdout, /FAIL\s+fails\.mltest\.ts > no failure[\s\S]*expected to fail, but it passed/)
})
