// mltest/reproducibility across threads: every run of a separate-workers check trains in its
// own worker thread, which catches state a single thread hides; and end to end through the
// real CLI (nested workers inside the runner's worker, JSON result, seedEverything scoping).
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { checkReproducible, type ReproducibilityResult } from '../../plugins/reproducibility/index.ts'

const penguinModel = new URL('../../examples/reproducibility/penguin-model.ts', import.meta.url)
const bin = new URL('../../bin/mltest.mjs', import.meta.url).pathname
const core = JSON.stringify(new URL('../../core/index.ts', import.meta.url).pathname)
const plugin = JSON.stringify(new URL('../../plugins/reproducibility/index.ts', import.meta.url).pathname)

async function failureOf(p: Promise<unknown>): Promise<Error & { result: ReproducibilityResult }> {
  try {
    await p
  } catch (error) {
    return error as Error & { result: ReproducibilityResult }
  }
  throw new Error('expected the check to fail, it passed')
}

t.test('separate workers: seeded training agrees, each run in its own thread', async (t) => {
  const result = await checkReproducible({ module: penguinModel, export: 'trainPenguins' }, { backend: 'cpu' })
  t.ok(result.reproducible)
  const runs = result.groups[0]!.runs
  t.equal(new Set(runs.map((r) => r.where)).size, 2, runs.map((r) => r.where).join(', '))
  t.ok(runs.every((r) => /^worker thread \d+$/.test(r.where)))
  t.equal(runs[0]!.weights[0]!.name, 'dense_Dense1/kernel', 'a fresh thread numbers layers from 1')
})

t.test('a seed drawn when the module loads: same-worker misses it, separate-workers catches it', async (t) => {
  const ref = { module: penguinModel, export: 'trainPenguinsWithImportTimeSeed' }
  const sameWorker = await checkReproducible(ref, { backend: 'cpu', isolation: 'same-worker' })
  t.ok(sameWorker.reproducible, 'one thread imports the module once, so both runs share the seed')
  const error = await failureOf(checkReproducible(ref, { backend: 'cpu' }))
  t.equal(error.name, 'AssertionError')
  t.equal(error.result.groups[0]!.comparisons[0]!.firstDivergentTensor?.name, 'dense_Dense1/kernel')
  t.equal(error.result.groups[0]!.runs[0]!.diagnostics.randomCalls, 0, 'no Math.random during training')
  t.match(error.message, /no known source found: Math\.random was not called/)
  t.match(error.message, /state computed when a module loads/)
})

t.test('a worker failure names the run, the backend and what the module does export', async (t) => {
  await t.rejects(
    checkReproducible({ module: penguinModel, export: 'nope' }, { backend: 'cpu' }),
    /run \d \(backend cpu, worker thread\) failed: .*penguin-model\.ts has no exported function "nope" \(exported functions: .*trainPenguins/,
  )
})

t.test('end to end: the CLI reports the failing check, its figures, and scopes seedEverything to its test', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mltest-repro-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}')
  writeFileSync(
    join(dir, 'repro.mltest.ts'),
    `import { test, expect } from ${core}
import { checkReproducible, seedEverything } from ${plugin}
// The run workers import this very file: its test() calls must be ignored there.
export { trainPenguinsCarelessly as careless } from ${JSON.stringify(penguinModel.pathname)}
const original = Math.random
test('careless training', async () => {
  await checkReproducible({ module: import.meta.url, export: 'careless' }, { backend: 'cpu' })
}, { timeout: 120000 })
test('seeds and forgets to restore', () => {
  seedEverything(7)
  expect(Math.random).not.toBe(original)
})
test('the next test draws from the original Math.random', () => {
  Math.random()
  expect(Math.random).toBe(original)
})
`,
  )
  const out = join(dir, 'result.json')
  const r = spawnSync(process.execPath, [bin, 'run', '.', '--reporter', 'console', '--reporter', `json:${out}`], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } })
  t.equal(r.status, 1, r.stdout + r.stderr)
  t.match(r.stdout, /first divergent tensor: dense_Dense1\/kernel \(tensor 1 of 4 in layer order\)/)
  t.match(r.stdout, /first divergent checkpoint: before training/)
  t.notMatch(r.stdout + r.stderr, /Hi, looks like you are running TensorFlow\.js/, 'the tfjs banner of run workers is dropped')
  const tests = (JSON.parse(readFileSync(out, 'utf8')) as { files: Array<{ tests: Array<Record<string, any>> }> }).files[0]!.tests
  const [careless, seeds, next] = tests
  t.equal(careless!.state, 'failed')
  t.equal(careless!.error.kind, 'assertion')
  t.equal(careless!.checks[0].practice, 'reproducible-training')
  t.equal(careless!.checks[0].verdict, 'fail')
  t.equal(careless!.checks[0].metrics.firstDivergentTensor, 'dense_Dense1/kernel')
  t.equal(careless!.checks[0].metrics.divergentTensors, 4)
  t.match(careless!.checks[0].metrics['sha256.cpu.run1'], /^[0-9a-f]{64}$/)
  t.equal(seeds!.state, 'passed')
  t.equal(next!.state, 'passed', next!.error?.message)
})
