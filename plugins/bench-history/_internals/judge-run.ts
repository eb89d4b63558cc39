/**
 * Chooses each benchmark's baseline and compares it: by default the last K stored runs of the
 * same benchmark with the same machine fingerprint on the same branch; or the run saved under
 * a name (`--baseline NAME`). A baseline measured on another fingerprint is never compared
 * silently: the benchmark is inconclusive with the differing keys, unless the user allows the
 * mismatch, which the report then states.
 */
import { deriveSeed } from 'mltest/plugin'
import type { BenchOptions, GateMetric } from './bench-options.ts'
import type { CollectedBenchmark } from './collect-benchmarks.ts'
import { compareBenchmark, type Change, type MetricComparison } from './compare.ts'
import { fingerprintDifferences } from './fingerprint.ts'
import { SPREAD_RUNS } from './run-to-run.ts'
import type { Fingerprint, HistoryStore, StoredBenchmark } from './history-store.ts'

export interface JudgeContext {
  store: HistoryStore
  options: BenchOptions
  fingerprint: Fingerprint
  fingerprintHash: string
  branch: string | null
  /** `--baseline NAME`: the saved run to compare with. */
  baselineRunUid?: string
  baselineName?: string
  allowFingerprintMismatch: boolean
}

export interface BenchmarkJudgement {
  benchmark: CollectedBenchmark
  /** `new`: no baseline; `mismatch`: only baselines from another fingerprint (not compared). */
  status: 'compared' | 'new' | 'mismatch'
  rows: MetricComparison[]
  /** What it was compared with, in words. */
  baseline: string
  baselineRuns: number
  minEffect: number
  /** Lines shown under the table: subject changes, fingerprint differences. */
  notes: string[]
}

/** The min effect for one benchmark: its own record's, else the config's by name or identity, else the default. */
export function minEffectFor(benchmark: Pick<CollectedBenchmark, 'name' | 'identity' | 'minEffect'>, options: Pick<BenchOptions, 'minEffect' | 'minEffects'>): number {
  return benchmark.minEffect ?? options.minEffects[benchmark.identity] ?? options.minEffects[benchmark.name] ?? options.minEffect
}

function subjectNotes(current: CollectedBenchmark, baselines: readonly StoredBenchmark[]): string[] {
  const changed = baselines.filter((b) => b.subjectHash !== current.subjectHash)
  if (changed.length === 0) return []
  const before = changed[0]!.subject
  const keys = [...new Set([...Object.keys(before), ...Object.keys(current.subject)])].sort()
  const diffs = keys.filter((k) => before[k] !== current.subject[k]).map((k) => `${k}: ${String(before[k] ?? '—')} → ${String(current.subject[k] ?? '—')}`)
  return [`subject changed since ${changed.length} of ${baselines.length} baseline run(s): ${diffs.join('; ')}`]
}

function inconclusiveRow(reason: string): MetricComparison {
  return { metric: 'p50', unit: 'ms', baseline: Number.NaN, current: Number.NaN, ratio: Number.NaN, ratioLow: null, ratioHigh: null, confidence: null, p: null, method: '—', verdict: 'inconclusive', reason, nBaseline: 0, nCurrent: 0 }
}

export function judgeBenchmark(benchmark: CollectedBenchmark, context: JudgeContext): BenchmarkJudgement {
  const { store, options } = context
  const minEffect = minEffectFor(benchmark, options)
  const base = { benchmark, minEffect }
  let baselines: StoredBenchmark[]
  let described: string
  if (context.baselineRunUid !== undefined) {
    const stored = store.measurementIn(context.baselineRunUid, benchmark.identity)
    baselines = stored ? [stored] : []
    described = `baseline "${context.baselineName}"`
    if (!stored) return { ...base, status: 'new', rows: [], baseline: described, baselineRuns: 0, notes: [`not in baseline "${context.baselineName}": nothing to compare with`] }
  } else {
    baselines = store.recentMeasurements(benchmark.identity, { branch: context.branch, fingerprintHash: context.fingerprintHash, limit: options.baselineRuns })
    const branch = context.branch === null ? 'outside git' : `branch ${context.branch}`
    described = `last ${baselines.length} run(s), same fingerprint, ${branch}`
    if (baselines.length === 0) {
      const elsewhere = store.recentMeasurements(benchmark.identity, { branch: context.branch, limit: options.baselineRuns })
      if (elsewhere.length === 0) return { ...base, status: 'new', rows: [], baseline: 'none', baselineRuns: 0, notes: [] }
      baselines = elsewhere
      described = `last ${baselines.length} run(s), ${branch}, another fingerprint`
    }
  }
  const differences = fingerprintDifferences(baselines[0]!.run.fingerprint, context.fingerprint)
  const mismatched = baselines.some((b) => b.run.fingerprintHash !== context.fingerprintHash)
  const notes = subjectNotes(benchmark, baselines)
  if (mismatched && !context.allowFingerprintMismatch) {
    const reason = `baseline from another machine fingerprint (${differences.join('; ') || 'see history'}); compare anyway with --allow-fingerprint-mismatch`
    return { ...base, status: 'mismatch', rows: [inconclusiveRow(reason)], baseline: described, baselineRuns: baselines.length, notes }
  }
  if (mismatched) notes.unshift(`compared across machine fingerprints (--allow-fingerprint-mismatch): ${differences.join('; ') || 'fingerprint differs'}`)
  // The run-to-run spread: recent runs of this benchmark on the baseline's machine and branch.
  const spread = store.recentMeasurements(benchmark.identity, { branch: baselines[0]!.run.git.branch, fingerprintHash: baselines[0]!.run.fingerprintHash, limit: Math.max(SPREAD_RUNS, baselines.length), samples: false })
  const rows = compareBenchmark(
    baselines,
    benchmark,
    benchmark.batchSize,
    { alpha: options.alpha, minEffect, floorMs: options.floorUs / 1000, seed: deriveSeed(0, benchmark.identity) },
    spread.map((b) => ({ ...b.summary, peakRssMb: b.peakRssMb })),
  )
  return { ...base, status: 'compared', rows, baseline: described, baselineRuns: baselines.length, notes }
}

/** The gate's name of a metric row. */
export function gateName(metric: MetricComparison['metric']): GateMetric {
  return metric === 'peak rss' ? 'rss' : metric
}

/** Whether a row can fail the run: a metric in the gate, or a benchmark not compared for its fingerprint. */
export function isGated(j: BenchmarkJudgement, row: MetricComparison, gate: readonly GateMetric[]): boolean {
  return j.status === 'mismatch' || gate.includes(gateName(row.metric))
}

/** The verdicts of every row, split by whether the gate counts them. */
export function changesOf(judgements: readonly BenchmarkJudgement[], gate: readonly GateMetric[]): { gated: Change[]; outside: Change[] } {
  const gated: Change[] = []
  const outside: Change[] = []
  for (const j of judgements) for (const row of j.rows) (isGated(j, row, gate) ? gated : outside).push(row.verdict)
  return { gated, outside }
}
