/**
 * `rollbackDrill`: practices the rollback a team hopes never to need. It points the registry's
 * `current` back to the version registered before it, loads that model, reproduces its
 * recorded golden outputs within a tolerance, measures its latency against its budget, and
 * puts the pointer back (also when the drill fails). A rollback nobody practices does not
 * work when it is needed: a previous model that no longer loads, or no longer gives its
 * outputs, is found in CI instead of during an incident.
 */
import { CheckFailure, compareArrays, describeTolerance, formatNumber, parseCheckOptions, recordCheck, validateTolerance, z, type AnnotationValue, type Tolerance } from 'mltest/plugin'
import { firstLine } from './_internals/release-file-error.ts'
import { medianInterval, type MedianInterval } from './_internals/median-interval.ts'
import { loadModel, type ModelLoader, type Predictor } from './_internals/model-loader.ts'
import { timelineFigure, type DrillStep } from './_internals/rollback-figure.ts'
import { openRegistry, type GoldenOutputs, type Registry } from './registry.ts'

export type { ModelLoader, Predictor } from './_internals/model-loader.ts'
export type { DrillStep } from './_internals/rollback-figure.ts'

export interface RollbackDrillOptions {
  /** The registry, or its folder. */
  registry: Registry | string
  /** Inputs and expected outputs (default: the golden outputs registered with the previous version). */
  golden?: GoldenOutputs
  /** How close reproduced outputs must be (default { atol: 1e-5, rtol: 1e-5 }). */
  tolerance?: Tolerance
  /** Median latency budget in ms of one call on the golden inputs (default: the previous version's registered budget). */
  budget?: number
  /** Timed calls for the latency interval (default 30; at least 6 for a 95% interval). */
  runs?: number
  /** Confidence of the latency interval (default 0.95). */
  confidence?: number
  /** Loads a model file into a predictor (default: onnxruntime-node for .onnx files). */
  load?: ModelLoader
}

export interface RollbackDrillResult {
  verdict: 'pass' | 'fail' | 'inconclusive'
  /** The version that was current before the drill (and is again after it). */
  from: string
  /** The version the drill rolled back to. */
  to: string
  /** Pointer switch + load + golden outputs reproduced: how long a rollback takes until it is verified. */
  rollbackMs: number
  totalMs: number
  /** True when the pointer named `from` again after the drill. */
  restored: boolean
  steps: DrillStep[]
  golden?: { rows: number; outputs: number; mismatchedRows: number; maxAbsDiff: number }
  latency?: MedianInterval & { runs: number; budgetMs: number | null; confidence: number }
  problems: string[]
  reason?: string
}

const optionsSchema = z.object({
  registry: z.custom<Registry | string>((v) => typeof v === 'string' || (typeof v === 'object' && v !== null && typeof (v as Registry).setCurrent === 'function'), {
    message: 'option "registry" must be a registry (openRegistry(dir)) or its folder',
  }),
  golden: z.object({ inputs: z.array(z.array(z.number())).min(1), outputs: z.array(z.array(z.number())).min(1) }).optional(),
  tolerance: z.custom<Tolerance>((v) => {
    try {
      validateTolerance(v)
      return true
    } catch {
      return false
    }
  }, { message: "option \"tolerance\" must be 'exact' or { atol?, rtol?, ulps? }" }).optional(),
  budget: z.number().positive().optional(),
  runs: z.number().int().min(1).max(100_000).optional(),
  confidence: z.number().gt(0.5).lt(1).optional(),
  load: z.custom<ModelLoader>((v) => typeof v === 'function', { message: 'option "load" must be a function (modelPath, version) => predictor' }).optional(),
} satisfies Record<keyof RollbackDrillOptions, z.ZodType>)

const WARMUP_CALLS = 3
const now = performance.now.bind(performance)

export async function rollbackDrill(options: RollbackDrillOptions): Promise<RollbackDrillResult> {
  const check = 'rollbackDrill'
  const parsed = parseCheckOptions(check, optionsSchema, options)
  const registry = typeof parsed.registry === 'string' ? openRegistry(parsed.registry) : parsed.registry
  const current = registry.current()
  if (!current) throw new TypeError(`${check}: the registry ${registry.dir} has no current version — set one with registry.setCurrent(version)`)
  const previous = registry.previous()
  const header = `${check}: ${registry.dir}`
  if (!previous) {
    const line = `current version ${current.version} is the first registered: there is no previous version to roll back to`
    recordCheck({ check, practice: 'rollback', verdict: 'fail', metrics: { from: current.version, to: null }, summary: line })
    throw new CheckFailure(`${header}\n  ✗ ${line}`)
  }
  const golden = parsed.golden ?? previous.golden
  if (!golden) throw new TypeError(`${check}: no golden outputs for ${previous.version} — register them (registry.register(version, model, manifest, { golden: { inputs, outputs } })) or pass golden: { inputs, outputs }`)
  if (golden.inputs.length !== golden.outputs.length) throw new TypeError(`${check}: golden has ${golden.inputs.length} input rows but ${golden.outputs.length} output rows`)
  const tolerance: Tolerance = parsed.tolerance ?? { atol: 1e-5, rtol: 1e-5 }
  const budget = parsed.budget ?? previous.latencyBudgetMs ?? null
  const runs = parsed.runs ?? 30
  const confidence = parsed.confidence ?? 0.95

  const steps: DrillStep[] = []
  const problems: string[] = []
  const start = now()
  const step = async <T>(name: string, fn: () => Promise<T> | T, detail: (value: T) => string): Promise<T | undefined> => {
    const t0 = now() - start
    try {
      const value = await fn()
      steps.push({ step: name, status: 'ok', startMs: t0, endMs: now() - start, detail: detail(value) })
      return value
    } catch (error) {
      const message = firstLine(error)
      steps.push({ step: name, status: 'failed', startMs: t0, endMs: now() - start, detail: message })
      problems.push(`${name}: ${message}`)
      return undefined
    }
  }
  const skip = (name: string, why: string) => steps.push({ step: name, status: 'skipped', startMs: now() - start, endMs: now() - start, detail: why })

  let switched = false
  let restored = false
  let rollbackMs = Number.NaN
  let goldenResult: RollbackDrillResult['golden']
  let latency: RollbackDrillResult['latency']
  let reason: string | undefined
  try {
    await step('switch pointer', () => {
      registry.setCurrent(previous.version)
      switched = true
      const reads = registry.current()?.version
      if (reads !== previous.version) throw new Error(`the pointer reads ${reads} after being set to ${previous.version}`)
      return reads
    }, (v) => `current → ${v}`)
    const predictor = switched
      ? await step('load', () => loadModel(registry.current()!.modelPath, previous.version, parsed.load), () => `${previous.modelPath.slice(previous.dir.length + 1)} loaded`)
      : undefined
    if (predictor) {
      goldenResult = await step('golden outputs', () => compareGolden(predictor, golden, tolerance), (g) => `${g.rows - g.mismatchedRows} of ${g.rows} rows reproduced, max |diff| ${formatNumber(g.maxAbsDiff)}`)
      if (goldenResult && goldenResult.mismatchedRows > 0) {
        steps[steps.length - 1]!.status = 'failed'
        problems.push(`golden outputs: ${goldenResult.mismatchedRows} of ${goldenResult.rows} rows differ beyond ${describeTolerance(tolerance)} (max |diff| ${formatNumber(goldenResult.maxAbsDiff)})`)
      }
      rollbackMs = now() - start
      latency = await step('latency', () => measureLatency(predictor, golden.inputs, runs, confidence, budget), (l) => `median ${formatNumber(l.median)} ms over ${l.runs} calls`)
    } else {
      skip('golden outputs', 'the model did not load')
      skip('latency', 'the model did not load')
    }
  } finally {
    if (switched) {
      await step('restore pointer', () => {
        const pointer = registry.pointer()
        if (pointer?.version !== previous.version) throw new Error(`another process moved the pointer to ${pointer?.version} during the drill; left as it is`)
        registry.setCurrent(current.version)
        restored = registry.current()?.version === current.version
        if (!restored) throw new Error(`the pointer does not read ${current.version} after restoring it`)
        return current.version
      }, (v) => `current → ${v}`)
    }
  }
  const totalMs = now() - start

  if (latency && budget !== null) {
    const { low, high, median } = latency
    const interval = low === undefined ? 'no interval' : `${Math.round(confidence * 100)}% CI [${formatNumber(low)}, ${formatNumber(high!)}] ms`
    if (low === undefined) reason = `${runs} timed calls are too few for a ${Math.round(confidence * 100)}% interval of the median latency (at least 6 are needed at 95%); raise runs.`
    else if (low > budget) problems.push(`latency: median ${formatNumber(median)} ms, ${interval}, is above the ${formatNumber(budget)} ms budget (n = ${runs})`)
    else if (high! > budget) reason = `The median latency ${formatNumber(median)} ms (${interval}, n = ${runs}) may be on either side of the ${formatNumber(budget)} ms budget; more runs narrow the interval.`
  }
  const verdict = problems.length > 0 ? 'fail' : reason ? 'inconclusive' : 'pass'
  const latencyText = !latency
    ? 'latency not measured'
    : `median latency ${formatNumber(latency.median)} ms${latency.low !== undefined ? ` (${Math.round(confidence * 100)}% CI [${formatNumber(latency.low)}, ${formatNumber(latency.high!)}], n = ${latency.runs})` : ` (n = ${latency.runs})`} ${budget === null ? 'with no budget registered (not judged)' : `vs budget ${formatNumber(budget)} ms`}`
  const rolled = Number.isNaN(rollbackMs) ? `rollback ${current.version} → ${previous.version} not completed (the model did not load)` : `rolled back ${current.version} → ${previous.version} in ${formatNumber(rollbackMs)} ms (switch, load, golden${goldenResult?.mismatchedRows ? ': outputs differ' : ''})`
  const summary = `${rolled}; ${latencyText}; pointer ${restored ? 'restored' : 'NOT restored'}`
  const metrics: Record<string, AnnotationValue> = {
    from: current.version,
    to: previous.version,
    rollbackMs: Number.isNaN(rollbackMs) ? null : rollbackMs,
    totalMs,
    restored,
    goldenRows: golden.inputs.length,
    goldenMismatchedRows: goldenResult?.mismatchedRows ?? null,
    goldenMaxAbsDiff: goldenResult?.maxAbsDiff ?? null,
    tolerance: describeTolerance(tolerance),
    latencyRuns: latency?.runs ?? null,
    latencyMedianMs: latency?.median ?? null,
    latencyCiLowMs: latency?.low ?? null,
    latencyCiHighMs: latency?.high ?? null,
    latencyConfidence: confidence,
    latencyTest: 'order-statistic interval of the median (binomial, distribution-free)',
    budgetMs: budget,
  }
  recordCheck({
    check,
    practice: 'rollback',
    verdict,
    metrics,
    summary,
    ...(verdict === 'inconclusive' ? { reason: reason! } : {}),
    figures: [timelineFigure(steps, current.version, previous.version)],
  })
  const result: RollbackDrillResult = { verdict, from: current.version, to: previous.version, rollbackMs, totalMs, restored, steps, problems, ...(goldenResult ? { golden: goldenResult } : {}), ...(latency ? { latency } : {}), ...(verdict === 'inconclusive' ? { reason } : {}) }
  if (verdict === 'fail') {
    const lines = steps.map((s) => `  ${s.status === 'ok' ? '✓' : s.status === 'failed' ? '✗' : '-'} ${s.step.padEnd(16)} ${(s.status === 'skipped' ? '—' : formatNumber(s.endMs - s.startMs)).padStart(8)} ms  ${s.detail}`)
    throw new CheckFailure(`${header}: rollback ${current.version} → ${previous.version} failed\n${lines.join('\n')}\n${problems.map((p) => `  ✗ ${p}`).join('\n')}\n  ${summary}`)
  }
  return result
}

async function compareGolden(predictor: Predictor, golden: GoldenOutputs, tolerance: Tolerance) {
  const outputs = await predictor(golden.inputs)
  if (outputs.length !== golden.outputs.length) throw new Error(`the model gave ${outputs.length} output rows for ${golden.inputs.length} golden inputs`)
  let mismatchedRows = 0
  let maxAbsDiff = 0
  let total = 0
  outputs.forEach((row, i) => {
    const expected = golden.outputs[i]!
    if (row.length !== expected.length) throw new Error(`output row #${i} has ${row.length} values, the golden row ${expected.length}`)
    const c = compareArrays(row, expected, tolerance)
    total += c.total
    if (c.mismatches > 0) mismatchedRows++
    maxAbsDiff = Math.max(maxAbsDiff, c.maxAbsDiff)
  })
  return { rows: outputs.length, outputs: total, mismatchedRows, maxAbsDiff }
}

async function measureLatency(predictor: Predictor, inputs: number[][], runs: number, confidence: number, budgetMs: number | null) {
  for (let i = 0; i < WARMUP_CALLS; i++) await predictor(inputs)
  const samples: number[] = []
  for (let i = 0; i < runs; i++) {
    const t0 = now()
    await predictor(inputs)
    samples.push(now() - t0)
  }
  return { ...medianInterval(samples, confidence), runs, budgetMs, confidence }
}
