/**
 * `checkComplexity`: does a complex model pay for its complexity (practice `complexity-tax`)?
 * The candidate is compared with a simple baseline on the same rows: the metric gain with a
 * paired bootstrap interval, parameter counts, latency per prediction, and the taxed gain
 *
 *   taxed gain = gain − tax × relative cost,  relative cost = max(0, log2(cost_candidate / cost_baseline))
 *
 * (cost: parameters by default; each doubling of cost must buy `tax` of metric). Fails when
 * the whole interval of the taxed gain is below zero, passes when it is above, and is
 * inconclusive when it straddles zero. With no baseline given, the check trains one
 * (logistic regression for classification, least squares for regression), cross-fitted on
 * the rows so its predictions are out of sample, or fitted on `train` when given.
 */
import { CheckFailure, createRng, figure, formatNumber, parseCheckOptions, recordCheck, z, type FigureJson } from 'mltest/plugin'
import { resolveMetric, type Label, type Metric, type MetricName } from './metrics.ts'
import { bootstrapSeed, pairedBootstrap, type PairedBootstrapInterval } from './_internals/bootstrap.ts'
import { fitLinear, fitLogistic, majorityClass, type Matrix } from './_internals/complexity-baselines.ts'

/** A model the check can call: predictions for a batch of feature rows, and its size. */
export interface ComplexityModel {
  /** Shown in the report (default 'candidate' / 'baseline'). */
  name?: string
  /** Learned parameters (for tfjs, `model.countParams()`). */
  parameters: number
  /**
   * Predictions for `rows`, one per row, of what the metric scores: labels ('accuracy', 'f1',
   * ...), positive-class probabilities ('rocAuc', 'logLoss', 'brierScore') or numbers ('rmse', 'r2', ...).
   */
  predict(rows: number[][]): ArrayLike<Label | number> | Promise<ArrayLike<Label | number>>
}

export type BaselineKind = 'majority' | 'logistic' | 'linear'

export interface CheckComplexityOptions {
  /** The complex model. */
  candidate: ComplexityModel
  /** The simple model: one of yours, or one the check trains (default: 'logistic' for classification metrics, 'linear' for regression). */
  baseline?: ComplexityModel | BaselineKind
  /** Evaluation rows: numeric feature vectors, the same input for both models. */
  data: readonly (readonly number[])[]
  /** The true label (or value) of each row. */
  labels: readonly Label[]
  /** The metric, by name from mltest/quality's METRICS or as { name, input, higherIsBetter, compute }. */
  metric: MetricName | Metric
  /** Metric the candidate must gain per doubling of its cost over the baseline's (default 0: no tax). */
  tax?: number
  /** What the tax charges for: 'parameters' (default; deterministic) or 'latency' (measured, median of 5 timed passes). */
  cost?: 'parameters' | 'latency'
  /** Rows to train the check's baseline on; without them it is cross-fitted on `data` (5 folds). */
  train?: { data: readonly (readonly number[])[]; labels: readonly Label[] }
  /** Folds of the cross-fitted baseline (default 5). */
  folds?: number
  /** Two-sided confidence of the paired bootstrap interval (default 0.95). */
  confidence?: number
  /** Bootstrap resamples (default 2000). */
  resamples?: number
  /** Seed of the bootstrap and the folds (default: from the running test's seed). */
  seed?: number
}

export interface ComplexitySummary {
  verdict: 'pass' | 'fail' | 'inconclusive'
  metric: string
  candidate: { name: string; metric: number; parameters: number; latencyMs: number }
  baseline: { name: string; metric: number; parameters: number; latencyMs: number; how: string }
  /** Candidate minus baseline, oriented so positive means the candidate is better. */
  gain: { estimate: number; lower: number; upper: number }
  relativeCost: number
  tax: number
  taxedGain: { estimate: number; lower: number; upper: number }
  confidence: number
  rows: number
  resamples: number
  seed: number
  reason?: string
  text: string
}

const CHECK = 'checkComplexity'

const modelSchema = (name: string) =>
  z.custom<ComplexityModel>((v) => typeof v === 'object' && v !== null && typeof (v as ComplexityModel).predict === 'function' && Number.isFinite((v as ComplexityModel).parameters) && (v as ComplexityModel).parameters >= 1, {
    error: `option "${name}" must be { predict(rows), parameters (>= 1), name? }; for tfjs wrap the model: { parameters: model.countParams(), predict: (rows) => ... }`,
  })

const optionsSchema = z.object({
  candidate: modelSchema('candidate'),
  baseline: z.union([z.enum(['majority', 'logistic', 'linear']), modelSchema('baseline')]).optional(),
  data: z.custom<readonly (readonly number[])[]>((v) => Array.isArray(v) && v.length > 0 && v.every(Array.isArray), { error: 'option "data" must be a non-empty array of feature rows (number arrays)' }),
  labels: z.custom<readonly Label[]>((v) => Array.isArray(v) && v.length > 0, { error: 'option "labels" must be a non-empty array with one label per row' }),
  metric: z.custom<MetricName | Metric>((v) => typeof v === 'string' || (typeof v === 'object' && v !== null), { error: 'option "metric" must be a metric name such as \'accuracy\' or { name, input, higherIsBetter, compute }' }),
  tax: z.number().min(0).optional(),
  cost: z.enum(['parameters', 'latency']).optional(),
  train: z.object({ data: z.array(z.array(z.number())).min(1), labels: z.array(z.union([z.number(), z.string(), z.boolean()])).min(1) }).optional(),
  folds: z.number().int().min(2).optional(),
  confidence: z.number().gt(0).lt(1).optional(),
  resamples: z.number().int().min(100).optional(),
  seed: z.number().int().optional(),
} satisfies Record<keyof CheckComplexityOptions, z.ZodType>)

function validateRows(rows: Matrix, field: string): number[][] {
  const width = rows[0]!.length
  return rows.map((row, i) => {
    if (row.length !== width) throw new TypeError(`${CHECK}: ${field}[${i}] has ${row.length} features but ${field}[0] has ${width}; every row needs the same features`)
    row.forEach((v, j) => {
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new TypeError(`${CHECK}: ${field}[${i}][${j}] is ${String(v)}; every feature must be a finite number (drop or impute missing values first)`)
    })
    return [...row]
  })
}

/** A trained baseline's predictions for the metric's input, its parameter count, and a model for timing. */
interface TrainedBaseline {
  name: string
  how: string
  parameters: number
  predictions: (Label | number)[]
  model: ComplexityModel
}

function fitBaseline(kind: BaselineKind, metric: Metric, x: number[][], y: readonly Label[]): (rows: number[][]) => (Label | number)[] {
  if (kind === 'linear') {
    if (metric.input !== 'values') throw new TypeError(`${CHECK}: baseline 'linear' predicts numbers, but metric ${metric.name} scores ${metric.input}; use 'logistic' or 'majority'`)
    const m = fitLinear(x, y as number[])
    return (rows) => m.predict(rows)
  }
  if (kind === 'majority') {
    if (metric.input === 'values') {
      const mean = (y as number[]).reduce((a, b) => a + b, 0) / y.length
      return (rows) => rows.map(() => mean)
    }
    if (metric.input === 'scores') {
      const positive = y.filter((v) => v === 1 || v === true).length / y.length
      return (rows) => rows.map(() => positive)
    }
    const { label } = majorityClass(y)
    return (rows) => rows.map(() => label)
  }
  if (metric.input === 'values') throw new TypeError(`${CHECK}: baseline 'logistic' predicts classes, but metric ${metric.name} scores numbers; use 'linear' or 'majority'`)
  const m = fitLogistic(x, y)
  if (metric.input === 'scores') {
    const positive = m.classes.findIndex((c) => c === 1 || c === true)
    if (m.classes.length !== 2 || positive < 0) throw new TypeError(`${CHECK}: metric ${metric.name} scores the probability of the positive class (1 or true), but labels hold ${m.classes.map(String).join(', ')}`)
    return (rows) => m.probabilities(rows).map((p) => p[positive]!)
  }
  return (rows) => m.predict(rows)
}

const parametersOf = (kind: BaselineKind, d: number, classes: number, input: Metric['input']) =>
  kind === 'majority' ? 1 : kind === 'linear' ? d + 1 : (input === 'scores' ? 2 : classes) * (d + 1)

/** Trains the named baseline: on `train`, or cross-fitted over `folds` seeded folds of the rows. */
function trainBaseline(kind: BaselineKind, metric: Metric, x: number[][], y: readonly Label[], o: { train?: CheckComplexityOptions['train']; folds: number; seed: number }): TrainedBaseline {
  const classes = new Set(o.train?.labels ?? y).size
  const parameters = parametersOf(kind, x[0]!.length, classes, metric.input)
  const names = { majority: metric.input === 'values' ? 'mean' : 'majority class', logistic: 'logistic regression', linear: 'linear regression' }
  const name = names[kind]
  if (o.train) {
    const tx = validateRows(o.train.data, 'train.data')
    if (o.train.labels.length !== tx.length) throw new RangeError(`${CHECK}: train.data has ${tx.length} rows but train.labels has ${o.train.labels.length}; pass one label per row`)
    const predict = fitBaseline(kind, metric, tx, o.train.labels)
    return { name, how: `${name} trained by the check on ${tx.length} train rows`, parameters, predictions: predict(x), model: { name, parameters, predict } }
  }
  const order = createRng(o.seed).shuffle(x.map((_, i) => i))
  const predictions = new Array<Label | number>(x.length)
  for (let f = 0; f < o.folds; f++) {
    const held = order.filter((_, k) => k % o.folds === f)
    const heldSet = new Set(held)
    const fit = order.filter((i) => !heldSet.has(i))
    const predict = fitBaseline(kind, metric, fit.map((i) => x[i]!), fit.map((i) => y[i]!))
    const out = predict(held.map((i) => x[i]!))
    held.forEach((i, k) => (predictions[i] = out[k]!))
  }
  const full = fitBaseline(kind, metric, x, y)
  return { name, how: `${name} trained by the check, cross-fitted: ${o.folds} folds, each row predicted by a fit on the other folds`, parameters, predictions, model: { name, parameters, predict: full } }
}

async function predictionsOf(model: ComplexityModel, rows: number[][], side: string): Promise<(Label | number)[]> {
  let out: ArrayLike<Label | number>
  try {
    out = await model.predict(rows)
  } catch (error) {
    throw new Error(`${CHECK}: ${side}.predict threw on ${rows.length} rows: ${(error as Error).message}`, { cause: error })
  }
  if (!out || typeof out.length !== 'number') throw new TypeError(`${CHECK}: ${side}.predict must return one prediction per row (an array), got ${typeof out}`)
  if (out.length !== rows.length) throw new RangeError(`${CHECK}: ${side}.predict returned ${out.length} predictions for ${rows.length} rows; return one per row`)
  return Array.from(out)
}

/** Median wall time of 5 passes over the rows (after one warm-up), per prediction, in ms. */
async function latencyPerPrediction(model: ComplexityModel, rows: number[][]): Promise<number> {
  await model.predict(rows)
  const times: number[] = []
  for (let r = 0; r < 5; r++) {
    const start = performance.now()
    await model.predict(rows)
    times.push(performance.now() - start)
  }
  times.sort((a, b) => a - b)
  return times[2]! / rows.length
}

function complexityFigure(s: Omit<ComplexitySummary, 'text' | 'reason' | 'verdict'>): ReturnType<typeof figure> {
  const values: FigureJson[] = [
    { what: 'gain', estimate: s.gain.estimate, lower: s.gain.lower, upper: s.gain.upper },
    { what: `taxed gain (tax ${s.tax} × ${formatNumber(s.relativeCost)} doublings)`, estimate: s.taxedGain.estimate, lower: s.taxedGain.lower, upper: s.taxedGain.upper },
  ]
  return figure(`${s.metric} gain of ${s.candidate.name} over ${s.baseline.name}, ${formatNumber(100 * s.confidence)}% CI`, {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    layer: [
      { data: { values }, mark: 'rule', encoding: { y: { field: 'what', type: 'nominal', title: null }, x: { field: 'lower', type: 'quantitative', title: `${s.metric} gain` }, x2: { field: 'upper' } } },
      { data: { values }, mark: { type: 'point', filled: true }, encoding: { y: { field: 'what', type: 'nominal' }, x: { field: 'estimate', type: 'quantitative' } } },
      { data: { values: [{ zero: 0 }] }, mark: { type: 'rule', strokeDash: [4, 4] }, encoding: { x: { field: 'zero', type: 'quantitative' } } },
    ],
  }, `paired percentile bootstrap, ${s.resamples} resamples of ${s.rows} rows`)
}

/**
 * Compares `candidate` with a simpler baseline on the same rows and records the check
 * (practice `complexity-tax`). Throws an assertion error when the taxed gain's interval is
 * wholly below zero (the complex model does not pay for itself); inconclusive when it
 * straddles zero. Returns the figures either way.
 */
export async function checkComplexity(options: CheckComplexityOptions): Promise<ComplexitySummary> {
  const o = parseCheckOptions(CHECK, optionsSchema, options)
  const metric = resolveMetric(CHECK, o.metric as MetricName | Metric)
  const x = validateRows(o.data, 'data')
  if (o.labels.length !== x.length) throw new RangeError(`${CHECK}: data has ${x.length} rows but labels has ${o.labels.length}; pass one label per row`)
  const tax = o.tax ?? 0
  const cost = o.cost ?? 'parameters'
  const confidence = o.confidence ?? 0.95
  const resamples = o.resamples ?? 2000
  const seed = bootstrapSeed(CHECK, o.seed)
  const candidate = o.candidate as ComplexityModel
  const candidateName = candidate.name ?? 'candidate'
  const candidatePredictions = await predictionsOf(candidate, x, 'candidate')
  const kind = typeof o.baseline === 'string' ? o.baseline : o.baseline === undefined ? (metric.input === 'values' ? 'linear' : 'logistic') : undefined
  let baseline: TrainedBaseline
  if (kind) {
    baseline = trainBaseline(kind, metric, x, o.labels, { train: o.train, folds: o.folds ?? 5, seed })
  } else {
    if (o.train || o.folds) throw new TypeError(`${CHECK}: options "train" and "folds" train the check's own baseline; drop them when you pass a baseline model`)
    const given = o.baseline as ComplexityModel
    const name = given.name ?? 'baseline'
    baseline = { name, how: `${name} (given)`, parameters: given.parameters, predictions: await predictionsOf(given, x, 'baseline'), model: given }
  }
  const interval: PairedBootstrapInterval = pairedBootstrap(o.labels, candidatePredictions, baseline.predictions, (t, p) => metric.compute(t, p), { seed, resamples, confidence })
  if (interval.valid < 0.9 * resamples) {
    throw new RangeError(`${CHECK}: metric ${metric.name} was undefined on ${resamples - interval.valid} of ${resamples} bootstrap resamples (e.g. one class only); evaluate on more rows or choose another metric`)
  }
  // Oriented gain: positive means the candidate is better, whichever way the metric points.
  const sign = metric.higherIsBetter ? 1 : -1
  const [lower, upper] = sign > 0 ? [interval.lower, interval.upper] : [-interval.upper, -interval.lower]
  const gain = { estimate: sign * interval.estimate, lower, upper }
  const candidateLatency = await latencyPerPrediction(candidate, x)
  const baselineLatency = await latencyPerPrediction(baseline.model, x)
  const costs = cost === 'parameters' ? [candidate.parameters, baseline.parameters] : [candidateLatency, baselineLatency]
  const relativeCost = costs[1]! > 0 ? Math.max(0, Math.log2(costs[0]! / costs[1]!)) : 0
  const taxedGain = { estimate: gain.estimate - tax * relativeCost, lower: gain.lower - tax * relativeCost, upper: gain.upper - tax * relativeCost }
  const verdict = taxedGain.lower > 0 ? 'pass' : taxedGain.upper < 0 ? 'fail' : 'inconclusive'
  const pctCI = `${formatNumber(100 * confidence)}% CI`
  const fmtCI = (c: { lower: number; upper: number }) => `[${formatNumber(c.lower)}, ${formatNumber(c.upper)}]`
  const reason = verdict === 'inconclusive'
    ? `The ${pctCI} of the taxed ${metric.name} gain ${fmtCI(taxedGain)} straddles zero: ${x.length} rows cannot tell whether ${candidateName} pays for its cost; evaluate on more rows.`
    : undefined
  const summaryBase = {
    metric: metric.name,
    candidate: { name: candidateName, metric: interval.metricA, parameters: candidate.parameters, latencyMs: candidateLatency },
    baseline: { name: baseline.name, metric: interval.metricB, parameters: baseline.parameters, latencyMs: baselineLatency, how: baseline.how },
    gain, relativeCost, tax, taxedGain, confidence, rows: x.length, resamples, seed,
  }
  const headline = verdict === 'fail'
    ? `${candidateName} does not pay for its complexity: taxed ${metric.name} gain ${formatNumber(taxedGain.estimate)}, ${pctCI} ${fmtCI(taxedGain)} < 0`
    : verdict === 'pass'
      ? `${candidateName} pays for its complexity: taxed ${metric.name} gain ${formatNumber(taxedGain.estimate)}, ${pctCI} ${fmtCI(taxedGain)} > 0`
      : `inconclusive: taxed ${metric.name} gain ${formatNumber(taxedGain.estimate)}, ${pctCI} ${fmtCI(taxedGain)} straddles 0`
  const costUnit = cost === 'parameters' ? 'parameters' : 'ms per prediction'
  const text = [
    `${CHECK}: ${headline}`,
    `  metric: ${metric.name} (${metric.higherIsBetter ? 'higher' : 'lower'} is better) on ${x.length} rows: ${candidateName} ${formatNumber(interval.metricA)}, ${baseline.name} ${formatNumber(interval.metricB)}`,
    `  baseline: ${baseline.how}`,
    `  gain (${candidateName} better by): ${formatNumber(gain.estimate)}, ${pctCI} ${fmtCI(gain)} (paired percentile bootstrap, ${resamples} resamples, seed ${seed})`,
    `  cost: ${candidateName} ${formatNumber(candidate.parameters)} parameters, ${formatNumber(candidateLatency)} ms per prediction; ${baseline.name} ${formatNumber(baseline.parameters)} parameters, ${formatNumber(baselineLatency)} ms per prediction (latency: median of 5 timed passes over the rows)`,
    `  taxed gain = gain − tax × relative cost, relative cost = max(0, log2(${costUnit} ${formatNumber(costs[0]!)} / ${formatNumber(costs[1]!)})) = ${formatNumber(relativeCost)} doublings; tax ${tax}: ${formatNumber(taxedGain.estimate)}, ${pctCI} ${fmtCI(taxedGain)}`,
    `  decision: fail when the whole interval of the taxed gain is below 0, pass when above, inconclusive when it straddles 0`,
  ].join('\n')
  recordCheck({
    check: CHECK,
    practice: 'complexity-tax',
    verdict,
    metrics: {
      metric: metric.name, rows: x.length, candidateMetric: interval.metricA, baselineMetric: interval.metricB,
      gain: gain.estimate, gainLower: gain.lower, gainUpper: gain.upper, confidence,
      candidateParameters: candidate.parameters, baselineParameters: baseline.parameters,
      candidateLatencyMs: candidateLatency, baselineLatencyMs: baselineLatency,
      cost, relativeCost, tax, taxedGain: taxedGain.estimate, taxedGainLower: taxedGain.lower, taxedGainUpper: taxedGain.upper,
      resamples, seed, baseline: baseline.how,
    },
    summary: headline,
    ...(reason ? { reason } : {}),
    figures: [complexityFigure(summaryBase)],
  })
  if (verdict === 'fail') throw new CheckFailure(text)
  return { ...summaryBase, verdict, ...(reason ? { reason } : {}), text }
}
