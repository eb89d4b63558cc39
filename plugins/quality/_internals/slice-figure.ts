/**
 * The figure of `checkSlices`: each slice's metric as a point with its confidence interval
 * as an error bar, coloured by verdict, with the threshold and the gap limit as rules.
 */
import { figure, type CheckFigure, type FigureJson } from 'mltest/plugin'

interface SlicePoint { slice: string; n: number; value: number; lower: number; upper: number; verdict: string }

const finite = (x: number): number | null => (Number.isFinite(x) ? x : null)
const MAX_SLICES = 150

export function slicesFigure(metric: string, slices: readonly SlicePoint[], o: { threshold?: number; gapLimit?: number; overall: number; level: string; method: string }): CheckFigure {
  // Slices come worst first; a figure of thousands of slices would be unreadable and over the size cap.
  const shown = slices.slice(0, MAX_SLICES)
  const values: FigureJson[] = shown.map((s) => ({ slice: `${s.slice} (n=${s.n})`, value: finite(s.value), lower: finite(s.lower), upper: finite(s.upper), verdict: s.verdict }))
  const rules: FigureJson[] = [{ rule: 'overall', x: o.overall }]
  if (o.threshold !== undefined) rules.push({ rule: 'threshold', x: o.threshold })
  if (o.gapLimit !== undefined) rules.push({ rule: 'overall − gap', x: o.gapLimit })
  const y = { field: 'slice', type: 'nominal', sort: null, title: null, axis: { labelLimit: 320 } }
  return figure(`${metric} per slice, ${o.level} CI`, {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    width: 400,
    layer: [
      { data: { values }, mark: { type: 'rule' }, encoding: { y, x: { field: 'lower', type: 'quantitative', title: metric, scale: { zero: false } }, x2: { field: 'upper' } } },
      {
        data: { values },
        mark: { type: 'point', filled: true, size: 60 },
        encoding: {
          y,
          x: { field: 'value', type: 'quantitative' },
          color: { field: 'verdict', type: 'nominal', scale: { domain: ['pass', 'fail', 'inconclusive'], range: ['#2e7d32', '#c62828', '#f9a825'] } },
          tooltip: [{ field: 'slice' }, { field: 'value' }, { field: 'lower' }, { field: 'upper' }, { field: 'verdict' }],
        },
      },
      { data: { values: rules }, mark: { type: 'rule', strokeDash: [4, 3] }, encoding: { x: { field: 'x', type: 'quantitative' }, color: { field: 'rule', type: 'nominal', legend: { title: 'rule' } } } },
    ],
    resolve: { scale: { color: 'independent' } },
  }, `${slices.length > MAX_SLICES ? `The worst ${MAX_SLICES} of ${slices.length} slices shown. ` : ''}Error bars: the ${o.method} interval of each slice; slices under minSliceSize have none. Dashed rules: the overall metric and the limits a slice must clear.`)
}
