/**
 * Per-group rates with Fairlearn's definitions (fairlearn.metrics): selection rate
 * P(ŷ = positive), true positive rate P(ŷ = positive | y = positive), false positive rate
 * P(ŷ = positive | y = negative); and the disparities between groups: demographic parity
 * difference (largest − smallest selection rate) and ratio (smallest / largest), equalized
 * odds difference (the larger of the TPR and FPR differences) and ratio (the smaller of the
 * two ratios). A rate with no rows to count is NaN, and so is every disparity using it.
 */

/** One group's counts: rows, predicted positive, actual positive, true positive, false positive. */
export interface GroupCounts {
  n: number
  selected: number
  positives: number
  truePositives: number
  falsePositives: number
}

export interface GroupRates {
  selectionRate: number
  truePositiveRate: number
  falsePositiveRate: number
}

export function ratesOf(c: GroupCounts): GroupRates {
  const negatives = c.n - c.positives
  return {
    selectionRate: c.n === 0 ? Number.NaN : c.selected / c.n,
    truePositiveRate: c.positives === 0 ? Number.NaN : c.truePositives / c.positives,
    falsePositiveRate: negatives === 0 ? Number.NaN : c.falsePositives / negatives,
  }
}

export const FAIRNESS_METRICS = ['demographicParityDifference', 'demographicParityRatio', 'equalizedOddsDifference', 'equalizedOddsRatio', 'disparateImpact'] as const
export type FairnessMetricName = (typeof FAIRNESS_METRICS)[number]

/** Whether a disparity must stay below its threshold ('max': differences) or above it ('min': ratios). */
export const FAIRNESS_DIRECTION: Record<FairnessMetricName, 'min' | 'max'> = {
  demographicParityDifference: 'max',
  demographicParityRatio: 'min',
  equalizedOddsDifference: 'max',
  equalizedOddsRatio: 'min',
  disparateImpact: 'min',
}

/** Defaults: a 0.1 difference (Fairlearn's examples), 0.8 ratios (the four-fifths rule of the US EEOC guidelines). */
export const FAIRNESS_THRESHOLDS: Record<FairnessMetricName, number> = {
  demographicParityDifference: 0.1,
  demographicParityRatio: 0.8,
  equalizedOddsDifference: 0.1,
  equalizedOddsRatio: 0.8,
  disparateImpact: 0.8,
}

/** Metrics that need the true labels. */
export const NEEDS_LABELS: ReadonlySet<FairnessMetricName> = new Set(['equalizedOddsDifference', 'equalizedOddsRatio'])

function spread(values: number[]): { min: number; max: number } {
  if (values.some(Number.isNaN)) return { min: Number.NaN, max: Number.NaN }
  return { min: Math.min(...values), max: Math.max(...values) }
}

const ratio = (min: number, max: number) => (max === 0 ? Number.NaN : min / max)

/** Every disparity from the groups' rates. */
export function disparities(rates: readonly GroupRates[]): Record<FairnessMetricName, number> {
  const sel = spread(rates.map((r) => r.selectionRate))
  const tpr = spread(rates.map((r) => r.truePositiveRate))
  const fpr = spread(rates.map((r) => r.falsePositiveRate))
  const dpRatio = ratio(sel.min, sel.max)
  return {
    demographicParityDifference: sel.max - sel.min,
    demographicParityRatio: dpRatio,
    equalizedOddsDifference: Math.max(tpr.max - tpr.min, fpr.max - fpr.min),
    equalizedOddsRatio: Math.min(ratio(tpr.min, tpr.max), ratio(fpr.min, fpr.max)),
    // The four-fifths rule compares every group with the most selected one: the smallest of those ratios.
    disparateImpact: dpRatio,
  }
}
