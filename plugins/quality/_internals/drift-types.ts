/** The drift check's result shapes, shared by the check and its report. */
import type { MeasuredFeature } from './drift-measure.ts'

export interface FeatureDrift extends MeasuredFeature {
  /** Benjamini–Hochberg adjusted p-value (the raw p-value with one test or correction 'none'). */
  adjustedPValue?: number
  verdict: 'pass' | 'fail' | 'inconclusive'
  /** Why the verdict is inconclusive, one sentence. */
  reason?: string
  /** True when the threshold and p-value come from reference-vs-reference splits. */
  calibrated: boolean
}

export interface DriftReport {
  features: FeatureDrift[]
  referenceRows: number
  currentRows: number
  alpha: number
  correction: 'benjamini-hochberg' | 'none'
  /** Features decided by a p-value (the hypotheses the correction is over). */
  tests: number
  calibrated: boolean
  seed: number
}
