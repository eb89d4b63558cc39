// End-to-end: benchOnnx and toMeetBudget through the real CLI. The onnx plugin's flags
// reach the workers, the matcher is registered by the plugin, results carry the benchOnnx
// and toMeetBudget checks, annotations and the logged table, a budget breach fails and a
// budget inside the CI makes the test inconclusive, and bad input is an error, not a failure.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import type { RunResult } from '../../core/reporter.ts'
import type { TestResult } from '../../core/protocol.ts'
import { SMALL_MLP, writeMlp } from '../../examples/onnx/mlp-model.ts'
import { makeProject, REPO, runCli } from '../e2e/run-cli.ts'

const CONFIG = `import { writeFileSync } from 'node:fs'
import { onnxPlugin } from 'mltest/onnx'
import { builtinPlugins } from ${JSON.stringify(join(REPO, 'core/builtin-plugins.ts'))}
// Register the plugin unless the runner already has it built in.
const builtin = builtinPlugins().some((p) => p.name === 'onnx')
export default {
  plugins: builtin ? [] : [onnxPlugin()],
  reporters: ['console', { onRunEnd(run) { writeFileSync(new URL('./run.json', import.meta.url), JSON.stringify(run)) } }],
}
`

const TESTS = `import { expect, test } from 'mltest'
import { benchOnnx } from 'mltest/onnx'
const model = new URL('./small.onnx', import.meta.url).pathname
test('meets its budget', async () => {
  const result = await benchOnnx(model, { batchSizes: [1, 4] })
  expect(result).toMeetBudget({ p99Ms: 10_000, throughputMin: 1, rssMb: 100_000 })
}, { tags: ['bench'] })
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
  const run = await runCli(dir, ['run', '--no-color', '--seed', '3', '--onnx-min-time-ms', '0', '--onnx-min-iterations', '37', '--onnx-warmup', '1'])
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
  t.equal(typeof bench.metrics['b4.p99CiHighMs'], 'number')
  t.match(bench.summary, /^small\.onnx: b1 p50 \S+ ms \[\S+, \S+\], p99 \S+ ms, \S+\/s \(n=37\); b4 /)
  t.match(ok.checks.find((c) => c.check === 'toMeetBudget'), { verdict: 'pass', metrics: { budgets: 5, breached: 0 } })
  t.ok(ok.annotations.some((a) => a.key === 'small.onnx b4 p99 ms' && typeof a.value === 'number'), 'annotated')
  const table = ok.logs.map((l) => l.text).join('')
  t.match(table, /benchOnnx small\.onnx · onnxruntime-node 1\.\d+\.\d+ · load \S+ ms/)
  t.match(table, /batch\s+iters\s+p50 ms \[95% CI\]/)
  t.match(table, /percentiles: linear interpolation/)

  const caught = tests.get('an impossible budget is caught')!
  t.equal(caught.state, 'passed', 'test.fails passes because the budget breach threw')
  t.match(caught.checks.find((c) => c.check === 'toMeetBudget'), { verdict: 'fail', metrics: { breached: 1 } })

  const straddle = tests.get('a budget inside the CI')!
  t.equal(straddle.state, 'inconclusive')
  t.match(straddle.checks.find((c) => c.check === 'toMeetBudget'), { verdict: 'inconclusive' })

  const wrong = tests.get('a wrong feed')!
  t.equal(wrong.state, 'failed')
  if (wrong.state === 'failed') {
    t.equal(wrong.error.kind, 'error', 'bad input is an error, not an assertion failure')
    t.equal(wrong.error.name, 'BenchOnnxError')
    t.match(wrong.error.message, /input 'x' has size 10 at axis 1, but small\.onnx expects 64/)
  }
  t.match(run.stdout, /FAIL .*a wrong feed/)
})
