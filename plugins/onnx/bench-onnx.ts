/**
 * `benchOnnx`: latency, throughput and memory of a real onnxruntime-node session, precise
 * enough to gate on — raw samples kept, percentiles with a stated method, distribution-free
 * confidence intervals for them (a bootstrap one for throughput), model load time and rss
 * (the only place native memory shows).
 */
import { resolve as resolvePath } from 'node:path'
import type { InferenceSession } from 'onnxruntime-node'
import { createRng, currentTest, recordCheck, resolveModelRef, type BenchmarkRecord } from 'mltest/plugin'
import { BenchOnnxError } from './_internals/bench-onnx-error.ts'
import { checkBenchOptions } from './_internals/bench-options.ts'
import { benchmarkRecords } from './_internals/benchmark-records.ts'
import { checkFeeds } from './_internals/check-feeds.ts'
import { benchmarkFigures } from './_internals/figures.ts'
import { checkNamedDims, batchSizeOf, fixedBatchSize, formatSpec, generateFeeds, inputSpecs, resolveBatchAxis, type FeedValue, type InputGenerator, type InputSpec } from './_internals/feeds.ts'
import { flatMetrics, formatBenchReport, formatSummary } from './_internals/format-report.ts'
import { loadRuntime, runtimeVersion } from './_internals/load-runtime.ts'
import { loopSettings, type TimingOptions } from './_internals/loop-settings.ts'
import { measureBatch } from './_internals/measure-batch.ts'
import { sha256OfBytes, sha256OfFile } from './_internals/model-digest.ts'
import { isSession, openSession, type ModelInput } from './_internals/open-session.ts'
import { onnxSubject } from './_internals/onnx-subject.ts'
import { peakRss, processPeakRssMb, rssMb, RssSampler } from './_internals/rss.ts'
import { benchMethod, type BenchMethod, type TimedBatch } from './_internals/timed-batch.ts'
import { timerResolution, type TimerResolution } from './_internals/timer-resolution.ts'

/** benchOnnx's options; the timing ones (warm-up, iterations, times) apply per batch size. */
export interface BenchOnnxOptions extends TimingOptions {
  /** Name in reports. Default: the model's file name. */
  name?: string
  /** Fixed feeds by input name (Tensors or `{ data, dims, type? }`); checked against the model. */
  inputs?: Record<string, FeedValue>
  /** With fixed `inputs`: the batch they hold, for throughput. Default: the size of the batch dimension (see batchDim). */
  batchSize?: number
  /** Without `inputs`: batch sizes to benchmark, each filling the batch dimension. Default `[1]`. */
  batchSizes?: number[]
  /**
   * The symbolic dimension that is the batch wherever it appears, e.g. `'batch'` for a
   * seq-first `[seq, batch, d]` model. Default: axis 0 of the first input (and any other
   * input's dynamic axis 0 that `dims` does not size).
   */
  batchDim?: string
  /** Sizes of the other named dynamic dimensions, e.g. `{ seq: 128 }`, at any axis; the batch dimension is set by batchSizes. */
  dims?: Record<string, number>
  /** Builds generated input data. Default: normal(0, 1) floats, zeros for integers and bools. */
  generate?: InputGenerator
  /** For `InferenceSession.create` when benchOnnx loads the model. */
  sessionOptions?: InferenceSession.SessionOptions
  /** Seed for generated inputs and the bootstrap. Default: the running test's seed, else 0. */
  seed?: number
  /** Minimum ms between two rss samples during the timed loop. Default 10. */
  rssIntervalMs?: number
  /** Release the session at the end (only sessions benchOnnx created). Default true. */
  release?: boolean
  /** Print the result table: default on inside a test (t.log), off outside. */
  log?: boolean
}

export interface BatchResult extends TimedBatch {
  /** The feeds as run, e.g. `x: float32 [8, 64]`. */
  feeds: string[]
}

export interface MemoryResult {
  /** MiB; null when the caller passed a session (nothing was loaded). */
  rssBeforeLoadMb: number | null
  rssAfterLoadMb: number | null
  /**
   * Peak rss of the whole process (in thread mode: the runner and every worker too) from
   * load to the end of the last batch, MiB: the kernel's high-water mark when
   * the benchmark raised it (exact, including transient peaks inside the load or a run),
   * else the largest sample.
   */
  rssPeakMb: number
  /**
   * rssPeakMb − rssBeforeLoadMb, MiB: what loading and running this model added, less
   * sensitive than the peak to what else lives in the process. Null for a given session.
   */
  rssDeltaMb: number | null
  /** Where rssPeakMb comes from. */
  rssPeakSource: 'kernel high-water mark' | 'sampled'
  /** Largest rss sampled between runs (never inside one), MiB. */
  rssSampledPeakMb: number
  /** Null when the session was not released (passed in, or `release: false`). */
  rssAfterReleaseMb: number | null
  /** The kernel's rss high-water mark of the whole process (Linux VmHWM) after the last batch, MiB; null elsewhere. */
  processPeakRssMb: number | null
}

export interface BenchOnnxResult {
  kind: 'benchOnnx'
  model: string
  runtime: string
  /** The model's inputs, e.g. `x: float32 [batch, 64]`. */
  inputs: string[]
  /** Session creation time; null when the caller passed a session. */
  loadMs: number | null
  memory: MemoryResult
  timer: TimerResolution
  method: BenchMethod
  batches: BatchResult[]
  verdict: 'pass' | 'inconclusive'
}

/**
 * Benchmarks `model` (a .onnx path, a reference a plugin's `resolveModel` hook turns into
 * one, its bytes, or an InferenceSession) at each batch size. Records a `benchOnnx` check on
 * the running test and logs a table. Tag the test `{ tags: ['bench'] }` so it runs alone.
 */
export async function benchOnnx(model: ModelInput, given: BenchOnnxOptions = {}): Promise<BenchOnnxResult> {
  const options = checkBenchOptions(given)
  const test = currentTest()
  const seed = options.seed ?? test?.seed ?? 0
  const loop = loopSettings(options, seed, test?.signal)
  const ort = await loadRuntime()
  const timer = timerResolution()
  const path = typeof model === 'string' ? await resolveModelRef(model) : model
  const rssBeforeLoad = rssMb()
  const highWaterBefore = processPeakRssMb()
  const opened = await openSession(ort, path, options.sessionOptions, options.name, path === model ? undefined : (model as string))
  const { session, label } = opened
  const sampler = new RssSampler(options.rssIntervalMs ?? 10)
  let rssAfterLoad = 0
  let specs: InputSpec[] = []
  const batches: BatchResult[] = []
  // Peak rss from the load to the end of each batch, for that batch's history record.
  const peaks: number[] = []
  const measure = async (feeds: Parameters<typeof measureBatch>[1], batchSize: number) => {
    batches.push(await measureBatch(session, feeds, batchSize, loop, sampler, timer, label))
    peaks.push(peakRss(sampler.peakMb, highWaterBefore, processPeakRssMb()).rssPeakMb)
  }
  let released = false
  let highWaterAfter: number | null = null
  try {
    rssAfterLoad = sampler.sample()
    specs = inputSpecs(session)
    const batch = resolveBatchAxis(specs, options.batchDim, label)
    if (options.inputs) {
      const feeds = checkFeeds(ort, options.inputs, specs, label)
      await measure(feeds, options.batchSize ?? batchSizeOf(feeds, specs, batch))
    } else {
      const fixed = fixedBatchSize(specs)
      if (fixed !== undefined && options.batchSizes && options.batchSizes.some((b) => b !== fixed)) {
        throw new BenchOnnxError('BAD_OPTION', `benchOnnx: ${label} has no dynamic dimension (${specs.map(formatSpec).join('; ')}), so it only runs at batch size ${fixed} — use batchSizes: [${fixed}] or omit it`)
      }
      checkNamedDims(specs, options.dims ?? {}, label, batch)
      const rng = createRng(seed)
      for (const batchSize of options.batchSizes ?? [fixed ?? 1]) {
        const feeds = generateFeeds(ort, specs, batchSize, options.dims ?? {}, rng, options.generate, label, batch)
        await measure(feeds, batchSize)
      }
    }
    highWaterAfter = processPeakRssMb()
  } finally {
    if (opened.owned && options.release !== false) {
      await session.release()
      released = true
    }
  }
  const peak = peakRss(sampler.peakMb, highWaterBefore, highWaterAfter)
  const result: BenchOnnxResult = {
    kind: 'benchOnnx',
    model: label,
    runtime: runtimeVersion(ort),
    inputs: specs.map(formatSpec),
    loadMs: opened.loadMs,
    memory: {
      rssBeforeLoadMb: opened.owned ? rssBeforeLoad : null,
      rssAfterLoadMb: opened.owned ? rssAfterLoad : null,
      ...peak,
      rssDeltaMb: opened.owned ? peak.rssPeakMb - rssBeforeLoad : null,
      rssAfterReleaseMb: released ? rssMb() : null,
      processPeakRssMb: highWaterAfter,
    },
    timer,
    method: benchMethod(loop),
    batches,
    verdict: batches.some((b) => b.inconclusive) ? 'inconclusive' : 'pass',
  }
  // Hashed after the runs, so reading the file touches neither the load time nor the rss figures.
  const sha256 = isSession(path) ? null : typeof path === 'string' ? await sha256OfFile(resolvePath(path)) : sha256OfBytes(path)
  const subject = { sha256, options, owned: opened.owned }
  const records = benchmarkRecords(label, batches.map((batch, i) => ({ batch, subject: onnxSubject(subject, batch.feeds), peakRssMb: peaks[i]! })))
  report(result, records, options.log)
  return result
}

function report(result: BenchOnnxResult, benchmarks: BenchmarkRecord[], log: boolean | undefined): void {
  const test = currentTest()
  const reason = result.batches.flatMap((b) => (b.inconclusiveReason ? [b.inconclusiveReason] : [])).join('; ')
  recordCheck({
    check: 'benchOnnx',
    practice: 'computational-performance',
    verdict: result.verdict,
    metrics: flatMetrics(result),
    summary: formatSummary(result),
    ...(reason ? { reason } : {}),
    benchmarks,
    figures: benchmarkFigures(result),
  })
  if (test) {
    for (const b of result.batches) {
      test.annotate(`${result.model} b${b.batchSize} p50 ms`, b.p50Ms)
      test.annotate(`${result.model} b${b.batchSize} p99 ms`, b.p99Ms)
      test.annotate(`${result.model} b${b.batchSize} samples/s`, b.throughput)
    }
    if (result.loadMs !== null) test.annotate(`${result.model} load ms`, result.loadMs)
    test.annotate(`${result.model} peak rss MiB`, result.memory.rssPeakMb)
    if (result.memory.rssDeltaMb !== null) test.annotate(`${result.model} rss delta MiB`, result.memory.rssDeltaMb)
  }
  if (log === false) return
  if (test) test.log(formatBenchReport(result))
  else if (log === true) console.log(formatBenchReport(result))
}
