/**
 * `checkModelParity`: two implementations of one model (the tfjs model that was trained, the
 * ONNX export onnxruntime serves, a hand-written predict function) run on the same inputs and
 * compared output by output, so a conversion or runtime difference is caught before users see it.
 */
import { CheckFailure, compareArrays, describeTolerance, formatNumber, parseCheckOptions, recordCheck, z, type Tolerance, type UlpMax } from 'mltest/plugin'
import { modelParityFigures } from './_internals/figures.ts'
import { describeModel, predictRows, type ModelImplementation } from './_internals/model-runner.ts'
import { arraySchema, refined, shown, toleranceSchema } from './_internals/option-schemas.ts'
import { assertOptions, countOf, describeUlps, mergeUlps } from './_internals/report-format.ts'
import { toleranceLookup } from './_internals/tolerance.ts'

export type { ModelImplementation, PredictFunction } from './_internals/model-runner.ts'

export interface CheckModelParityOptions {
  /** Input rows, the same for both implementations (one feature vector per row). */
  inputs: readonly (readonly number[] | Float32Array)[]
  /** Per-output tolerance, relative to `a`'s output (default { atol: 1e-5, rtol: 1e-5 }). */
  tolerance?: Tolerance
  /** Largest allowed fraction of inputs with any output out of tolerance (default 0). */
  maxFractionOutOfTolerance?: number
  /** Compare top-1 classes (default: when outputs have more than one column). */
  classifier?: boolean
  /** Smallest allowed top-1 agreement rate for classifiers (default 1: every input agrees). */
  minTop1Agreement?: number
  /** Labels for `a` and `b` in the report (default: from the implementation kind). */
  names?: readonly [string, string]
  /** Worst inputs shown in the report (default 3). */
  worst?: number
  /**
   * Accept NaN and ±Infinity outputs and compare them as values (NaN equals NaN). Default
   * false: any non-finite output fails the check, since two broken models agree perfectly.
   */
  allowNonFinite?: boolean
}

export interface ModelParityResult {
  examples: number
  outputsPerExample: number
  maxAbsDiff: number
  /** Largest float32 ULP distance over output pairs that are both float32 values (tfjs, onnxruntime), or null if none. */
  maxUlpDiff: number | null
  /** Largest float64 ULP distance over output pairs where a value is not a float32 value, or null if none. */
  maxUlpDiffFloat64: number | null
  /** Outputs of `a` and of `b` that are NaN or ±Infinity. */
  nonFiniteA: number
  nonFiniteB: number
  examplesOutOfTolerance: number
  fractionOutOfTolerance: number
  /** Fraction of inputs where both predict the same class, or null when not a classifier. */
  top1Agreement: number | null
  /** Indices of the worst inputs, worst first: top-1 disagreements, then largest abs diff. */
  worstInputs: number[]
}

/** Every option, declared once; `satisfies` keeps it in step with the interface above. */
const optionsSchema = z.object({
  inputs: arraySchema<CheckModelParityOptions['inputs']>('inputs', 'input rows', { nonEmpty: true }),
  tolerance: toleranceSchema<Tolerance>('tolerance', { map: false }).optional(),
  maxFractionOutOfTolerance: z.number().min(0).max(1).optional(),
  classifier: z.boolean().optional(),
  minTop1Agreement: z.number().min(0).max(1).optional(),
  names: refined<readonly [string, string]>((v) => (Array.isArray(v) && v.length === 2 && v.every((name) => typeof name === 'string')
    ? undefined
    : `option "names" must be two labels [a, b], e.g. ['tfjs', 'onnxruntime'] (got ${shown(v)})`)).optional(),
  worst: z.number().int().min(1).optional(),
  allowNonFinite: z.boolean().optional(),
} satisfies Record<keyof CheckModelParityOptions, z.ZodType>)

function row(values: ArrayLike<number>, start: number, width: number): string {
  const shown = Array.from({ length: Math.min(width, 6) }, (_, i) => formatNumber(values[start + i]!))
  return `[${shown.join(', ')}${width > 6 ? ', …' : ''}]`
}

/** Index of the largest value (first one on ties), the class a classifier predicts. */
function argmax(values: ArrayLike<number>, start: number, length: number): number {
  let best = 0
  for (let i = 1; i < length; i++) if (values[start + i]! > values[start + best]!) best = i
  return best
}

/** NaN and ±Infinity counts of a flat output. */
function nonFinite(values: ArrayLike<number>): { nan: number; infinite: number } {
  let nan = 0
  let infinite = 0
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!
    if (Number.isNaN(v)) nan++
    else if (!Number.isFinite(v)) infinite++
  }
  return { nan, infinite }
}

/**
 * Runs `a` (the reference) and `b` on `inputs` and compares: max abs diff, max ULP diff
 * (float32 ULPs for float32 outputs, float64 otherwise), fraction of inputs out of tolerance,
 * non-finite outputs and, for classifiers, top-1 agreement. Throws an assertion error showing
 * the worst inputs with both outputs when a threshold is exceeded.
 */
export async function checkModelParity(a: ModelImplementation, b: ModelImplementation, options: CheckModelParityOptions): Promise<ModelParityResult> {
  const check = 'checkModelParity'
  assertOptions(options, check, 'as the third argument, e.g. checkModelParity(a, b, { inputs })')
  parseCheckOptions(check, optionsSchema, options)
  const rows = options.inputs.map((r, i) => {
    if (!Array.isArray(r) && !ArrayBuffer.isView(r)) throw new TypeError(`${check}: input row #${i} is ${shown(r)}; each input row must be an array or typed array of numbers`)
    return Array.from(r)
  })
  const width = rows[0]!.length
  const ragged = rows.findIndex((r) => r.length !== width)
  if (ragged >= 0) throw new TypeError(`${check}: input row #${ragged} has ${rows[ragged]!.length} values but row #0 has ${width}; inputs must be a rectangular batch`)
  const tolerance = toleranceLookup(options.tolerance ?? { atol: 1e-5, rtol: 1e-5 })('output')
  const maxFraction = options.maxFractionOutOfTolerance ?? 0
  const minTop1 = options.minTop1Agreement ?? 1
  const [nameA, nameB] = options.names ?? [describeModel(a), describeModel(b)]
  const outA = await predictRows(a, rows, 'a', nameA)
  const outB = await predictRows(b, rows, 'b', nameB)
  const n = rows.length
  const header = `${check}: ${nameA} (a, reference) vs ${nameB} (b) on ${n} inputs`
  if (outA.width !== outB.width) {
    const summary = `output shapes differ: [${outA.shape.join(', ')}] vs [${outB.shape.join(', ')}]`
    recordCheck({ check, practice: 'train-serve-skew', verdict: 'fail', metrics: { examples: n, outputsA: outA.width, outputsB: outB.width }, summary })
    throw new CheckFailure(`${header}\n  ${summary}`)
  }
  const k = outA.width
  const classifier = options.classifier ?? k > 1
  const exampleAbs = new Float64Array(n)
  const exampleUlps: UlpMax[] = []
  const disagrees = new Uint8Array(n)
  const broken = new Uint8Array(n)
  const overall: UlpMax = { float32: null, float64: null }
  let outOfTolerance = 0
  let agreements = 0
  const rowOf = (values: ArrayLike<number>, i: number) => Array.from({ length: k }, (_, j) => values[i * k + j]!)
  for (let i = 0; i < n; i++) {
    const rowA = rowOf(outA.values, i)
    const rowB = rowOf(outB.values, i)
    if (!rowA.every(Number.isFinite) || !rowB.every(Number.isFinite)) broken[i] = 1
    // Relative to a, the reference; NaN against NaN is compared as a value (non-finite outputs fail on their own, below).
    const c = compareArrays(rowB, rowA, tolerance, { equalNaN: true })
    exampleAbs[i] = c.maxAbsDiff
    exampleUlps.push(c.maxUlps)
    mergeUlps(overall, c.maxUlps)
    if (c.mismatches > 0) outOfTolerance++
    if (classifier) {
      if (argmax(outA.values, i * k, k) === argmax(outB.values, i * k, k)) agreements++
      else disagrees[i] = 1
    }
  }
  const badA = nonFinite(outA.values)
  const badB = nonFinite(outB.values)
  const allowNonFinite = options.allowNonFinite ?? false
  const result: ModelParityResult = {
    examples: n,
    outputsPerExample: k,
    maxAbsDiff: exampleAbs.reduce((m, v) => Math.max(m, v), 0),
    maxUlpDiff: overall.float32,
    maxUlpDiffFloat64: overall.float64,
    nonFiniteA: badA.nan + badA.infinite,
    nonFiniteB: badB.nan + badB.infinite,
    examplesOutOfTolerance: outOfTolerance,
    fractionOutOfTolerance: outOfTolerance / n,
    top1Agreement: classifier ? agreements / n : null,
    worstInputs: [...exampleAbs.keys()]
      .sort((x, y) => broken[y]! - broken[x]! || disagrees[y]! - disagrees[x]! || exampleAbs[y]! - exampleAbs[x]!)
      .slice(0, options.worst ?? 3),
  }
  const toleranceFailed = result.fractionOutOfTolerance > maxFraction
  const top1Failed = result.top1Agreement !== null && result.top1Agreement < minTop1
  const nonFiniteFailed = !allowNonFinite && result.nonFiniteA + result.nonFiniteB > 0
  const failed = toleranceFailed || top1Failed || nonFiniteFailed
  const top1Text = result.top1Agreement === null ? '' : ` · top-1 agreement ${countOf(agreements, n)} (threshold >= ${formatNumber(minTop1 * 100)}%)`
  const ulpText = describeUlps({ float32: result.maxUlpDiff, float64: result.maxUlpDiffFloat64 })
  const nonFiniteText = `non-finite outputs a ${result.nonFiniteA} / b ${result.nonFiniteB} of ${n * k}${allowNonFinite ? ' (allowed)' : ''}`
  const summary = `max abs diff ${formatNumber(result.maxAbsDiff)}, max ulp diff ${ulpText}, out of tolerance ${countOf(outOfTolerance, n)}${top1Text} · ${nonFiniteText}`
  recordCheck({
    check, practice: 'train-serve-skew', verdict: failed ? 'fail' : 'pass', summary,
    metrics: {
      examples: n, outputsPerExample: k, maxAbsDiff: result.maxAbsDiff, maxUlpDiff: result.maxUlpDiff, maxUlpDiffFloat64: result.maxUlpDiffFloat64,
      nonFiniteA: result.nonFiniteA, nonFiniteB: result.nonFiniteB, allowNonFinite,
      tolerance: describeTolerance(tolerance), examplesOutOfTolerance: outOfTolerance,
      fractionOutOfTolerance: result.fractionOutOfTolerance, maxFractionOutOfTolerance: maxFraction,
      top1Agreement: result.top1Agreement, minTop1Agreement: classifier ? minTop1 : null,
    },
    figures: modelParityFigures([nameA, nameB], outA.values, outB.values, k, tolerance),
  })
  if (!failed) return result
  const worstLines = result.worstInputs.map((i) => {
    const flip = disagrees[i] ? ` · top-1 ${argmax(outA.values, i * k, k)} vs ${argmax(outB.values, i * k, k)}` : ''
    return `    #${i} input ${row(rows[i]!, 0, width)} → a ${row(outA.values, i * k, k)} b ${row(outB.values, i * k, k)} · max abs diff ${formatNumber(exampleAbs[i]!)} (${describeUlps(exampleUlps[i]!)})${flip}`
  })
  throw new CheckFailure([
    header,
    `  tolerance per output: ${describeTolerance(tolerance)} (relative to a); allowed fraction of inputs out of tolerance: ${formatNumber(maxFraction)}`,
    `  ${summary}`,
    ...(toleranceFailed ? [`  ✗ ${countOf(outOfTolerance, n)} inputs have an output out of tolerance (allowed ${formatNumber(maxFraction * 100)}%)`] : []),
    ...(top1Failed ? [`  ✗ top-1 class differs on ${n - agreements} of ${n} inputs`] : []),
    ...(nonFiniteFailed ? [`  ✗ non-finite outputs: a ${result.nonFiniteA} of ${n * k} (NaN ${badA.nan}, ±Infinity ${badA.infinite}), b ${result.nonFiniteB} of ${n * k} (NaN ${badB.nan}, ±Infinity ${badB.infinite}); threshold 0 (pass allowNonFinite: true to compare them as values)`] : []),
    `  worst inputs:`,
    ...worstLines,
  ].join('\n'))
}
