/**
 * The figures benchOnnx, bench and toMeetBudget attach to their check records for the HTML
 * report: the latency distribution of each batch as an empirical CDF with its p50 and p99
 * (and the budgets judged against it), throughput against batch size, and every budget's
 * observed value with its 95% CI beside the limit. An ECDF rather than a histogram: a budget
 * 100× away from the latencies still fits on its log axis, and every run is a step.
 */
import { evenlySpaced, figure, type CheckFigure, type FigureJson } from 'mltest/plugin'
import { benchmarkName } from './format-report.ts'
import type { BenchmarkResult, BudgetLine } from './judge-budget.ts'
import type { TimedBatch } from './timed-batch.ts'

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json'

/** ECDF points drawn per batch; more runs are thinned evenly over the sorted latencies (the CDF stays exact at the kept points). */
export const MAX_ECDF_POINTS = 2000

type Row = { [key: string]: FigureJson }

/** Six significant digits: more than a chart can show, and 2,000 points stay small. */
const round = (x: number) => Number(x.toPrecision(6))

const MARKER_COLORS: Record<string, string> = { p50: '#1f77b4', p99: '#ff7f0e', budget: '#d62728' }

/** A vertical line on the latency axis: a percentile or a budget. */
export interface LatencyMarker {
  /** `p50`, `p99` or `budget`: the line's colour. */
  kind: 'p50' | 'p99' | 'budget'
  /** The legend entry, e.g. `p99 = 1.23 ms`. */
  label: string
  ms: number
}

const msText = (x: number) => `${round(x)} ms`

/** The p50 and p99 markers of a batch (the recorded figures, unrounded). */
export function percentileMarkers(batch: TimedBatch): LatencyMarker[] {
  return [
    { kind: 'p50', label: `p50 = ${msText(batch.p50Ms)}`, ms: batch.p50Ms },
    { kind: 'p99', label: `p99 = ${msText(batch.p99Ms)}`, ms: batch.p99Ms },
  ]
}

/** The empirical CDF of one batch's latencies with vertical lines at `markers`. */
export function latencyFigure(name: string, batch: TimedBatch, markers: readonly LatencyMarker[], heading = 'latency'): CheckFigure {
  const sorted = Float64Array.from(batch.samplesMs).sort()
  const n = sorted.length
  const points: Row[] = Array.from(sorted, (ms, i) => ({ ms: round(ms), fraction: round((i + 1) / n) }))
  const { values, note } = evenlySpaced(points, MAX_ECDF_POINTS, 'runs (points of the sorted latencies)')
  // A log axis spreads sub-millisecond runs and a far budget alike; a run timed at 0 ms (below the clock's step) cannot sit on one.
  const log = sorted[0]! > 0 && markers.every((m) => m.ms > 0)
  const colors = markers.map((m) => MARKER_COLORS[m.kind]!)
  const spec: Row = {
    $schema: SCHEMA,
    width: 420,
    height: 220,
    layer: [
      {
        data: { values },
        mark: { type: 'line', interpolate: 'step-after', color: '#444' },
        encoding: {
          x: { field: 'ms', type: 'quantitative', title: `latency per run (ms${log ? ', log scale' : ''})`, scale: log ? { type: 'log' } : { zero: false } },
          y: { field: 'fraction', type: 'quantitative', title: 'fraction of runs at or below', scale: { domain: [0, 1] } },
        },
      },
      {
        data: { values: markers.map((m) => ({ marker: m.label, kind: m.kind, ms: m.ms })) },
        mark: { type: 'rule', strokeWidth: 2, strokeDash: [5, 3] },
        encoding: {
          x: { field: 'ms', type: 'quantitative' },
          color: { field: 'marker', type: 'nominal', title: null, scale: { domain: markers.map((m) => m.label), range: colors }, legend: { labelLimit: 0 } },
        },
      },
    ],
  }
  const text = `Empirical CDF of ${n.toLocaleString('en-US')} timed runs; p50 and p99 by linear interpolation (type 7)`
  return figure(`${name} ${heading}, batch ${batch.batchSize} (n=${n.toLocaleString('en-US')})`, spec, note ? `${text}; ${note}` : text)
}

/** Throughput at each batch size with its 95% bootstrap CI. */
export function throughputFigure(name: string, batches: readonly TimedBatch[], unit: string): CheckFigure {
  const finite = (x: number) => (Number.isFinite(x) ? round(x) : null)
  const values = batches.map((b) => ({ batch: b.batchSize, throughput: finite(b.throughput), low: finite(b.throughputCi.low), high: finite(b.throughputCi.high) }))
  const x = { field: 'batch', type: 'quantitative', title: 'batch size (log scale)', scale: { type: 'log', base: 2 }, axis: { values: batches.map((b) => b.batchSize) } }
  const spec: Row = {
    $schema: SCHEMA,
    width: 420,
    height: 220,
    data: { values },
    layer: [
      { mark: { type: 'line', point: true }, encoding: { x, y: { field: 'throughput', type: 'quantitative', title: `throughput (${unit})` } } },
      { mark: { type: 'rule' }, encoding: { x, y: { field: 'low', type: 'quantitative' }, y2: { field: 'high' } } },
    ],
  }
  return figure(`${name} throughput vs batch size`, spec, 'Points: items per second over the timed runs; bars: 95% percentile-bootstrap CI')
}

/** The figures of a benchOnnx or bench record: each batch's latency ECDF, and throughput vs batch size when there are several. */
export function benchmarkFigures(result: BenchmarkResult): CheckFigure[] {
  const name = benchmarkName(result)
  const figures = result.batches.map((b) => latencyFigure(name, b, percentileMarkers(b)))
  if (result.batches.length > 1) figures.push(throughputFigure(name, result.batches, result.kind === 'bench' ? 'items/s' : 'samples/s'))
  return figures
}

const BUDGET_LABELS: Record<BudgetLine['budget'], [string, string]> = {
  p50Ms: ['p50 latency', 'ms'],
  p99Ms: ['p99 latency', 'ms'],
  throughputMin: ['throughput', '/s'],
  rssMb: ['peak rss', 'MiB'],
  rssDeltaMb: ['rss growth', 'MiB'],
  loadMs: ['load time', 'ms'],
}

/** The row label of a budget line, e.g. `batch 8 p99 latency (ms, at most)`. */
export function budgetLabel(line: BudgetLine): string {
  const [what, unit] = BUDGET_LABELS[line.budget]
  const batch = line.batchSize === undefined ? '' : `batch ${line.batchSize} `
  return `${batch}${what} (${unit}, ${line.budget === 'throughputMin' ? 'at least' : 'at most'})`
}

/**
 * toMeetBudget's figures: every budget's observed value, 95% CI (the one it was judged on:
 * widened by the timer's error for timed figures) and limit, coloured by outcome; then the
 * latency ECDF of each batch with a latency budget, its budget lines beside p50 and p99.
 */
export function budgetFigures(result: BenchmarkResult, lines: readonly BudgetLine[]): CheckFigure[] {
  const name = benchmarkName(result)
  const finite = (x: number | undefined) => (x !== undefined && Number.isFinite(x) ? x : null)
  const values = lines.map((l, order) => {
    const ci = l.judgedCi ?? l.ci
    return { budget: budgetLabel(l), order, observed: finite(l.observed), low: finite(ci?.low), high: finite(ci?.high), limit: l.limit, outcome: l.outcome }
  })
  const unbounded = lines.filter((l) => (l.judgedCi ?? l.ci) && !Number.isFinite((l.judgedCi ?? l.ci)!.high)).map(budgetLabel)
  const x = { type: 'quantitative', title: null, scale: { zero: false } }
  const spec: Row = {
    $schema: SCHEMA,
    data: { values },
    facet: { row: { field: 'budget', type: 'nominal', title: null, header: { labelAngle: 0, labelOrient: 'top', labelAnchor: 'start', labelLimit: 0 }, sort: { field: 'order', op: 'min' } } },
    spec: {
      width: 360,
      height: 36,
      layer: [
        { mark: { type: 'rule', strokeWidth: 2 }, encoding: { x: { field: 'low', ...x }, x2: { field: 'high' }, color: { field: 'outcome', type: 'nominal' } } },
        { mark: { type: 'point', filled: true, size: 70 }, encoding: { x: { field: 'observed', ...x }, color: { field: 'outcome', type: 'nominal', title: 'outcome', scale: { domain: ['met', 'breached', 'inconclusive'], range: ['#2a9d4b', '#d62728', '#e69f00'] } } } },
        { mark: { type: 'tick', thickness: 3, color: 'black', orient: 'vertical' }, encoding: { x: { field: 'limit', ...x } } },
      ],
    },
    resolve: { scale: { x: 'independent' } },
  }
  const note = 'Dot: observed; bar: 95% CI; black tick: the budget. Each budget on its own axis; latency and throughput CIs are widened by the timer\'s error, as judged' +
    (unbounded.length ? `; unbounded above (too few runs to bound the percentile, no bar drawn): ${unbounded.join(', ')}` : '')
  const figures = [figure(`${name} budgets: observed vs limit`, spec, note)]
  for (const b of result.batches) {
    const budgets = lines.filter((l) => l.batchSize === b.batchSize && (l.budget === 'p50Ms' || l.budget === 'p99Ms'))
    if (budgets.length === 0) continue
    const markers: LatencyMarker[] = [
      ...percentileMarkers(b),
      ...budgets.map((l) => ({ kind: 'budget' as const, label: `${l.budget === 'p50Ms' ? 'p50' : 'p99'} budget <= ${msText(l.limit)} (${l.outcome})`, ms: l.limit })),
    ]
    figures.push(latencyFigure(name, b, markers, 'latency against its budget'))
  }
  return figures
}
