/**
 * The readable report of `checkReproducible`: per backend, which tensors differ and by how
 * much, the first divergent tensor and checkpoint, prediction and metric differences, the
 * runs' weight hashes and the likely sources of nondeterminism, then the replay line.
 */
import { describeTolerance, formatNumber, formatTable, type Tolerance } from 'mltest/plugin'
import type { BackendGroup, RunComparison } from './compare-runs.ts'
import { demandsBits, type ArrayDiff } from './float-diff.ts'

export interface CrossBackendDiff {
  backend: string
  reference: string
  identical: boolean
  maxAbsDiff: number
  maxUlp: number
}

export interface ReportInput {
  groups: BackendGroup[]
  crossBackend: CrossBackendDiff[]
  seed: number
  isolation: string
  tolerance: Tolerance | undefined
  replay: string
}

const MAX_TENSOR_ROWS = 12

/** ULPs are float32 steps unless the values were float64, which the figure then says. */
function ulp(diff: ArrayDiff): string {
  return diff.precision === 'float64' ? `${formatNumber(diff.maxUlp)} (f64)` : formatNumber(diff.maxUlp)
}

function pct(diff: ArrayDiff): string {
  return `${diff.differing}/${diff.total} (${formatNumber((100 * diff.differing) / Math.max(diff.total, 1))}%)`
}

function comparisonLines(c: RunComparison): string[] {
  const lines = [`  run ${c.run} vs run ${c.reference}: ${c.reproducible ? 'reproducible' : 'DIFFERENT'}`]
  if (c.structureMismatch) lines.push(`    weights cannot be compared: ${c.structureMismatch}`)
  if (c.firstDivergentTensor) {
    const t = c.firstDivergentTensor
    lines.push(`    first divergent tensor: ${t.name} (tensor ${t.index + 1} of ${c.tensors.length} in layer order)`)
  }
  if (c.firstDivergentCheckpoint) {
    const cp = c.firstDivergentCheckpoint
    const loss = cp.referenceLoss !== undefined && cp.loss !== undefined ? ` (loss ${formatNumber(cp.referenceLoss)} vs ${formatNumber(cp.loss)})` : ''
    lines.push(`    first divergent checkpoint: ${cp.label}${loss}${cp.note ? ` — ${cp.note}` : ''}`)
  }
  if (c.tensors.length > 0) {
    const shown = c.tensors.filter((t) => !t.diff.identical).slice(0, MAX_TENSOR_ROWS)
    const rows = [['tensor', 'shape', 'identical', 'max |diff|', 'max ULP', 'differing']]
    for (const t of c.reproducible ? c.tensors.slice(0, MAX_TENSOR_ROWS) : shown) {
      rows.push([t.name, `[${t.shape.join(',')}]`, t.diff.identical ? 'yes' : 'no', formatNumber(t.diff.maxAbsDiff), ulp(t.diff), pct(t.diff)])
    }
    const identical = c.tensors.filter((t) => t.diff.identical).length
    lines.push(`    weights: ${identical} of ${c.tensors.length} tensors bit-identical`)
    if (rows.length > 1) lines.push(formatTable(rows, { indent: '    ' }))
  }
  if (c.predictions) {
    const p = c.predictions
    lines.push(`    predictions: ${p.identical ? 'bit-identical' : `max |diff| ${formatNumber(p.maxAbsDiff)}, max ULP ${ulp(p)}, ${pct(p)} differ`}`)
  }
  if (c.predictionsMismatch) lines.push(`    predictions: ${c.predictionsMismatch}`)
  const metrics = c.metrics.map((m) =>
    m.reference === undefined || m.value === undefined
      ? `${m.name} missing in run ${m.reference === undefined ? c.reference : c.run}`
      : `${m.name} ${formatNumber(m.reference)} vs ${formatNumber(m.value)}${m.identical ? '' : ` (|diff| ${formatNumber(m.absDiff)}, ${formatNumber(m.ulps)} ${m.precision} ULPs)`}`,
  )
  if (metrics.length > 0) lines.push(`    metrics: ${metrics.join('; ')}`)
  return lines
}

export function formatReport(input: ReportInput): string {
  const { groups, tolerance } = input
  const failing = groups.filter((g) => !g.reproducible)
  const runs = groups[0]?.runs.length ?? 0
  const headline = failing.length === 0
    ? `checkReproducible: training is reproducible — ${runs} runs per backend agree on ${groups.map((g) => g.backend).join(', ')}`
    : `checkReproducible: training is NOT reproducible on ${failing.map((g) => g.backend).join(', ')} — ${runs} runs with the same seed differ`
  const lines = [
    headline,
    `  seed ${input.seed} · isolation ${input.isolation} · tolerance ${demandsBits(tolerance) ? 'none (bit-identical)' : describeTolerance(tolerance!, 'ulps at the values\' precision')}`,
  ]
  for (const group of groups) {
    lines.push(`backend ${group.backend}: ${group.runs.map((r) => `run ${r.run} in ${r.where} (${Math.round(r.durationMs)} ms)`).join(', ')}`)
    lines.push(`  weights SHA-256: ${group.runs.map((r) => `run ${r.run} ${r.weightsSha256.slice(0, 16)}`).join(', ')}`)
    for (const c of group.comparisons) lines.push(...comparisonLines(c))
    const note = group.runs[0]?.predictionsNote
    if (note) lines.push(`  predictions not compared: ${note}`)
    if (group.sources.length > 0) {
      lines.push('  likely sources of nondeterminism:')
      for (const s of group.sources) lines.push(`    - ${s}`)
    }
  }
  for (const x of input.crossBackend) {
    lines.push(
      `across backends (informational): ${x.backend} vs ${x.reference} weights ${x.identical ? 'bit-identical' : `differ, max |diff| ${formatNumber(x.maxAbsDiff)}, max ULP ${formatNumber(x.maxUlp)}`}`,
    )
  }
  lines.push(`replay: ${input.replay}`)
  return lines.join('\n')
}
