// Serving budgets for two ONNX models, built in JS at test time (nothing binary is committed):
// a small and a large MLP, each benchmarked with onnxruntime-node at several batch sizes.
// Tests tagged `bench` run alone, so no other test competes for the CPU while they measure.
//
//   npx mltest run examples/onnx
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'mltest'
import { benchOnnx } from 'mltest/onnx'
import { LARGE_MLP, SMALL_MLP, writeMlp } from './mlp-model.ts'

let dir = ''
let smallModel = ''
let largeModel = ''

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mltest-onnx-example-'))
  smallModel = writeMlp(join(dir, 'mlp-small.onnx'), SMALL_MLP)
  largeModel = writeMlp(join(dir, 'mlp-large.onnx'), LARGE_MLP)
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

// Budgets are generous on purpose: the example must pass on a busy 2-core CI runner. In a
// real project they come from the serving SLO (and a nightly run tracks the figures).
describe('serving budgets', () => {
  test('small MLP: sub-millisecond median at batch 1, 8 and 32', async () => {
    // One intra-op thread: a model this small gains nothing from a thread pool, and its
    // hand-offs would dominate the tail latency. A p99 has an upper confidence bound only from
    // 368 runs on, so minIterations: 400 keeps the p99 budget from being inconclusive.
    const result = await benchOnnx(smallModel, { batchSizes: [1, 8, 32], minIterations: 400, minTimeMs: 200, sessionOptions: { intraOpNumThreads: 1 } })
    expect(result).toMeetBudget({
      p50Ms: { 1: 2, 8: 2, 32: 5 },
      p99Ms: 250,
      throughputMin: { 32: 1000 },
      loadMs: 5000,
      // rssMb is the whole process (with worker threads: the runner and the other workers
      // too); rssDeltaMb is what loading and running this model added.
      rssMb: 4096,
      rssDeltaMb: 1024,
    })
  }, { tags: ['bench'] })

  test('large MLP: median and throughput per batch size', async () => {
    const result = await benchOnnx(largeModel, {
      batchSizes: [1, 8, 32],
      minTimeMs: 200,
      sessionOptions: { graphOptimizationLevel: 'all' },
    })
    expect(result).toMeetBudget({
      p50Ms: { 1: 50, 8: 200, 32: 500 },
      throughputMin: { 32: 50 },
      loadMs: 10_000,
      // Peak process rss: onnxruntime's weights and arena are native memory, seen only in rss.
      rssMb: 4096,
    })
  }, { tags: ['bench'] })

  // Swapping in the large model without revisiting the budget is the regression this
  // catches: its batch-32 median is far above the small model's budget. `{ error }` lets only
  // the budget report count as the expected failure: a missing runtime, a typo in the budget
  // or a bad feed fails the run instead.
  test.fails('large MLP breaches the small model budget', async () => {
    const result = await benchOnnx(largeModel, { batchSizes: [32], minTimeMs: 100 })
    expect(result).toMeetBudget({ p50Ms: 0.5, throughputMin: 1_000_000 })
  }, { tags: ['bench'], error: /batch 32 \(n=\d+\) p50 latency .* exceeds budget <= 0\.500 ms/ })
})
