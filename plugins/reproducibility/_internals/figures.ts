/**
 * The figures checkReproducible attaches to its record for the HTML report: the largest ULP
 * difference of each weight tensor between runs (one bar per tensor in layer order, the first
 * divergent one marked), and per backend the checkpoint timeline (loss at each weights
 * checkpoint per run, points coloured by whether the weights still equal the first run's).
 */
import { evenlySpaced, figure, type CheckFigure, type FigureJson } from 'mltest/plugin'
import type { BackendGroup } from './compare-runs.ts'

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json'

/** Tensors drawn; a larger model shows its most different tensors (and the first divergent one). */
export const MAX_TENSORS = 150
/** Checkpoints drawn per run; more are thinned evenly (the first divergent one is kept). */
export const MAX_CHECKPOINTS = 300

type Row = { [key: string]: FigureJson }

const round = (x: number) => Number(x.toPrecision(6))

export type TensorStatus = 'identical' | 'within tolerance' | 'outside tolerance'

/** One bar: the largest difference of a tensor over every run compared with the first. */
export interface TensorBar {
  backend: string
  index: number
  tensor: string
  /** Largest ULP distance at the arrays' precision over the runs; null when infinite (NaN against a number). */
  maxUlp: number | null
  maxAbsDiff: number | null
  status: TensorStatus
  firstDivergent: boolean
}

/** Per backend and tensor, the largest difference over the compared runs, and which tensor first left the tolerance. */
export function tensorBars(groups: readonly BackendGroup[]): TensorBar[] {
  return groups.flatMap((g) => {
    const first = g.comparisons.find((c) => c.firstDivergentTensor)?.firstDivergentTensor?.index
    const byIndex = new Map<number, TensorBar>()
    for (const c of g.comparisons) {
      for (const t of c.tensors) {
        const bar = byIndex.get(t.index) ?? { backend: g.backend, index: t.index, tensor: t.name, maxUlp: 0, maxAbsDiff: 0, status: 'identical' as TensorStatus, firstDivergent: t.index === first }
        const ulp = Number.isFinite(t.diff.maxUlp) ? t.diff.maxUlp : null
        bar.maxUlp = bar.maxUlp === null || ulp === null ? null : Math.max(bar.maxUlp, ulp)
        bar.maxAbsDiff = bar.maxAbsDiff === null || !Number.isFinite(t.diff.maxAbsDiff) ? null : Math.max(bar.maxAbsDiff, t.diff.maxAbsDiff)
        if (t.diff.violating > 0) bar.status = 'outside tolerance'
        else if (!t.diff.identical && bar.status === 'identical') bar.status = 'within tolerance'
        byIndex.set(t.index, bar)
      }
    }
    return [...byIndex.values()].sort((a, b) => a.index - b.index)
  })
}

/** The ULP bar chart; none when no run could be compared tensor by tensor. */
export function ulpFigure(groups: readonly BackendGroup[]): CheckFigure | undefined {
  let bars = tensorBars(groups)
  if (bars.length === 0) return undefined
  const total = bars.length
  let note = 'Largest ULP distance over every run compared with the first run of its backend (symlog axis: 0 is identical bits)'
  if (bars.length > MAX_TENSORS) {
    const size = (b: TensorBar) => (b.maxUlp === null ? Infinity : b.maxUlp)
    const kept = new Set([...bars].sort((a, b) => size(b) - size(a) || a.index - b.index).slice(0, MAX_TENSORS))
    for (const b of bars) if (b.firstDivergent) kept.add(b)
    bars = bars.filter((b) => kept.has(b))
    note += `; ${bars.length} of ${total} tensors shown: the largest differences, in layer order`
  }
  const largest = Math.max(1, ...bars.map((b) => b.maxUlp ?? 0))
  const infinite = bars.some((b) => b.maxUlp === null)
  if (infinite) note += `; a bar labelled ∞ is a NaN against a number, drawn at twice the largest finite distance`
  const many = new Set(bars.map((b) => b.backend)).size > 1
  const values = bars.map((b) => ({
    tensor: `${many ? `${b.backend} · ` : ''}${b.index + 1}. ${b.tensor}`,
    order: many ? `${b.backend}/${String(b.index).padStart(6, '0')}` : b.index,
    ulp: b.maxUlp ?? 2 * largest,
    label: `${b.maxUlp === null ? '∞' : b.maxUlp.toLocaleString('en-US')}${b.firstDivergent ? ' ← first divergent' : ''}`,
    maxAbsDiff: b.maxAbsDiff === null ? null : round(b.maxAbsDiff),
    status: b.status,
    firstDivergent: b.firstDivergent,
  }))
  const y = { field: 'tensor', type: 'nominal', title: 'weight tensor (layer order)', sort: { field: 'order', op: 'min' }, axis: { labelLimit: 240 } }
  const x = { field: 'ulp', type: 'quantitative', title: 'max ULP difference between runs (symlog)', scale: { type: 'symlog' } }
  const spec: Row = {
    $schema: SCHEMA,
    width: 380,
    height: { step: 16 },
    data: { values },
    layer: [
      {
        mark: { type: 'bar' },
        encoding: {
          y,
          x,
          color: { field: 'status', type: 'nominal', title: 'tensor', scale: { domain: ['identical', 'within tolerance', 'outside tolerance'], range: ['#2a9d4b', '#e69f00', '#d62728'] }, legend: { orient: 'bottom' } },
          stroke: { condition: { test: 'datum.firstDivergent', value: 'black' }, value: null },
          strokeWidth: { value: 2 },
          tooltip: [{ field: 'tensor' }, { field: 'label', title: 'max ULP' }, { field: 'maxAbsDiff', title: 'max |diff|' }],
        },
      },
      { mark: { type: 'text', align: 'left', dx: 4 }, encoding: { y, x, text: { field: 'label' } } },
    ],
  }
  const first = bars.find((b) => b.firstDivergent)
  const title = first ? `Weights across runs: first divergent tensor ${first.index + 1}. ${first.tensor}` : 'Weights across runs: max ULP difference per tensor'
  return figure(title, spec, note)
}

/** Index of a checkpoint label in the reference run's checkpoints, or -1. */
function indexOf(group: BackendGroup, label: string | undefined): number {
  return label === undefined ? -1 : group.runs[0]!.checkpoints.findIndex((c) => c.label === label)
}

/** The checkpoint timeline of one backend; none when the runs recorded no checkpoints. */
export function checkpointFigure(group: BackendGroup): CheckFigure | undefined {
  const [ref] = group.runs
  if (!ref || group.runs.every((r) => r.checkpoints.length === 0)) return undefined
  const divergent = group.comparisons.map((c) => indexOf(group, c.firstDivergentCheckpoint?.label)).filter((i) => i >= 0)
  const firstDivergent = divergent.length ? Math.min(...divergent) : -1
  const longest = Math.max(...group.runs.map((r) => r.checkpoints.length))
  const all = Array.from({ length: longest }, (_, i) => i)
  const thinned = evenlySpaced(all, MAX_CHECKPOINTS, 'checkpoints')
  const keep = new Set(thinned.values)
  if (firstDivergent >= 0) keep.add(firstDivergent)
  const hasLoss = group.runs.some((r) => r.checkpoints.some((c) => c.loss !== undefined && Number.isFinite(c.loss)))
  const values: Row[] = []
  for (const r of group.runs) {
    r.checkpoints.forEach((c, i) => {
      if (!keep.has(i)) return
      const same = ref.checkpoints[i]?.sha256 === c.sha256
      values.push({
        checkpoint: i + 1,
        label: c.label,
        run: `run ${r.run}`,
        loss: c.loss !== undefined && Number.isFinite(c.loss) ? round(c.loss) : null,
        weights: r === ref ? 'reference run' : same ? `same as run ${ref.run}` : `differ from run ${ref.run}`,
      })
    })
  }
  const x = { field: 'checkpoint', type: 'quantitative', title: `weights checkpoint (1 = first of ${longest})`, scale: { zero: false } }
  const y: Row = hasLoss ? { field: 'loss', type: 'quantitative', title: 'training loss at the checkpoint', scale: { zero: false } } : { field: 'run', type: 'nominal', title: 'run' }
  const layer: Row[] = [
    { mark: { type: 'line', opacity: 0.6 }, encoding: { x, y, color: { field: 'run', type: 'nominal', title: 'run' } } },
    {
      mark: { type: 'point', filled: true, size: 36 },
      encoding: {
        x,
        y,
        shape: { field: 'weights', type: 'nominal', title: 'weights' },
        color: { field: 'run', type: 'nominal' },
        tooltip: [{ field: 'run' }, { field: 'label', title: 'checkpoint' }, { field: 'loss' }, { field: 'weights' }],
      },
    },
  ]
  if (firstDivergent >= 0) {
    const marker = { data: { values: [{ checkpoint: firstDivergent + 1, text: `first divergent: ${ref.checkpoints[firstDivergent]!.label}` }] } }
    layer.push(
      { ...marker, mark: { type: 'rule', color: '#d62728', strokeWidth: 2, strokeDash: [5, 3] }, encoding: { x: { field: 'checkpoint', type: 'quantitative' } } },
      { ...marker, mark: { type: 'text', color: '#d62728', align: 'left', dx: 4, y: 0, baseline: 'top' }, encoding: { x: { field: 'checkpoint', type: 'quantitative' }, text: { field: 'text' } } },
    )
  }
  const spec: Row = { $schema: SCHEMA, width: 420, height: 220, data: { values }, layer }
  const parts = [`Weights hashed at every checkpoint of model.fit; a point's shape says whether the weights equal run ${ref.run}'s at that checkpoint`]
  if (!hasLoss) parts.push('no loss was logged, so runs are drawn on separate rows')
  if (thinned.note) parts.push(thinned.note)
  const title = `Checkpoint timeline (${group.backend})${firstDivergent >= 0 ? `: weights first differ at ${ref.checkpoints[firstDivergent]!.label}` : ''}`
  return figure(title, spec, parts.join('; '))
}

/** Every figure of a checkReproducible record. */
export function reproducibilityFigures(groups: readonly BackendGroup[]): CheckFigure[] {
  const figures = [ulpFigure(groups), ...groups.map(checkpointFigure)]
  return figures.filter((f): f is CheckFigure => f !== undefined)
}

/** One trainable variable after checkTrainingStep's steps (the fields the figure reads). */
export interface StepVariable {
  name: string
  moved: boolean
  maxChange: number
  gradient: { received: boolean; finite: boolean; maxAbs: number }
}

/**
 * checkTrainingStep's figure: per trainable variable, the largest change of an element over
 * the steps (symlog axis), coloured moved / did not move / gradient not finite, with the loss
 * before and after in the title.
 */
export function trainingStepFigure(variables: readonly StepVariable[], lossBefore: number, lossAfter: number, steps: number): CheckFigure {
  const shown = variables.slice(0, MAX_TENSORS)
  const status = (v: StepVariable) => (v.gradient.received && !v.gradient.finite ? 'gradient not finite' : !v.moved ? 'did not move' : 'moved')
  const finite = (x: number) => (Number.isFinite(x) ? round(x) : null)
  const values = shown.map((v, i) => ({
    variable: `${i + 1}. ${v.name}`,
    order: i,
    change: finite(v.maxChange) ?? 0,
    label: Number.isFinite(v.maxChange) ? String(round(v.maxChange)) : String(v.maxChange),
    gradient: v.gradient.received ? (Number.isFinite(v.gradient.maxAbs) ? round(v.gradient.maxAbs) : String(v.gradient.maxAbs)) : 'none',
    status: status(v),
  }))
  const y = { field: 'variable', type: 'nominal', title: 'trainable variable', sort: { field: 'order', op: 'min' }, axis: { labelLimit: 240 } }
  const x = { field: 'change', type: 'quantitative', title: `largest |after − before| of an element over ${steps} step${steps === 1 ? '' : 's'} (symlog)`, scale: { type: 'symlog' } }
  const spec: Row = {
    $schema: SCHEMA,
    width: 380,
    height: { step: 16 },
    data: { values },
    layer: [
      {
        mark: { type: 'bar' },
        encoding: {
          y,
          x,
          color: { field: 'status', type: 'nominal', title: null, scale: { domain: ['moved', 'did not move', 'gradient not finite'], range: ['#2a9d4b', '#e69f00', '#d62728'] }, legend: { orient: 'bottom' } },
          tooltip: [{ field: 'variable' }, { field: 'label', title: 'max change' }, { field: 'gradient', title: 'max |gradient|' }],
        },
      },
      { mark: { type: 'text', align: 'left', dx: 4 }, encoding: { y, x, text: { field: 'label' } } },
    ],
  }
  const parts = ['A variable that did not move gets no bar; a non-finite change is drawn at 0 and labelled']
  if (variables.length > shown.length) parts.push(`${shown.length} of ${variables.length} variables shown, in order`)
  return figure(`Training step: loss ${round(lossBefore)} → ${round(lossAfter)}`, spec, parts.join('; '))
}
