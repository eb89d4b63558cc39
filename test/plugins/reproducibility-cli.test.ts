// mltest/reproducibility across threads: every run of a separate-workers check trains in its
// own worker thread, which catches state a single thread hides; and end to end through the
// real CLI (nested workers inside the runner's worker, JSON result, seedEverything scoping).
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import t, { type Test } from 'tap'
import { checkReproducible, type ReproducibilityResult } from '../../plugins/reproducibility/index.ts'
import { rejectionOf } from '../failure-of.ts'
import { makeProject, REPO, runCli } from '../e2e/run-cli.ts'

const penguinModel = new URL('../fixtures/models/penguin-model.ts', import.meta.url)
const bin = new URL('../../bin/mltest.mjs', import.meta.url).pathname
const core = JSON.stringify(new URL('../../core/index.ts', import.meta.url).pathname)
const plugin = JSON.stringify(new URL('../../plugins/reproducibility/index.ts', import.meta.url).pathname)

const failureOf = (check: Promise<unknown>) => rejectionOf<Error & { result: ReproducibilityResult }>(check)

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

/** A plain-JS training module in a temp dir (backend 'none': no tfjs to load in each run). */
function trainModule(t: Test, source: string): URL {
  const dir = mkdtempSync(join(tmpdir(), 'mltest-repro-mod-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, 'train.mjs')
  writeFileSync(file, source)
  return pathToFileURL(file)
}

const adapterOf = (value: string) => `({ namedWeights: () => [{ name: 'w', shape: [1], values: Float64Array.of(${value}) }] })`

t.test('separate processes: each run in its own child process; a seed drawn at import is caught', async (t) => {
  const module = trainModule(t, `const importTimeSeed = Math.random()
export const careless = () => ${adapterOf('importTimeSeed')}
export const careful = ({ seed }) => ${adapterOf('seed / 7')}
`)
  const ok = await checkReproducible({ module, export: 'careful' }, { backend: 'none', isolation: 'separate-processes' })
  const wheres = ok.groups[0]!.runs.map((r) => r.where)
  t.equal(new Set(wheres).size, 2, wheres.join(', '))
  t.ok(wheres.every((w) => /^process \d+$/.test(w) && w !== `process ${process.pid}`), 'neither run is this process')
  const error = await failureOf(checkReproducible({ module, export: 'careless' }, { backend: 'none', isolation: 'separate-processes' }))
  t.equal(error.result.groups[0]!.comparisons[0]!.firstDivergentTensor?.name, 'w')
  t.match(error.message, /isolation separate-processes/)
  t.match(error.message, /state computed when a module loads/)
  await t.rejects(
    checkReproducible({ module, export: 'nope' }, { backend: 'none', isolation: 'separate-processes' }),
    /run \d \(backend none, separate process \d+\) failed: .*train\.mjs has no exported function "nope" \(exported functions: careful, careless\)/,
  )
})

t.test('a run worker is terminated once it replies, even with a timer left running', async (t) => {
  const ticks = join(mkdtempSync(join(tmpdir(), 'mltest-repro-ticks-')), 'ticks')
  t.teardown(() => rmSync(dirname(ticks), { recursive: true, force: true }))
  writeFileSync(ticks, '')
  const module = trainModule(t, `import { appendFileSync } from 'node:fs'
export const leaky = () => {
  setInterval(() => appendFileSync(${JSON.stringify(ticks)}, 'x'), 10) // the leak: never cleared
  return ${adapterOf('1')}
}
`)
  for (const isolation of ['separate-workers', 'separate-processes'] as const) {
    await checkReproducible({ module, export: 'leaky' }, { backend: 'none', isolation })
    await new Promise((resolve) => setTimeout(resolve, 50))
    const after = statSync(ticks).size
    await new Promise((resolve) => setTimeout(resolve, 200))
    t.equal(statSync(ticks).size, after, `${isolation}: no tick after the check returned`)
  }
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

t.test("end to end: tfjs's install-tfjs-node banner lands in no test's output", async (t) => {
  // Each file runs in a fresh worker (--isolate file), so each test is the first to touch tfjs there; the
  // model is built by the test itself, before any check loads tfjs.
  const tfjsFirst = (check: string) => `import * as tf from '@tensorflow/tfjs'
import { test } from 'mltest'
import { checkTrainingStep } from 'mltest/reproducibility'
import { arb, checkStability, gradientsFinite } from 'mltest/stability'
test('the first test to touch tfjs', async () => {
  console.log('own output')
  ${check}
})
`
  const dir = makeProject(t, {
    'training-step.mltest.ts': tfjsFirst(`const model = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3], activation: 'softmax' })] })
  model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' })
  await checkTrainingStep(model, { seed: 1 })`),
    'gradients.mltest.ts': tfjsFirst(`const w = tf.variable(tf.ones([2]))
  await checkStability((x: tf.Tensor) => tf.sum(tf.mul(x, w)) as tf.Scalar, { inputs: arb.tfTensor({ shape: [2], min: -1, max: 1 }), property: gradientsFinite({ variables: [w] }), runs: 3 })`),
  })
  symlinkSync(join(REPO, 'node_modules', '@tensorflow'), join(dir, 'node_modules', '@tensorflow'), 'dir')
  const r = await runCli(dir, ['run', '.', '--reporter', 'json:out.json', '--isolate', 'file'], { timeoutMs: 120_000 })
  t.equal(r.code, 0, r.stdout + r.stderr)
  t.notMatch(r.stdout + r.stderr, /Hi, looks like you are running TensorFlow\.js/)
  const files = (JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8')) as { files: Array<{ logs?: Array<{ text: string }>; tests: Array<{ state: string; logs: Array<{ text: string }> }> }> }).files
  t.equal(files.length, 2)
  for (const file of files) {
    const [test] = file.tests
    t.equal(test!.state, 'passed')
    t.same(test!.logs.map((l) => l.text.trim()), ['own output'], "the test's own output, and only that")
    t.notMatch(JSON.stringify(file.logs ?? []), /TensorFlow\.js/)
  }
})
