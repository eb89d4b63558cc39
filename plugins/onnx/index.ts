/**
 * `mltest/onnx`: latency, throughput and memory benchmarks of onnxruntime-node sessions
 * (`benchOnnx`) and of any function (`bench`: preprocessing, tfjs inference, a serving call).
 *
 *   import { test, expect } from 'mltest'
 *   import { bench, benchOnnx } from 'mltest/onnx'
 *   test('serving budget', async () => {
 *     expect(await benchOnnx('model.onnx', { batchSizes: [1, 32], minIterations: 400 })).toMeetBudget({ p99Ms: 20 })
 *     expect(await bench('preprocess', () => preprocess(rows), { batchSize: 32 })).toMeetBudget({ p50Ms: 2 })
 *   }, { tags: ['bench'] })
 *
 * onnxruntime-node loads on the first benchOnnx call, so importing this module is cheap.
 */
import type { Budget } from './_internals/judge-budget.ts'

export { benchOnnx } from './bench-onnx.ts'
export type { BenchOnnxOptions, BenchOnnxResult, BatchResult, MemoryResult } from './bench-onnx.ts'
export { bench } from './bench.ts'
export type { BenchFunctionOptions, BenchFunctionResult, BenchMemory } from './bench.ts'
export type { TimingOptions } from './_internals/loop-settings.ts'
export type { TimedBatch, BenchMethod } from './_internals/timed-batch.ts'
export { BenchError } from './_internals/bench-error.ts'
export { BenchOnnxError } from './_internals/bench-onnx-error.ts'
export type { BenchOnnxErrorCode } from './_internals/bench-onnx-error.ts'
export type { FeedValue, InputGenerator } from './_internals/feeds.ts'
export type { Interval } from './_internals/latency-stats.ts'
export type { QuantileInterval } from './_internals/quantile-interval.ts'
export type { TimerResolution } from './_internals/timer-resolution.ts'
export type { Budget, BudgetValue } from './_internals/judge-budget.ts'
export { toMeetBudget } from './to-meet-budget.ts'
export { onnxPlugin } from './plugin.ts'

declare module 'expect' {
  interface Matchers<R extends void | Promise<void>, T = unknown> {
    /**
     * The benchOnnx or bench result meets every budget: `p50Ms`, `p99Ms` (at most), `throughputMin`
     * (at least; each a number or per batch size `{ 1: 2, 32: 20 }`), `rssMb` (whole-process
     * peak), `rssDeltaMb` (peak minus before load, or before bench's first call), `loadMs` (benchOnnx only).
     */
    toMeetBudget(budget: Budget): R
  }
}
