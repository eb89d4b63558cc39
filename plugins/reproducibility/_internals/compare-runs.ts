/**
 * Compares training runs that should be identical: every run against the first run on the
 * same backend, tensor by tensor in layer order, then predictions, metrics and checkpoints.
 * When runs differ it names the likely sources of nondeterminism the runs revealed.
 */
import type { Checkpoint } from './fit-probe.ts'
import { absDiff, pairPrecision, ulpDistance, type FloatPrecision, type Tolerance } from 'mltest/plugin'
import { agrees, diffArrays, type ArrayDiff } from './float-diff.ts'
import type { RunRecord } from './run-training.ts'

export type Aspect = 'weights' | 'predictions' | 'metrics'

export interface TensorComparison {
  index: number
  name: string
  shape: number[]
  diff: ArrayDiff
}

export interface MetricComparison {
  name: string
  reference: number | undefined
  value: number | undefined
  absDiff: number
  /** ULP distance at `precision`; 0 when identical, NaN when a side is missing. */
  ulps: number
  /** float32 when both values are float32 values (Math.fround(x) === x), else float64. */
  precision: FloatPrecision
  identical: boolean
  within: boolean
}

/** One run against the reference run of its backend. */
export interface RunComparison {
  run: number
  reference: number
  /** Set when the runs' weights cannot be compared tensor by tensor (count or shapes differ). */
  structureMismatch?: string
  tensors: TensorComparison[]
  /** First tensor in layer order outside the tolerance. */
  firstDivergentTensor?: TensorComparison
  predictions?: ArrayDiff
  predictionsMismatch?: string
  metrics: MetricComparison[]
  /** First checkpoint whose weights hash differs (informational: tolerances do not apply). */
  firstDivergentCheckpoint?: { label: string; referenceLoss?: number; loss?: number; note?: string }
  reproducible: boolean
}

export interface BackendGroup {
  backend: string
  runs: RunRecord[]
  comparisons: RunComparison[]
  reproducible: boolean
  /** Likely sources of nondeterminism (filled when the runs differ). */
  sources: string[]
}

function compareWeights(ref: RunRecord, run: RunRecord, tolerance: Tolerance | undefined): Pick<RunComparison, 'tensors' | 'structureMismatch'> {
  if (ref.weights.length !== run.weights.length) {
    return { tensors: [], structureMismatch: `run ${run.run} has ${run.weights.length} weight tensors, run ${ref.run} has ${ref.weights.length}` }
  }
  const tensors: TensorComparison[] = []
  for (const [index, w] of ref.weights.entries()) {
    const other = run.weights[index]!
    if (w.shape.join() !== other.shape.join()) {
      return { tensors, structureMismatch: `tensor ${index + 1} (${w.name}) has shape [${w.shape}] in run ${ref.run} and [${other.shape}] in run ${run.run}` }
    }
    tensors.push({ index, name: w.name, shape: w.shape, diff: diffArrays(w.values, other.values, tolerance) })
  }
  return { tensors }
}

/**
 * Metrics are JS numbers, but tfjs fit logs hold float32 values stored as doubles: counting
 * their drift in float64 ULPs would make one float32 step ~2^29 ULPs, so no `ulps` tolerance
 * could accept float32 noise. Each pair is therefore counted at its own precision (the SDK's
 * `pairPrecision`): float32 ULPs when both values are float32 values, float64 ULPs otherwise.
 */
export function compareMetrics(ref: Record<string, number>, run: Record<string, number>, tolerance: Tolerance | undefined): MetricComparison[] {
  const names = [...new Set([...Object.keys(ref), ...Object.keys(run)])]
  return names.map((name) => {
    const a = ref[name]
    const b = run[name]
    if (a === undefined || b === undefined) return { name, reference: a, value: b, absDiff: NaN, ulps: NaN, precision: 'float64', identical: false, within: false }
    const precision = pairPrecision(a, b)
    const identical = Object.is(a, b)
    const ulps = ulpDistance(a, b, precision)
    const within = agrees(a, b, tolerance, precision)
    return { name, reference: a, value: b, absDiff: absDiff(a, b), ulps, precision, identical, within }
  })
}

function firstDivergentCheckpoint(ref: Checkpoint[], run: Checkpoint[]): RunComparison['firstDivergentCheckpoint'] {
  const n = Math.min(ref.length, run.length)
  for (let i = 0; i < n; i++) {
    if (ref[i]!.sha256 !== run[i]!.sha256 || ref[i]!.label !== run[i]!.label) {
      return { label: ref[i]!.label, referenceLoss: ref[i]!.loss, loss: run[i]!.loss }
    }
  }
  if (ref.length !== run.length) return { label: `after checkpoint ${n}`, note: `the runs recorded ${ref.length} and ${run.length} checkpoints` }
  return undefined
}

export function compareRun(ref: RunRecord, run: RunRecord, aspects: readonly Aspect[], tolerance: Tolerance | undefined): RunComparison {
  const { tensors, structureMismatch } = compareWeights(ref, run, tolerance)
  const comparison: RunComparison = { run: run.run, reference: ref.run, tensors, structureMismatch, metrics: [], reproducible: true }
  comparison.firstDivergentTensor = tensors.find((t) => t.diff.violating > 0)
  if (ref.predictions && run.predictions) {
    if (ref.predictions.values.length === run.predictions.values.length) comparison.predictions = diffArrays(ref.predictions.values, run.predictions.values, tolerance)
    else comparison.predictionsMismatch = `prediction shapes differ: [${ref.predictions.shape}] and [${run.predictions.shape}]`
  } else if (ref.predictions || run.predictions) {
    const [has, lacks] = ref.predictions ? [ref, run] : [run, ref]
    comparison.predictionsMismatch = `run ${has.run} has predictions, run ${lacks.run} has none${lacks.predictionsNote ? ` (${lacks.predictionsNote})` : ''}`
  }
  comparison.metrics = compareMetrics(ref.metrics, run.metrics, tolerance)
  comparison.firstDivergentCheckpoint = firstDivergentCheckpoint(ref.checkpoints, run.checkpoints)
  const weightsOk = !structureMismatch && !comparison.firstDivergentTensor
  const predictionsOk = !comparison.predictionsMismatch && (comparison.predictions?.violating ?? 0) === 0
  const metricsOk = comparison.metrics.every((m) => m.within)
  comparison.reproducible =
    (!aspects.includes('weights') || weightsOk) && (!aspects.includes('predictions') || predictionsOk) && (!aspects.includes('metrics') || metricsOk)
  return comparison
}

/** Turns what the runs revealed into a list of likely causes, most specific first. */
export function likelySources(runs: RunRecord[], requestedBackend: string): string[] {
  const sources: string[] = []
  const backends = [...new Set(runs.map((r) => r.backend))]
  if (backends.length > 1 || backends[0] !== requestedBackend) {
    sources.push(`different backends: the runs trained on ${runs.map((r) => `${r.backend} (run ${r.run})`).join(', ')}, ${requestedBackend} was requested — backends give different bits`)
  }
  const unseeded = runs.map((r) => r.diagnostics.unseededRandomCalls)
  const calls = runs.map((r) => r.diagnostics.randomCalls)
  if (unseeded.some((n) => n > 0)) {
    sources.push(
      `Math.random was called during training without a seed (${runs.map((r, i) => `run ${r.run}: ${unseeded[i]}`).join(', ')}) — tfjs draws unseeded initializers, shuffling and dropout from it; seed them, or call seedEverything(seed) in the training function`,
    )
    const first = runs[0]!.diagnostics
    for (const init of first.unseededInitializers) sources.push(`unseeded initializer: ${init}`)
    for (const layer of first.unseededNoiseLayers) sources.push(`dropout without a seed: ${layer}`)
    for (const [i, fit] of first.fitCalls.entries()) {
      if (fit.shuffle === false) continue
      const how = fit.shuffleExplicit ? `shuffle: ${JSON.stringify(fit.shuffle)}` : 'shuffle: true (the tfjs default)'
      sources.push(`model.fit call ${i + 1} used ${how} without a seed — tfjs shuffles with Math.random; pass shuffle: false or seed Math.random`)
    }
  } else if (new Set(calls).size > 1) {
    sources.push(`the runs made different numbers of Math.random calls (${calls.join(' vs ')}): the training path itself differs between runs`)
  }
  if (sources.length === 0) {
    sources.push(
      'no known source found: Math.random was ' + (calls[0] ? `seeded (${calls[0]} calls)` : 'not called') +
        ', so look at state computed when a module loads (e.g. a seed drawn at import, which only separate workers reveal), data loading order, time-dependent code (Date.now, performance.now), concurrency, or nondeterministic kernels of the backend',
    )
  }
  return sources
}

/** Groups runs by requested backend and compares each run with the group's first run. */
export function compareGroups(byBackend: Map<string, RunRecord[]>, aspects: readonly Aspect[], tolerance: Tolerance | undefined): BackendGroup[] {
  return [...byBackend].map(([backend, runs]) => {
    const [ref, ...rest] = runs
    const comparisons = rest.map((run) => compareRun(ref!, run, aspects, tolerance))
    const reproducible = comparisons.every((c) => c.reproducible)
    return { backend, runs, comparisons, reproducible, sources: reproducible ? [] : likelySources(runs, backend) }
  })
}
