/**
 * `checkModelParity`: two implementations of one model (the tfjs model that was trained, the
 * ONNX export onnxruntime serves, a hand-written predict function) run on the same inputs and
 * compared output by output, so a conversion or runtime difference is caught before users see it.
 */
import { recordCheck } from '../../core/index.ts'
import { argmax, absDistance, ulpDistance } from './_internals/float-distance.ts'
import { describeModel, predictRows, type ModelImplementation } from './_internals/model-runner.ts'
import { countOf, fmt, fraction, parityFailure, positiveInteger } from './_internals/report-format.ts'
import { describeTolerance, toleranceLookup, withinTolerance, type Tolerance } from './_internals/tolerance.ts'

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
}

export interface ModelParityResult {
  examples: number
  outputsPerExample: number
  maxAbsDiff: number
  maxUlpDiff: number
  examplesOutOfTolerance: number
  fractionOutOfTolerance: number
  /** Fraction of inputs where both predict the same class, or null when not a classifier. */
  top1Agreement: number | null
  /** Indices of the worst inputs, worst first: top-1 disagreements, then largest abs diff. */
  worstInputs: number[]
}

function row(values: ArrayLike<number>, start: number, width: number): string {
  const shown = Array.from({ length: Math.min(width, 6) }, (_, i) => fmt(values[start + i]!))
  return `[${shown.join(', ')}${width > 6 ? ', …' : ''}]`
}

/**
 * Runs `a` (the reference) and `b` on `inputs` and compares: max abs diff, max float32 ULP
 * diff, fraction of inputs out of tolerance and, for classifiers, top-1 agreement. Throws an
 * assertion error showing the worst inputs with both outputs when a threshold is exceeded.
 */
export async function checkModelParity(a: ModelImplementation, b: ModelImplementation, options: CheckModelParityOptions): Promise<ModelParityResult> {
  const check = 'checkModelParity'
  const rows = (options?.inputs ?? []).map((r) => Array.from(r))
  if (rows.length === 0) throw new TypeError(`${check}: \`inputs\` is empty; pass the input rows both implementations should predict on`)
  const width = rows[0]!.length
  const ragged = rows.findIndex((r) => r.length !== width)
  if (ragged >= 0) throw new TypeError(`${check}: input row #${ragged} has ${rows[ragged]!.length} values but row #0 has ${width}; inputs must be a rectangular batch`)
  const tolerance = toleranceLookup(options.tolerance ?? { atol: 1e-5, rtol: 1e-5 })('output')
  const maxFraction = fraction(options.maxFractionOutOfTolerance, 0, 'maxFractionOutOfTolerance')
  const minTop1 = fraction(options.minTop1Agreement, 1, 'minTop1Agreement')
  const [nameA, nameB] = options.names ?? [describeModel(a), describeModel(b)]
  const outA = await predictRows(a, rows, nameA)
  const outB = await predictRows(b, rows, nameB)
  const n = rows.length
  const header = `${check}: ${nameA} (a, reference) vs ${nameB} (b) on ${n} inputs`
  if (outA.width !== outB.width) {
    const summary = `output shapes differ: [${outA.shape.join(', ')}] vs [${outB.shape.join(', ')}]`
    recordCheck({ check, practice: 'train-serve-skew', verdict: 'fail', metrics: { examples: n, outputsA: outA.width, outputsB: outB.width }, summary })
    throw parityFailure(`${header}\n  ${summary}`)
  }
  const k = outA.width
  const classifier = options.classifier ?? k > 1
  const exampleAbs = new Float64Array(n)
  const exampleUlp = new Float64Array(n)
  const disagrees = new Uint8Array(n)
  let outOfTolerance = 0
  let agreements = 0
  for (let i = 0; i < n; i++) {
    let out = false
    for (let j = i * k; j < (i + 1) * k; j++) {
      const va = outA.values[j]!
      const vb = outB.values[j]!
      exampleAbs[i] = Math.max(exampleAbs[i]!, absDistance(va, vb))
      exampleUlp[i] = Math.max(exampleUlp[i]!, ulpDistance(va, vb))
      if (!withinTolerance(va, vb, tolerance)) out = true
    }
    if (out) outOfTolerance++
    if (classifier) {
      if (argmax(outA.values, i * k, k) === argmax(outB.values, i * k, k)) agreements++
      else disagrees[i] = 1
    }
  }
  const result: ModelParityResult = {
    examples: n,
    outputsPerExample: k,
    maxAbsDiff: exampleAbs.reduce((m, v) => Math.max(m, v), 0),
    maxUlpDiff: exampleUlp.reduce((m, v) => Math.max(m, v), 0),
    examplesOutOfTolerance: outOfTolerance,
    fractionOutOfTolerance: outOfTolerance / n,
    top1Agreement: classifier ? agreements / n : null,
    worstInputs: [...exampleAbs.keys()]
      .sort((x, y) => disagrees[y]! - disagrees[x]! || exampleAbs[y]! - exampleAbs[x]!)
      .slice(0, positiveInteger(options.worst, 3, 'worst')),
  }
  const toleranceFailed = result.fractionOutOfTolerance > maxFraction
  const top1Failed = result.top1Agreement !== null && result.top1Agreement < minTop1
  const failed = toleranceFailed || top1Failed
  const top1Text = result.top1Agreement === null ? '' : ` · top-1 agreement ${countOf(agreements, n)} (threshold >= ${fmt(minTop1 * 100)}%)`
  const summary = `max abs diff ${fmt(result.maxAbsDiff)}, max ulp diff ${fmt(result.maxUlpDiff)}, out of tolerance ${countOf(outOfTolerance, n)}${top1Text}`
  recordCheck({
    check, practice: 'train-serve-skew', verdict: failed ? 'fail' : 'pass', summary,
    metrics: {
      examples: n, outputsPerExample: k, maxAbsDiff: result.maxAbsDiff, maxUlpDiff: result.maxUlpDiff,
      tolerance: describeTolerance(tolerance), examplesOutOfTolerance: outOfTolerance,
      fractionOutOfTolerance: result.fractionOutOfTolerance, maxFractionOutOfTolerance: maxFraction,
      top1Agreement: result.top1Agreement, minTop1Agreement: classifier ? minTop1 : null,
    },
  })
  if (!failed) return result
  const worstLines = result.worstInputs.map((i) => {
    const flip = disagrees[i] ? ` · top-1 ${argmax(outA.values, i * k, k)} vs ${argmax(outB.values, i * k, k)}` : ''
    return `    #${i} input ${row(rows[i]!, 0, width)} → a ${row(outA.values, i * k, k)} b ${row(outB.values, i * k, k)} · max abs diff ${fmt(exampleAbs[i])} (${fmt(exampleUlp[i])} ulps)${flip}`
  })
  throw parityFailure([
    header,
    `  tolerance per output: ${describeTolerance(tolerance)} (relative to a); allowed fraction of inputs out of tolerance: ${fmt(maxFraction)}`,
    `  ${summary}`,
    ...(toleranceFailed ? [`  ✗ ${countOf(outOfTolerance, n)} inputs have an output out of tolerance (allowed ${fmt(maxFraction * 100)}%)`] : []),
    ...(top1Failed ? [`  ✗ top-1 class differs on ${n - agreements} of ${n} inputs`] : []),
    `  worst inputs:`,
    ...worstLines,
  ].join('\n'))
}
