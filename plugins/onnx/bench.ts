/**
 * `bench`: latency and throughput of any function, sync or async — preprocessing, tfjs
 * inference (`model.predict` + `dataSync`), a whole serving function — with benchOnnx's
 * timed loop, percentiles, order-statistic intervals, timer-error rule and table, and a
 * result `toMeetBudget` judges. Its raw samples go on the test for the benchmark history.
 */
import { currentTest, recordCheck, type AnnotationValue } from 'mltest/plugin'
import { BenchError } from './_internals/bench-error.ts'
import { checkBenchArguments, optionsError } from './_internals/bench-function-options.ts'
import { benchmarkRecords } from './_internals/benchmark-records.ts'
import { benchmarkFigures } from './_internals/figures.ts'
import { flatMetrics, formatBenchReport, formatSummary } from './_internals/format-report.ts'
import { timingSettings, type TimingOptions } from './_internals/loop-settings.ts'
import { peakRss, processPeakRssMb, rssMb, RssSampler, type PeakRss } from './_internals/rss.ts'
import { benchMethod, summarizeTimedRuns, type BenchMethod, type TimedBatch } from './_internals/timed-batch.ts'
import { runTimedLoop } from './_internals/timed-loop.ts'
import { timerResolution, type TimerResolution } from './_internals/timer-resolution.ts'

/** bench's options; the timing ones (warm-up, iterations, times) count calls of the function. */
export interface BenchFunctionOptions extends TimingOptions {
  /** A label for the batch the function processes: the `b<batchSize>` in reports, budgets and the history's identity. Default 1. */
  batchSize?: number
  /** Items one call processes, which throughput counts (items per second). Default: batchSize. */
  items?: number
  /** The version of what is measured (a model or code version), recorded in the subject so the history shows when it changed. */
  version?: string | number
  /** More of what is measured, e.g. `{ model: 'ranker-v3', rows: 1000 }`, recorded in the subject. */
  subject?: Record<string, AnnotationValue>
  /** Seed of the throughput bootstrap. Default: the running test's seed, else 0. */
  seed?: number
  /** Minimum ms between two rss samples during the timed loop. Default 10. */
  rssIntervalMs?: number
  /** Print the result table: default on inside a test (t.log), off outside. */
  log?: boolean
}

export interface BenchMemory extends PeakRss {
  /** rss before the first warm-up call, MiB. */
  rssBeforeMb: number
  /** rssPeakMb − rssBeforeMb, MiB: what running the function added (its allocations, caches, tensors it kept). */
  rssDeltaMb: number
  /** rss after the last timed call, MiB. */
  rssAfterMb: number
  /** The kernel's rss high-water mark of the whole process (Linux VmHWM) after the last call, MiB; null elsewhere. */
  processPeakRssMb: number | null
}

export interface BenchFunctionResult {
  kind: 'bench'
  name: string
  /** What was measured, as recorded for the history: `items`, and `version` and `subject` when given. */
  subject: Record<string, AnnotationValue>
  memory: BenchMemory
  timer: TimerResolution
  method: BenchMethod
  /** One entry (a function has one batch), shaped like benchOnnx's batches, so the same table and budgets apply. */
  batches: [TimedBatch]
  verdict: 'pass' | 'inconclusive'
}

/**
 * Benchmarks `fn` (sync, or async: a returned promise is awaited inside the timed span).
 * Records a `bench` check with the raw samples on the running test and logs a table. Tag the
 * test `{ tags: ['bench'] }` so it runs alone.
 */
export async function bench(name: string, fn: () => unknown, given?: BenchFunctionOptions): Promise<BenchFunctionResult> {
  const options = checkBenchArguments(name, fn, given)
  const test = currentTest()
  const loop = timingSettings(options, options.seed ?? test?.seed ?? 0, test?.signal, (message) => {
    throw optionsError(`${name}: ${message}`)
  })
  const timer = timerResolution()
  const batchSize = options.batchSize ?? 1
  const items = options.items ?? batchSize
  const sampler = new RssSampler(options.rssIntervalMs ?? 10)
  const rssBefore = sampler.peakMb
  const highWaterBefore = processPeakRssMb()
  const runs = await runTimedLoop(fn, loop, sampler, {
    failed(error, phase, done) {
      const reason = error instanceof Error ? error.message.split('\n')[0] : String(error)
      return new BenchError(`bench: ${name} threw on ${phase} call ${done + 1}: ${reason}`, { cause: error })
    },
    aborted(phase, done) {
      return new BenchError(`bench: ${name} stopped after ${done} ${phase} calls because the test was aborted (timeout) — lower maxTimeMs or raise the test's timeout`)
    },
  })
  const highWaterAfter = processPeakRssMb()
  const batch = summarizeTimedRuns(runs, batchSize, items, loop, timer, name)
  const peak = peakRss(sampler.peakMb, highWaterBefore, highWaterAfter)
  const subject: Record<string, AnnotationValue> = {
    ...options.subject,
    items,
    ...(options.version !== undefined ? { version: options.version } : {}),
  }
  const result: BenchFunctionResult = {
    kind: 'bench',
    name,
    subject,
    memory: { rssBeforeMb: rssBefore, ...peak, rssDeltaMb: peak.rssPeakMb - rssBefore, rssAfterMb: rssMb(), processPeakRssMb: highWaterAfter },
    timer,
    method: benchMethod(loop),
    batches: [batch],
    verdict: batch.inconclusive ? 'inconclusive' : 'pass',
  }
  recordCheck({
    check: 'bench',
    practice: 'computational-performance',
    verdict: result.verdict,
    metrics: flatMetrics(result),
    summary: formatSummary(result),
    ...(batch.inconclusiveReason ? { reason: batch.inconclusiveReason } : {}),
    benchmarks: benchmarkRecords(name, [{ batch, subject, peakRssMb: peak.rssPeakMb }]),
    figures: benchmarkFigures(result),
  })
  if (test) {
    test.annotate(`${name} b${batchSize} p50 ms`, batch.p50Ms)
    test.annotate(`${name} b${batchSize} p99 ms`, batch.p99Ms)
    test.annotate(`${name} b${batchSize} items/s`, batch.throughput)
  }
  if (options.log !== false) {
    if (test) test.log(formatBenchReport(result))
    else if (options.log === true) console.log(formatBenchReport(result))
  }
  return result
}
