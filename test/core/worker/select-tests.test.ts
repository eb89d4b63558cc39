// The worker's parts around running a file, in-process on real collected trees: which tests
// run and with what options (select-tests.ts), timeouts (timeout.ts, ../watchdog.ts), event
// batching (event-sink.ts) and waiting for exclusive tests (exclusive-waiter.ts).
import t from 'tap'
import type { CollectedTest, FileTask, WorkerBatch } from '../../../core/protocol.ts'
import { createRng } from '../../../core/seed.ts'
import { IMPORT_DEADLINE_MS, watchdogDeadline } from '../../../core/watchdog.ts'
import { beginCollection, describe, endCollection, test, type SuiteNode } from '../../../core/worker/collect.ts'
import { EventSink } from '../../../core/worker/event-sink.ts'
import { ExclusiveWaiter } from '../../../core/worker/exclusive-waiter.ts'
import { describeTests, shuffleTree } from '../../../core/worker/select-tests.ts'
import { TimeoutError, toError, withTimeout } from '../../../core/worker/timeout.ts'
import { defineOnlyTree } from '../../fixtures/modifiers/only-tree.ts'

const body = () => {}

/** Collects a tree with the real test API, as importing a test file does. */
function collect(define: () => void): SuiteNode {
  const root = beginCollection()
  try {
    define()
  } finally {
    endCollection()
  }
  return root
}

function task(overrides: Partial<FileTask> = {}): FileTask {
  return {
    file: '/project/a.mltest.ts', rootDir: '/project', setupFiles: [], seed: 1, shuffle: false, timeoutMs: 30_000, retries: 0,
    listOnly: false, skipIds: [], pluginOptions: {}, color: false, ...overrides,
  }
}

/** fullName → what describeTests made of it. */
function described(root: SuiteNode, overrides: Partial<FileTask> = {}) {
  const metas = [...describeTests(root, task(overrides), 'a.mltest.ts').values()]
  return metas.map((m) => ({ ...m.collected, timeoutMs: m.timeoutMs, retries: m.retries, selected: m.selected, only: m.only }))
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

t.test('describeTests: names, ids and options inherited from describes', async (t) => {
  const root = collect(() => {
    describe('model', () => {
      test('fits', body, { tags: ['slow'] })
      describe('gpu', () => {
        test('fits', body)
        test('fits', body, { timeout: 100 })
      }, { tags: ['gpu', 'slow'], timeout: 500, retries: 2 })
    }, { tags: ['slow'], exclusive: true })
    test('bench me', body, { tags: ['bench'] })
    test('bench, explicitly shared', body, { tags: ['bench'], exclusive: false })
    test.fails('expected failure', body)
  })
  const tests = described(root, { timeoutMs: 1000, retries: 1 })
  t.same(tests.map((x) => x.id), [
    'a.mltest.ts::model > fits',
    'a.mltest.ts::model > gpu > fits',
    'a.mltest.ts::model > gpu > fits (2)',
    'a.mltest.ts::bench me',
    'a.mltest.ts::bench, explicitly shared',
    'a.mltest.ts::expected failure',
  ], 'ids: relative file and full name, numbered when repeated')
  t.match(tests[0], { file: '/project/a.mltest.ts', suitePath: ['model'], name: 'fits', fullName: 'model > fits', exclusive: true, timeoutMs: 1000, retries: 1, mode: 'run', expectFail: false })
  t.same(tests[0]!.tags, ['slow'], "the describe's tag and the test's own, once")
  t.match(tests[0]!.location, { file: new URL(import.meta.url).pathname }, 'where the test was declared')
  t.match(tests[1], { suitePath: ['model', 'gpu'], timeoutMs: 500, retries: 2, exclusive: true }, 'the nearest describe wins')
  t.same(tests[1]!.tags, ['slow', 'gpu'], 'tags merged without repeats, outermost first')
  t.match(tests[2], { timeoutMs: 100, retries: 2 }, "the test's own option wins")
  t.match(tests[3], { exclusive: true, suitePath: [] }, 'tag bench implies exclusive')
  t.match(tests[4], { exclusive: false }, 'unless the test says otherwise')
  t.match(tests[5], { expectFail: true, mode: 'run' })
  t.ok(tests.every((x) => x.selected && !x.only))
})

t.test('describeTests: skip, todo and .only', async (t) => {
  const modes = (define: () => void) => Object.fromEntries(described(collect(define)).map((x) => [x.fullName, x.mode]))
  t.same(modes(() => {
    test('runs', body)
    test.skip('skipped', body)
    test.todo('later')
    describe.skip('off', () => {
      test('inner', body)
      test.todo('inner later')
    })
    describe.todo('whole describe later')
  }), { runs: 'run', skipped: 'skip', later: 'todo', 'off > inner': 'skip', 'off > inner later': 'skip', 'whole describe later': 'todo' }, 'a skipped describe skips everything in it')

  const onlyRoot = collect(defineOnlyTree)
  const only = described(onlyRoot)
  t.same(Object.fromEntries(only.map((x) => [x.fullName, x.mode])), {
    plain: 'skip', chosen: 'run', 'chosen suite > inside': 'run', 'chosen suite > skipped inside': 'skip', 'other > chosen deep': 'run', 'other > not chosen': 'skip', later: 'todo',
  }, '.only within the file: the rest is skipped, a todo stays a todo')
  t.same(only.filter((x) => x.only).map((x) => x.fullName), ['chosen', 'chosen suite > inside', 'chosen suite > skipped inside', 'other > chosen deep'])
})

t.test('describeTests: --grep and --tag select by full name and tags', async (t) => {
  const root = collect(() => {
    describe('model', () => {
      test('fits', body, { tags: ['slow'] })
      test('predicts', body, { tags: ['gpu'] })
    }, { tags: ['tfjs'] })
    test('loads', body)
  })
  const selected = (overrides: Partial<FileTask>) => described(root, overrides).filter((x) => x.selected).map((x) => x.fullName)
  t.same(selected({}), ['model > fits', 'model > predicts', 'loads'])
  t.same(selected({ grep: 'model > f' }), ['model > fits'], 'grep sees describe titles')
  t.same(selected({ grep: '^(loads|predicts)$' }), ['loads'], 'grep is a regular expression on the full name')
  t.same(selected({ tagExpr: 'tfjs and not gpu' }), ['model > fits'], 'tags inherited from describes count')
  t.same(selected({ grep: 'model', tagExpr: 'gpu' }), ['model > predicts'], 'both filters apply')
  t.ok(described(root, { grep: 'nothing' }).every((x) => x.mode === 'run'), 'a filter deselects; it does not change the mode')
  t.throws(() => describeTests(root, task({ tagExpr: 'gpu and' }), 'a.mltest.ts'), { name: 'TagExpressionError' })
})

t.test('shuffleTree: a seeded permutation at every level', async (t) => {
  const build = () =>
    collect(() => {
      for (let i = 0; i < 8; i++) test(`t${i}`, body)
      describe('inner', () => {
        for (let i = 0; i < 8; i++) test(`i${i}`, body)
      })
    })
  const order = (seed: number) => {
    const root = build()
    shuffleTree(root, createRng(seed))
    return described(root).map((x) => x.fullName)
  }
  const original = described(build()).map((x) => x.fullName)
  const shuffled = order(5)
  t.same(order(5), shuffled, 'the same seed, the same order')
  t.same([...shuffled].sort(), [...original].sort(), 'nothing lost or repeated')
  const orders = new Set(Array.from({ length: 10 }, (_, s) => order(100 + s).join()))
  t.ok(orders.size > 5, 'seeds give different orders')
  const innerOrders = new Set(Array.from({ length: 10 }, (_, s) => order(100 + s).filter((n) => n.startsWith('inner')).join()))
  t.ok(innerOrders.size > 5, 'tests inside a describe are shuffled too')
  t.ok(order(5).filter((n) => n.startsWith('inner')).length === 8)
})

t.test('withTimeout: settles with the work or rejects with a TimeoutError that says how to fix it', async (t) => {
  await t.resolves(withTimeout(() => 42, 1000, 'sync work'))
  await t.resolves(withTimeout(() => delay(5), 1000, 'quick work'))
  const thrown = new Error('boom')
  await t.rejects(withTimeout(() => { throw thrown }, 1000, 'x'), thrown, 'a synchronous throw becomes the rejection, untouched')
  await t.rejects(withTimeout(() => Promise.reject(thrown), 1000, 'x'), thrown)

  const events: string[] = []
  const slow = withTimeout(() => new Promise(() => {}), 20, 'test "model > fits"', () => events.push('onTimeout')).catch((error: unknown) => {
    events.push('rejected')
    return error
  })
  const error = (await slow) as Error
  t.type(error, TimeoutError)
  t.equal(error.name, 'TimeoutError')
  t.equal(error.message, 'test "model > fits" timed out after 20 ms — raise the limit with { timeout } in its options or --timeout')
  t.same(events, ['onTimeout', 'rejected'], 'onTimeout runs first (it aborts the test\'s signal)')

  let late = false
  await withTimeout(() => delay(1), 30, 'x', () => (late = true))
  await delay(60)
  t.notOk(late, 'no timeout after the work finished')
})

t.test('timeouts and event delivery survive user code that fakes timers', async (t) => {
  const realSetTimeout = globalThis.setTimeout
  const realClearTimeout = globalThis.clearTimeout
  const fake = (() => 0) as unknown as typeof setTimeout
  globalThis.setTimeout = fake
  globalThis.clearTimeout = (() => {}) as typeof clearTimeout
  let timedOut: Promise<unknown>
  const batches: WorkerBatch[] = []
  try {
    timedOut = withTimeout(() => new Promise(() => {}), 20, 'faked').catch((e: unknown) => e)
    new EventSink((b) => batches.push(b)).push(['phase-end'])
  } finally {
    globalThis.setTimeout = realSetTimeout
    globalThis.clearTimeout = realClearTimeout
  }
  t.type(await timedOut, TimeoutError, 'the timer captured when the module loaded still fires')
  await delay(100)
  t.same(batches, [{ events: [['phase-end']] }], 'and so does the flush timer')
})

t.test('toError: a TimeoutError is of kind timeout', async (t) => {
  t.match(toError(new TimeoutError('slow')), { kind: 'timeout', name: 'TimeoutError', message: 'slow' })
  t.match(toError(new TypeError('bad')), { kind: 'error', name: 'TypeError' })
  t.match(toError('text'), { kind: 'error', message: 'a non-Error value was thrown: text' })
})

t.test('watchdog deadlines leave the in-worker timeout room to act first', async (t) => {
  t.equal(watchdogDeadline(1000), 3000, 'the body, then afterEach hooks with the same timeout, then 1 s')
  t.equal(watchdogDeadline(0), 1000)
  t.equal(IMPORT_DEADLINE_MS, 10_000)
})

t.test('EventSink batches events until a flush or a short delay', async (t) => {
  const batches: WorkerBatch[] = []
  const sink = new EventSink((b) => batches.push(b))
  sink.flush()
  t.same(batches, [], 'nothing to send, nothing sent')
  sink.push(['test-start', 'a', 100])
  sink.push(['log', 'a', { stream: 'stdout', text: 'hi\n' }])
  t.same(batches, [], 'not at once')
  sink.flush()
  t.same(batches, [{ events: [['test-start', 'a', 100], ['log', 'a', { stream: 'stdout', text: 'hi\n' }]] }], 'one batch, in order')
  await delay(80)
  t.equal(batches.length, 1, 'a flush cancels the pending timer')

  sink.push(['phase-end'])
  await delay(20)
  t.equal(batches.length, 1, 'still waiting')
  await delay(80)
  t.same(batches[1], { events: [['phase-end']] }, 'sent after the delay')
  sink.flush()
  t.equal(batches.length, 2)
})

t.test('ExclusiveWaiter: requests, grants, pauses and resumes', async (t) => {
  const sent: unknown[] = []
  const waiter = new ExclusiveWaiter(new EventSink((b) => sent.push(...b.events)))
  const plain = { id: 'plain', exclusive: false } as CollectedTest
  const bench = { id: 'bench', exclusive: true } as CollectedTest
  const state = (p: Promise<void>) => Promise.race([p.then(() => 'started'), delay(20).then(() => 'waiting')])

  t.equal(await state(waiter.beforeTest(plain)), 'started', 'an ordinary test starts at once')
  t.same(sent, [])

  const exclusive = waiter.beforeTest(bench)
  t.same(sent, [['exclusive-request', 'bench']], 'the request is sent at once')
  waiter.onControl({ type: 'resume' })
  t.equal(await state(exclusive), 'waiting', 'a resume does not start an exclusive test')
  waiter.onControl({ type: 'grant' })
  t.equal(await state(exclusive), 'started', 'a grant does')

  sent.length = 0
  waiter.onControl({ type: 'pause', epoch: 3 })
  const paused = waiter.beforeTest(plain)
  t.same(sent, [['paused', 3]], 'the next test answers the pause with its epoch')
  t.equal(await state(paused), 'waiting')
  waiter.onControl({ type: 'resume' })
  t.equal(await state(paused), 'started')

  sent.length = 0
  waiter.onControl({ type: 'pause', epoch: 4 })
  const pausedBench = waiter.beforeTest(bench)
  t.same(sent, [['paused', 4]])
  waiter.onControl({ type: 'resume' })
  await delay(5)
  t.same(sent, [['paused', 4], ['exclusive-request', 'bench']], 'after the resume, the exclusive test asks')
  t.equal(await state(pausedBench), 'waiting')
  waiter.onControl({ type: 'grant' })
  t.equal(await state(pausedBench), 'started')

  sent.length = 0
  waiter.onControl({ type: 'pause', epoch: 5 })
  waiter.onControl({ type: 'grant' })
  t.equal(await state(waiter.beforeTest(plain)), 'started', 'a grant settles a pause that crossed it')
  t.same(sent, [])
})
