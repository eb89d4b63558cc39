// One result builder and one seed for both sides of the thread boundary: a test the main
// thread reports for a dead worker carries the seed the worker gives that test.
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import t from 'tap'
import { triageCrash } from '../../core/node/crash-triage.ts'
import type { CollectedTest, FileTask, TestResult, WorkerEvent } from '../../core/protocol.ts'
import { deriveSeed } from '../../core/seed.ts'
import { relativeTestFile, testResultOf, testSeedOf } from '../../core/test-result.ts'
import { runTestFileInWorker } from '../../core/worker/run-file.ts'

const collected: CollectedTest = {
  id: 'nets/mlp.mltest.ts::training > converges', file: '/project/nets/mlp.mltest.ts', suitePath: ['training'], name: 'converges',
  fullName: 'training > converges', tags: ['slow'], mode: 'run', expectFail: false, exclusive: false, location: { file: '/project/nets/mlp.mltest.ts', line: 4, column: 3 },
}

t.test('testResultOf: identity from the collected test, empty defaults, the outcome on top', async (t) => {
  const skipped = testResultOf(collected, { state: 'skipped', reason: 'not today', seed: 11 })
  t.same(skipped, {
    id: collected.id, file: collected.file, suitePath: ['training'], name: 'converges', fullName: 'training > converges', tags: ['slow'], expectFail: false,
    location: collected.location, durationMs: 0, attempts: 0, seed: 11, annotations: [], checks: [], logs: [], state: 'skipped', reason: 'not today',
  })
  t.notOk('mode' in skipped || 'exclusive' in skipped, 'collection-only fields stay behind')
  const passed = testResultOf(collected, { state: 'passed', seed: 11, durationMs: 5, attempts: 2, annotations: [{ key: 'loss', value: 0.1 }], checks: [], logs: [] })
  t.match(passed, { durationMs: 5, attempts: 2, annotations: [{ key: 'loss', value: 0.1 }] })
  t.same(Object.keys(passed).slice(0, 11), ['id', 'file', 'suitePath', 'name', 'fullName', 'tags', 'expectFail', 'location', 'durationMs', 'attempts', 'seed'], 'a stable key order for JSON output')
})

t.test('testSeedOf: the run seed, the file relative to the root and the full name', async (t) => {
  const task = { seed: 123, rootDir: '/project', file: '/project/nets/mlp.mltest.ts' }
  t.equal(relativeTestFile(task.rootDir, task.file), 'nets/mlp.mltest.ts')
  t.equal(testSeedOf(task, 'training > converges'), deriveSeed(123, 'nets/mlp.mltest.ts', 'training > converges'))
  t.not(testSeedOf(task, 'training > converges'), testSeedOf({ ...task, seed: 124 }, 'training > converges'))
  t.not(testSeedOf(task, 'training > converges'), testSeedOf(task, 'training > diverges'))
})

t.test('a crashed or hung test carries the seed the worker would have run it with', async (t) => {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'mltest-seed-')))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const api = pathToFileURL(join(import.meta.dirname, '../../core/index.ts')).href
  const file = join(dir, 'seeded.mltest.ts')
  writeFileSync(file, `import { describe, test } from '${api}'
test('top level', () => {})
describe('block', () => { test('inside', () => {}) })
`)
  const task: FileTask = {
    file, rootDir: dir, setupFiles: [], seed: 2024, shuffle: false, timeoutMs: 5000, retries: 0, listOnly: false, skipIds: [], pluginOptions: {}, color: false,
  }
  const events: WorkerEvent[] = []
  await runTestFileInWorker(task, { post: (batch) => events.push(...batch.events), onControl: () => {} })
  const tests = events.find((e) => e[0] === 'collected')?.[1] as CollectedTest[]
  const ran = events.filter((e) => e[0] === 'test-end').map((e) => e[1] as TestResult)
  t.same(ran.map((r) => [r.fullName, r.state]), [['top level', 'passed'], ['block > inside', 'passed']])

  for (const [index, test] of tests.entries()) {
    const started = { id: test.id, timeoutMs: 5000 }
    const crashed = triageCrash({ task, collected: tests, reported: new Set(), activity: { running: started }, crashMessage: 'the worker exited with code 1', failuresLeft: Infinity })
    const hung = triageCrash({ task, collected: tests, reported: new Set(), activity: { running: started, hungTest: started }, crashMessage: 'the worker was terminated', failuresLeft: Infinity })
    const workerSeed = ran[index]!.seed
    t.not(workerSeed, 0)
    t.equal(crashed.results[0]!.seed, workerSeed, `crashed "${test.fullName}"`)
    t.equal(hung.results[0]!.seed, workerSeed, `hung "${test.fullName}"`)
  }
})
