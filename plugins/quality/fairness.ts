/**
 * `checkFairness`: do the model's decisions differ between groups (by sex, age band, region)?
 * Per group: selection rate, true and false positive rates; across groups: demographic parity
 * difference and ratio, equalized odds difference and ratio, and the disparate impact ratio
 * with the four-fifths rule, all with Fairlearn's definitions. Each disparity gets a
 * bootstrap interval (rows resampled within each group, so group sizes stay as observed) and
 * passes only when the whole interval is within its threshold.
 */
import { CheckFailure, deriveSeed, formatNumber, formatTable, parseCheckOptions, recordCheck, z } from 'mltest/plugin'
import { bootstrapSeed, DEFAULT_RESAMPLES, indexSource, quantileSorted } from './_internals/bootstrap.ts'
import { fairnessFigure } from './_internals/fairness-figure.ts'
import {
  disparities, FAIRNESS_DIRECTION, FAIRNESS_METRICS, FAIRNESS_THRESHOLDS, NEEDS_LABELS, ratesOf,
  type FairnessMetricName, type GroupCounts, type GroupRates,
} from './_internals/group-rates.ts'
import { combineVerdicts, intervalText, intervalVerdict, levelText, type IntervalVerdict } from './_internals/intervals.ts'
import { defaultPositive, labelValues, sortedLabels, type Label } from './_internals/metric-inputs.ts'
import { arrayOption, confidenceOption } from './_internals/option-schemas.ts'

export type { FairnessMetricName } from './_internals/group-rates.ts'

export interface CheckFairnessOptions {
  /** Predicted labels, one per row. */
  predictions: ArrayLike<Label>
  /** True labels, one per row (needed by the equalized odds metrics and the TPR/FPR columns). */
  labels?: ArrayLike<Label>
  /** The group of each row (the protected attribute's value), one per row. */
  group: ArrayLike<unknown>
  /** The favourable outcome (default 1 for numbers, true for booleans; strings must name it). */
  posLabel?: Label
  /** Disparities to judge (default: demographicParityDifference, disparateImpact, and equalizedOddsDifference when labels are given). */
  metrics?: readonly FairnessMetricName[]
  /** Threshold per disparity (defaults: differences 0.1, ratios 0.8, the four-fifths rule). */
  thresholds?: Partial<Record<FairnessMetricName, number>>
  /** Groups with fewer rows make every disparity inconclusive (default 30). */
  minGroupSize?: number
  /** Confidence level of the intervals (default 0.95). */
  confidence?: number
  /** Bootstrap resamples (default 2000). */
  resamples?: number
  /** Seed of the bootstrap (default: derived from the running test's seed). */
  seed?: number
}

export interface GroupFairness extends GroupRates {
  group: string
  n: number
  positives: number
  /** This group's selection rate over the most selected group's (the four-fifths rule's ratio). */
  disparateImpact: number
  /** Bootstrap intervals of the rates. */
  intervals: Record<keyof GroupRates, { lower: number; upper: number }>
}

export interface FairnessMetricResult {
  metric: FairnessMetricName
  value: number
  lower: number
  upper: number
  threshold: number
  /** 'max': the disparity must be at most the threshold; 'min': at least. */
  direction: 'min' | 'max'
  verdict: IntervalVerdict
  reason?: string
  /**
   * Permutation test of "no disparity": the share of group-label permutations (within true
   * classes for equalized odds) whose disparity is at least as large as the observed one.
   */
  pValue: number
}

/** Permutations of the group labels behind `pValue`. */
export const FAIRNESS_PERMUTATIONS = 999

export interface FairnessResult {
  verdict: IntervalVerdict
  groups: GroupFairness[]
  metrics: FairnessMetricResult[]
}

const CHECK = 'checkFairness'

const thresholdsSchema = z.object(Object.fromEntries(FAIRNESS_METRICS.map((m) => [m, z.number().min(0).optional()])) as Record<FairnessMetricName, z.ZodOptional<z.ZodNumber>>)

const optionsSchema = z.object({
  predictions: arrayOption<ArrayLike<Label>>('predictions', 'predicted labels'),
  labels: arrayOption<ArrayLike<Label>>('labels', 'labels').optional(),
  group: arrayOption<ArrayLike<unknown>>('group', 'group values (one per row)'),
  posLabel: z.union([z.number(), z.string(), z.boolean()]).optional(),
  metrics: z.array(z.enum(FAIRNESS_METRICS)).min(1).optional(),
  thresholds: thresholdsSchema.strict().optional(),
  minGroupSize: z.number().int().min(1).optional(),
  confidence: confidenceOption.optional(),
  resamples: z.number().int().min(100).optional(),
  seed: z.number().int().optional(),
} satisfies Record<keyof CheckFairnessOptions, z.ZodType>)

function groupKeys(values: ArrayLike<unknown>): string[] {
  const out: string[] = []
  for (let i = 0; i < values.length; i++) {
    const v = values[i]
    if (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v))) {
      throw new TypeError(`${CHECK}: group[${i}] is ${String(v)}; every row needs a group (drop rows with a missing protected attribute, or give them a group such as 'unknown')`)
    }
    out.push(String(v))
  }
  return out
}

function countGroup(members: ArrayLike<number>, selected: Uint8Array, positive: Uint8Array | undefined): GroupCounts {
  const c: GroupCounts = { n: members.length, selected: 0, positives: 0, truePositives: 0, falsePositives: 0 }
  for (let k = 0; k < members.length; k++) {
    const i = members[k]!
    const s = selected[i]!
    c.selected += s
    if (positive) {
      const p = positive[i]!
      c.positives += p
      c.truePositives += s & p
      c.falsePositives += s & (1 - p)
    }
  }
  return c
}

/**
 * Computes every group's rates and the disparities between groups with bootstrap intervals,
 * and judges each requested disparity against its threshold. Throws a `CheckFailure` when
 * one is wholly beyond it; inconclusive when an interval straddles it or a group is smaller
 * than `minGroupSize`.
 */
export function checkFairness(options: CheckFairnessOptions): FairnessResult {
  const o = parseCheckOptions(CHECK, optionsSchema, options)
  const preds = labelValues(CHECK, 'predictions', o.predictions)
  const n = preds.length
  const truth = o.labels ? labelValues(CHECK, 'labels', o.labels) : undefined
  if (truth && truth.length !== n) throw new RangeError(`${CHECK}: labels has ${truth.length} values but predictions has ${n}; pass one label per prediction`)
  if (o.group.length !== n) throw new RangeError(`${CHECK}: group has ${o.group.length} values but predictions has ${n}; pass one group per prediction`)
  const present = truth ? sortedLabels(CHECK, ['predictions', preds], ['labels', truth]) : sortedLabels(CHECK, ['predictions', preds])
  const positive = defaultPositive(CHECK, present, o.posLabel as Label | undefined)
  if (!present.includes(positive)) {
    throw new RangeError(`${CHECK}: the favourable outcome ${JSON.stringify(positive)} is neither predicted nor a label; set posLabel to one of ${present.map((l) => JSON.stringify(l)).join(', ')}`)
  }
  const metrics = [...(o.metrics ?? (['demographicParityDifference', 'disparateImpact', ...(truth ? ['equalizedOddsDifference'] : [])] as FairnessMetricName[]))]
  const needing = metrics.filter((m) => NEEDS_LABELS.has(m))
  if (needing.length > 0 && !truth) throw new TypeError(`${CHECK}: ${needing.join(' and ')} compare true and false positive rates, which need "labels" (the true label of each row)`)
  const thresholdOf = (m: FairnessMetricName) => o.thresholds?.[m] ?? FAIRNESS_THRESHOLDS[m]
  const minGroupSize = o.minGroupSize ?? 30
  const confidence = o.confidence ?? 0.95
  const resamples = o.resamples ?? DEFAULT_RESAMPLES
  const seed = bootstrapSeed(CHECK, o.seed)

  const keys = groupKeys(o.group)
  const groupNames = [...new Set(keys)].sort()
  if (groupNames.length < 2) throw new RangeError(`${CHECK}: group has one value only (${JSON.stringify(groupNames[0])}); fairness compares at least two groups`)
  const members = groupNames.map((g) => Uint32Array.from(keys.flatMap((k, i) => (k === g ? [i] : []))))
  const selected = Uint8Array.from(preds, (p) => (p === positive ? 1 : 0))
  const positiveRow = truth ? Uint8Array.from(truth, (y) => (y === positive ? 1 : 0)) : undefined

  const observedRates = members.map((m) => ratesOf(countGroup(m, selected, positiveRow)))
  const observed = disparities(observedRates)
  // Stratified bootstrap: each group's rows resampled within the group.
  const draw = indexSource(deriveSeed(seed, 'stratified'))
  const replicateRates: GroupRates[][] = []
  const replicate: Record<FairnessMetricName, number[]> = Object.fromEntries(FAIRNESS_METRICS.map((m) => [m, []])) as never
  for (let r = 0; r < resamples; r++) {
    const rates = members.map((m) => {
      const picked = new Uint32Array(m.length)
      for (let k = 0; k < m.length; k++) picked[k] = m[draw(m.length)]!
      return ratesOf(countGroup(picked, selected, positiveRow))
    })
    replicateRates.push(rates)
    const d = disparities(rates)
    for (const m of FAIRNESS_METRICS) replicate[m].push(d[m])
  }
  // Permutation test: the max-minus-min (or min-over-max) of noisy group rates is biased away
  // from "no disparity", more so with more groups, and so is its bootstrap interval; a fair
  // model with 8 groups of 50 rows had its whole interval beyond 0.1. A fail therefore also
  // needs the disparity to be unlikely under "outcome independent of group": group labels
  // permuted over all rows (selection-rate metrics) or within each true class (equalized odds).
  const groupOf = Uint32Array.from(keys, (k) => groupNames.indexOf(k))
  const everyRow = [Uint32Array.from({ length: n }, (_, i) => i)]
  const byTruth = positiveRow ? [0, 1].map((c) => Uint32Array.from([...positiveRow].flatMap((p, i) => (p === c ? [i] : [])))) : everyRow
  const permDraw = indexSource(deriveSeed(seed, 'permutation'))
  const permuted = (strata: Uint32Array[]): Record<FairnessMetricName, number> => {
    const g = groupOf.slice()
    for (const rows of strata) {
      for (let k = rows.length - 1; k > 0; k--) {
        const j = permDraw(k + 1)
        const a = rows[k]!
        const b = rows[j]!
        const t = g[a]!
        g[a] = g[b]!
        g[b] = t
      }
    }
    const lists: number[][] = groupNames.map(() => [])
    for (let i = 0; i < n; i++) lists[g[i]!]!.push(i)
    return disparities(lists.map((l) => ratesOf(countGroup(l, selected, positiveRow))))
  }
  const extreme: Record<FairnessMetricName, number> = Object.fromEntries(FAIRNESS_METRICS.map((m) => [m, 0])) as never
  const counted: Record<FairnessMetricName, number> = Object.fromEntries(FAIRNESS_METRICS.map((m) => [m, 0])) as never
  const conditional = (m: FairnessMetricName) => NEEDS_LABELS.has(m)
  for (let r = 0; r < FAIRNESS_PERMUTATIONS; r++) {
    const all = permuted(everyRow)
    const within = truth ? permuted(byTruth) : all
    for (const m of metrics) {
      const value = (conditional(m) ? within : all)[m]
      if (Number.isNaN(value) || Number.isNaN(observed[m])) continue
      counted[m]++
      if (FAIRNESS_DIRECTION[m] === 'max' ? value >= observed[m] - 1e-12 : value <= observed[m] + 1e-12) extreme[m]++
    }
  }
  const pValueOf = (m: FairnessMetricName) => (counted[m] === 0 ? Number.NaN : (1 + extreme[m]) / (1 + counted[m]))
  // Bonferroni over the disparities judged: each may fail the check.
  const alpha = (1 - confidence) / metrics.length
  const tail = (1 - confidence) / 2
  const interval = (values: number[]) => {
    const valid = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b)
    return { lower: quantileSorted(valid, tail), upper: quantileSorted(valid, 1 - tail), valid: valid.length }
  }
  const maxSelection = Math.max(...observedRates.map((r) => r.selectionRate))
  const groups: GroupFairness[] = groupNames.map((group, g) => {
    const rates = observedRates[g]!
    const of = (key: keyof GroupRates) => interval(replicateRates.map((rs) => rs[g]![key]))
    return {
      group, n: members[g]!.length, positives: positiveRow ? countGroup(members[g]!, selected, positiveRow).positives : Number.NaN,
      ...rates, disparateImpact: maxSelection === 0 ? Number.NaN : rates.selectionRate / maxSelection,
      intervals: { selectionRate: of('selectionRate'), truePositiveRate: of('truePositiveRate'), falsePositiveRate: of('falsePositiveRate') },
    }
  })
  const small = groups.filter((g) => g.n < minGroupSize)
  const results: FairnessMetricResult[] = metrics.map((metric) => {
    const ci = interval(replicate[metric])
    const threshold = thresholdOf(metric)
    const direction = FAIRNESS_DIRECTION[metric]
    const base = { metric, value: observed[metric], lower: ci.lower, upper: ci.upper, threshold, direction, pValue: pValueOf(metric) }
    if (small.length > 0) return { ...base, verdict: 'inconclusive', reason: `group ${small.map((g) => `${g.group} has n=${g.n}`).join(', ')} < minGroupSize ${minGroupSize}` }
    if (Number.isNaN(observed[metric])) {
      const why = metric.startsWith('equalized') ? 'a group has no rows of one true class, so its TPR or FPR is undefined' : 'no group is ever selected'
      return { ...base, verdict: 'inconclusive', reason: `${metric} is undefined: ${why}` }
    }
    if (ci.valid < 0.9 * resamples) return { ...base, verdict: 'inconclusive', reason: `${metric} undefined on ${resamples - ci.valid} of ${resamples} resamples` }
    const verdict = intervalVerdict(ci, threshold, direction)
    const rule = `${direction === 'max' ? '<=' : '>='} ${formatNumber(threshold)}${metric === 'disparateImpact' ? ' (four-fifths rule)' : ''}`
    if (verdict === 'pass') return { ...base, verdict }
    if (verdict === 'fail' && !(base.pValue < alpha)) {
      return { ...base, verdict: 'inconclusive', reason: `CI wholly ${direction === 'max' ? 'above' : 'below'} ${rule}, but a permutation test cannot tell the disparity from chance (p=${formatNumber(base.pValue)} >= ${formatNumber(alpha)})` }
    }
    return { ...base, verdict, reason: verdict === 'fail' ? `CI wholly ${direction === 'max' ? 'above' : 'below'} threshold: required ${rule}` : `CI straddles the threshold: required ${rule}` }
  })
  const verdict = combineVerdicts(results.map((m) => m.verdict))

  const level = levelText(confidence)
  const rateText = (v: number, ci: { lower: number; upper: number }) => (Number.isNaN(v) ? '-' : `${formatNumber(v)} ${intervalText(ci)}`)
  const groupTable = formatTable([
    ['group', 'n', 'selection rate', ...(truth ? ['TPR', 'FPR'] : []), 'vs most selected'],
    ...groups.map((g) => [g.group, String(g.n), rateText(g.selectionRate, g.intervals.selectionRate), ...(truth ? [rateText(g.truePositiveRate, g.intervals.truePositiveRate), rateText(g.falsePositiveRate, g.intervals.falsePositiveRate)] : []), formatNumber(g.disparateImpact)]),
  ], { align: ['left', 'right', 'left', 'left', 'left', 'right'], indent: '  ' })
  const metricTable = formatTable([
    ['disparity', 'observed', `${level} CI`, 'threshold', 'p (permutation)', 'verdict'],
    ...results.map((m) => [m.metric, formatNumber(m.value), intervalText(m), `${m.direction === 'max' ? '<=' : '>='} ${formatNumber(m.threshold)}`, formatNumber(m.pValue), m.reason ? `${m.verdict}: ${m.reason}` : m.verdict]),
  ], { align: ['left', 'right', 'left', 'left', 'right', 'left'], indent: '  ' })
  const failing = results.filter((m) => m.verdict === 'fail')
  const headline = verdict === 'fail'
    ? `${failing.map((m) => m.metric).join(', ')} beyond threshold between groups ${groupNames.join(', ')}`
    : `${results.length} disparities between groups ${groupNames.join(', ')}: ${verdict}`
  const report = [
    `${CHECK}: ${headline} (favourable outcome ${JSON.stringify(positive)}, n=${n})`,
    groupTable,
    metricTable,
    `  ${level} percentile bootstrap intervals, rows resampled within each group, ${resamples} resamples; Fairlearn's definitions`,
    `  a fail needs the whole interval beyond the threshold and p < ${formatNumber(alpha)} (${formatNumber(1 - confidence)}, Bonferroni over ${metrics.length} disparities) in a permutation test of the group labels (${FAIRNESS_PERMUTATIONS} permutations; within each true class for equalized odds)`,
    `  replay: seed ${seed} (mltest run --seed N reruns the test with the same resamples)`,
  ].join('\n')
  const firstOpen = results.find((m) => m.verdict === 'inconclusive')
  recordCheck({
    check: CHECK,
    practice: 'inclusion',
    verdict,
    ...(verdict === 'inconclusive' && firstOpen ? { reason: `${firstOpen.metric}: ${firstOpen.reason}` } : {}),
    metrics: {
      n,
      groups: groupNames.length,
      positiveLabel: String(positive),
      ...Object.fromEntries(results.flatMap((m) => [[m.metric, m.value], [`${m.metric}Lower`, m.lower], [`${m.metric}Upper`, m.upper], [`${m.metric}Threshold`, m.threshold], [`${m.metric}PValue`, m.pValue]])),
      ...Object.fromEntries(groups.flatMap((g) => [[`selectionRate[${g.group}]`, g.selectionRate], [`n[${g.group}]`, g.n]])),
      minGroupSize,
      confidence,
      test: 'stratified percentile bootstrap + permutation test of group labels',
      permutations: FAIRNESS_PERMUTATIONS,
      resamples,
      seed,
    },
    summary: `${results.map((m) => `${m.metric} ${formatNumber(m.value)} ${intervalText(m)} (${m.direction === 'max' ? '<=' : '>='} ${formatNumber(m.threshold)}: ${m.verdict})`).join('; ')}; groups ${groups.map((g) => `${g.group} n=${g.n}`).join(', ')}`,
    figures: [fairnessFigure(groups, Boolean(truth), level)],
  })
  if (verdict === 'fail') throw new CheckFailure(report)
  return { verdict, groups, metrics: results }
}
