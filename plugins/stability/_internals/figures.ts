/**
 * The figure checkStability attaches to a failing record for the HTML report: the shrunk
 * counterexample beside the output it produced, one bar per element (flat, row-major index).
 * Input elements that are not finite, or that shrinking left non-zero (fast-check shrinks
 * every element towards 0, so those are the ones the failure needs), are highlighted; so are
 * output elements that are not finite. A passing check has no counterexample and no figure.
 */
import { evenlySpaced, figure, formatIndex, type CheckFigure, type FigureJson } from 'mltest/plugin'
import { numericParts, type NumericPart } from './numbers.ts'

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json'

/** Elements drawn per side (input, output), shared by its parts; a larger tensor shows its highlighted elements first, then evenly spaced others. */
export const MAX_ELEMENTS = 600
/** Parts drawn per side (arguments of a tuple input, entries of a record output). */
export const MAX_PARTS = 12
/** Longest part label kept (labels come from user record keys). */
const MAX_LABEL = 60

type Row = { [key: string]: FigureJson }

const round = (x: number) => Number(x.toPrecision(8))

const STATUS = {
  input: { domain: ['not finite', 'non-zero after shrinking', 'zero'], range: ['#d62728', '#ff7f0e', '#9e9e9e'] },
  output: { domain: ['not finite', 'finite'], range: ['#d62728', '#1f77b4'] },
} as const

function nonFiniteText(v: number): string {
  return Number.isNaN(v) ? 'NaN' : v > 0 ? '+∞' : '−∞'
}

function statusOf(side: 'input' | 'output', v: number): string {
  if (!Number.isFinite(v)) return 'not finite'
  if (side === 'output') return 'finite'
  return Object.is(v, 0) ? 'zero' : 'non-zero after shrinking'
}

const clip = (text: string) => (text.length > MAX_LABEL ? `${text.slice(0, MAX_LABEL - 1)}…` : text)

/** The rows of one side's parts, at most MAX_PARTS parts and MAX_ELEMENTS elements in all. */
function sideRows(parts: NumericPart[], side: 'input' | 'output', notes: string[]): Row[] {
  const shown = parts.slice(0, MAX_PARTS)
  const each = Math.max(8, Math.floor(MAX_ELEMENTS / shown.length))
  const tally = { total: 0, kept: 0, marked: 0, markedKept: 0 }
  const rows = shown.flatMap((p) => partRows(p, side, each, tally))
  const thinned = [
    ...(parts.length > shown.length ? [`${shown.length} of ${parts.length} parts`] : []),
    ...(tally.kept < tally.total ? [`${tally.kept} of ${tally.total} elements shown (${tally.markedKept} highlighted${tally.marked > tally.markedKept ? ` of ${tally.marked}` : ''}, the others evenly spaced)`] : []),
  ]
  if (thinned.length) notes.push(`${side}: ${thinned.join(', ')}`)
  return rows
}

/** The rows of one part, at most `max`: highlighted elements first, then evenly spaced others. */
function partRows(part: NumericPart, side: 'input' | 'output', max: number, tally: { total: number; kept: number; marked: number; markedKept: number }): Row[] {
  const all = Array.from({ length: part.values.length }, (_, i) => i)
  const plain = side === 'input' ? 'zero' : 'finite'
  const marked = all.filter((i) => statusOf(side, part.values[i]!) !== plain)
  let kept = all
  let markedKept = marked.length
  if (all.length > max) {
    const first = marked.slice(0, max / 2)
    const rest = evenlySpaced(all.filter((i) => statusOf(side, part.values[i]!) === plain), Math.max(2, max - first.length), 'elements')
    kept = [...first, ...rest.values].sort((a, b) => a - b)
    markedKept = first.length
  }
  tally.total += all.length
  tally.kept += kept.length
  tally.marked += marked.length
  tally.markedKept += markedKept
  return kept.map((i) => {
    const v = part.values[i]!
    const finite = Number.isFinite(v)
    return {
      part: clip(`${part.label}${part.dtype ? ` ${part.dtype}` : ''} [${part.shape.join(', ')}]`),
      index: i,
      element: part.shape.length === 0 ? 'scalar' : formatIndex(i, part.shape),
      height: finite ? round(v) : 0,
      mark: finite ? '' : nonFiniteText(v),
      status: statusOf(side, v),
    }
  })
}

/** One side's chart: a bar per element, a row per part, non-finite elements drawn as labels on the axis. */
function sideChart(side: 'input' | 'output', rows: Row[], title: string): Row {
  const x = { field: 'index', type: 'quantitative', title: 'element (flat row-major index)', axis: { tickMinStep: 1 } }
  const y = { field: 'height', type: 'quantitative', title: 'value' }
  const color = { field: 'status', type: 'nominal', title: side === 'input' ? 'input element' : 'output element', scale: { domain: [...STATUS[side].domain], range: [...STATUS[side].range] }, legend: { labelLimit: 0 } }
  return {
    title,
    data: { values: rows },
    facet: { row: { field: 'part', type: 'nominal', title: null, header: { labelAngle: 0, labelOrient: 'top', labelAnchor: 'start', labelLimit: 0 } } },
    spec: {
      width: 360,
      height: 110,
      layer: [
        {
          mark: { type: 'bar' },
          encoding: { x, y, color },
        },
        // A dot on every element, so zeros (no bar) show too.
        { mark: { type: 'point', filled: true, size: 30 }, encoding: { x, y, color, tooltip: [{ field: 'element' }, { field: 'height', title: 'value' }, { field: 'mark', title: 'not finite' }] } },
        {
          transform: [{ filter: "datum.mark != ''" }],
          mark: { type: 'text', dy: -8, fontWeight: 'bold', color: '#d62728' },
          encoding: { x, y, text: { field: 'mark' } },
        },
      ],
    },
    resolve: { scale: { x: 'independent', y: 'independent' } },
  }
}

function tryParts(value: unknown, label: string): NumericPart[] | undefined {
  try {
    const parts = numericParts(value, label)
    return parts.length > 0 && parts.some((p) => p.values.length > 0) ? parts : undefined
  } catch {
    return undefined
  }
}

export interface CounterexampleInput {
  property: string
  reason: string
  counterexample: unknown
  output: unknown
  hasOutput: boolean
  /** `inputs` was a tuple: the counterexample is the argument list. */
  spread: boolean
}

/**
 * The counterexample figure, or none when the input holds no numbers to draw (e.g. strings).
 * The output is drawn beside it when fn returned numbers (not when it threw).
 */
export function counterexampleFigures(failure: CounterexampleInput): CheckFigure[] {
  const inputParts = failure.spread
    ? (failure.counterexample as unknown[]).flatMap((arg, i) => tryParts(arg, `arg ${i}`) ?? [])
    : tryParts(failure.counterexample, 'input')
  if (!inputParts || inputParts.length === 0) return []
  const notes: string[] = []
  const inputRows = sideRows(inputParts, 'input', notes)
  const outputParts = failure.hasOutput ? tryParts(failure.output, 'output') : undefined
  const charts = [sideChart('input', inputRows, 'counterexample (shrunk input)')]
  if (outputParts) charts.push(sideChart('output', sideRows(outputParts, 'output', notes), 'output of fn on it'))
  else notes.push(failure.hasOutput ? 'the output holds no numbers to draw' : 'fn threw, so there is no output')
  const spec: Row = { $schema: SCHEMA, vconcat: charts, resolve: { scale: { color: 'independent' } } }
  const shape = inputParts.map((p) => `[${p.shape.join(', ')}]`).join(', ')
  const note = [`broken: ${failure.reason}`, 'fast-check shrinks every element towards 0, so the input elements left non-zero are the ones the failure needs', ...notes].join('; ')
  return [figure(`Counterexample ${shape} and its output: ${failure.property} broke`, spec, note)]
}
