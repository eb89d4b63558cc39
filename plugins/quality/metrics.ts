/**
 * Model quality metrics with scikit-learn's definitions and edge cases: classification
 * (accuracy, balanced accuracy, precision, recall, F1 with binary / macro / micro / weighted
 * averaging and `zeroDivision`, confusion matrix), scores and probabilities (ROC AUC with
 * ties, log loss with eps clipping, Brier score) and regression (RMSE, MAE, R²). Inputs that
 * cannot be judged (different lengths, nothing to score, NaN) are errors naming the field.
 */
import { assertPaired, defaultPositive, finiteNumbers, labelValues, sortedLabels, type Label } from './_internals/metric-inputs.ts'

export type { Label } from './_internals/metric-inputs.ts'

/** What a ratio with a zero denominator is worth, as scikit-learn's `zero_division` ('warn' acts as 0). */
export type ZeroDivision = 0 | 1 | 'warn' | typeof Number.NaN

export type Average = 'binary' | 'macro' | 'micro' | 'weighted'

export interface ClassificationOptions {
  /** How per-class scores combine (default 'binary', as scikit-learn). */
  average?: Average
  /** The positive class for average 'binary' (default 1 for numbers, true for booleans; strings must name it). */
  posLabel?: Label
  /** The classes to score and their order (default: every label in yTrue and yPred, sorted). */
  labels?: readonly Label[]
  /** Value of precision, recall or F1 whose denominator is zero (default 'warn', i.e. 0). */
  zeroDivision?: ZeroDivision
}

export interface PerClassScores {
  labels: Label[]
  precision: number[]
  recall: number[]
  f1: number[]
  /** Rows of each class in yTrue. */
  support: number[]
}

export interface ConfusionMatrix {
  /** Row and column order: rows are true classes, columns predicted classes. */
  labels: Label[]
  matrix: number[][]
}

function labelPair(fn: string, yTrue: ArrayLike<unknown>, yPred: ArrayLike<unknown>): [Label[], Label[]] {
  assertPaired(fn, ['yTrue', yTrue], ['yPred', yPred])
  const t = labelValues(fn, 'yTrue', yTrue)
  const p = labelValues(fn, 'yPred', yPred)
  sortedLabels(fn, ['yTrue', t], ['yPred', p])
  return [t, p]
}

function numberPair(fn: string, yTrue: ArrayLike<unknown>, yPred: ArrayLike<unknown>): [number[], number[]] {
  assertPaired(fn, ['yTrue', yTrue], ['yPred', yPred])
  return [finiteNumbers(fn, 'yTrue', yTrue), finiteNumbers(fn, 'yPred', yPred)]
}

const zeroValue = (z: ZeroDivision | undefined): number => (z === undefined || z === 'warn' ? 0 : z)
const divide = (num: number, den: number, z: ZeroDivision | undefined): number => (den === 0 ? zeroValue(z) : num / den)

/** Fraction of rows whose prediction equals the label. */
export function accuracy(yTrue: ArrayLike<Label>, yPred: ArrayLike<Label>): number {
  const [t, p] = labelPair('accuracy', yTrue, yPred)
  let hits = 0
  for (let i = 0; i < t.length; i++) if (t[i] === p[i]) hits++
  return hits / t.length
}

/** Counts of (true class, predicted class); rows or predictions outside `labels` are left out. */
export function confusionMatrix(yTrue: ArrayLike<Label>, yPred: ArrayLike<Label>, options: { labels?: readonly Label[] } = {}): ConfusionMatrix {
  const [t, p] = labelPair('confusionMatrix', yTrue, yPred)
  if (options.labels && !t.some((v) => options.labels!.includes(v))) {
    throw new RangeError('confusionMatrix: none of the given labels occurs in yTrue; check option "labels" (scikit-learn raises too)')
  }
  return countMatrix('confusionMatrix', t, p, options.labels)
}

function countMatrix(fn: string, t: Label[], p: Label[], given: readonly Label[] | undefined): ConfusionMatrix {
  const labels = given ? [...given] : sortedLabels(fn, ['yTrue', t], ['yPred', p])
  if (labels.length === 0) throw new RangeError(`${fn}: option "labels" is empty; name at least one class`)
  const index = new Map<Label, number>(labels.map((label, i) => [label, i]))
  const matrix = labels.map(() => new Array<number>(labels.length).fill(0))
  for (let i = 0; i < t.length; i++) {
    const r = index.get(t[i]!)
    const c = index.get(p[i]!)
    if (r !== undefined && c !== undefined) matrix[r]![c]!++
  }
  return { labels, matrix }
}

/**
 * Mean recall over the classes present in yTrue (classes only predicted are left out, as
 * scikit-learn does after its warning).
 */
export function balancedAccuracy(yTrue: ArrayLike<Label>, yPred: ArrayLike<Label>): number {
  const [t, p] = labelPair('balancedAccuracy', yTrue, yPred)
  const { matrix } = countMatrix('balancedAccuracy', t, p, undefined)
  let sum = 0
  let classes = 0
  matrix.forEach((row, i) => {
    const support = row.reduce((a, b) => a + b, 0)
    if (support > 0) {
      sum += row[i]! / support
      classes++
    }
  })
  return sum / classes
}

interface Counts { labels: Label[]; tp: number[]; predicted: number[]; actual: number[] }

function classCounts(fn: string, t: Label[], p: Label[], labels: readonly Label[] | undefined): Counts {
  const { labels: order, matrix } = countMatrix(fn, t, p, labels)
  const tp = order.map((_, i) => matrix[i]![i]!)
  const actual = matrix.map((row) => row.reduce((a, b) => a + b, 0))
  const predicted = order.map((_, j) => matrix.reduce((a, row) => a + row[j]!, 0))
  // Rows whose true class is outside `labels` still count as predictions of a listed class.
  if (labels) {
    const index = new Map<Label, number>(order.map((label, i) => [label, i]))
    predicted.fill(0)
    p.forEach((v) => {
      const j = index.get(v)
      if (j !== undefined) predicted[j]!++
    })
    actual.fill(0)
    t.forEach((v) => {
      const i = index.get(v)
      if (i !== undefined) actual[i]!++
    })
  }
  return { labels: order, tp, predicted, actual }
}

/** Precision, recall, F1 and support of each class (scikit-learn's `average=None`). */
export function perClassScores(yTrue: ArrayLike<Label>, yPred: ArrayLike<Label>, options: Pick<ClassificationOptions, 'labels' | 'zeroDivision'> = {}): PerClassScores {
  const [t, p] = labelPair('perClassScores', yTrue, yPred)
  return scoresOf(classCounts('perClassScores', t, p, options.labels), options.zeroDivision)
}

function scoresOf(c: Counts, z: ZeroDivision | undefined): PerClassScores {
  return {
    labels: c.labels,
    precision: c.tp.map((tp, i) => divide(tp, c.predicted[i]!, z)),
    recall: c.tp.map((tp, i) => divide(tp, c.actual[i]!, z)),
    // 2·tp / (2·tp + fp + fn): zero division only when the class is neither true nor predicted (scikit-learn >= 1.3).
    f1: c.tp.map((tp, i) => divide(2 * tp, c.actual[i]! + c.predicted[i]!, z)),
    support: c.actual,
  }
}

/** Weighted mean that skips NaN entries (numpy's nanaverage as scikit-learn uses it). */
function nanAverage(values: number[], weights?: number[]): number {
  let sum = 0
  let total = 0
  values.forEach((v, i) => {
    if (Number.isNaN(v)) return
    const w = weights ? weights[i]! : 1
    sum += w * v
    total += w
  })
  return total === 0 ? Number.NaN : sum / total
}

type Which = 'precision' | 'recall' | 'f1'

function averaged(fn: string, which: Which, yTrue: ArrayLike<Label>, yPred: ArrayLike<Label>, options: ClassificationOptions): number {
  const [t, p] = labelPair(fn, yTrue, yPred)
  if (options.labels && (options.average ?? 'binary') !== 'binary') return combine(which, options.average!, classCounts(fn, t, p, options.labels), options.zeroDivision)
  const { labels, matrix } = countMatrix(fn, t, p, undefined)
  return averagedFromMatrix(fn, which, labels, matrix, options)
}

/**
 * The same score from a confusion matrix over `labels` (rows true, columns predicted), as a
 * bootstrap resample gives it: a label with no row and no column counts as absent, exactly
 * as it would be from the resample's own labels.
 */
export function averagedFromMatrix(fn: string, which: Which, labels: readonly Label[], matrix: readonly (readonly number[])[], options: ClassificationOptions): number {
  const average = options.average ?? 'binary'
  const actual = matrix.map((row) => row.reduce((a, b) => a + b, 0))
  const predicted = labels.map((_, j) => matrix.reduce((a, row) => a + row[j]!, 0))
  const present = labels.flatMap((label, i) => (actual[i]! + predicted[i]! > 0 ? [i] : []))
  let keep = present
  if (average === 'binary') {
    const presentLabels = present.map((i) => labels[i]!)
    if (present.length > 2) {
      throw new RangeError(`${fn}: yTrue and yPred hold ${present.length} classes but average is 'binary'; pass average 'macro', 'micro' or 'weighted'`)
    }
    const positive = defaultPositive(fn, presentLabels, options.posLabel)
    if (!presentLabels.includes(positive) && present.length >= 2) {
      throw new RangeError(`${fn}: posLabel ${JSON.stringify(positive)} is not a label; it should be one of ${presentLabels.map((l) => JSON.stringify(l)).join(', ')}`)
    }
    const at = labels.indexOf(positive)
    if (at < 0) return combine(which, 'macro', { labels: [positive], tp: [0], predicted: [0], actual: [0] }, options.zeroDivision)
    keep = [at]
  }
  const counts: Counts = { labels: keep.map((i) => labels[i]!), tp: keep.map((i) => matrix[i]![i]!), predicted: keep.map((i) => predicted[i]!), actual: keep.map((i) => actual[i]!) }
  return combine(which, average === 'binary' ? 'macro' : average, counts, options.zeroDivision)
}

function combine(which: Which, average: Average, counts: Counts, z: ZeroDivision | undefined): number {
  if (average === 'micro') {
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0)
    const micro: Counts = { labels: ['micro'], tp: [sum(counts.tp)], predicted: [sum(counts.predicted)], actual: [sum(counts.actual)] }
    return scoresOf(micro, z)[which][0]!
  }
  const scores = scoresOf(counts, z)
  if (average === 'weighted') {
    const weight = counts.actual.reduce((a, b) => a + b, 0)
    if (weight === 0) {
      // No listed class occurs in yTrue: scikit-learn returns zero_division, or 0 for what a prediction makes wrong.
      const zv = z === 1 || Number.isNaN(z) ? (z as number) : 0
      const anyPredicted = counts.predicted.some((n) => n > 0)
      return which === 'recall' || !anyPredicted ? zv : 0
    }
    return nanAverage(scores[which], counts.actual)
  }
  return nanAverage(scores[which])
}

/** Precision: of the rows predicted as a class, the share that are. */
export function precision(yTrue: ArrayLike<Label>, yPred: ArrayLike<Label>, options: ClassificationOptions = {}): number {
  return averaged('precision', 'precision', yTrue, yPred, options)
}

/** Recall: of the rows of a class, the share predicted as it. */
export function recall(yTrue: ArrayLike<Label>, yPred: ArrayLike<Label>, options: ClassificationOptions = {}): number {
  return averaged('recall', 'recall', yTrue, yPred, options)
}

/** F1: the harmonic mean of precision and recall, 2·tp / (2·tp + fp + fn). */
export function f1(yTrue: ArrayLike<Label>, yPred: ArrayLike<Label>, options: ClassificationOptions = {}): number {
  return averaged('f1', 'f1', yTrue, yPred, options)
}

/** Labels as 0/1 against the positive class; the positive class is the larger of two labels unless given. */
function binaryTargets(fn: string, t: Label[], posLabel: Label | undefined, largerIsPositive: boolean): number[] {
  const present = sortedLabels(fn, ['yTrue', t])
  let positive = posLabel
  if (positive === undefined) {
    if (present.length > 2) throw new RangeError(`${fn}: yTrue holds ${present.length} classes; it is binary only: pass posLabel to score one class against the rest`)
    positive = largerIsPositive ? present[present.length - 1]! : defaultPositive(fn, present, undefined)
  }
  return t.map((v) => (v === positive ? 1 : 0))
}

/**
 * Area under the ROC curve of a binary classifier's scores: the probability that a random
 * positive scores above a random negative, ties counting one half (the Mann-Whitney U with
 * mid-ranks, equal to scikit-learn's trapezoidal area). The positive class is the larger
 * label unless `posLabel` says otherwise.
 */
export function rocAuc(yTrue: ArrayLike<Label>, yScore: ArrayLike<number>, options: { posLabel?: Label } = {}): number {
  const fn = 'rocAuc'
  assertPaired(fn, ['yTrue', yTrue], ['yScore', yScore])
  const t = labelValues(fn, 'yTrue', yTrue)
  const s = finiteNumbers(fn, 'yScore', yScore)
  const y = binaryTargets(fn, t, options.posLabel, true)
  const positives = y.reduce((a, b) => a + b, 0)
  const negatives = y.length - positives
  if (positives === 0 || negatives === 0) {
    throw new RangeError(`${fn}: only one class is present in yTrue; ROC AUC is not defined then (as scikit-learn); score a sample with both classes`)
  }
  const order = s.map((_, i) => i).sort((a, b) => s[a]! - s[b]!)
  let rankSum = 0
  for (let i = 0; i < order.length;) {
    let j = i
    while (j + 1 < order.length && s[order[j + 1]!] === s[order[i]!]) j++
    const midRank = (i + j + 2) / 2
    for (let k = i; k <= j; k++) if (y[order[k]!] === 1) rankSum += midRank
    i = j + 1
  }
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives)
}

/** Float64 machine epsilon: scikit-learn clips probabilities to [eps, 1 - eps] for float64 input. */
export const LOG_LOSS_EPS = 2.220446049250313e-16

/**
 * Mean negative log-likelihood of the labels. `yProb` is either the probability of the
 * larger of two labels per row, or one row of class probabilities per row in the order of
 * `labels` (default: yTrue's labels, sorted). Probabilities are clipped to [eps, 1 - eps]
 * with eps = 2.22e-16 (float64), as scikit-learn >= 1.5, which no longer renormalises rows
 * and raises when a row does not sum to one; here a row further than 1e-4 from 1 is an
 * error (those are not probabilities, e.g. logits).
 */
export function logLoss(yTrue: ArrayLike<Label>, yProb: ArrayLike<number> | ArrayLike<ArrayLike<number>>, options: { labels?: readonly Label[] } = {}): number {
  const fn = 'logLoss'
  assertPaired(fn, ['yTrue', yTrue], ['yProb', yProb])
  const t = labelValues(fn, 'yTrue', yTrue)
  const labels = options.labels ? [...options.labels] : sortedLabels(fn, ['yTrue', t])
  if (labels.length < 2) {
    throw new RangeError(`${fn}: yTrue contains only one label (${JSON.stringify(labels[0])}); pass every class through option "labels", as scikit-learn requires`)
  }
  const index = new Map<Label, number>(labels.map((label, i) => [label, i]))
  const rows: number[][] = []
  const twoD = typeof yProb[0] === 'object' && yProb[0] !== null
  for (let i = 0; i < yProb.length; i++) {
    const row = twoD ? finiteNumbers(fn, `yProb[${i}]`, yProb[i] as ArrayLike<unknown>) : finiteNumbers(fn, 'yProb', [yProb[i]]).map((p) => [1 - p, p])[0]!
    if (row.length !== labels.length) {
      throw new RangeError(`${fn}: yProb[${i}] has ${row.length} probabilities but there are ${labels.length} classes (${labels.map((l) => JSON.stringify(l)).join(', ')}); pass option "labels" in the column order`)
    }
    // 1-D: the positive class's probability; [1 - p, p] always sums to 1, so check the range itself.
    if (!twoD && !(row[1]! >= 0 && row[1]! <= 1)) {
      throw new RangeError(`${fn}: yProb[${i}] is ${row[1]}, not a probability in [0, 1] — pass probabilities (e.g. a sigmoid of the logits), not scores`)
    }
    rows.push(row)
  }
  let total = 0
  for (let i = 0; i < t.length; i++) {
    const k = index.get(t[i]!)
    if (k === undefined) throw new RangeError(`${fn}: yTrue[${i}] is ${JSON.stringify(t[i])}, which is not among option "labels"`)
    const given = rows[i]!.reduce((a, b) => a + b, 0)
    if (Math.abs(given - 1) > 1e-4) throw new RangeError(`${fn}: yProb[${i}] sums to ${given}, not 1; pass probabilities (apply softmax or sigmoid to logits)`)
    total -= Math.log(Math.min(Math.max(rows[i]![k]!, LOG_LOSS_EPS), 1 - LOG_LOSS_EPS))
  }
  return total / t.length
}

/** Mean squared difference between the positive-class probability and the 0/1 label. */
export function brierScore(yTrue: ArrayLike<Label>, yProb: ArrayLike<number>, options: { posLabel?: Label } = {}): number {
  const fn = 'brierScore'
  assertPaired(fn, ['yTrue', yTrue], ['yProb', yProb])
  const t = labelValues(fn, 'yTrue', yTrue)
  const p = finiteNumbers(fn, 'yProb', yProb)
  const bad = p.findIndex((v) => v < 0 || v > 1)
  if (bad >= 0) throw new RangeError(`${fn}: yProb[${bad}] is ${p[bad]}, outside [0, 1]; pass the probability of the positive class`)
  const y = binaryTargets(fn, t, options.posLabel, false)
  return y.reduce((acc, v, i) => acc + (v - p[i]!) ** 2, 0) / y.length
}

/** Root mean squared error. */
export function rmse(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  const [t, p] = numberPair('rmse', yTrue, yPred)
  return Math.sqrt(t.reduce((acc, v, i) => acc + (v - p[i]!) ** 2, 0) / t.length)
}

/** Mean absolute error. */
export function mae(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  const [t, p] = numberPair('mae', yTrue, yPred)
  return t.reduce((acc, v, i) => acc + Math.abs(v - p[i]!), 0) / t.length
}

/**
 * Coefficient of determination, 1 − SS_res / SS_tot. A constant yTrue gives 1 when the
 * predictions are perfect and 0 otherwise (scikit-learn's force_finite); fewer than two rows
 * is an error (scikit-learn warns and returns NaN).
 */
export function r2(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  const [t, p] = numberPair('r2', yTrue, yPred)
  if (t.length < 2) throw new RangeError(`r2: R² is not defined for fewer than two rows (got ${t.length}); score more rows`)
  const mean = t.reduce((a, b) => a + b, 0) / t.length
  const residual = t.reduce((acc, v, i) => acc + (v - p[i]!) ** 2, 0)
  const totalSq = t.reduce((acc, v) => acc + (v - mean) ** 2, 0)
  if (totalSq === 0) return residual === 0 ? 1 : 0
  return 1 - residual / totalSq
}

/** What a metric scores: predicted labels, positive-class scores or probabilities, or numbers. */
export type MetricInput = 'labels' | 'scores' | 'values'

/** A metric as the checks use it: computed on (yTrue, yPred), with its direction. */
export interface Metric {
  name: string
  input: MetricInput
  higherIsBetter: boolean
  compute(yTrue: readonly unknown[], yPred: readonly unknown[]): number
  /**
   * For a metric that is a proportion (accuracy): its successes and trials. Checks then use
   * the Wilson score interval, which stays honest on a slice the model gets entirely right.
   */
  counts?(yTrue: readonly unknown[], yPred: readonly unknown[]): [successes: number, trials: number]
  /**
   * For a metric of predicted labels that a confusion matrix determines: the metric from the
   * matrix (rows true, columns predicted, over sorted `labels`). The bootstrap then counts a
   * resample's pairs instead of recomputing from arrays (about 20 times faster).
   */
  fromConfusion?(labels: readonly Label[], matrix: readonly (readonly number[])[]): number
}

type Fn = (t: readonly unknown[], p: readonly unknown[]) => number
type FromMatrix = NonNullable<Metric['fromConfusion']>
const labelMetric = (name: string, f: Fn, fromConfusion: FromMatrix): Metric => ({ name, input: 'labels', higherIsBetter: true, compute: f, fromConfusion })
const avgMetric = (name: string, which: Which, average: Average): Metric =>
  labelMetric(name, (t, p) => averaged(name, which, t as Label[], p as Label[], { average }), (labels, matrix) => averagedFromMatrix(name, which, labels, matrix, { average }))
const trace = (m: readonly (readonly number[])[]) => m.reduce((a, row, i) => a + row[i]!, 0)
const total = (m: readonly (readonly number[])[]) => m.reduce((a, row) => a + row.reduce((x, y) => x + y, 0), 0)
function balancedFromMatrix(_: readonly Label[], m: readonly (readonly number[])[]): number {
  let sum = 0
  let classes = 0
  m.forEach((row, i) => {
    const support = row.reduce((a, b) => a + b, 0)
    if (support > 0) {
      sum += row[i]! / support
      classes++
    }
  })
  return sum / classes
}

/** The metrics checks accept by name; precision/recall/f1 alone are binary (positive class 1 or true). */
export const METRICS = {
  accuracy: { ...labelMetric('accuracy', (t, p) => accuracy(t as Label[], p as Label[]), (_, m) => trace(m) / total(m)), counts: (t, p) => [accuracy(t as Label[], p as Label[]) * t.length, t.length] },
  balancedAccuracy: labelMetric('balancedAccuracy', (t, p) => balancedAccuracy(t as Label[], p as Label[]), balancedFromMatrix),
  precision: avgMetric('precision', 'precision', 'binary'),
  precisionMacro: avgMetric('precisionMacro', 'precision', 'macro'),
  precisionMicro: avgMetric('precisionMicro', 'precision', 'micro'),
  precisionWeighted: avgMetric('precisionWeighted', 'precision', 'weighted'),
  recall: avgMetric('recall', 'recall', 'binary'),
  recallMacro: avgMetric('recallMacro', 'recall', 'macro'),
  recallMicro: avgMetric('recallMicro', 'recall', 'micro'),
  recallWeighted: avgMetric('recallWeighted', 'recall', 'weighted'),
  f1: avgMetric('f1', 'f1', 'binary'),
  f1Macro: avgMetric('f1Macro', 'f1', 'macro'),
  f1Micro: avgMetric('f1Micro', 'f1', 'micro'),
  f1Weighted: avgMetric('f1Weighted', 'f1', 'weighted'),
  rocAuc: { name: 'rocAuc', input: 'scores', higherIsBetter: true, compute: (t, p) => rocAuc(t as Label[], p as number[]) },
  logLoss: { name: 'logLoss', input: 'scores', higherIsBetter: false, compute: (t, p) => logLoss(t as Label[], p as number[]) },
  brierScore: { name: 'brierScore', input: 'scores', higherIsBetter: false, compute: (t, p) => brierScore(t as Label[], p as number[]) },
  rmse: { name: 'rmse', input: 'values', higherIsBetter: false, compute: (t, p) => rmse(t as number[], p as number[]) },
  mae: { name: 'mae', input: 'values', higherIsBetter: false, compute: (t, p) => mae(t as number[], p as number[]) },
  r2: { name: 'r2', input: 'values', higherIsBetter: true, compute: (t, p) => r2(t as number[], p as number[]) },
} as const satisfies Record<string, Metric>

export type MetricName = keyof typeof METRICS

/** A metric by name, or a custom one passed through; an unknown name is an error listing the known ones. */
export function resolveMetric(fn: string, metric: MetricName | Metric): Metric {
  if (typeof metric === 'object' && metric !== null) return metric
  const found = (METRICS as Record<string, Metric>)[metric]
  if (!found) throw new TypeError(`${fn}: unknown metric ${JSON.stringify(metric)}; use one of ${Object.keys(METRICS).join(', ')}, or { name, input, higherIsBetter, compute }`)
  return found
}
