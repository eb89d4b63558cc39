/**
 * The figures of one timed loop, the same for benchOnnx's batches and bench's function:
 * percentiles, their order-statistic intervals, throughput with its bootstrap interval, and
 * the warnings and inconclusive reasons of a loop cut short or near the timer's resolution.
 */
import { latencyIntervals, MEAN_CI_METHOD, PERCENTILE_METHOD, summarize, type Interval } from './latency-stats.ts'
import { QUANTILE_CI_METHOD, samplesForUpperBound, type QuantileInterval } from './quantile-interval.ts'
import type { LoopSettings, TimedRuns } from './timed-loop.ts'
import { timerWarning, type TimerResolution } from './timer-resolution.ts'

export interface TimedBatch {
  /** The batch size: for benchOnnx the batch the feeds hold, for bench a label (default 1). */
  batchSize: number
  /** Items one run processes, which throughput counts: benchOnnx's batch size, bench's `items`. */
  itemsPerRun: number
  warmupIterations: number
  iterations: number
  /** Every timed run, in ms, in the order they ran. */
  samplesMs: number[]
  minMs: number
  meanMs: number
  stdevMs: number
  p50Ms: number
  p90Ms: number
  p95Ms: number
  p99Ms: number
  maxMs: number
  /** 95% order-statistic interval of the median, with its ranks and exact coverage. */
  p50CiMs: QuantileInterval
  /** 95% order-statistic interval of the p99; `high` is Infinity below 368 runs (nothing bounds it). */
  p99CiMs: QuantileInterval
  /** Items per second: itemsPerRun × iterations / summed latency. */
  throughput: number
  /** 95% percentile-bootstrap interval of the throughput (from the mean latency). */
  throughputCi: Interval
  /** Wall time of the timed loop, in ms. */
  wallMs: number
  warnings: string[]
  /** Too few iterations, or a warm-up cut short (a median near the timer's resolution only warns: budgets weigh the timer's error). */
  inconclusive: boolean
  /** Why the batch is inconclusive, one sentence; absent when it is not. */
  inconclusiveReason?: string
}

/**
 * `runs` summarised. `what` starts each inconclusive reason (e.g. `batch 8`), so a reason
 * names the batch or benchmark it is about.
 */
export function summarizeTimedRuns(runs: TimedRuns, batchSize: number, itemsPerRun: number, loop: LoopSettings, timer: TimerResolution, what: string): TimedBatch {
  const samples = runs.samplesMs
  const sorted = Float64Array.from(samples).sort()
  const stats = summarize(sorted)
  const ci = latencyIntervals(sorted, loop.bootstrapResamples, loop.seed)
  let sum = 0
  for (const s of samples) sum += s
  const warnings: string[] = []
  if (runs.truncated) {
    warnings.push(`only ${samples.length} of the ${loop.minIterations} minimum iterations fit in maxTimeMs ${loop.maxTimeMs} ms — raise maxTimeMs for a trustworthy figure`)
  }
  if (runs.warmupCut) {
    warnings.push(`warm-up stopped after ${runs.warmupIterations} runs at maxTimeMs ${loop.maxTimeMs} ms, so cold runs may be timed — raise maxTimeMs or lower warmup`)
  }
  const p99Samples = samplesForUpperBound(0.99)
  if (samples.length < p99Samples) {
    warnings.push(`p99 from ${samples.length} runs has no upper 95% confidence bound (it needs ${p99Samples}+), so a p99 budget is inconclusive — raise minIterations or minTimeMs`)
  }
  // The timer's error is stated, and judged only against a budget (judge-budget.ts): on its
  // own a measurement near the clock's resolution is still a measurement.
  const resolution = timerWarning(stats.p50, timer)
  if (resolution) warnings.push(resolution)
  const reasons: string[] = []
  if (runs.truncated) reasons.push(`${what}: only ${samples.length} of the ${loop.minIterations} minimum iterations fit in maxTimeMs ${loop.maxTimeMs} ms`)
  if (runs.warmupCut) reasons.push(`${what}: the warm-up stopped after ${runs.warmupIterations} runs at maxTimeMs ${loop.maxTimeMs} ms, so cold runs may be timed`)
  return {
    batchSize,
    itemsPerRun,
    warmupIterations: runs.warmupIterations,
    iterations: samples.length,
    samplesMs: samples,
    minMs: stats.min,
    meanMs: stats.mean,
    stdevMs: stats.stdev,
    p50Ms: stats.p50,
    p90Ms: stats.p90,
    p95Ms: stats.p95,
    p99Ms: stats.p99,
    maxMs: stats.max,
    p50CiMs: ci.p50,
    p99CiMs: ci.p99,
    throughput: (itemsPerRun * samples.length * 1000) / sum,
    throughputCi: { low: (itemsPerRun * 1000) / ci.mean.high, high: (itemsPerRun * 1000) / ci.mean.low },
    wallMs: runs.wallMs,
    warnings,
    inconclusive: reasons.length > 0,
    ...(reasons.length ? { inconclusiveReason: reasons.join('; ') } : {}),
  }
}

/** How every figure and interval was computed. */
export interface BenchMethod {
  percentiles: string
  /** How p50CiMs and p99CiMs are computed. */
  quantileCi: string
  /** How throughputCi is computed. */
  throughputCi: string
  bootstrapResamples: number
  seed: number
}

export function benchMethod(loop: LoopSettings): BenchMethod {
  return { percentiles: PERCENTILE_METHOD, quantileCi: QUANTILE_CI_METHOD, throughputCi: MEAN_CI_METHOD, bootstrapResamples: loop.bootstrapResamples, seed: loop.seed }
}
