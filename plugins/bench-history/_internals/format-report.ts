/**
 * The table `mltest bench` prints: one row per benchmark and metric with the baseline and
 * current figures, the ratio with its confidence interval, the p-value and the verdict, then
 * the notes (subject changes, fingerprints), and one line stating the statistics.
 */
import { formatNumber, formatTable } from 'mltest/plugin'
import type { BenchOptions } from './bench-options.ts'
import { P99_MIN_SAMPLES, type MetricComparison } from './compare.ts'
import { isGated, type BenchmarkJudgement } from './judge-run.ts'
import { EXACT_MAX_N } from './mann-whitney.ts'
import { SPREAD_MIN_RUNS, SPREAD_RUNS } from './run-to-run.ts'

export function formatValue(value: number, unit: MetricComparison['unit']): string {
  if (!Number.isFinite(value)) return '—'
  if (unit === '/s') return `${value >= 1e6 ? formatNumber(value, 4) : Math.round(value).toLocaleString('en-US')}/s`
  return `${formatNumber(value, 4)} ${unit}`
}

export function formatP(p: number | null): string {
  if (p === null || Number.isNaN(p)) return '—'
  if (p < 1e-15) return '<1e-15'
  return formatNumber(p, 2)
}

export function formatRatio(row: Pick<MetricComparison, 'ratio' | 'ratioLow' | 'ratioHigh'>): string {
  if (!Number.isFinite(row.ratio)) return '—'
  const ratio = `×${formatNumber(row.ratio, 4)}`
  if (row.ratioLow === null || row.ratioHigh === null) return ratio
  const bound = (v: number) => (Number.isFinite(v) ? formatNumber(v, 4) : v > 0 ? '∞' : '0')
  return `${ratio} [${bound(row.ratioLow)}, ${bound(row.ratioHigh)}]`
}

export function comparisonTable(judgements: readonly BenchmarkJudgement[], options: Pick<BenchOptions, 'alpha' | 'gate'>): string {
  const confidence = `${formatNumber((1 - options.alpha) * 100, 3)}% CI`
  const rows: string[][] = [['benchmark', 'metric', 'baseline', 'current', `ratio [${confidence}]`, 'p', 'verdict', 'why']]
  for (const j of judgements) {
    const name = j.benchmark.identity
    if (j.status === 'new') {
      const median = [...j.benchmark.samplesMs].sort((a, b) => a - b)[Math.floor((j.benchmark.samplesMs.length - 1) / 2)]!
      rows.push([name, 'p50', '—', formatValue(median, 'ms'), '—', '—', 'new', j.notes[0] ?? 'no baseline yet'])
      continue
    }
    j.rows.forEach((row, i) => {
      const metric = isGated(j, row, options.gate) ? row.metric : `${row.metric} (not gated)`
      rows.push([i === 0 ? name : '', metric, formatValue(row.baseline, row.unit), formatValue(row.current, row.unit), formatRatio(row), formatP(row.p), row.verdict, row.reason])
    })
  }
  return formatTable(rows, { align: ['left', 'left', 'right', 'right', 'right', 'right', 'left', 'left'] })
}

/** One line stating the tests, the interval and the rule (what the verdict means). */
export function methodLine(options: Pick<BenchOptions, 'alpha' | 'minEffect' | 'floorUs'>): string {
  const confidence = `${formatNumber((1 - options.alpha) * 100, 3)}%`
  return (
    `p50: two-sided Mann-Whitney U on the latencies (exact up to ${EXACT_MAX_N} samples a side without ties, else normal approximation with tie and continuity corrections); ` +
    `ratio: Hodges-Lehmann shift of log latency with its ${confidence} Moses interval; ` +
    `p99 (>= ${P99_MIN_SAMPLES} samples a side) and throughput: percentile bootstrap of the ratio, 2000 resamples, ${confidence}; ` +
    `each also against run-to-run variation (Student-t prediction interval over the last ${SPREAD_RUNS} runs' values, from ${SPREAD_MIN_RUNS} runs on; the larger p and the wider interval count; before that a change is inconclusive); ` +
    `peak rss: the run-to-run interval alone, 1 MiB floor. A change counts when p < ${formatNumber(options.alpha)}, the interval excludes 1, ` +
    `the estimate is at least the min effect (default ${formatNumber(options.minEffect * 100)}%) and at least ${formatNumber(options.floorUs)} µs.`
  )
}
