/**
 * mltest/release checkCanary: the statistics against independently computed values, the
 * serving-contract comparison on real ONNX models built with onnx-proto (a renamed input, a
 * fixed batch, another opset), and traffic replayed through real onnxruntime sessions: a
 * candidate with swapped output columns fails, the same model passes, a slower candidate
 * fails on latency, a borderline one is inconclusive.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import * as ort from 'onnxruntime-node'
import onnxProto from 'onnx-proto'
import { createRng } from '../../../core/seed.ts'
import { checkCanary } from '../../../plugins/release/canary.ts'
import { compareContracts, contractOfOnnxBytes } from '../../../plugins/release/_internals/canary-contract.ts'
import { kolmogorovSmirnov, median, pairedBootstrap, totalVariation, wilsonInterval } from '../../../plugins/release/_internals/canary-stats.ts'
import { FEATURES, readPenguinRows } from '../../fixtures/models/penguin-model.ts'
import { rejectionOf } from '../../failure-of.ts'
import { inTestOf } from '../../in-test.ts'

const { onnx } = onnxProto

/** Runs `fn` as the body of a real running test, returning what it recorded and threw. */
const inTest = inTestOf(import.meta.filename, { seed: 1, name: 'canary' })

const W = [
  [-1.2, 1.0, 0.4],
  [1.1, 0.6, -1.5],
  [-0.9, -0.4, 1.6],
  [-0.4, -0.6, 1.0],
]
const B = [0.1, -0.2, 0.0]

interface ClassifierSpec {
  inputName?: string
  outputName?: string
  /** Output column order: [1, 0, 2] swaps the first two classes. */
  columns?: number[]
  opset?: number
  batch?: number | string
}

/** A real ONNX classifier: softmax(x·W + b), 4 standardised penguin measurements → 3 classes. */
function buildClassifier(spec: ClassifierSpec = {}): Uint8Array {
  const columns = spec.columns ?? [0, 1, 2]
  const weights = W.flatMap((row) => columns.map((c) => row[c]!))
  const bias = columns.map((c) => B[c]!)
  const input = spec.inputName ?? 'x'
  const output = spec.outputName ?? 'probs'
  const dim = (d: number | string) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })
  const info = (name: string, width: number) => ({ name, type: { tensorType: { elemType: 1, shape: { dim: [dim(spec.batch ?? 'batch'), dim(width)] } } } })
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'mltest-test',
    opsetImport: [{ domain: '', version: spec.opset ?? 13 }],
    graph: {
      name: 'classifier',
      node: [
        { opType: 'MatMul', input: [input, 'W'], output: ['logits0'], name: 'matmul' },
        { opType: 'Add', input: ['logits0', 'b'], output: ['logits'], name: 'add' },
        { opType: 'Softmax', input: ['logits'], output: [output], name: 'softmax', attribute: [{ name: 'axis', type: 2, i: -1 }] },
      ],
      initializer: [
        { name: 'W', dims: [4, 3], dataType: 1, floatData: weights },
        { name: 'b', dims: [3], dataType: 1, floatData: bias },
      ],
      input: [info(input, 4)],
      output: [info(output, 3)],
    },
  })
  return onnx.ModelProto.encode(model).finish()
}

/** The complete penguins of vega-datasets, standardised: recorded requests of a species classifier. */
function penguinTraffic(): number[][] {
  const raw = readPenguinRows().map((r) => FEATURES.map((f) => (r[f] == null ? NaN : Number(r[f])))).filter((x) => x.every(Number.isFinite))
  const mean = FEATURES.map((_, j) => raw.reduce((s, x) => s + x[j]!, 0) / raw.length)
  const std = FEATURES.map((_, j) => Math.sqrt(raw.reduce((s, x) => s + (x[j]! - mean[j]!) ** 2, 0) / raw.length))
  return raw.map((x) => x.map((v, j) => (v - mean[j]!) / std[j]!))
}

const dir = mkdtempSync(join(tmpdir(), 'mltest-canary-'))
t.teardown(() => rmSync(dir, { recursive: true, force: true }))
const write = (name: string, bytes: Uint8Array) => {
  const path = join(dir, name)
  writeFileSync(path, bytes)
  return path
}
const traffic = penguinTraffic()

t.test('statistics match independently computed values', async (t) => {
  // Wilson 95% for 5 of 100: statsmodels proportion_confint(5, 100, method='wilson') = (0.021544, 0.111752);
  // by hand: z = 1.959964, centre (0.05 + z²/200) / (1 + z²/100) = 0.066648, half-width 0.045104.
  const w = wilsonInterval(5, 100, 0.95)
  t.ok(Math.abs(w.low - 0.021544) < 2e-6 && Math.abs(w.high - 0.111752) < 2e-6, `wilson(5, 100) = [${w.low}, ${w.high}]`)
  // 0 of 300: the upper bound is z²/(n + z²) = 3.841459 / 303.841459 = 0.012643.
  const zero = wilsonInterval(0, 300, 0.95)
  t.equal(zero.low, 0)
  t.ok(Math.abs(zero.high - 0.012643) < 1e-6, `wilson(0, 300) high = ${zero.high}`)
  // Total variation of class histograms [2, 1, 1] vs [1, 1, 2] over 4 labels: (|2-1| + 0 + |1-2|) / (2·4) = 0.25.
  t.equal(totalVariation([0, 0, 1, 2], [0, 2, 1, 2], 3), 0.25)
  // scipy.stats.ks_2samp([1, 2, 3, 4], [3, 4, 5, 6]).statistic == 0.5; ties across samples handled.
  t.equal(kolmogorovSmirnov([1, 2, 3, 4], [3, 4, 5, 6]), 0.5)
  t.equal(kolmogorovSmirnov([1, 2, 3], [1, 2, 3]), 0)
  // NaN counts as beyond every real value: [1, 2, NaN] vs [1, 2, 3] differ only in the last place.
  t.equal(kolmogorovSmirnov([1, 2, Number.NaN], [1, 2, 3]), 1 / 3)
  t.equal(median([5, 1, 3, 2]), 2.5)
  // The bootstrap is seeded: the same seed gives the same interval, a constant statistic a point.
  const values = Array.from({ length: 50 }, (_, i) => (i * 37) % 11)
  const first = pairedBootstrap(50, (idx) => median(values, idx), createRng(7), 500, 0.95)
  const again = pairedBootstrap(50, (idx) => median(values, idx), createRng(7), 500, 0.95)
  t.same(first, again)
  t.ok(first.low <= median(values) && median(values) <= first.high, 'the interval holds the observed median')
  t.same(pairedBootstrap(20, () => 3, createRng(1), 200, 0.95), { low: 3, high: 3 })
})

t.test('contracts: read from ONNX files, every mismatch named', async (t) => {
  const base = await contractOfOnnxBytes(buildClassifier(), 'model.onnx')
  t.same(base, { inputs: [{ name: 'x', dtype: 'float32', shape: [null, 4] }], outputs: [{ name: 'probs', dtype: 'float32', shape: [null, 3] }], opset: 13 })
  t.same(compareContracts(base, await contractOfOnnxBytes(buildClassifier({ batch: 'N' }), 'm')), [], 'a renamed symbolic dim is no mismatch')
  t.same(compareContracts(base, await contractOfOnnxBytes(buildClassifier({ inputName: 'features' }), 'm')), ['input 0 renamed: current "x", candidate "features"'])
  t.same(compareContracts(base, await contractOfOnnxBytes(buildClassifier({ batch: 1, opset: 17 }), 'm')), [
    'input "x" shape: current [?, 4], candidate [1, 4]',
    'output "probs" shape: current [?, 3], candidate [1, 3]',
    "opset: current 13, candidate 17 (the serving runtime must support the candidate's)",
  ])
  const error = await rejectionOf(contractOfOnnxBytes(new Uint8Array([1, 2, 3, 250]), 'broken.onnx'))
  t.match(error.message, /broken\.onnx is not an ONNX model/)
})

t.test('a candidate whose input was renamed fails on its contract before any request runs', async (t) => {
  const current = write('current.onnx', buildClassifier())
  const renamed = write('renamed.onnx', buildClassifier({ inputName: 'features' }))
  // The traffic file does not exist: reaching it would be a different error.
  const { error, checks } = await inTest(() => checkCanary({ current, candidate: renamed, traffic: join(dir, 'never-read.jsonl') }))
  t.equal(error?.name, 'AssertionError')
  t.match(error!.message, /serving contract differs from the current model's — no traffic was replayed/)
  t.match(error!.message, /input 0 renamed: current "x", candidate "features"/)
  t.match(checks, [{ check: 'checkCanary', practice: 'canary', verdict: 'fail', metrics: { contractMismatches: 1, requests: 0 } }])
  // The same from open onnxruntime sessions (their inputMetadata).
  const sessions = await inTest(async () => checkCanary({ current: await ort.InferenceSession.create(current), candidate: await ort.InferenceSession.create(renamed), traffic }))
  t.match(sessions.error!.message, /input 0 renamed: current "x", candidate "features"/)
})

t.test('a candidate with swapped output columns fails on disagreement and drift', async (t) => {
  const current = write('current.onnx', buildClassifier())
  const swapped = write('swapped.onnx', buildClassifier({ columns: [1, 0, 2] }))
  const { error, checks } = await inTest(() => checkCanary({ current, candidate: swapped, traffic, latencyRounds: 50 }))
  t.equal(error?.name, 'AssertionError')
  t.match(error!.message, /candidate fails disagreement/)
  t.match(error!.message, /disagreement\s+\d+ of 342 requests .*Wilson interval .* → fail/)
  const record = checks[0]!
  t.equal(record.verdict, 'fail')
  t.ok((record.metrics.disagreementRate as number) > 0.3, `disagreement ${record.metrics.disagreementRate}`)
  t.ok((record.metrics.disagreementLow as number) > 0.02, 'the whole interval is over the limit')
  t.equal(record.figures?.length, 2, 'gates and latency figures')
})

t.test('the same model passes with every figure stated', async (t) => {
  const current = write('current.onnx', buildClassifier())
  const copy = write('copy.onnx', buildClassifier())
  // A generous latency limit (5x): identical models on a shared, loaded machine; this test is about the verdict's figures.
  const { result, error, checks } = await inTest(() => checkCanary({ current, candidate: copy, traffic, maxLatencyRatio: 5 }))
  t.equal(error, undefined)
  t.equal(result!.verdict, 'pass')
  t.equal(result!.disagreement.count, 0)
  t.ok(result!.disagreement.interval.high < 0.02 && result!.disagreement.interval.high > 0.011, `0 of 342: Wilson high ${result!.disagreement.interval.high}`)
  t.same(result!.drift.interval, { low: 0, high: 0 })
  t.ok(result!.latency!.interval.high <= 5, `latency ratio ${result!.latency!.observed}, interval ${JSON.stringify(result!.latency!.interval)}`)
  t.match(result!.report, /contract\s+input x float32 \[\?, 4\]; output probs float32 \[\?, 3\]; opset 13 \(the same in both\)/)
  t.match(checks[0], { practice: 'canary', verdict: 'pass', metrics: { requests: 342, maxDisagreement: 0.02, latencyRounds: 200 } })
})

t.test('latency: a candidate 1 ms slower per request fails the latency ratio', async (t) => {
  const predict = (rows: number[][]) => rows.map((r) => [r[0]! > 0 ? 1 : 0, r[0]! > 0 ? 0 : 1])
  const slow = (rows: number[][]) => {
    const until = performance.now() + 1
    while (performance.now() < until);
    return predict(rows)
  }
  const { error, checks } = await inTest(() => checkCanary({ current: predict, candidate: slow, traffic, latencyRounds: 40 }))
  t.match(error?.message, /candidate fails latency ratio/)
  t.match(error?.message, /contract\s+not compared: current \(predict function\) and candidate \(predict function\) declare no contract/)
  t.ok((checks[0]!.metrics.latencyRatioLow as number) > 1.5)
  t.equal(checks[0]!.metrics.disagreementRate, 0)
})

t.test('a borderline disagreement is inconclusive, with its reason', async (t) => {
  const predict = (rows: number[][]) => rows.map((r) => [r[0]!, -r[0]!])
  let call = 0
  // Flips one request in 50: 7 of 342, about 2%, the limit itself.
  const flaky = (rows: number[][]) => rows.map((r) => (call++ % 50 === 0 ? [-r[0]!, r[0]!] : [r[0]!, -r[0]!]))
  const { result, error, checks } = await inTest(() => checkCanary({ current: predict, candidate: flaky, traffic, latencyRounds: 0 }))
  t.equal(error, undefined)
  t.equal(result!.verdict, 'inconclusive')
  t.ok(result!.disagreement.interval.low < 0.02 && result!.disagreement.interval.high > 0.02)
  t.match(checks[0], { verdict: 'inconclusive', reason: /interval of the disagreement straddles its limit with 342 requests/ })
  t.match(result!.report, /latency ratio\s+not measured/)
})

t.test('single-output models: values compared within a tolerance, drift by Kolmogorov-Smirnov', async (t) => {
  const score = (rows: number[][]) => rows.map((r) => [r[0]! * 2 + r[1]!])
  const shifted = (rows: number[][]) => rows.map((r) => [r[0]! * 2 + r[1]! + 1])
  const same = await inTest(() => checkCanary({ current: score, candidate: score, traffic, latencyRounds: 0 }))
  t.equal(same.result?.verdict, 'pass')
  t.equal(same.result?.driftMetric, 'Kolmogorov-Smirnov of outputs')
  const moved = await inTest(() => checkCanary({ current: score, candidate: shifted, traffic, latencyRounds: 0 }))
  t.match(moved.error?.message, /candidate fails disagreement and prediction drift/)
  t.match(moved.error?.message, /outputs differ beyond/)
  // A candidate that outputs NaN finishes and fails (the KS walk used to hang on NaN).
  const broken = (rows: number[][]) => rows.map((r, i) => [i % 2 === 0 ? Number.NaN : r[0]! * 2 + r[1]!])
  const nan = await inTest(() => checkCanary({ current: score, candidate: broken, traffic, latencyRounds: 0 }))
  t.match(nan.error?.message, /candidate fails disagreement/)
})

t.test('traffic from a JSONL file; bad input is one line naming the problem', async (t) => {
  const path = join(dir, 'traffic.jsonl')
  writeFileSync(path, traffic.slice(0, 100).map((input) => JSON.stringify({ input })).join('\n') + '\n')
  const model = write('current.onnx', buildClassifier())
  const ok = await inTest(() => checkCanary({ current: model, candidate: model, traffic: path, latencyRounds: 0, maxDisagreement: 0.05 }))
  t.equal(ok.result?.requests, 100)
  t.equal(ok.result?.verdict, 'pass')
  // Open sessions work too, and stay open: the caller owns them.
  const session = await ort.InferenceSession.create(model)
  const fromSession = await inTest(() => checkCanary({ current: session, candidate: model, traffic: path, latencyRounds: 0, maxDisagreement: 0.05 }))
  t.equal(fromSession.result?.verdict, 'pass')
  t.same(fromSession.result?.contract?.inputs, [{ name: 'x', dtype: 'float32', shape: [null, 4] }], 'the session metadata gives the contract')
  t.equal((await session.run({ x: new ort.Tensor('float32', new Float32Array(4), [1, 4]) })).probs?.dims.join('x'), '1x3', 'the session still runs')
  const broken = join(dir, 'broken.jsonl')
  writeFileSync(broken, '{"input": [1, 2, 3, 4]}\n{"input": [1, 2\n')
  t.match((await inTest(() => checkCanary({ current: model, candidate: model, traffic: broken }))).error?.message, /broken\.jsonl:2 is not valid JSON/)
  t.match((await inTest(() => checkCanary({ current: model, candidate: model, traffic: [{ features: [1] }] as never }))).error?.message, /traffic record 0 is not a request/)
  t.match((await inTest(() => checkCanary({ current: join(dir, 'missing.onnx'), candidate: model, traffic }))).error?.message, /cannot read the current model .*missing\.onnx \(ENOENT\)/)
  const typo = await inTest(() => checkCanary({ current: model, candidate: model, traffic, maxDisagrement: 0.1 } as never))
  t.match(typo.error?.message, /checkCanary: unknown option "maxDisagrement" — did you mean "maxDisagreement"\?/)
})
