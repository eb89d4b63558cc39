// Crash triage, branch by branch: what a dead or hung worker leaves behind, as results,
// file errors and the decision to resume the file on a fresh worker.
import t from 'tap'
import { triageCrash, type CrashFacts, type Phase } from '../../../core/node/crash-triage.ts'
import type { CollectedTest, TestResult } from '../../../core/protocol.ts'
import { testSeedOf } from '../../../core/test-result.ts'

const task = { file: '/project/model.mltest.ts', rootDir: '/project', seed: 7 }

function collected(name: string, extra: Partial<CollectedTest> = {}): CollectedTest {
  const suitePath = extra.suitePath ?? []
  const fullName = [...suitePath, name].join(' > ')
  return {
    id: `model.mltest.ts::${fullName}`, file: task.file, suitePath, name, fullName, tags: [], mode: 'run', expectFail: false, exclusive: false,
    location: { file: task.file, line: 3, column: 1 }, ...extra,
  }
}

const first = collected('first')
const second = collected('second')
const third = collected('third')
const skipped = collected('skipped', { mode: 'skip' })
const todo = collected('todo', { mode: 'todo' })
const guardedA = collected('a', { suitePath: ['block'] })
const guardedB = collected('b', { suitePath: ['block'] })

function facts(over: Partial<CrashFacts>): CrashFacts {
  return { task, collected: [], reported: new Set(), activity: {}, crashMessage: 'the worker exited with code 3 (process.exit() called by the test or code it ran)', failuresLeft: Infinity, ...over }
}

const importing: Phase = { label: 'importing the file', deadlineMs: 10_000, guards: [], resumable: false }
const beforeAll: Phase = { label: 'beforeAll hook of "block"', deadlineMs: 1600, guards: [guardedA.id, guardedB.id], resumable: true }
const afterAll: Phase = { label: 'afterAll hook of "block"', deadlineMs: 1600, guards: [], resumable: true }

const summary = (results: TestResult[]) => results.map((r) => `${r.name}:${r.state}`)

t.test('a test crashes its worker: it fails with the reason; the rest of the file resumes', async (t) => {
  const triage = triageCrash(facts({ collected: [first, second, third], reported: new Set([first.id]), activity: { running: { id: second.id, timeoutMs: 5000 } } }))
  t.same(triage.fileErrors, [])
  t.same(summary(triage.results), ['second:failed'])
  const [result] = triage.results
  t.match(result, { state: 'failed', attempts: 1, error: { kind: 'crash', name: 'WorkerCrash', message: /exited with code 3/, location: second.location } })
  t.equal(result!.seed, testSeedOf(task, 'second'), 'the seed the worker gives the test')
  t.equal(triage.resume, true)
})

t.test('a test blocks its worker: the watchdog\'s victim is a timeout, naming both deadlines', async (t) => {
  const hung = { id: first.id, timeoutMs: 300 }
  const triage = triageCrash(facts({ collected: [first, second], activity: { running: hung, hungTest: hung }, crashMessage: 'the worker was terminated' }))
  t.match(triage.results[0], {
    name: 'first', state: 'failed',
    error: { kind: 'timeout', name: 'TimeoutError', message: 'test timed out after 300 ms and blocked its worker (synchronous code such as an infinite loop?); the worker was terminated after 1600 ms' },
  })
  t.equal(triage.results[0]!.seed, testSeedOf(task, 'first'))
  t.equal(triage.resume, true)
})

t.test('a crash in the last runnable test ends the file: skipped, todo and reported tests need no resume', async (t) => {
  const triage = triageCrash(facts({ collected: [first, skipped, todo, second], reported: new Set([first.id]), activity: { running: { id: second.id, timeoutMs: 5000 } } }))
  t.same(summary(triage.results), ['second:failed'])
  t.equal(triage.resume, false)
})

t.test('--bail: a crash that uses up the failures left ends the file', async (t) => {
  const running = { id: first.id, timeoutMs: 5000 }
  t.equal(triageCrash(facts({ collected: [first, second], activity: { running }, failuresLeft: 1 })).resume, false, 'the crash is the last failure allowed')
  t.equal(triageCrash(facts({ collected: [first, second], activity: { running }, failuresLeft: 0 })).resume, false, 'the run had stopped already')
  t.equal(triageCrash(facts({ collected: [first, second], activity: { running }, failuresLeft: 2 })).resume, true)
})

t.test('a crash between tests is a file error and ends the file', async (t) => {
  const triage = triageCrash(facts({ collected: [first, second], reported: new Set([first.id]) }))
  t.same(triage.results, [])
  t.same(triage.fileErrors, [{ kind: 'crash', name: 'WorkerCrash', message: 'the worker exited with code 3 (process.exit() called by the test or code it ran); the file did not finish' }])
  t.equal(triage.resume, false)
})

t.test('a test the worker started without collecting it still gets a named result', async (t) => {
  const triage = triageCrash(facts({ activity: { running: { id: 'model.mltest.ts::ghost', timeoutMs: 5000 } } }))
  t.match(triage.results[0], { id: 'model.mltest.ts::ghost', name: 'model.mltest.ts::ghost', file: task.file, state: 'failed', error: { kind: 'crash', location: undefined } })
  t.equal(triage.results[0]!.seed, testSeedOf(task, 'model.mltest.ts::ghost'))
  t.equal(triage.resume, false)
})

t.test('a crash at import: a file error naming the phase; nothing resumes', async (t) => {
  const triage = triageCrash(facts({ activity: { phase: importing } }))
  t.same(triage.fileErrors, [{ kind: 'crash', name: 'WorkerCrash', message: 'importing the file: the worker exited with code 3 (process.exit() called by the test or code it ran)' }])
  t.same(triage.results, [])
  t.equal(triage.resume, false)
})

t.test('a blocked phase is a timeout file error; its collected tests are skipped when it cannot resume', async (t) => {
  const setUp: Phase = { ...importing, label: 'setting up the worker (config plugins, setupFiles)' }
  const triage = triageCrash(facts({ collected: [first, second], reported: new Set([first.id]), activity: { phase: setUp, hungPhase: setUp } }))
  t.match(triage.fileErrors, [{ kind: 'timeout', name: 'TimeoutError', message: /^setting up the worker \(config plugins, setupFiles\) did not finish within 10000 ms \(a synchronous loop/ }])
  t.same(summary(triage.results), ['second:skipped'])
  t.match(triage.results[0], { reason: 'not run: setting up the worker (config plugins, setupFiles) ended the worker', seed: testSeedOf(task, 'second') })
  t.equal(triage.resume, false)
})

t.test('a beforeAll crash fails the tests it guards; the rest of the file resumes', async (t) => {
  const triage = triageCrash(facts({ collected: [first, guardedA, guardedB, second], reported: new Set([first.id, guardedA.id]), activity: { phase: beforeAll } }))
  t.same(triage.fileErrors, [], 'the failure belongs to the guarded tests, not the file')
  t.same(summary(triage.results), ['b:failed'], 'a guarded test already reported is not reported again')
  t.match(triage.results[0], { fullName: 'block > b', attempts: 1, error: { kind: 'crash', message: /^beforeAll hook of "block": the worker exited/, location: guardedB.location } })
  t.equal(triage.results[0]!.seed, testSeedOf(task, 'block > b'))
  t.equal(triage.resume, true)
})

t.test('a blocked beforeAll fails its tests as timeouts', async (t) => {
  const triage = triageCrash(facts({ collected: [guardedA, guardedB, second], activity: { phase: beforeAll, hungPhase: beforeAll } }))
  t.same(summary(triage.results), ['a:failed', 'b:failed'])
  t.match(triage.results[1], { error: { kind: 'timeout', name: 'TimeoutError', message: /^beforeAll hook of "block" did not finish within 1600 ms/ } })
  t.equal(triage.resume, true)
})

t.test('a blocked phase is to blame even when a test is marked running; an unblocked one only when none is', async (t) => {
  const running = { id: second.id, timeoutMs: 5000 }
  const blocked = triageCrash(facts({ collected: [first, second], activity: { running, phase: afterAll, hungPhase: afterAll } }))
  t.match(blocked.fileErrors, [{ kind: 'timeout', message: /^afterAll hook of "block" did not finish/ }])
  const crashed = triageCrash(facts({ collected: [first, second], activity: { running, phase: afterAll } }))
  t.same(crashed.fileErrors, [])
  t.same(summary(crashed.results), ['second:failed'], 'the running test is the victim')
})

t.test('an all-hook crash with nothing left to run, or with --bail used up, skips the rest', async (t) => {
  const onlyIdle = triageCrash(facts({ collected: [first, skipped, todo], reported: new Set([first.id]), activity: { phase: afterAll } }))
  t.equal(onlyIdle.fileErrors.length, 1)
  t.same(summary(onlyIdle.results), ['skipped:skipped', 'todo:skipped'])
  t.equal(onlyIdle.resume, false)

  const bailed = triageCrash(facts({ collected: [guardedA, second], activity: { phase: beforeAll }, failuresLeft: 1 }))
  t.same(summary(bailed.results), ['a:failed', 'second:skipped'], 'the guarded failure is the last one --bail allows')
  t.match(bailed.results[1], { reason: 'not run: beforeAll hook of "block" ended the worker' })
  t.equal(bailed.resume, false)
})

t.test('triage reads its facts and changes none of them', async (t) => {
  const reported = new Set([first.id])
  const list = [first, second]
  const input = facts({ collected: list, reported, activity: { running: { id: second.id, timeoutMs: 5000 } } })
  const before = JSON.stringify({ ...input, reported: [...reported] })
  triageCrash(input)
  t.equal(JSON.stringify({ ...input, reported: [...reported] }), before)
})
