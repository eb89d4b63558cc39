/**
 * The timed loop for one batch size: warm up, then time each `session.run` with
 * `process.hrtime.bigint()` until both the minimum iterations and minimum time are reached
 * (or the maximum time runs out). The timed span is a bare `await session.run(feeds)`
 * between two clock reads; rss is sampled between runs, outside it. The warm-up and the
 * timed loop are each bounded by maxTimeMs, and both check for the test's abort after every
 * run, so a slow model cannot run far past its test's timeout.
 */
import type { InferenceSession, Tensor } from 'onnxruntime-node'
import type { BatchResult } from '../bench-onnx.ts'
import { BenchOnnxError } from './bench-onnx-error.ts'
import { latencyIntervals, summarize } from './latency-stats.ts'
import { samplesForUpperBound } from './quantile-interval.ts'
import type { RssSampler } from './rss.ts'
import { timerWarning, type TimerResolution } from './timer-resolution.ts'

export interface LoopSettings {
  warmup: number | { ms: number }
  minIterations: number
  minTimeMs: number
  maxTimeMs: number
  maxIterations: number
  bootstrapResamples: number
  seed: number
  signal?: AbortSignal
}

const hrtime = process.hrtime.bigint

export async function measureBatch(
  session: InferenceSession,
  feeds: Record<string, Tensor>,
  batchSize: number,
  loop: LoopSettings,
  sampler: RssSampler,
  timer: TimerResolution,
  model: string,
): Promise<BatchResult> {
  const feedText = Object.entries(feeds).map(([name, t]) => `${name}: ${t.type} [${t.dims.join(', ')}]`)
  const failed = (error: unknown) => {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error)
    return new BenchOnnxError('RUN_FAILED', `benchOnnx: ${model} failed at batch size ${batchSize} with feeds ${feedText.join('; ')}: ${reason}`, { cause: error })
  }
  const aborted = (done: number, phase: string) =>
    new BenchOnnxError('RUN_FAILED', `benchOnnx: ${model} stopped at batch size ${batchSize} after ${done} ${phase} runs because the test was aborted (timeout) — lower maxTimeMs or raise the test's timeout`)
  const signal = loop.signal
  const maxNs = BigInt(Math.round(loop.maxTimeMs * 1e6))

  // Warm-up: a count or a duration, and never longer than maxTimeMs (at least one run).
  let warmupIterations = 0
  const warmupCount = typeof loop.warmup === 'number' ? loop.warmup : Number.POSITIVE_INFINITY
  const warmupNs = typeof loop.warmup === 'number' ? undefined : BigInt(Math.round(loop.warmup.ms * 1e6))
  const warmupStart = hrtime()
  let warmupCut = false
  while (warmupIterations < warmupCount) {
    if (warmupIterations > 0) {
      const spent = hrtime() - warmupStart
      if (warmupNs !== undefined && spent >= warmupNs) break
      if (spent >= maxNs) {
        warmupCut = true
        break
      }
    }
    if (signal?.aborted) throw aborted(warmupIterations, 'warm-up')
    await session.run(feeds).catch((error: unknown) => {
      throw failed(error)
    })
    warmupIterations++
  }
  sampler.sample()

  // Between runs the loop does as little as it can (hrtime only, a preallocated buffer, rss
  // every intervalMs), so it stays as close as possible to a bare loop of session.run.
  let buffer = new Float64Array(Math.min(loop.maxIterations, 65_536))
  const minNs = BigInt(Math.round(loop.minTimeMs * 1e6))
  const rssEveryNs = BigInt(Math.round(sampler.intervalMs * 1e6))
  const start = hrtime()
  let nextRss = start + rssEveryNs
  let n = 0
  let end = start
  let truncated = false
  for (;;) {
    // Exactly what a bare loop times: no wrapper function, no extra promise in the span.
    let t1: bigint
    const t0 = hrtime()
    try {
      await session.run(feeds)
      t1 = hrtime()
    } catch (error) {
      throw failed(error)
    }
    if (n === buffer.length) {
      const grown = new Float64Array(Math.min(loop.maxIterations, buffer.length * 2))
      grown.set(buffer)
      buffer = grown
    }
    buffer[n++] = Number(t1 - t0) / 1e6
    end = t1
    if (t1 >= nextRss) {
      sampler.sample()
      nextRss = hrtime() + rssEveryNs
    }
    // One subtraction and a property read per run: the deadline and the abort are checked
    // after every run, at a cost far below the timer's resolution.
    const elapsed = t1 - start
    if (n >= loop.maxIterations) break
    if (n >= loop.minIterations && elapsed >= minNs) break
    if (elapsed >= maxNs) {
      truncated = n < loop.minIterations
      break
    }
    if (signal?.aborted) throw aborted(n, 'timed')
  }
  sampler.sample()
  const samples = Array.from(buffer.subarray(0, n))
  const elapsed = Number(end - start) / 1e6

  const sorted = Float64Array.from(samples).sort()
  const stats = summarize(sorted)
  const ci = latencyIntervals(sorted, loop.bootstrapResamples, loop.seed)
  let sum = 0
  for (const s of samples) sum += s
  const warnings: string[] = []
  if (truncated) {
    warnings.push(`only ${samples.length} of the ${loop.minIterations} minimum iterations fit in maxTimeMs ${loop.maxTimeMs} ms — raise maxTimeMs for a trustworthy figure`)
  }
  if (warmupCut) {
    warnings.push(`warm-up stopped after ${warmupIterations} runs at maxTimeMs ${loop.maxTimeMs} ms, so cold runs may be timed — raise maxTimeMs or lower warmup`)
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
  if (truncated) reasons.push(`batch ${batchSize}: only ${samples.length} of the ${loop.minIterations} minimum iterations fit in maxTimeMs ${loop.maxTimeMs} ms`)
  if (warmupCut) reasons.push(`batch ${batchSize}: the warm-up stopped after ${warmupIterations} runs at maxTimeMs ${loop.maxTimeMs} ms, so cold runs may be timed`)
  return {
    batchSize,
    feeds: feedText,
    warmupIterations,
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
    throughput: (batchSize * samples.length * 1000) / sum,
    throughputCi: { low: (batchSize * 1000) / ci.mean.high, high: (batchSize * 1000) / ci.mean.low },
    wallMs: elapsed,
    warnings,
    inconclusive: reasons.length > 0,
    ...(reasons.length ? { inconclusiveReason: reasons.join('; ') } : {}),
  }
}
