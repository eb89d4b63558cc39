/**
 * The drift check's report (the failure message and the summary), its metrics for the check
 * record, and its figures: per feature, the reference and current shares per bin or category
 * with the statistic in the title.
 */
import { figure, formatNumber, type AnnotationValue, type CheckFigure, type FigureJson } from 'mltest/plugin'
import { STATISTIC_NAMES, type DriftMethod } from './drift-measure.ts'
import type { FeatureDrift, DriftReport } from './drift-types.ts'

const fmt = (x: number) => formatNumber(x)

const TEST_NAMES: Record<DriftMethod, string> = {
  ks: 'two-sample Kolmogorov–Smirnov (two-sided; exact p-value up to 10,000 rows per side, else asymptotic, as scipy ks_2samp method=auto)',
  'chi-squared': 'chi-squared test of homogeneity (Pearson, no continuity correction; categories with expected count < 5 pooled)',
  psi: 'population stability index over bins at reference quantiles (categories as they are); empty bins count as share 0.0001',
  'jensen-shannon': 'Jensen-Shannon distance (log2, in [0, 1]) over bins at reference quantiles (categories as they are)',
  wasserstein: 'Wasserstein-1 distance divided by the reference standard deviation',
}

/** One line per feature: ✗/✓/? name, statistic vs threshold or p vs alpha, sizes, how chosen. */
function featureLine(f: FeatureDrift, report: DriftReport): string {
  const mark = f.verdict === 'fail' ? '✗' : f.verdict === 'pass' ? '✓' : '?'
  const parts = [`${STATISTIC_NAMES[f.method]} ${fmt(f.statistic)}`]
  if (f.pValue !== undefined) {
    const adjusted = f.adjustedPValue !== undefined && report.correction === 'benjamini-hochberg' && report.tests > 1 ? `, BH-adjusted ${fmt(f.adjustedPValue)}` : ''
    const cmp = f.verdict === 'fail' ? '<=' : '>'
    parts.push(`p ${fmt(f.pValue)} (${f.test})${adjusted} ${f.verdict === 'inconclusive' ? 'vs' : cmp} alpha ${report.alpha}`)
  }
  if (f.threshold !== undefined) parts.push(`${f.calibrated ? 'calibrated threshold' : 'threshold'} ${fmt(f.threshold)}${f.calibrated ? ` (${fmt(100 * (1 - report.alpha))}th percentile of bootstrap pairs from the reference)` : f.pValue === undefined ? ` (${f.statistic > f.threshold ? 'over' : 'within'}; fixed threshold, no test)` : ''}`)
  parts.push(`n reference ${f.referenceRows} / current ${f.currentRows}`, f.chosen === 'given' ? `method ${f.method}` : f.chosen, f.detail)
  const line = `  ${mark} ${f.feature}: ${parts.join(' · ')}`
  return f.reason ? `${line}\n      ${f.reason}` : line
}

export function driftHeadline(report: DriftReport): string {
  const drifted = report.features.filter((f) => f.verdict === 'fail').length
  const inconclusive = report.features.filter((f) => f.verdict === 'inconclusive').length
  const n = report.features.length
  const what = `${drifted} of ${n} feature${n === 1 ? '' : 's'} drifted`
  return `${what}${inconclusive ? `, ${inconclusive} inconclusive` : ''} (reference ${report.referenceRows} rows, current ${report.currentRows} rows)`
}

export function correctionLine(report: DriftReport): string {
  if (report.tests === 0) return `  decision: each distance against its fixed threshold (no test, no correction); pass calibrate: true for thresholds from reference splits with p-values`
  if (report.correction === 'none' || report.tests === 1) return `  decision: p-value <= alpha ${report.alpha} per test (${report.tests} test${report.tests === 1 ? '' : 's'}, no correction)`
  return `  decision: Benjamini–Hochberg over ${report.tests} tests, false-discovery rate alpha ${report.alpha} (adjusted p_(i) = min over k >= i of p_(k) · ${report.tests} / k; drift when adjusted p <= ${report.alpha})`
}

export function formatDriftReport(report: DriftReport): string {
  const methods = [...new Set(report.features.map((f) => f.method))]
  const order = { fail: 0, inconclusive: 1, pass: 2 } as const
  const lines = [
    `checkDrift: ${driftHeadline(report)}`,
    ...methods.map((m) => `  ${STATISTIC_NAMES[m]}: ${TEST_NAMES[m]}`),
    correctionLine(report),
    ...[...report.features].sort((a, b) => order[a.verdict] - order[b.verdict]).map((f) => featureLine(f, report)),
  ]
  if (report.calibrated) lines.push(`  seed ${report.seed} (bootstrap pairs; --seed replays them)`)
  return lines.join('\n')
}

export function driftMetrics(report: DriftReport): Record<string, AnnotationValue> {
  const metrics: Record<string, AnnotationValue> = {
    referenceRows: report.referenceRows,
    currentRows: report.currentRows,
    features: report.features.length,
    drifted: report.features.filter((f) => f.verdict === 'fail').length,
    alpha: report.alpha,
    correction: report.tests > 1 ? report.correction : 'none',
    tests: report.tests,
  }
  if (report.calibrated) metrics.seed = report.seed
  for (const f of report.features) {
    metrics[`${f.feature}.method`] = f.method
    metrics[`${f.feature}.statistic`] = f.statistic
    if (f.pValue !== undefined) metrics[`${f.feature}.pValue`] = f.pValue
    if (f.adjustedPValue !== undefined) metrics[`${f.feature}.adjustedPValue`] = f.adjustedPValue
    if (f.threshold !== undefined) metrics[`${f.feature}.threshold`] = f.threshold
    metrics[`${f.feature}.verdict`] = f.verdict
  }
  return metrics
}

/** Equal-width bins over both samples' range, for the histogram (the test's bins may be uneven). */
function histogramRows(reference: readonly number[], current: readonly number[], bins = 20): FigureJson[] {
  let lo = Infinity
  let hi = -Infinity
  for (const v of reference) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)]
  for (const v of current) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)]
  const width = hi > lo ? (hi - lo) / bins : 1
  const rows: FigureJson[] = []
  for (const [sample, values] of [['reference', reference], ['current', current]] as const) {
    const counts = new Array<number>(bins).fill(0)
    for (const v of values) counts[Math.min(bins - 1, Math.floor((v - lo) / width))]!++
    counts.forEach((c, i) => rows.push({ sample, start: lo + i * width, end: lo + (i + 1) * width, share: c / values.length }))
  }
  return rows
}

function categoryRows(reference: readonly string[], current: readonly string[], max = 30): { rows: FigureJson[]; note?: string } {
  const counts = new Map<string, [number, number]>()
  for (const v of reference) (counts.get(v) ?? counts.set(v, [0, 0]).get(v)!)[0]++
  for (const v of current) (counts.get(v) ?? counts.set(v, [0, 0]).get(v)!)[1]++
  const top = [...counts.entries()].sort((a, b) => b[1][0] + b[1][1] - (a[1][0] + a[1][1]))
  const shown = top.slice(0, max)
  const rows: FigureJson[] = shown.flatMap(([category, [r, c]]) => [
    { sample: 'reference', category, share: r / reference.length },
    { sample: 'current', category, share: c / current.length },
  ])
  return { rows, note: top.length > max ? `the ${max} most frequent of ${top.length} categories shown` : undefined }
}

const COLOR = { field: 'sample', type: 'nominal', scale: { domain: ['reference', 'current'] } } as const

/** One figure per feature (at most `max`): shares per bin or category, reference against current. */
export function driftFigures(report: DriftReport, samples: ReadonlyMap<string, { reference: readonly (number | string)[]; current: readonly (number | string)[] }>, max = 20): CheckFigure[] {
  return report.features.slice(0, max).map((f) => {
    const s = samples.get(f.feature)!
    const title = `${f.feature}: ${STATISTIC_NAMES[f.method]} ${fmt(f.statistic)}${f.pValue !== undefined ? `, p ${fmt(f.pValue)}` : ''} (${f.verdict})`
    if (f.kind === 'numeric') {
      const spec = {
        $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
        data: { values: histogramRows(s.reference as number[], s.current as number[]) },
        mark: { type: 'bar', opacity: 0.55 },
        encoding: {
          x: { field: 'start', type: 'quantitative', bin: { binned: true }, title: f.feature },
          x2: { field: 'end' },
          y: { field: 'share', type: 'quantitative', stack: null, title: 'share of rows' },
          color: COLOR,
        },
      }
      return figure(title, spec as unknown as { [key: string]: FigureJson }, '20 equal-width bins over both samples (the statistic uses its own bins)')
    }
    const { rows, note } = categoryRows(s.reference as string[], s.current as string[])
    const spec = {
      $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
      data: { values: rows },
      mark: 'bar',
      encoding: {
        x: { field: 'category', type: 'nominal', title: f.feature },
        xOffset: { field: 'sample' },
        y: { field: 'share', type: 'quantitative', title: 'share of rows' },
        color: COLOR,
      },
    }
    return figure(title, spec as unknown as { [key: string]: FigureJson }, note)
  })
}
