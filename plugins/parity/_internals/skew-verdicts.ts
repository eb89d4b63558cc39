/**
 * The verdicts of checkDistributionSkew, decided for all features at once: a statistic over
 * its threshold is skew only when its test is significant after the correction for the many
 * tests one check runs (Holm by default). Over its threshold but not significant, it is
 * sampling noise and passes (the report says so), unless the samples are so small that no
 * split could have been significant: then the data cannot tell, and it is inconclusive.
 */
import type { FeatureSample } from './feature-samples.ts'
import { holmAdjust, tooFewRowsToReach } from './holm.ts'
import type { FeatureDistributionSkew, FeatureVerdict, RateComparison } from './measure-distribution.ts'

export type Correction = 'holm' | 'none'

export interface TestPlan {
  /** 0: no test; a statistic over its threshold fails. */
  permutations: number
  alpha: number
  correction: Correction
  /** Hypotheses the check could test (see countHypotheses): the m of the correction. */
  hypotheses: number
}

/**
 * Hypotheses one check tests: each feature's distance (when both sides have values), its
 * missing rate (when any row misses it) and its non-finite rate (when any value is ±Infinity).
 * All are counted on the pooled rows, which a relabelling does not change, so the count is
 * fixed under H0 and the correction stays valid; a rate no row can differ in costs no power.
 */
export function countHypotheses(samples: readonly { training: FeatureSample; serving: FeatureSample }[]): number {
  let m = 0
  for (const { training: t, serving: s } of samples) {
    if (t.count > 0 && s.count > 0) m++
    if (t.missing + s.missing > 0) m++
    if (t.nonFinite + s.nonFinite > 0) m++
  }
  return m
}

/** The level one test must reach on its own: alpha, or alpha / m under Holm (its first, strictest step). */
export function singleTestLevel(plan: TestPlan): number {
  return plan.correction === 'holm' ? plan.alpha / Math.max(1, plan.hypotheses) : plan.alpha
}

const worst = (verdicts: readonly FeatureVerdict[]): FeatureVerdict =>
  verdicts.includes('fail') ? 'fail' : verdicts.includes('inconclusive') ? 'inconclusive' : 'pass'

/** Sets every tested statistic's adjusted p-value and verdict, then each feature's verdict. */
export function decideVerdicts(features: FeatureDistributionSkew[], plan: TestPlan): void {
  const tests: { p: number; decide: (adjusted: number) => void }[] = []
  const level = singleTestLevel(plan)
  const verdictOf = (adjusted: number, a: number, b: number): FeatureVerdict =>
    adjusted < plan.alpha ? 'fail' : tooFewRowsToReach(a, b, level) ? 'inconclusive' : 'pass'
  for (const f of features) {
    if (f.pValue !== undefined) {
      tests.push({ p: f.pValue, decide: (adjusted) => Object.assign(f, { pValueAdjusted: adjusted, distanceVerdict: verdictOf(adjusted, f.trainingCount, f.servingCount) }) })
    }
    for (const rate of [f.missingRate, f.nonFiniteRate] as RateComparison[]) {
      if (rate.pValue === undefined) continue
      tests.push({ p: rate.pValue, decide: (adjusted) => Object.assign(rate, { pValueAdjusted: adjusted, verdict: verdictOf(adjusted, rate.trainingRows, rate.servingRows) }) })
    }
  }
  const pValues = tests.map((t) => t.p)
  const adjusted = plan.correction === 'holm' ? holmAdjust(pValues, Math.max(plan.hypotheses, pValues.length)) : pValues
  tests.forEach((t, i) => t.decide(adjusted[i]!))
  for (const f of features) f.verdict = worst([f.distanceVerdict, f.missingRate.verdict, f.nonFiniteRate.verdict])
}
