// bench(name, fn, options): any function, sync or async, through benchOnnx's timed loop,
// statistics and budgets; and the raw samples benchOnnx and bench attach to their check
// records (the benchmark history's input), read back from a real run's JSON result. Real
// timings, so no timed assertions: structure, counts, ordering, and ratios within one run.
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs'
import t, { type Test } from 'tap'
import type { BenchmarkRecord, TestResult } from '../../core/protocol.ts'
import type { RunResult } from '../../core/reporter.ts'
import { expect } from '../../core/expect/index.ts'
import { benchmarkRecords, evenlySpaced, MAX_RECORDED_SAMPLES, SUBSAMPLED } from '../../plugins/onnx/_internals/benchmark-records.ts'
import { judgeBudget } from '../../plugins/onnx/_internals/judge-budget.ts'
import { quantileRanks } from '../../plugins/onnx/_internals/quantile-interval.ts'
import type { TimedBatch } from '../../plugins/onnx/_internals/timed-batch.ts'
import { timerResolution } from '../../plugins/onnx/_internals/timer-resolution.ts'
import { bench, BenchError, onnxPlugin, type BenchFunctionResult } from '../../plugins/onnx/index.ts'
import { makeProject, runCli } from '../e2e/run-cli.ts'
import { buildPenguinModel, penguinTensors } from '../fixtures/models/penguin-model.ts'
import { SMALL_MLP, writeMlp } from '../fixtures/models/mlp-model.ts'
import { failureOf, rejectionOf } from '../failure-of.ts'

expect.extend(onnxPlugin().matchers!)

const quick = { warmup: 2, minIterations: 40, minTimeMs: 20, bootstrapResamples: 200, log: false } as const

/** Work proportional to n: a chain of square roots the JIT cannot drop (the result is returned). */
function work(n: number): number {
  let s = 0
  for (let i = 0; i < n; i++) s += Math.sqrt(i + (s % 7))
  return s
}

function checkStructure(t: Test, r: BenchFunctionResult, name: string): void {
  t.equal(r.kind, 'bench')
  t.equal(r.name, name)
  t.equal(r.batches.length, 1, 'a function has one batch')
  const b = r.batches[0]
  t.ok(b.iterations >= quick.minIterations, `${b.iterations} timed calls, at least minIterations`)
  t.equal(b.samplesMs.length, b.iterations, 'every timed call is kept')
  t.equal(b.warmupIterations, quick.warmup)
  t.ok(b.samplesMs.every((s) => Number.isFinite(s) && s >= 0), 'samples are finite ms')
  t.ok(b.minMs <= b.p50Ms && b.p50Ms <= b.p90Ms && b.p90Ms <= b.p95Ms && b.p95Ms <= b.p99Ms && b.p99Ms <= b.maxMs, 'quantiles are monotone')
  const sorted = Float64Array.from(b.samplesMs).sort()
  const ranks = quantileRanks(b.iterations, 0.5)
  t.same([b.p50CiMs.low, b.p50CiMs.high], [sorted[ranks.lowRank - 1], sorted[ranks.highRank - 1]], 'the median CI is the order statistics of its binomial ranks')
  t.equal(b.p99CiMs.high, b.iterations >= 368 ? b.p99CiMs.high : Infinity, 'below 368 calls the p99 has no upper bound')
  const total = b.samplesMs.reduce((a, x) => a + x, 0)
  t.ok(Math.abs(b.throughput - (b.itemsPerRun * b.iterations * 1000) / total) <= 1e-9 * b.throughput, 'throughput = items × n / summed latency')
  t.equal(r.timer, timerResolution(), "the worker's timer, measured once")
  t.equal(r.method.bootstrapResamples, 200)
  t.ok(r.memory.rssPeakMb >= r.memory.rssSampledPeakMb && r.memory.rssDeltaMb === r.memory.rssPeakMb - r.memory.rssBeforeMb, 'memory figures')
  t.equal(JSON.parse(JSON.stringify(r)).batches[0].samplesMs.length, b.iterations, 'the result is plain JSON')
}

t.test('bench times a sync function', async (t) => {
  let calls = 0
  const r = await bench('sqrt chain', () => {
    calls++
    return work(2000)
  }, { ...quick, seed: 3 })
  checkStructure(t, r, 'sqrt chain')
  t.equal(calls, r.batches[0].warmupIterations + r.batches[0].iterations, 'called once per warm-up and timed run, nothing more')
  t.same(r.subject, { items: 1 })
  t.equal(r.method.seed, 3)
  t.equal(r.verdict, 'pass')
})

t.test('bench awaits an async function inside the timed span', async (t) => {
  // Each call waits for a macrotask (setImmediate): tens of µs at least, unlike a sync call.
  const r = await bench('next tick', () => new Promise<void>((resolve) => setImmediate(resolve)), quick)
  checkStructure(t, r, 'next tick')
  const microtask = await bench('resolved', async () => work(10), quick)
  checkStructure(t, microtask, 'resolved')
  t.ok(r.batches[0].p50Ms > microtask.batches[0].p50Ms, `awaiting a macrotask (${r.batches[0].p50Ms} ms) takes longer than an already resolved promise (${microtask.batches[0].p50Ms} ms)`)
})

t.test('10x the work has a larger median, within one run', async (t) => {
  const once = await bench('1x', () => work(2_000), quick)
  const tenfold = await bench('10x', () => work(20_000), quick)
  const ratio = tenfold.batches[0].p50Ms / once.batches[0].p50Ms
  // Roughly 10; a loose bound, as a busy machine stretches either.
  t.ok(ratio > 3, `median ratio ${ratio.toFixed(2)}`)
  t.ok(tenfold.batches[0].p50CiMs.low > once.batches[0].p50CiMs.high, 'the median CIs do not overlap')
})

t.test('items, batchSize, version and subject: throughput and what was measured', async (t) => {
  const r = await bench('rows', () => work(500), { ...quick, batchSize: 32, items: 64, version: 'v2', subject: { rows: 64 } })
  const b = r.batches[0]
  t.equal(b.batchSize, 32)
  t.equal(b.itemsPerRun, 64)
  const total = b.samplesMs.reduce((a, x) => a + x, 0)
  t.ok(Math.abs(b.throughput - (64 * b.iterations * 1000) / total) <= 1e-9 * b.throughput, 'throughput counts items')
  t.same(r.subject, { rows: 64, items: 64, version: 'v2' })
  const batch = await bench('batch', () => work(500), { ...quick, batchSize: 8 })
  t.equal(batch.batches[0].itemsPerRun, 8, 'items default to the batch size')
})

t.test('options are checked: a misspelled or ill-typed option is a one-line error naming it', async (t) => {
  const fn = () => work(10)
  const cases: Array<[unknown[], RegExp]> = [
    [['x', fn, { minIteration: 5 }], /^bench: unknown option "minIteration" — did you mean "minIterations"\?/],
    [['x', fn, { minIterations: '400' }], /^bench: option "minIterations" must be an integer \(got "400"\)$/],
    [['x', fn, { items: 0 }], /^bench: option "items" must be a number > 0 \(got 0\)$/],
    [['x', fn, { batchSize: 1.5 }], /^bench: option "batchSize" must be an integer \(got 1\.5\)$/],
    [['x', fn, { warmup: { ms: -1 } }], /^bench: option "warmup" must be a count of runs \(an integer >= 0\) or \{ ms \} with ms >= 0 \(got \{"ms":-1\}\)$/],
    [['x', fn, { subject: { items: 3 } }], /option "subject" cannot set items, version, samples: bench sets them/],
    [['x', fn, { subject: { model: [1] } }], /^bench: option "subject\.model"/],
    [['x', fn, 5], /^bench: options must be an object/],
    [['x', fn, { minTimeMs: 50, maxTimeMs: 10 }], /^bench: x: maxTimeMs \(10\) is below minTimeMs \(50\) — raise maxTimeMs or lower minTimeMs$/],
    [['x', fn, { minIterations: 10, maxIterations: 5 }], /^bench: x: maxIterations \(5\) is below minIterations \(10\)$/],
    [['', fn], /^bench: the name must be a non-empty string, as in bench\('tokenize', fn\) \(got ""\)$/],
    [['x', 'not a function'], /^bench: x: the benchmark must be a function, sync or async \(got "not a function"\)$/],
  ]
  for (const [args, message] of cases) {
    const error = await rejectionOf((bench as (...a: unknown[]) => Promise<unknown>)(...args), TypeError)
    t.match(error.message, message, JSON.stringify(args[2] ?? args[0]))
    t.notMatch(error.message, /\n/, 'one line')
  }
})

t.test('a function that throws is a BenchError naming the call, with the thrown error as cause', async (t) => {
  let calls = 0
  const boom = new Error('tensor shape mismatch\nmore detail')
  const error = await rejectionOf(bench('flaky', () => {
    if (++calls === 4) throw boom
  }, quick), BenchError)
  t.equal(error.message, 'bench: flaky threw on timed call 2: tensor shape mismatch')
  t.equal(error.cause, boom)
  const rejected = await rejectionOf(bench('rejects', () => Promise.reject(new Error('offline')), quick), BenchError)
  t.equal(rejected.message, 'bench: rejects threw on warm-up call 1: offline')
})

t.test('a bench result meets a generous budget and breaches an impossible one', async (t) => {
  // ~10-100 µs per call: the lower CI bound, minus the timer's error of tens of ns, stays far
  // above the impossible budgets, so they are breached (decided), not inconclusive.
  const r = await bench('10x', () => work(20_000), { ...quick, minIterations: 400, minTimeMs: 0 })
  expect(r).toMeetBudget({ p50Ms: 1000, p99Ms: 10_000, throughputMin: 0.01, rssMb: 1e6, rssDeltaMb: 1e6 })
  const e = r.timer.errorNs / 1e6
  t.ok(r.batches[0].p50CiMs.low - e > 1e-9, 'the widened lower bound clears the impossible budget')
  const message = failureOf(() => expect(r).toMeetBudget({ p50Ms: 1e-9, throughputMin: 1e12 }))
  t.match(message, /10x breached 2 of 2 budgets:/)
  t.match(message, /✗ batch 1 \(n=\d+\) p50 latency \S+ ms \(95% CI .*\) exceeds budget <= /)
  t.match(message, /✗ batch 1 \(n=\d+\) throughput \S+\/s \(95% CI .*\) below budget >= /)
  t.equal(judgeBudget(r, { p50Ms: 1e-9 }).verdict, 'fail')
  const ci = r.batches[0].p50CiMs
  t.equal(judgeBudget(r, { p50Ms: (ci.low + ci.high) / 2 }).verdict, ci.high > ci.low ? 'inconclusive' : 'fail', 'a budget inside the CI is inconclusive')
  t.throws(() => expect(r).toMeetBudget({ loadMs: 100 }), /Invalid budget: budget loadMs is a model load time, and bench\(\) loads nothing/)
  t.throws(() => expect(r).toMeetBudget({ p50Ms: { 32: 1 } }), /names batch size 32, but the benchmark ran batch sizes 1/)
})

t.test('tfjs inference: model.predict + dataSync on the penguin classifier', async (t) => {
  await tf.ready()
  const model = buildPenguinModel(1)
  const { x, y } = penguinTensors()
  const batch32 = x.slice([0, 0], [32, -1])
  const all = x
  t.teardown(() => {
    tf.dispose([x, y, batch32])
    model.dispose()
  })
  const before = tf.memory().numTensors
  const predict = (input: tf.Tensor) => () => tf.tidy(() => (model.predict(input) as tf.Tensor).dataSync())
  const small = await bench('predict', predict(batch32), { ...quick, batchSize: 32, version: 'penguins-v1' })
  const large = await bench('predict', predict(all), { ...quick, batchSize: all.shape[0]! })
  t.equal(tf.memory().numTensors, before, 'tidy left no tensor behind')
  t.equal(small.batches[0].batchSize, 32)
  t.same(small.subject, { items: 32, version: 'penguins-v1' })
  t.ok(small.batches[0].iterations >= quick.minIterations)
  t.ok(large.batches[0].throughput > 0 && small.batches[0].throughput > 0)
  t.ok(large.batches[0].p50Ms > small.batches[0].p50Ms, `${all.shape[0]} rows (${large.batches[0].p50Ms} ms) take longer than 32 (${small.batches[0].p50Ms} ms)`)
  expect(small).toMeetBudget({ p50Ms: 1000 })
})

function fakeBatch(batchSize: number, n: number): TimedBatch {
  return { batchSize, itemsPerRun: batchSize, samplesMs: Array.from({ length: n }, (_, i) => i), throughput: 10 } as TimedBatch
}

t.test('records: every sample up to 100,000 per call, then an evenly spaced subsample, said in the subject', async (t) => {
  t.same(evenlySpaced([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 5), [0, 2, 4, 6, 8])
  t.same(evenlySpaced([1, 2, 3], 5), [1, 2, 3])
  const ten = fakeBatch(1, 10)
  const small = benchmarkRecords('m', [{ batch: ten, subject: { sha256: 'ab' }, peakRssMb: 100 }])
  t.same(small, [{ name: 'm', batchSize: 1, samplesMs: fakeBatch(1, 10).samplesMs, subject: { sha256: 'ab' }, throughputPerSec: 10, peakRssMb: 100 }] satisfies BenchmarkRecord[])
  ten.samplesMs.reverse()
  t.equal(small[0]!.samplesMs[0], 0, "a test that reorders the result's samples leaves the record's measurement order alone")
  // 150,000 + 50,000 samples: each batch keeps its share of 100,000, evenly spaced, in order.
  const [a, b] = benchmarkRecords('m', [
    { batch: fakeBatch(1, 150_000), subject: { sha256: 'ab' }, peakRssMb: 100 },
    { batch: fakeBatch(8, 50_000), subject: { sha256: 'ab' }, peakRssMb: 120 },
  ])
  t.equal(a!.samplesMs.length, 75_000)
  t.equal(b!.samplesMs.length, 25_000)
  t.equal(a!.samplesMs.length + b!.samplesMs.length, MAX_RECORDED_SAMPLES)
  t.same(a!.samplesMs.slice(0, 3), [0, 2, 4], 'every second sample of batch 1')
  t.ok(a!.samplesMs.every((s, i) => i === 0 || s > a!.samplesMs[i - 1]!), 'measurement order kept')
  t.same(a!.subject, { sha256: 'ab', samples: SUBSAMPLED })
  t.equal(b!.peakRssMb, 120)
  const infinite = benchmarkRecords('m', [{ batch: { ...fakeBatch(1, 3), throughput: Infinity }, subject: {}, peakRssMb: 1 }])
  t.notOk('throughputPerSec' in infinite[0]!, 'an infinite throughput (all runs at 0 ms) is left out, not recorded')
})

const TESTS = `import { readFileSync } from 'node:fs'
import { expect, test } from 'mltest'
import { bench, benchOnnx } from 'mltest/onnx'
const model = new URL('./small.onnx', import.meta.url).pathname
function work(n) {
  let s = 0
  for (let i = 0; i < n; i++) s += Math.sqrt(i + (s % 7))
  return s
}
test('onnx and a function', async () => {
  await benchOnnx(model, { batchSizes: [1, 4], sessionOptions: { intraOpNumThreads: 1 }, seed: 9 })
  expect(await bench('preprocess', () => work(1000), { batchSize: 16, version: 3 })).toMeetBudget({ p50Ms: 10_000 })
  await bench('async serve', async () => work(100), { items: 2 })
}, { tags: ['bench'] })
test('a session from bytes', async () => {
  await benchOnnx(readFileSync(model), { name: 'bytes.onnx' })
}, { tags: ['bench'] })
test('many samples', async () => {
  await bench('tiny', () => 1, { minIterations: 100_500, maxIterations: 100_500, minTimeMs: 0, maxTimeMs: 60_000, warmup: 0, log: false })
}, { tags: ['bench'] })
test('a sync function stopped by its timeout', async () => {
  await bench('endless', () => work(1000), { minIterations: 1e9, maxIterations: 1e9, maxTimeMs: 600_000 })
}, { timeout: 300 })
`

t.test('through the CLI: the JSON result carries every sample of benchOnnx and bench', async (t) => {
  const dir = makeProject(t, { 'bench.mltest.ts': TESTS })
  writeMlp(join(dir, 'small.onnx'), SMALL_MLP)
  const sha256 = createHash('sha256').update(readFileSync(join(dir, 'small.onnx'))).digest('hex')
  const run = await runCli(dir, ['run', '--no-color', '--seed', '2', '--onnx-min-time-ms', '0', '--onnx-min-iterations', '30', '--onnx-warmup', '1', '--reporter', 'json:run.json', '--reporter', 'console'])
  t.equal(run.code, 1, `${run.command}: only the timed-out test fails`, { stdout: run.stdout, stderr: run.stderr })
  const result = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as RunResult
  const tests = new Map<string, TestResult>(result.files[0]!.tests.map((r) => [r.name, r]))

  const both = tests.get('onnx and a function')!
  t.equal(both.state, 'passed')
  const onnx = both.checks.find((c) => c.check === 'benchOnnx')!
  t.equal(onnx.benchmarks?.length, 2, 'one record per batch size')
  for (const [i, batchSize] of [1, 4].entries()) {
    const record = onnx.benchmarks![i]!
    t.equal(record.name, 'small.onnx')
    t.equal(record.batchSize, batchSize)
    t.equal(record.samplesMs.length, onnx.metrics[`b${batchSize}.iterations`], 'every timed run')
    t.ok(record.samplesMs.length >= 30 && record.samplesMs.every((s) => typeof s === 'number' && s > 0))
    t.same(record.subject, {
      sha256,
      feeds: `x: float32 [${batchSize}, 64]`,
      inputs: 'generated (normal(0, 1) floats, zero integers)',
      feedsSeed: 9,
      executionProviders: 'default (cpu)',
      intraOpNumThreads: 1,
    })
    t.ok(record.throughputPerSec! > 0 && record.peakRssMb! > 0)
    t.equal(record.throughputPerSec, onnx.metrics[`b${batchSize}.throughputPerS`])
  }
  t.ok(onnx.benchmarks![1]!.peakRssMb! >= onnx.benchmarks![0]!.peakRssMb!, 'the peak through batch 4 covers the peak through batch 1')
  const preprocess = both.checks.filter((c) => c.check === 'bench')
  t.equal(preprocess.length, 2)
  t.match(preprocess[0], { practice: 'computational-performance', verdict: 'pass', metrics: { name: 'preprocess', 'subject.version': 3, 'subject.items': 16 } })
  t.same(preprocess[0]!.benchmarks!.map((b) => [b.name, b.batchSize, b.subject, b.samplesMs.length]), [['preprocess', 16, { items: 16, version: 3 }, preprocess[0]!.metrics['b16.iterations']]])
  t.same(preprocess[1]!.benchmarks!.map((b) => [b.name, b.batchSize, b.subject]), [['async serve', 1, { items: 2 }]])
  t.match(both.checks.find((c) => c.check === 'toMeetBudget'), { verdict: 'pass', metrics: { name: 'preprocess', budgets: 1 } })
  const table = both.logs.map((l) => l.text).join('')
  t.match(table, /bench preprocess · items 16, version 3\n/)
  t.match(table, /batch\s+iters\s+p50 ms \[95% CI\].*items\/s \[95% CI\]/)
  t.match(table, /throughput = items per call × iterations \/ summed latency/)

  const bytes = tests.get('a session from bytes')!.checks[0]!.benchmarks![0]!
  t.equal(bytes.name, 'bytes.onnx')
  t.equal(bytes.subject.sha256, sha256, 'bytes hash to the same identity as the file')
  t.equal(bytes.subject.feedsSeed, 'the test seed')

  const many = tests.get('many samples')!.checks[0]!
  t.equal(many.metrics['b1.iterations'], 100_500)
  t.equal(many.benchmarks![0]!.samplesMs.length, 100_000, 'capped at 100,000')
  t.equal(many.benchmarks![0]!.subject.samples, SUBSAMPLED)

  const endless = tests.get('a sync function stopped by its timeout')!
  t.equal(endless.state, 'failed')
  t.match(endless.state === 'failed' ? endless.error.message : '', /timed out after 300 ms/, 'the timeout fired although every call is synchronous')
})
