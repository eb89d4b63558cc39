/**
 * The timed loop shared by benchOnnx (one batch size of a session) and bench (a function):
 * warm up, then time each run with `process.hrtime.bigint()` until both the minimum
 * iterations and the minimum time are reached (or the maximum time runs out). The timed span
 * is the call and, when it returns a promise, its await, between two clock reads; rss is
 * sampled between runs, outside it. The warm-up and the timed loop are each bounded by
 * maxTimeMs, and both check for the test's abort after every run, so a slow run cannot go on
 * far past its test's timeout.
 */
import type { RssSampler } from './rss.ts'

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

export interface TimedRuns {
  /** Every timed run, in ms, in the order they ran. */
  samplesMs: number[]
  warmupIterations: number
  /** Wall time of the timed loop, in ms. */
  wallMs: number
  /** maxTimeMs ran out before minIterations. */
  truncated: boolean
  /** The warm-up was stopped by maxTimeMs. */
  warmupCut: boolean
}

export interface LoopErrors {
  /** The error to throw when a run throws or rejects. */
  failed(error: unknown, phase: 'warm-up' | 'timed', done: number): Error
  /** The error to throw when the test is aborted (its timeout) mid-benchmark. */
  aborted(phase: 'warm-up' | 'timed', done: number): Error
}

// Captured at load: user code that patches the clock or the scheduler cannot change what is measured.
const hrtime = process.hrtime.bigint
const setImmediateAtLoad = globalThis.setImmediate

/**
 * A run that never gives the event loop a turn (a synchronous function, or an async one that
 * resolves in microtasks) would keep the test's timeout timer, and so its abort, from ever
 * firing. Every YIELD_NS of loop time the loop yields once, between two runs.
 */
const YIELD_NS = 10_000_000n

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediateAtLoad(resolve))
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return ((typeof value === 'object' && value !== null) || typeof value === 'function') && typeof (value as { then?: unknown }).then === 'function'
}

export async function runTimedLoop(run: () => unknown, loop: LoopSettings, sampler: RssSampler, errors: LoopErrors): Promise<TimedRuns> {
  const signal = loop.signal
  const maxNs = BigInt(Math.round(loop.maxTimeMs * 1e6))

  // Warm-up: a count or a duration, and never longer than maxTimeMs (at least one run).
  let warmupIterations = 0
  const warmupCount = typeof loop.warmup === 'number' ? loop.warmup : Number.POSITIVE_INFINITY
  const warmupNs = typeof loop.warmup === 'number' ? undefined : BigInt(Math.round(loop.warmup.ms * 1e6))
  const warmupStart = hrtime()
  let lastYield = warmupStart
  let warmupCut = false
  while (warmupIterations < warmupCount) {
    const now = hrtime()
    if (warmupIterations > 0) {
      const spent = now - warmupStart
      if (warmupNs !== undefined && spent >= warmupNs) break
      if (spent >= maxNs) {
        warmupCut = true
        break
      }
    }
    if (now - lastYield >= YIELD_NS) {
      await yieldToEventLoop()
      lastYield = hrtime()
    }
    if (signal?.aborted) throw errors.aborted('warm-up', warmupIterations)
    try {
      const result = run()
      if (isThenable(result)) await result
    } catch (error) {
      throw errors.failed(error, 'warm-up', warmupIterations)
    }
    warmupIterations++
  }
  sampler.sample()

  // Between runs the loop does as little as it can (hrtime only, a preallocated buffer, rss
  // every intervalMs), so it stays as close as possible to a bare loop of the run.
  let buffer = new Float64Array(Math.min(loop.maxIterations, 65_536))
  const minNs = BigInt(Math.round(loop.minTimeMs * 1e6))
  const rssEveryNs = BigInt(Math.round(sampler.intervalMs * 1e6))
  const start = hrtime()
  let nextRss = start + rssEveryNs
  let nextYield = start + YIELD_NS
  let n = 0
  let end = start
  let truncated = false
  for (;;) {
    // The span holds the call and, for a promise, its await: nothing else.
    let t1: bigint
    const t0 = hrtime()
    try {
      const result = run()
      if (isThenable(result)) await result
      t1 = hrtime()
    } catch (error) {
      throw errors.failed(error, 'timed', n)
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
    if (t1 >= nextYield) {
      await yieldToEventLoop()
      nextYield = hrtime() + YIELD_NS
    }
    if (signal?.aborted) throw errors.aborted('timed', n)
  }
  sampler.sample()
  return { samplesMs: Array.from(buffer.subarray(0, n)), warmupIterations, wallMs: Number(end - start) / 1e6, truncated, warmupCut }
}
