/**
 * The figures the parity checks attach to their records for the HTML report:
 * - checkFeatureParity / checkServingLog: skewed examples per feature;
 * - checkDistributionSkew: per feature, training vs serving fractions over the bins the
 *   distance was computed on (numeric) or per category, the distance in the title;
 * - checkModelParity: reference vs other output, one point per output element, with the
 *   tolerance band, thinned to at most 2,000 points (every point out of tolerance first).
 */
import { binFractions, describeBinning, describeTolerance, evenlySpaced, figure, formatNumber, isClose, quantileBinning, type CheckFigure, type FigureJson, type Tolerance } from 'mltest/plugin'
import type { FeatureSample } from './feature-samples.ts'
import type { FeatureDistributionSkew } from './measure-distribution.ts'
import type { FeatureSkew, SkewSummary } from './skew-accumulator.ts'

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json'

/** Features drawn in the skew-count chart (most skewed first). */
export const MAX_COUNT_FEATURES = 60
/** Features that get a distribution figure (failing, then inconclusive, then by distance). */
export const MAX_DISTRIBUTION_FIGURES = 24
/** Categories drawn per categorical feature (largest share on either side first). */
export const MAX_CATEGORIES = 30
/** Points in the model-parity scatter. */
export const MAX_SCATTER_POINTS = 2000

type Row = { [key: string]: FigureJson }

const round = (x: number) => Number(x.toPrecision(6))
/** Feature names and category values come from user data: long ones are cut, so a figure stays small. */
const MAX_LABEL = 80
const clip = (text: string) => (text.length > MAX_LABEL ? `${text.slice(0, MAX_LABEL - 1)}…` : text)
const SIDE_COLORS = { domain: ['training', 'serving'], range: ['#1f77b4', '#ff7f0e'] }

/** checkFeatureParity's and checkServingLog's figure: examples outside tolerance per feature. */
export function skewCountFigure(check: string, summary: SkewSummary): CheckFigure {
  const order = [...summary.features].sort((a, b) => b.skewed - a.skewed)
  const shown = order.slice(0, MAX_COUNT_FEATURES)
  const values = shown.map((f: FeatureSkew) => ({
    feature: clip(f.feature),
    skewed: f.skewed,
    examples: f.examples,
    label: `${f.skewed} of ${f.examples}`,
    status: f.skewed > 0 ? 'skewed' : 'within tolerance',
    tolerance: f.tolerance,
    onlyInTraining: f.onlyInTraining,
    onlyInServing: f.onlyInServing,
  }))
  const y = { field: 'feature', type: 'nominal', title: 'feature', sort: { field: 'skewed', op: 'max', order: 'descending' }, axis: { labelLimit: 200 } }
  const x = { field: 'skewed', type: 'quantitative', title: 'examples outside tolerance', scale: { domainMin: 0 } }
  const spec: Row = {
    $schema: SCHEMA,
    width: 380,
    height: { step: 18 },
    data: { values },
    layer: [
      {
        mark: { type: 'bar' },
        encoding: {
          y,
          x,
          color: { field: 'status', type: 'nominal', title: null, scale: { domain: ['skewed', 'within tolerance'], range: ['#d62728', '#2a9d4b'] }, legend: { orient: 'bottom' } },
          tooltip: [{ field: 'feature' }, { field: 'label', title: 'skewed examples' }, { field: 'tolerance' }, { field: 'onlyInTraining', title: 'training only' }, { field: 'onlyInServing', title: 'serving only' }],
        },
      },
      { mark: { type: 'text', align: 'left', dx: 4 }, encoding: { y, x, text: { field: 'label' } } },
    ],
  }
  const parts = [`Threshold: 0 skewed examples per feature; ${summary.examples.toLocaleString('en-US')} examples compared`]
  if (order.length > shown.length) parts.push(`${shown.length} of ${order.length} features shown, most skewed first`)
  return figure(`${check}: ${summary.skewedFeatures.length} of ${summary.features.length} features skewed`, spec, parts.join('; '))
}

/** The training and serving samples of one feature, as the check read them. */
export interface FeatureSamples {
  feature: string
  bins: number
  training: FeatureSample
  serving: FeatureSample
}

/** Bars of training and serving fractions, side by side per bin or category. */
function groupedBars(values: Row[], binTitle: string, yTitle: string): Row {
  const x = { field: 'bin', type: 'nominal', title: binTitle, sort: { field: 'order', op: 'min' }, axis: { labelAngle: -40, labelLimit: 120 } }
  return {
    $schema: SCHEMA,
    width: { step: 34 },
    height: 200,
    data: { values },
    mark: { type: 'bar' },
    encoding: {
      x,
      xOffset: { field: 'side', type: 'nominal', sort: ['training', 'serving'] },
      y: { field: 'fraction', type: 'quantitative', title: yTitle },
      color: { field: 'side', type: 'nominal', title: null, scale: SIDE_COLORS },
      tooltip: [{ field: 'side' }, { field: 'bin' }, { field: 'fraction', format: '.3f' }],
    },
  }
}

function distributionTitle(f: FeatureDistributionSkew): string {
  const metric = f.metric === 'L-infinity' ? 'L∞ distance' : 'JS distance'
  return `${clip(f.feature)}: training vs serving, ${metric} ${formatNumber(f.distance)} (threshold ${formatNumber(f.threshold)}, ${f.verdict})`
}

function distributionNote(f: FeatureDistributionSkew, extra: string[]): string {
  const parts = [`training n=${f.trainingCount.toLocaleString('en-US')}, serving n=${f.servingCount.toLocaleString('en-US')} compared`]
  if (f.pValue !== undefined) parts.push(`permutation p = ${formatNumber(f.pValue)}${f.pValueAdjusted !== undefined && f.pValueAdjusted !== f.pValue ? ` (adjusted ${formatNumber(f.pValueAdjusted)})` : ''}`)
  if (f.trainingMissing + f.servingMissing > 0) parts.push(`missing: training ${f.trainingMissing}, serving ${f.servingMissing}`)
  if (f.trainingNonFinite + f.servingNonFinite > 0) parts.push(`±Infinity: training ${f.trainingNonFinite}, serving ${f.servingNonFinite}`)
  return [...parts, ...extra].join('; ')
}

/** One feature's figure: fractions per bin (numeric, the check's own binning) or per category. */
export function distributionFigure(f: FeatureDistributionSkew, samples: FeatureSamples): CheckFigure {
  const { training: t, serving: s } = samples
  if (f.kind === 'numeric') {
    const binning = quantileBinning(t.numbers, samples.bins)
    const ft = binFractions(t.numbers, binning)
    const fs = binFractions(s.numbers, binning)
    const e = binning.edges
    const label = (i: number) => (e.length === 0 ? 'all values' : i === 0 ? `< ${formatNumber(e[0]!)}` : i === e.length ? `≥ ${formatNumber(e[i - 1]!)}` : `${formatNumber(e[i - 1]!)}–${formatNumber(e[i]!)}`)
    const values = ft.flatMap((p, i) => [
      { bin: label(i), order: i, side: 'training', fraction: round(p) },
      { bin: label(i), order: i, side: 'serving', fraction: round(fs[i]!) },
    ])
    const spec = groupedBars(values, 'bin (cut at training quantiles)', 'fraction of the side\'s values')
    return figure(distributionTitle(f), spec, distributionNote(f, [describeBinning(binning, formatNumber)]))
  }
  const names = new Set([...t.categories.keys(), ...s.categories.keys()])
  const share = (m: Map<string, number>, n: number, c: string) => (n ? (m.get(c) ?? 0) / n : 0)
  const ranked = [...names]
    .map((c) => ({ c, pt: share(t.categories, t.count, c), ps: share(s.categories, s.count, c) }))
    .sort((a, b) => Math.max(b.pt, b.ps) - Math.max(a.pt, a.ps) || (a.c < b.c ? -1 : 1))
  const shown = ranked.slice(0, MAX_CATEGORIES)
  const values = shown.flatMap(({ c, pt, ps }, i) => [
    { bin: clip(c), order: i, side: 'training', fraction: round(pt) },
    { bin: clip(c), order: i, side: 'serving', fraction: round(ps) },
  ])
  const extra = ranked.length > shown.length ? [`${shown.length} of ${ranked.length} categories shown, largest share first`] : []
  return figure(distributionTitle(f), groupedBars(values, 'category', 'fraction of the side\'s values'), distributionNote(f, extra))
}

/** checkDistributionSkew's figures: one per feature, failing and inconclusive features first. */
export function distributionFigures(features: readonly FeatureDistributionSkew[], samples: readonly FeatureSamples[]): CheckFigure[] {
  const rank = { fail: 0, inconclusive: 1, pass: 2 } as const
  const order = features.map((f, i) => ({ f, s: samples[i]! })).sort((a, b) => rank[a.f.verdict] - rank[b.f.verdict] || b.f.distance - a.f.distance)
  const drawn = order.slice(0, MAX_DISTRIBUTION_FIGURES).map(({ f, s }) => distributionFigure(f, s))
  if (order.length > drawn.length) {
    const last = drawn[drawn.length - 1]!
    const more = `${order.length - drawn.length} more features not drawn (the ${drawn.length} drawn: failing, inconclusive, then largest distance)`
    drawn[drawn.length - 1] = { ...last, note: last.note ? `${last.note}; ${more}` : more }
  }
  return drawn
}

/** The largest |b − a| the tolerance accepts at a (float32 ULPs for the ulps part). */
function allowed(a: number, tolerance: Tolerance): number {
  if (tolerance === 'exact') return 0
  const { atol = 0, rtol = 0, ulps } = tolerance
  const band = atol + rtol * Math.abs(a)
  if (ulps === undefined || a === 0) return band
  return Math.max(band, ulps * 2 ** (Math.floor(Math.log2(Math.abs(a))) - 23))
}

/**
 * checkModelParity's figures: every output element, reference (a) against the other (b), with
 * the tolerance band around b = a; then the difference b − a against a, where a band of 1e-5
 * is visible at all.
 */
export function modelParityFigures(names: readonly [string, string], a: ArrayLike<number>, b: ArrayLike<number>, width: number, tolerance: Tolerance): CheckFigure[] {
  type Point = { a: number; b: number; example: number; output: number; status: string }
  const points: Point[] = []
  const outside: Point[] = []
  let nonFinite = 0
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!
    const y = b[i]!
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      nonFinite++
      continue
    }
    const within = isClose(y, x, tolerance, { equalNaN: true })
    const row = { a: x, b: y, example: Math.floor(i / width), output: i % width, status: within ? 'within tolerance' : 'out of tolerance' }
    ;(within ? points : outside).push(row)
  }
  const keptOutside = evenlySpaced(outside, MAX_SCATTER_POINTS / 2, 'points out of tolerance')
  const keptWithin = evenlySpaced(points, MAX_SCATTER_POINTS - keptOutside.values.length, 'points within tolerance')
  const kept = [...keptWithin.values, ...keptOutside.values]
  const values = kept.map((r) => ({ ...r, a: round(r.a), b: round(r.b) }))
  const xs = kept.map((r) => r.a)
  const lo = xs.length ? Math.min(...xs) : 0
  const hi = xs.length ? Math.max(...xs) : 1
  const band = Array.from({ length: 101 }, (_, i) => {
    const x = lo + ((hi - lo) * i) / 100
    const d = allowed(x, tolerance)
    return { a: x, low: x - d, high: x + d }
  })
  const [nameA, nameB] = names
  const x = { field: 'a', type: 'quantitative', title: `${nameA} output (a, reference)`, scale: { zero: false } }
  const spec: Row = {
    $schema: SCHEMA,
    width: 320,
    height: 320,
    layer: [
      { data: { values: band }, mark: { type: 'area', color: '#2a9d4b', opacity: 0.25 }, encoding: { x: { field: 'a', type: 'quantitative' }, y: { field: 'low', type: 'quantitative' }, y2: { field: 'high' } } },
      { data: { values: band }, mark: { type: 'line', color: '#888', strokeDash: [4, 3] }, encoding: { x: { field: 'a', type: 'quantitative' }, y: { field: 'a', type: 'quantitative' } } },
      {
        data: { values },
        mark: { type: 'point', filled: true, size: 24, opacity: 0.8 },
        encoding: {
          x,
          y: { field: 'b', type: 'quantitative', title: `${nameB} output (b)`, scale: { zero: false } },
          color: { field: 'status', type: 'nominal', title: null, scale: { domain: ['within tolerance', 'out of tolerance'], range: ['#1f77b4', '#d62728'] } },
          tooltip: [{ field: 'example' }, { field: 'output' }, { field: 'a' }, { field: 'b' }],
        },
      },
    ],
  }
  const parts = [`One point per output element; band: b = a ± the tolerance (${describeTolerance(tolerance)}), relative to a`]
  if (tolerance !== 'exact' && tolerance.ulps !== undefined) parts.push('the ulps part drawn at float32 spacing')
  for (const note of [keptOutside.note, keptWithin.note]) if (note) parts.push(note)
  if (nonFinite) parts.push(`${nonFinite} non-finite output pairs not drawn`)
  const note = parts.join('; ')
  // From the unrounded outputs: float32 noise is far below six significant digits of the outputs.
  const diffs = kept.map((r) => ({ a: round(r.a), diff: round(r.b - r.a), example: r.example, output: r.output, status: r.status }))
  const diffSpec: Row = {
    $schema: SCHEMA,
    width: 420,
    height: 240,
    layer: [
      { data: { values: band.map((p) => ({ a: p.a, low: p.low - p.a, high: p.high - p.a })) }, mark: { type: 'area', color: '#2a9d4b', opacity: 0.25 }, encoding: { x: { field: 'a', type: 'quantitative' }, y: { field: 'low', type: 'quantitative' }, y2: { field: 'high' } } },
      {
        data: { values: diffs },
        mark: { type: 'point', filled: true, size: 24, opacity: 0.8 },
        encoding: {
          x,
          y: { field: 'diff', type: 'quantitative', title: `${nameB} − ${nameA} (b − a)` },
          color: { field: 'status', type: 'nominal', title: null, scale: { domain: ['within tolerance', 'out of tolerance'], range: ['#1f77b4', '#d62728'] } },
          tooltip: [{ field: 'example' }, { field: 'output' }, { field: 'a' }, { field: 'diff' }],
        },
      },
    ],
  }
  const title = `${nameA} vs ${nameB}: ${outside.length} of ${a.length - nonFinite} outputs out of tolerance`
  return [figure(title, spec, note), figure(`${nameB} − ${nameA} against ${nameA}, with the tolerance band`, diffSpec, note)]
}
