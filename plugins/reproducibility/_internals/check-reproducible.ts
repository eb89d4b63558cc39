/**
 * `checkReproducible`: trains the same model several times with the same seed and demands
 * identical results (or results within a stated tolerance), per backend. With
 * `separate-workers` isolation every run trains in a fresh worker thread, so state that
 * survives inside one thread (an already-advanced `Math.random`, tfjs's layer counters, a
 * cached dataset) cannot make two runs look alike when a fresh process would not;
 * `separate-processes` goes one step further and forks a child process per run.
 */
import { availableParallelism } from 'node:os'
import { CheckFailure, currentTest, parseCheckOptions, recordCheck, z } from 'mltest/plugin'
import { compareGroups, type Aspect, type BackendGroup } from './compare-runs.ts'
import { diffArrays } from './float-diff.ts'
import { reproducibilityFigures } from './figures.ts'
import type { CheckpointLevel } from './fit-probe.ts'
import { toShapedValues, type ProbeInput } from './model-weights.ts'
import { field, toleranceField } from './option-fields.ts'
import { formatReport, type CrossBackendDiff } from './reproducibility-report.ts'
import { runTraining, type RunRecord, type RunSpec, type TrainFn } from './run-training.ts'
import { defaultBackend, loadTfjs } from './tfjs.ts'
import { runInChildProcess } from './process-run.ts'
import { isTrainModuleRef, moduleUrlOf, runInWorkerThread, type TrainModuleRef } from './worker-run.ts'

const ASPECTS: readonly Aspect[] = ['weights', 'predictions', 'metrics']
const ISOLATIONS = ['separate-workers', 'separate-processes', 'same-worker'] as const
const CHECKPOINTS: readonly CheckpointLevel[] = ['batch', 'epoch', 'off']

export type Isolation = (typeof ISOLATIONS)[number]

const isName = (v: unknown) => typeof v === 'string' && v !== ''

const checkReproducibleOptions = z.object({
  /** Training runs per backend (default 2). */
  runs: z.number().int().min(2).default(2),
  /** 'separate-workers' (default): each run in a fresh worker thread; 'separate-processes': each
   *  run in a fresh child process (slower start, also isolates process-wide state); 'same-worker':
   *  back to back in this thread. */
  isolation: z.enum(ISOLATIONS).default('separate-workers'),
  /** What must agree (default all of weights, predictions, metrics). */
  compare: field<Aspect[]>('compare', `a non-empty array of ${ASPECTS.join(', ')}`, (v) => Array.isArray(v) && v.length > 0 && v.every((a) => ASPECTS.includes(a))).default([...ASPECTS]),
  /**
   * Allowed drift (the SDK's `Tolerance`). Default none: bit-identical results, +0 and -0
   * differing; so does any tolerance that allows nothing (`'exact'`, all zero).
   */
  tolerance: toleranceField('tolerance').optional(),
  /** Inputs to compare predictions on; default 16 seeded random rows of the model's input shape. */
  probe: field<ProbeInput>('probe', 'nested number arrays or { shape, values }', (v) => Array.isArray(v) || (typeof v === 'object' && v !== null && Array.isArray((v as { shape?: unknown }).shape) && 'values' in v)).optional(),
  /** Seed handed to every run (default: the running test's `t.seed`, or 1 outside a test). */
  seed: z.number().int().optional(),
  /** tfjs backend(s): 'cpu', 'wasm', 'tensorflow' (tfjs-node) or 'none' for non-tfjs models.
   *  Default 'tensorflow' when tfjs-node is installed, else 'cpu'. Runs compare within a backend. */
  backend: field<string | string[]>('backend', "a backend name such as 'cpu', or a non-empty array of them", (v) => isName(v) || (Array.isArray(v) && v.length > 0 && v.every(isName))).optional(),
  /** Weight checkpoints recorded during `model.fit` (default 'batch'). */
  checkpoints: z.enum(CHECKPOINTS as [CheckpointLevel, ...CheckpointLevel[]]).default('batch'),
})

export type CheckReproducibleOptions = z.input<typeof checkReproducibleOptions>

export interface ReproducibilityResult {
  reproducible: boolean
  seed: number
  isolation: Isolation
  groups: BackendGroup[]
  crossBackend: CrossBackendDiff[]
  report: string
}

function validate(train: unknown, options: CheckReproducibleOptions) {
  const { runs, isolation, compare, tolerance, probe, seed: given, backend, checkpoints } = parseCheckOptions('checkReproducible', checkReproducibleOptions, options)
  if (typeof train !== 'function' && !isTrainModuleRef(train)) {
    throw new TypeError("checkReproducible: train must be a function or { module: import.meta.url, export: 'train' }")
  }
  if (typeof train === 'function' && isolation !== 'same-worker') {
    throw new TypeError(
      `checkReproducible: a function cannot cross into another ${isolation === 'separate-workers' ? 'worker thread' : 'process'} — export it and pass { module: import.meta.url, export: 'train' }, or use { isolation: 'same-worker' }`,
    )
  }
  const backends = [backend ?? defaultBackend()].flat()
  const seed = given ?? currentTest()?.seed ?? 1
  return { runs, isolation, compare, tolerance, probe, backends, seed, checkpoints }
}

/** Runs `tasks` with at most `limit` in flight, keeping their order in the result. */
async function limited<T>(tasks: Array<() => Promise<T>>, limit: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length)
  let next = 0
  const lane = async () => {
    while (next < tasks.length) {
      const i = next++
      results[i] = await tasks[i]!()
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, lane))
  return results
}

function crossBackend(groups: BackendGroup[]): CrossBackendDiff[] {
  const [first, ...rest] = groups
  return rest.flatMap((g) => {
    const a = first!.runs[0]!
    const b = g.runs[0]!
    if (a.weights.length !== b.weights.length) return []
    const diffs = a.weights.map((w, i) => diffArrays(w.values, b.weights[i]!.values))
    return [{ backend: g.backend, reference: first!.backend, identical: diffs.every((d) => d.identical), maxAbsDiff: Math.max(...diffs.map((d) => d.maxAbsDiff)), maxUlp: Math.max(...diffs.map((d) => d.maxUlp)) }]
  })
}

/**
 * Trains `runs` times per backend with one seed and checks that weights, probe predictions
 * and metrics agree. Returns the result when they do; throws an assertion error whose message
 * is the report when they do not (a `CheckFailure` with the `result`). Records practice `reproducible-training` on the test.
 */
export async function checkReproducible(train: TrainFn | TrainModuleRef, options: CheckReproducibleOptions = {}): Promise<ReproducibilityResult> {
  const { runs, isolation, compare, tolerance, backends, seed, checkpoints, ...given } = validate(train, options)
  const probe = given.probe === undefined ? 'auto' : toShapedValues(given.probe)
  const spec = (run: number, backend: string): RunSpec => ({ run, seed, backend, checkpoints, probe, dispose: isolation === 'same-worker' })
  const plan = backends.flatMap((backend) => Array.from({ length: runs }, (_, i) => spec(i + 1, backend)))
  const records: RunRecord[] = isolation === 'same-worker' ? await runHere(train, plan) : await runIsolated(train as TrainModuleRef, plan, isolation)
  const byBackend = new Map(backends.map((b) => [b, records.filter((_, i) => plan[i]!.backend === b)]))
  const groups = compareGroups(byBackend, compare, tolerance)
  const reproducible = groups.every((g) => g.reproducible)
  const name = typeof train === 'function' ? train.name || 'train' : `{ module: '${moduleUrlOf(train)}', export: '${train.export}' }`
  const backendArg = backends.length === 1 ? `'${backends[0]}'` : JSON.stringify(backends).replace(/"/g, "'")
  const replay = `checkReproducible(${name}, { seed: ${seed}, backend: ${backendArg}, isolation: '${isolation}', runs: ${runs} })`
  const cross = crossBackend(groups)
  const report = formatReport({ groups, crossBackend: cross, seed, isolation, tolerance, replay })
  record(groups, cross, { reproducible, seed, isolation, runs })
  const result: ReproducibilityResult = { reproducible, seed, isolation, groups, crossBackend: cross, report }
  if (!reproducible) throw Object.assign(new CheckFailure(report), { result })
  return result
}

/** One fresh worker (or process) per run, as many at once as there are cores; the first failure stops the rest. */
async function runIsolated(ref: TrainModuleRef, plan: RunSpec[], isolation: Isolation): Promise<RunRecord[]> {
  const runOne = isolation === 'separate-processes' ? runInChildProcess : runInWorkerThread
  const stop = new AbortController()
  const testSignal = currentTest()?.signal
  const signal = testSignal ? AbortSignal.any([stop.signal, testSignal]) : stop.signal
  try {
    return await limited(plan.map((s) => () => runOne(ref, s, signal)), availableParallelism())
  } catch (error) {
    stop.abort(new Error('another run failed'))
    throw error
  }
}

async function runHere(train: TrainFn | TrainModuleRef, plan: RunSpec[]): Promise<RunRecord[]> {
  const fn = typeof train === 'function' ? train : await importTrain(train)
  const tf = plan.some((s) => s.backend !== 'none') ? await loadTfjs() : undefined
  // Settle the default backend first, so the one to restore is known even on first use.
  await tf?.ready()
  const previous = tf?.getBackend()
  const records: RunRecord[] = []
  try {
    for (const s of plan) records.push(await runTraining(fn, s))
  } finally {
    if (tf && previous && tf.getBackend() !== previous) await tf.setBackend(previous)
  }
  return records
}

async function importTrain(ref: TrainModuleRef): Promise<TrainFn> {
  const mod = (await import(moduleUrlOf(ref))) as Record<string, unknown>
  const fn = mod[ref.export]
  if (typeof fn !== 'function') throw new TypeError(`checkReproducible: ${moduleUrlOf(ref)} has no exported function "${ref.export}"`)
  return fn as TrainFn
}

function record(groups: BackendGroup[], cross: CrossBackendDiff[], info: { reproducible: boolean; seed: number; isolation: string; runs: number }): void {
  const comparisons = groups.flatMap((g) => g.comparisons)
  const tensors = comparisons.flatMap((c) => c.tensors)
  const firstBad = comparisons.find((c) => c.firstDivergentTensor)
  const metrics: Record<string, string | number | boolean | null> = {
    ...info,
    backends: groups.map((g) => g.backend).join(','),
    weightTensors: groups[0]?.runs[0]?.weights.length ?? 0,
    divergentTensors: new Set(tensors.filter((t) => t.diff.violating > 0).map((t) => t.index)).size,
    firstDivergentTensor: firstBad?.firstDivergentTensor?.name ?? null,
    firstDivergentCheckpoint: comparisons.find((c) => c.firstDivergentCheckpoint)?.firstDivergentCheckpoint?.label ?? null,
    maxAbsDiff: Math.max(0, ...tensors.map((t) => t.diff.maxAbsDiff)),
    maxUlp: Math.max(0, ...tensors.map((t) => t.diff.maxUlp)),
    predictionsMaxAbsDiff: Math.max(0, ...comparisons.map((c) => c.predictions?.maxAbsDiff ?? 0)),
    unseededRandomCalls: Math.max(0, ...groups.flatMap((g) => g.runs.map((r) => r.diagnostics.unseededRandomCalls))),
  }
  for (const g of groups) for (const r of g.runs) metrics[`sha256.${g.backend}.run${r.run}`] = r.weightsSha256
  for (const x of cross) metrics[`crossBackendMaxUlp.${x.backend}`] = x.maxUlp
  const failing = groups.filter((g) => !g.reproducible).map((g) => g.backend)
  recordCheck({
    check: 'checkReproducible',
    practice: 'reproducible-training',
    verdict: info.reproducible ? 'pass' : 'fail',
    metrics,
    summary: info.reproducible
      ? `${info.runs} runs per backend agree on ${metrics.backends} (max ULP ${metrics.maxUlp})`
      : `runs differ on ${failing.join(', ')}; first divergent tensor ${metrics.firstDivergentTensor ?? 'none (predictions or metrics differ)'}`,
    figures: reproducibilityFigures(groups),
  })
}
