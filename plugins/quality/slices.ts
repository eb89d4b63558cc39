/**
 * `checkSlices`: model quality on every important data slice. A model can be good on
 * average and bad on one island, one sex, one price band: the average hides it. The metric
 * is computed per slice with a percentile bootstrap interval (seeded from the test; accuracy,
 * a proportion, gets the Wilson score interval instead); a slice
 * fails when its whole interval is below the threshold (or further below overall than the
 * allowed gap), passes when the whole interval clears it, and is inconclusive otherwise or
 * when it has fewer rows than `minSliceSize`.
 */
import { CheckFailure, deriveSeed, figure, formatNumber, formatTable, parseCheckOptions, recordCheck, z } from 'mltest/plugin'
import { bootstrapConfusion, bootstrapMetric, bootstrapSeed, DEFAULT_RESAMPLES, pick } from './_internals/bootstrap.ts'
import { sortedLabels, type Label } from './_internals/metric-inputs.ts'
import { combineVerdicts, intervalText, intervalVerdict, levelText, type IntervalVerdict } from './_internals/intervals.ts'
import { arrayOption, confidenceOption, functionOption, metricOption, rowsOption } from './_internals/option-schemas.ts'
import { groupRows, sliceLabels, type Row, type SliceBy } from './_internals/slice-rows.ts'
import { slicesFigure } from './_internals/slice-figure.ts'
import { wilsonInterval } from './_internals/wilson.ts'
import { resolveMetric, type Metric, type MetricName } from './metrics.ts'

export type { Row, SliceBy, SliceKey } from './_internals/slice-rows.ts'

export interface CheckSlicesOptions<R extends object = Row> {
  /** The model: called once with every row of `data`, returns one prediction per row (labels, scores or values, as the metric needs). */
  predict?: (rows: R[]) => ArrayLike<unknown> | Promise<ArrayLike<unknown>>
  /** Or the predictions themselves, one per row of `data`. */
  predictions?: ArrayLike<unknown>
  /** The rows: objects with the slice columns (and whatever `predict` reads) as fields. */
  data: readonly R[]
  /** The true label (or value) of each row. */
  labels: ArrayLike<unknown>
  /** A column, several columns crossed (`['island', 'sex']`), or a function row → slice (undefined: in no slice). */
  sliceBy: SliceBy<R>
  /** Quantile bins of a numeric slice column with more distinct values than this (default 4). */
  bins?: number
  /** A metric name from `METRICS` (e.g. 'accuracy', 'f1Macro', 'rmse') or a custom `Metric`. */
  metric: MetricName | Metric
  /** Least acceptable metric on every slice (most acceptable, for a metric where lower is better). */
  threshold?: number
  /** Largest allowed distance of a slice's metric from the overall metric, in the bad direction. */
  maxGapToOverall?: number
  /** Slices with fewer rows are inconclusive, whatever their metric (default 30). */
  minSliceSize?: number
  /** Confidence level of the intervals (default 0.95). */
  confidence?: number
  /** Bootstrap resamples per slice (default 2000). */
  resamples?: number
  /** Seed of the bootstrap (default: derived from the running test's seed, so `--seed` replays it). */
  seed?: number
}

export interface SliceResult {
  slice: string
  n: number
  /** The metric on the slice (NaN when it is undefined there, e.g. ROC AUC on one class). */
  value: number
  lower: number
  upper: number
  /** Resamples where the metric was defined. */
  valid: number
  verdict: IntervalVerdict
  /** Why the slice failed or is inconclusive. */
  reason?: string
}

export interface SlicesResult {
  verdict: IntervalVerdict
  metric: string
  overall: { n: number; value: number; lower: number; upper: number }
  /** Every slice, worst first. */
  slices: SliceResult[]
  failing: SliceResult[]
  inconclusive: SliceResult[]
}

const CHECK = 'checkSlices'

const optionsSchema = z.object({
  predict: functionOption<CheckSlicesOptions['predict']>('predict', '(rows) => predictions').optional(),
  predictions: arrayOption<ArrayLike<unknown>>('predictions', 'predictions').optional(),
  data: rowsOption<readonly Row[]>('data'),
  labels: arrayOption<ArrayLike<unknown>>('labels', 'labels'),
  sliceBy: z.custom<SliceBy<Row>>((v) => typeof v === 'string' || typeof v === 'function' || (Array.isArray(v) && v.every((c) => typeof c === 'string')), {
    error: "option \"sliceBy\" must be a column name, an array of column names or a function (row, index) => slice",
  }),
  bins: z.number().int().min(2).optional(),
  metric: metricOption,
  threshold: z.number().optional(),
  maxGapToOverall: z.number().min(0).optional(),
  minSliceSize: z.number().int().min(1).optional(),
  confidence: confidenceOption.optional(),
  resamples: z.number().int().min(100).optional(),
  seed: z.number().int().optional(),
} satisfies Record<keyof CheckSlicesOptions, z.ZodType>)

/** Predictions from `predictions` or `predict`, checked to be one per row. */
export async function predictionsOf<R extends object>(check: string, o: { predict?: (rows: R[]) => ArrayLike<unknown> | Promise<ArrayLike<unknown>>; predictions?: ArrayLike<unknown> }, rows: readonly R[]): Promise<unknown[]> {
  if ((o.predict === undefined) === (o.predictions === undefined)) {
    throw new TypeError(`${check}: pass exactly one of "predict" (a function of the rows) and "predictions" (one per row)`)
  }
  const given = o.predictions ?? (await o.predict!([...rows]))
  if (given === null || typeof given !== 'object' || typeof (given as ArrayLike<unknown>).length !== 'number') {
    throw new TypeError(`${check}: predict returned ${given === null ? 'null' : typeof given}, not an array of predictions; return an array (e.g. await tensor.array() or Array.from(tensor.dataSync()))`)
  }
  const out = Array.from(given as ArrayLike<unknown>)
  if (out.length !== rows.length) {
    throw new RangeError(`${check}: ${o.predictions ? 'predictions has' : 'predict returned'} ${out.length} values but data has ${rows.length} rows; pass one prediction per row`)
  }
  return out
}

function metricOn(metric: Metric, yTrue: unknown[], yPred: unknown[]): { value: number; error?: string } {
  try {
    return { value: metric.compute(yTrue, yPred) }
  } catch (error) {
    return { value: Number.NaN, error: (error as Error).message }
  }
}

/**
 * Computes the metric on every slice with its bootstrap interval and judges each against
 * `threshold` and/or `maxGapToOverall`. Throws a `CheckFailure` listing the slices worst
 * first when any slice fails; records the verdict, the figures and a per-slice figure.
 */
export async function checkSlices<R extends object>(options: CheckSlicesOptions<R>): Promise<SlicesResult> {
  const o = parseCheckOptions(CHECK, optionsSchema, options) as unknown as CheckSlicesOptions<Row>
  if (o.threshold === undefined && o.maxGapToOverall === undefined) {
    throw new TypeError(`${CHECK}: pass a "threshold" (e.g. 0.8), a "maxGapToOverall" (e.g. 0.05) or both; without one no slice can fail`)
  }
  const metric = resolveMetric(CHECK, o.metric)
  const labels = Array.from(o.labels)
  if (labels.length !== o.data.length) throw new RangeError(`${CHECK}: labels has ${labels.length} values but data has ${o.data.length} rows; pass one label per row`)
  const predictions = await predictionsOf(CHECK, o, o.data)
  let overallValue: number
  try {
    overallValue = metric.compute(labels, predictions)
  } catch (error) {
    // The metric names its inputs yTrue and yPred; say which options those are.
    throw new TypeError(`${CHECK}: ${(error as Error).message} (yTrue is option "labels", yPred the predictions)`, { cause: error })
  }
  const bins = o.bins ?? 4
  const minSliceSize = o.minSliceSize ?? 30
  const confidence = o.confidence ?? 0.95
  const resamples = o.resamples ?? DEFAULT_RESAMPLES
  const seed = bootstrapSeed(CHECK, o.seed)
  const direction = metric.higherIsBetter ? 'min' : 'max'
  const method = metric.counts ? 'Wilson score' : 'percentile bootstrap'
  const bootstrap = (t: unknown[], p: unknown[], label: string) => {
    const options = { seed: deriveSeed(seed, label), resamples, confidence }
    if (metric.fromConfusion && !metric.counts) return bootstrapConfusion(t as Label[], p as Label[], sortedLabels(CHECK, ['labels', t as Label[]], ['predictions', p as Label[]]), metric.fromConfusion, options)
    if (!metric.counts) return bootstrapMetric(t, p, (a, b) => metric.compute(a, b), options)
    const [successes, trials] = metric.counts(t, p)
    return { ...wilsonInterval(Math.round(successes), trials, confidence), valid: resamples }
  }
  const overallCi = bootstrap(labels, predictions, '(overall)')
  const overall = { n: labels.length, value: overallValue, lower: overallCi.lower, upper: overallCi.upper }
  const gapLimit = o.maxGapToOverall === undefined ? undefined : metric.higherIsBetter ? overallValue - o.maxGapToOverall : overallValue + o.maxGapToOverall
  const groups = groupRows(sliceLabels(CHECK, o.data, o.sliceBy, bins))
  if (groups.size === 0) throw new RangeError(`${CHECK}: option "sliceBy" put no row in any slice; check the function`)

  const slices: SliceResult[] = []
  for (const [slice, members] of groups) {
    const idx = Uint32Array.from(members)
    const t = pick(labels, idx)
    const p = pick(predictions, idx)
    const point = metricOn(metric, t, p)
    const n = members.length
    if (n < minSliceSize) {
      slices.push({ slice, n, value: point.value, lower: Number.NaN, upper: Number.NaN, valid: 0, verdict: 'inconclusive', reason: `n=${n} < minSliceSize ${minSliceSize}` })
      continue
    }
    if (point.error !== undefined) {
      slices.push({ slice, n, value: Number.NaN, lower: Number.NaN, upper: Number.NaN, valid: 0, verdict: 'inconclusive', reason: `${metric.name} is undefined on this slice (${point.error})` })
      continue
    }
    const ci = bootstrap(t, p, slice)
    const result: SliceResult = { slice, n, value: point.value, lower: ci.lower, upper: ci.upper, valid: ci.valid, verdict: 'pass' }
    if (ci.valid < 0.9 * resamples) {
      Object.assign(result, { verdict: 'inconclusive', reason: `${metric.name} undefined on ${resamples - ci.valid} of ${resamples} resamples` })
    } else {
      const rules: [string, number][] = []
      if (o.threshold !== undefined) rules.push([`threshold ${formatNumber(o.threshold)}`, o.threshold])
      if (gapLimit !== undefined) rules.push([`overall ${formatNumber(overallValue)} ${metric.higherIsBetter ? '−' : '+'} gap ${formatNumber(o.maxGapToOverall!)} = ${formatNumber(gapLimit)}`, gapLimit])
      const judged = rules.map(([text, limit]) => ({ text, verdict: intervalVerdict(ci, limit, direction) }))
      result.verdict = combineVerdicts(judged.map((j) => j.verdict))
      const side = metric.higherIsBetter ? 'below' : 'above'
      if (result.verdict === 'fail') result.reason = `CI wholly ${side} ${judged.filter((j) => j.verdict === 'fail').map((j) => j.text).join(' and ')}`
      if (result.verdict === 'inconclusive') result.reason = `CI straddles ${judged.filter((j) => j.verdict === 'inconclusive').map((j) => j.text).join(' and ')}`
    }
    slices.push(result)
  }
  const badness = (s: SliceResult) => (Number.isNaN(s.value) ? Number.POSITIVE_INFINITY : metric.higherIsBetter ? -s.value : s.value)
  slices.sort((a, b) => badness(b) - badness(a))
  const failing = slices.filter((s) => s.verdict === 'fail')
  const inconclusive = slices.filter((s) => s.verdict === 'inconclusive')
  const verdict = combineVerdicts(slices.map((s) => s.verdict))

  const level = levelText(confidence)
  const rulesText = [o.threshold !== undefined ? `${metric.higherIsBetter ? '>=' : '<='} ${formatNumber(o.threshold)}` : '', gapLimit !== undefined ? `within ${formatNumber(o.maxGapToOverall!)} of overall` : ''].filter(Boolean).join(' and ')
  const byText = typeof o.sliceBy === 'function' ? 'a function' : typeof o.sliceBy === 'string' ? o.sliceBy : o.sliceBy.join(' × ')
  const worst = slices.find((s) => !Number.isNaN(s.value)) ?? slices[0]!
  const summary = `${metric.name} on ${slices.length} slices by ${byText} (required ${rulesText}): ${slices.length - failing.length - inconclusive.length} pass, ${failing.length} fail, ${inconclusive.length} inconclusive; worst ${worst.slice} ${formatNumber(worst.value)} ${intervalText(worst)} n=${worst.n}; overall ${formatNumber(overallValue)} n=${overall.n}`
  const table = formatTable([
    ['slice', 'n', metric.name, `${level} CI`, 'verdict'],
    ...slices.map((s) => [s.slice, String(s.n), formatNumber(s.value), Number.isNaN(s.lower) ? '-' : intervalText(s), s.reason ? `${s.verdict}: ${s.reason}` : s.verdict]),
  ], { align: ['left', 'right', 'right', 'left', 'left'], indent: '  ' })
  const report = [
    `${CHECK}: ${verdict === 'fail' ? `${failing.length} of ${slices.length} slices fail` : `${slices.length} slices`} — ${metric.name} required ${rulesText} on every slice (by ${byText})`,
    `  overall ${metric.name} ${formatNumber(overallValue)} ${intervalText(overall)}, n=${overall.n}; ${level} ${method} intervals${metric.counts ? '' : `, ${resamples} resamples`}; slices under ${minSliceSize} rows are inconclusive`,
    table,
    metric.counts ? '  replay: no resampling (Wilson intervals are deterministic)' : `  replay: seed ${seed} (mltest run --seed N reruns the test with the same resamples)`,
  ].join('\n')
  const reason = verdict === 'inconclusive' ? `${inconclusive.length} of ${slices.length} slices cannot be judged (e.g. ${inconclusive[0]!.slice}: ${inconclusive[0]!.reason})` : undefined
  recordCheck({
    check: CHECK,
    practice: 'data-slices',
    verdict,
    ...(reason ? { reason } : {}),
    metrics: {
      metric: metric.name,
      threshold: o.threshold ?? null,
      maxGapToOverall: o.maxGapToOverall ?? null,
      overall: overallValue,
      n: overall.n,
      slices: slices.length,
      failingSlices: failing.length,
      inconclusiveSlices: inconclusive.length,
      worstSlice: worst.slice,
      worstValue: worst.value,
      worstLower: worst.lower,
      worstUpper: worst.upper,
      worstN: worst.n,
      minSliceSize,
      confidence,
      test: method,
      resamples,
      seed,
    },
    summary,
    figures: [slicesFigure(metric.name, slices, { threshold: o.threshold, gapLimit, overall: overallValue, level, method })],
  })
  if (verdict === 'fail') throw new CheckFailure(report)
  return { verdict, metric: metric.name, overall, slices, failing, inconclusive }
}
