// End-to-end: benchOnnx and toMeetBudget through the real CLI. The onnx plugin's flags
// reach the workers, the matcher is registered by the plugin, results carry the benchOnnx
// and toMeetBudget checks, annotations and the logged table, a budget breach fails and a
// budget inside the CI makes the test inconclusive, bad input is an error, not a failure,
// a test's timeout stops the benchmark, a config plugin's resolveModel hook names models,
// and an expected-failure budget demo (a fixture test file) counts only its budget breach.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import type { RunResult } from '../../core/reporter.ts'
import type { TestResult } from '../../core/protocol.ts'
import { SMALL_MLP, writeMlp } from '../fixtures/models/mlp-model.ts'
import { makeProject, REPO, runCli } from '../e2e/run-cli.ts'

const CONFIG = `import { writeFileSync } from 'node:fs'
import { onnxPlugin } from 'mltest/onnx'
import { builtinPlugins } from ${JSON.stringify(join(REPO, 'core/builtin-plugins.ts'))}
// Register the plugin unless the runner already has it built in.
const builtin = builtinPlugins().some((p) => p.name === 'onnx')
// A model zoo: 'zoo:small' names the model file beside this config.
const zoo = {
  name: 'zoo',
  resolveModel(ref) {
    return ref === 'zoo:small' ? new URL('./small.onnx', import.meta.url).pathname : undefined
  },
}
export default {
  plugins: builtin ? [zoo] : [onnxPlugin(), zoo],
  reporters: ['console', { onRunEnd(run) { writeFileSync(new URL('./run.json', import.meta.url), JSON.stringify(run)) } }],
}
`

const TESTS = `import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { expect, test } from 'mltest'
import { benchOnnx } from 'mltest/onnx'
const model = new URL('./small.onnx', import.meta.url).pathname
const stopped = new URL('./stopped.txt', import.meta.url)
test('meets its budget', async () => {
  const result = await benchOnnx(model, { batchSizes: [1, 4] })
  expect(result).toMeetBudget({ p50Ms: 10_000, throughputMin: 1, rssMb: 100_000 })
}, { tags: ['bench'] })
test('a p99 budget on 37 runs', async () => {
  expect(await benchOnnx(model)).toMeetBudget({ p99Ms: 10_000 })
}, { tags: ['bench'] })
test('a model from the zoo', async () => {
  expect((await benchOnnx('zoo:small')).model).toBe('small.onnx')
})
test('a model no plugin knows', async () => {
  await benchOnnx('zoo:missing')
})
test('stopped by its timeout', async () => {
  try {
    await benchOnnx(model, { minIterations: 10_000_000, maxIterations: 10_000_000, maxTimeMs: 600_000 })
  } catch (error) {
    writeFileSync(stopped, error.message)
  }
}, { timeout: 300 })
test('after the timeout', async () => {
  // The aborted benchmark keeps running in the background until it sees the abort.
  for (let i = 0; i < 200 && !existsSync(stopped); i++) await new Promise((r) => setTimeout(r, 25))
  expect(readFileSync(stopped, 'utf8')).toMatch(/because the test was aborted/)
})
test.fails('an impossible budget is caught', async () => {
  expect(await benchOnnx(model)).toMeetBudget({ p99Ms: 1e-6 })
}, { tags: ['bench'] })
test('a budget inside the CI', async () => {
  const result = await benchOnnx(model)
  const ci = result.batches[0].p50CiMs
  expect(result).toMeetBudget({ p50Ms: (ci.low + ci.high) / 2 })
}, { tags: ['bench'] })
test('a wrong feed', async () => {
  await benchOnnx(model, { inputs: { x: { data: new Float32Array(10), dims: [1, 10] } } })
})
`

t.test('benchOnnx through the CLI', async (t) => {
  const dir = makeProject(t, { 'mltest.config.ts': CONFIG, 'bench.mltest.ts': TESTS })
  writeMlp(join(dir, 'small.onnx'), SMALL_MLP)
  const plain = makeProject(t, { 'plain.mltest.ts': "import { test } from 'mltest'\ntest('nothing to benchmark', () => {})\n" })
  const [run, fractional] = await Promise.all([
    runCli(dir, ['run', '--no-color', '--seed', '3', '--onnx-min-time-ms', '0', '--onnx-min-iterations', '37', '--onnx-warmup', '1']),
    runCli(plain, ['run', '--no-color', '--onnx-min-iterations', '2.5']),
  ])
  // A plugin option of the wrong kind is a config error: exit 2 before any worker starts.
  t.equal(fractional.code, 2, `${fractional.command} is a config error`)
  t.equal(fractional.stderr, 'mltest: --onnx-min-iterations must be an integer (got "2.5")\n')
  t.equal(fractional.stdout, '', 'nothing ran')
  t.equal(run.code, 1, `${run.command} exits 1 for the wrong feed`, { stdout: run.stdout, stderr: run.stderr })
  const result = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as RunResult
  const tests = new Map<string, TestResult>(result.files[0]!.tests.map((r) => [r.name, r]))

  const ok = tests.get('meets its budget')!
  t.equal(ok.state, 'passed')
  const bench = ok.checks.find((c) => c.check === 'benchOnnx')!
  t.equal(bench.practice, 'computational-performance')
  t.equal(bench.verdict, 'pass')
  t.equal(bench.metrics['b1.iterations'], 37, '--onnx-min-iterations reached the worker')
  t.equal(bench.metrics['b4.iterations'], 37)
  t.equal(typeof bench.metrics['b4.p99CiLowMs'], 'number')
  t.equal(bench.metrics['b4.p99CiHighMs'], null, '37 runs cannot bound the p99 from above: null in JSON')
  t.equal(typeof bench.metrics.rssDeltaMb, 'number')
  t.match(bench.summary, /^small\.onnx: b1 p50 \S+ ms \[\S+, \S+\], p99 \S+ ms, \S+\/s \(n=37\); b4 /)
  t.match(ok.checks.find((c) => c.check === 'toMeetBudget'), { verdict: 'pass', metrics: { budgets: 5, breached: 0 } })
  t.ok(ok.annotations.some((a) => a.key === 'small.onnx b4 p99 ms' && typeof a.value === 'number'), 'annotated')
  const table = ok.logs.map((l) => l.text).join('')
  t.match(table, /benchOnnx small\.onnx · onnxruntime-node 1\.\d+\.\d+ · load \S+ ms/)
  t.match(table, /batch\s+iters\s+p50 ms \[95% CI\]/)
  t.match(table, /percentiles: linear interpolation/)

  const p99 = tests.get('a p99 budget on 37 runs')!
  t.equal(p99.state, 'inconclusive', 'a p99 budget is not confirmed by 37 runs, however generous')
  t.match(p99.checks.find((c) => c.check === 'toMeetBudget'), {
    verdict: 'inconclusive',
    reason: 'batch 1 p99 needs at least 368 runs for an upper bound; 37 ran',
    metrics: { 'p99Ms.b1.ciHigh': null, 'p99Ms.b1.judgedCiHigh': null, timerErrorNs: bench.metrics.timerErrorNs },
  })
  t.match(run.stdout, /\? a p99 budget on 37 runs — inconclusive: toMeetBudget: batch 1 p99 needs at least 368 runs for an upper bound; 37 ran\n/, 'the console states why')

  t.equal(tests.get('a model from the zoo')!.state, 'passed', "the config plugin's resolveModel hook named the file")
  const unknown = tests.get('a model no plugin knows')!
  t.equal(unknown.state, 'failed')
  if (unknown.state === 'failed') {
    t.match(unknown.error.message, /no plugin resolved the model reference 'zoo:missing' and no such file exists — register a plugin with a resolveModel hook/)
  }

  const timedOut = tests.get('stopped by its timeout')!
  t.equal(timedOut.state, 'failed')
  if (timedOut.state === 'failed') t.equal(timedOut.error.kind, 'timeout')
  t.equal(tests.get('after the timeout')!.state, 'passed', 'the benchmark stopped soon after the timeout')
  t.match(readFileSync(join(dir, 'stopped.txt'), 'utf8'), /^benchOnnx: small\.onnx stopped at batch size 1 after \d+ (warm-up|timed) runs because the test was aborted \(timeout\) — lower maxTimeMs or raise the test's timeout$/)

  const caught = tests.get('an impossible budget is caught')!
  t.equal(caught.state, 'passed', 'test.fails passes because the budget breach threw')
  t.match(caught.checks.find((c) => c.check === 'toMeetBudget'), { verdict: 'fail', metrics: { breached: 1 } })

  const straddle = tests.get('a budget inside the CI')!
  t.equal(straddle.state, 'inconclusive')
  t.match(straddle.checks.find((c) => c.check === 'toMeetBudget'), { verdict: 'inconclusive', reason: /^the budget \S+ ms lies inside the batch 1 p50 95% CI \S+ ms–\S+ ms \(n=37\)$/ })

  const wrong = tests.get('a wrong feed')!
  t.equal(wrong.state, 'failed')
  if (wrong.state === 'failed') {
    t.equal(wrong.error.kind, 'error', 'bad input is an error, not an assertion failure')
    t.equal(wrong.error.name, 'BenchOnnxError')
    t.match(wrong.error.message, /input 'x' has size 10 at axis 1, but small\.onnx expects 64/)
  }
  t.match(run.stdout, /FAIL .*a wrong feed/)
})

t.test('an expected-failure budget demo counts only its budget breach', async (t) => {
  // The fixture test file as written, and with a typo in the demo's budget.
  const fixture = readFileSync(join(REPO, 'test/fixtures/onnx/budget-demo.mltest.ts'), 'utf8')
  const demo = fixture.replace("'../models/mlp-model.ts'", JSON.stringify(join(REPO, 'test/fixtures/models/mlp-model.ts')))
  t.not(demo, fixture, 'the model import was made absolute')
  const typo = demo.replace('toMeetBudget({ p50Ms: 0.5,', 'toMeetBudget({ p50: 0.5,')
  t.not(typo, demo, 'the typo was made')
  const good = makeProject(t, { 'onnx.mltest.ts': demo })
  const bad = makeProject(t, { 'onnx.mltest.ts': typo })
  const args = ['run', '--no-color', '-t', 'breaches the small model budget', '--onnx-min-time-ms', '0']
  const [ok, broken] = await Promise.all([runCli(good, args), runCli(bad, args)])
  t.equal(ok.code, 0, `${ok.command}: the budget breach is the expected failure`, { stdout: ok.stdout })
  t.match(ok.closing, /1 passed/)
  t.equal(broken.code, 1, 'with a typo in the budget, the demo fails the run', { stdout: broken.stdout })
  t.match(broken.stdout, /test\.fails: the test failed, but not with the expected error \(.*\):[\s\S]*Invalid budget: unknown budget "p50"/)
})
