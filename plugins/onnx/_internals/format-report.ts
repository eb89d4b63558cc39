/**
 * The console table of one benchmark (benchOnnx or bench) and the flat metrics it records,
 * so the console, JUnit properties and JSON all carry the same figures.
 */
import { formatTable, type AnnotationValue } from 'mltest/plugin'
import type { BenchFunctionResult } from '../bench.ts'
import type { BenchOnnxResult } from '../bench-onnx.ts'
import type { BenchmarkResult } from './judge-budget.ts'
import type { TimedBatch } from './timed-batch.ts'
import { formatNs } from './timer-resolution.ts'

/** The benchmark's name in reports: the model for benchOnnx, the name for bench. */
export function benchmarkName(result: BenchmarkResult): string {
  return result.kind === 'bench' ? result.name : result.model
}

/** Milliseconds with three significant digits, never in exponent form. */
export function ms(value: number): string {
  if (value >= 100) return value.toFixed(0)
  if (value >= 10) return value.toFixed(1)
  if (value >= 1) return value.toFixed(2)
  return value.toPrecision(3)
}

export function perSecond(value: number): string {
  return value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toPrecision(3)
}

/** A CI bound in ms; order-statistic bounds can be infinite when too few runs bound them. */
function bound(value: number): string {
  return Number.isFinite(value) ? ms(value) : value > 0 ? '∞' : '−∞'
}

/** A metric value: JSON has no Infinity, so an unbounded CI end is null. */
function finite(value: number): number | null {
  return Number.isFinite(value) ? value : null
}

function mb(value: number | null): string {
  return value === null ? '—' : value.toFixed(1)
}

/** The console report of one benchmark: what ran and its memory, a right-aligned table with a row per batch size, then the method. */
export function formatBenchReport(result: BenchmarkResult): string {
  const head = result.kind === 'bench' ? benchHead(result) : benchOnnxHead(result)
  const unit = result.kind === 'bench' ? 'items/s' : 'samples/s'
  const header = ['batch', 'iters', 'p50 ms [95% CI]', 'p90', 'p95', 'p99 ms [95% CI]', 'max', 'mean ± sd', `${unit} [95% CI]`]
  const rows = result.batches.map((b: TimedBatch) => [
    String(b.batchSize),
    String(b.iterations),
    `${ms(b.p50Ms)} [${bound(b.p50CiMs.low)}, ${bound(b.p50CiMs.high)}]`,
    ms(b.p90Ms),
    ms(b.p95Ms),
    `${ms(b.p99Ms)} [${bound(b.p99CiMs.low)}, ${bound(b.p99CiMs.high)}]`,
    ms(b.maxMs),
    `${ms(b.meanMs)} ± ${ms(b.stdevMs)}`,
    `${perSecond(b.throughput)} [${perSecond(b.throughputCi.low)}, ${perSecond(b.throughputCi.high)}]`,
  ])
  const table = formatTable([header, ...rows], { align: 'right' })
  const foot = [
    `${formatMethod(result)}; throughput = ${result.kind === 'bench' ? 'items per call' : 'batch'} × iterations / summed latency`,
    ...result.batches.flatMap((b) => b.warnings.map((w) => `warning (batch ${b.batchSize}): ${w}`)),
  ]
  return [...head, table, ...foot].join('\n')
}

function benchOnnxHead(result: BenchOnnxResult): string[] {
  const m = result.memory
  return [
    `benchOnnx ${result.model} · onnxruntime-node ${result.runtime} · load ${result.loadMs === null ? '— (session given)' : `${ms(result.loadMs)} ms`}`,
    `inputs: ${result.inputs.join('; ')}`,
    `rss MiB (whole process): before load ${mb(m.rssBeforeLoadMb)}, after load ${mb(m.rssAfterLoadMb)}, peak ${mb(m.rssPeakMb)} ` +
      `(${m.rssPeakSource === 'sampled' ? 'sampled' : `${m.rssPeakSource}; sampled ${mb(m.rssSampledPeakMb)}`}), peak − before load ${mb(m.rssDeltaMb)}, after release ${mb(m.rssAfterReleaseMb)}`,
  ]
}

function benchHead(result: BenchFunctionResult): string[] {
  const m = result.memory
  const subject = Object.entries(result.subject).map(([key, value]) => `${key} ${String(value)}`).join(', ')
  return [
    `bench ${result.name} · ${subject}`,
    `rss MiB (whole process): before ${mb(m.rssBeforeMb)}, peak ${mb(m.rssPeakMb)} ` +
      `(${m.rssPeakSource === 'sampled' ? 'sampled' : `${m.rssPeakSource}; sampled ${mb(m.rssSampledPeakMb)}`}), peak − before ${mb(m.rssDeltaMb)}, after ${mb(m.rssAfterMb)}`,
  ]
}

/** How every figure and interval was computed, for the table and the budget report. */
export function formatMethod(result: BenchmarkResult): string {
  const m = result.method
  const t = result.timer
  return (
    `percentiles: ${m.percentiles}; p50/p99 CI: ${m.quantileCi}; throughput CI: ${m.throughputCi}, ${m.bootstrapResamples} resamples, seed ${m.seed}; ` +
    `timer error ±${formatNs(t.errorNs)} per run (${formatNs(t.resolutionNs)} step + ${formatNs(t.readCostNs)} per read, from ${t.reads} reads), added to each end of a latency CI when judging a budget`
  )
}

/** One line for the check record. */
export function formatSummary(result: BenchmarkResult): string {
  const batches = result.batches
    .map((b) => `b${b.batchSize} p50 ${ms(b.p50Ms)} ms [${bound(b.p50CiMs.low)}, ${bound(b.p50CiMs.high)}], p99 ${ms(b.p99Ms)} ms, ${perSecond(b.throughput)}/s (n=${b.iterations})`)
    .join('; ')
  const load = result.kind === 'bench' || result.loadMs === null ? '' : `; load ${ms(result.loadMs)} ms`
  return `${benchmarkName(result)}: ${batches}${load}; peak rss ${mb(result.memory.rssPeakMb)} MiB`
}

/** The figures only one kind of benchmark has: the model, its load and its memory around the load, or a function's subject. */
function kindMetrics(result: BenchmarkResult): Record<string, AnnotationValue> {
  if (result.kind === 'bench') {
    const m = result.memory
    return {
      name: result.name,
      ...Object.fromEntries(Object.entries(result.subject).map(([key, value]) => [`subject.${key}`, value])),
      rssBeforeMb: m.rssBeforeMb,
      rssPeakMb: m.rssPeakMb,
      rssPeakSource: m.rssPeakSource,
      rssSampledPeakMb: m.rssSampledPeakMb,
      rssDeltaMb: m.rssDeltaMb,
      rssAfterMb: m.rssAfterMb,
      processPeakRssMb: m.processPeakRssMb,
    }
  }
  const m = result.memory
  return {
    model: result.model,
    runtime: result.runtime,
    loadMs: result.loadMs,
    rssBeforeLoadMb: m.rssBeforeLoadMb,
    rssAfterLoadMb: m.rssAfterLoadMb,
    rssPeakMb: m.rssPeakMb,
    rssPeakSource: m.rssPeakSource,
    rssSampledPeakMb: m.rssSampledPeakMb,
    rssDeltaMb: m.rssDeltaMb,
    rssAfterReleaseMb: m.rssAfterReleaseMb,
    processPeakRssMb: m.processPeakRssMb,
  }
}

/** Flat metrics for `recordCheck`: every figure, keyed `b<batch>.<metric>` per batch size. */
export function flatMetrics(result: BenchmarkResult): Record<string, AnnotationValue> {
  const metrics: Record<string, AnnotationValue> = {
    ...kindMetrics(result),
    timerResolutionNs: result.timer.resolutionNs,
    timerReadCostNs: result.timer.readCostNs,
    timerErrorNs: result.timer.errorNs,
    percentileMethod: result.method.percentiles,
    quantileCiMethod: result.method.quantileCi,
    throughputCiMethod: result.method.throughputCi,
    bootstrapResamples: result.method.bootstrapResamples,
    seed: result.method.seed,
  }
  for (const b of result.batches) {
    const k = `b${b.batchSize}.`
    Object.assign(metrics, {
      [`${k}iterations`]: b.iterations,
      [`${k}minMs`]: b.minMs,
      [`${k}meanMs`]: b.meanMs,
      [`${k}stdevMs`]: b.stdevMs,
      [`${k}p50Ms`]: b.p50Ms,
      [`${k}p50CiLowMs`]: finite(b.p50CiMs.low),
      [`${k}p50CiHighMs`]: finite(b.p50CiMs.high),
      [`${k}p90Ms`]: b.p90Ms,
      [`${k}p95Ms`]: b.p95Ms,
      [`${k}p99Ms`]: b.p99Ms,
      [`${k}p99CiLowMs`]: finite(b.p99CiMs.low),
      [`${k}p99CiHighMs`]: finite(b.p99CiMs.high),
      [`${k}p99CiCoverage`]: b.p99CiMs.coverage,
      [`${k}maxMs`]: b.maxMs,
      [`${k}throughputPerS`]: b.throughput,
      [`${k}warnings`]: b.warnings.length,
    })
  }
  return metrics
}
