/** The figure of `checkFairness`: each group's selection rate (and TPR, FPR) with its bootstrap interval. */
import { figure, type CheckFigure, type FigureJson } from 'mltest/plugin'
import type { GroupRates } from './group-rates.ts'

interface GroupPoint extends GroupRates {
  group: string
  n: number
  intervals: Record<keyof GroupRates, { lower: number; upper: number }>
}

const finite = (x: number): number | null => (Number.isFinite(x) ? x : null)
const RATES: [keyof GroupRates, string][] = [['selectionRate', 'selection rate'], ['truePositiveRate', 'true positive rate'], ['falsePositiveRate', 'false positive rate']]

export function fairnessFigure(groups: readonly GroupPoint[], withLabels: boolean, level: string): CheckFigure {
  const values: FigureJson[] = []
  for (const [key, name] of withLabels ? RATES : RATES.slice(0, 1)) {
    for (const g of groups) {
      values.push({ rate: name, group: `${g.group} (n=${g.n})`, value: finite(g[key]), lower: finite(g.intervals[key].lower), upper: finite(g.intervals[key].upper) })
    }
  }
  const y = { field: 'group', type: 'nominal', title: null, axis: { labelLimit: 240 } }
  return figure(`Rates per group, ${level} CI`, {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    data: { values },
    facet: { row: { field: 'rate', type: 'nominal', title: null, header: { labelAngle: 0, labelOrient: 'top', labelAlign: 'left', labelFontWeight: 'bold' } } },
    spec: {
      width: 360,
      layer: [
        { mark: 'rule', encoding: { y, x: { field: 'lower', type: 'quantitative', title: 'rate', scale: { domain: [0, 1] } }, x2: { field: 'upper' } } },
        { mark: { type: 'point', filled: true, size: 60 }, encoding: { y, x: { field: 'value', type: 'quantitative' }, tooltip: [{ field: 'group' }, { field: 'rate' }, { field: 'value' }, { field: 'lower' }, { field: 'upper' }] } },
      ],
    },
  }, 'Error bars: stratified percentile bootstrap intervals (rows resampled within each group).')
}
