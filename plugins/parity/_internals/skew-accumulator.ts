/**
 * Per-feature skew counts accumulated one example at a time, so a serving log of any length
 * is checked in constant memory: only counters, maxima and the first few offending examples
 * (already rendered as short strings) are kept.
 */
import { describeTolerance, type Tolerance } from 'mltest/plugin'
import { compareValues, formatValue, type Features } from './compare-features.ts'

/** One offending example, with both values as rendered strings. */
export interface SkewSample {
  key: string
  training: string
  serving: string
}

/** The seed practice's metrics for one feature. */
export interface FeatureSkew {
  feature: string
  /** The tolerance the feature was compared with, e.g. `exact` or `atol 1e-6`. */
  tolerance: string
  /** Examples in which the feature was present on at least one side. */
  examples: number
  /** Examples outside tolerance, including those where the feature is present on one side only. */
  skewed: number
  /** Examples where only the training pipeline produced the feature. */
  onlyInTraining: number
  /** Examples where only the serving side produced the feature. */
  onlyInServing: number
  /** Largest |training - serving| over all numeric values compared, or null for categoricals. */
  maxAbsDiff: number | null
  /** Largest float32 ULP distance over numeric pairs where both values are float32 values, else null. */
  maxUlpDiff: number | null
  /** Largest float64 ULP distance over numeric pairs where a value is not a float32 value (a float32-rounding bug shows here), else null. */
  maxUlpDiffFloat64: number | null
  /** The first offending examples (at most `maxSamples`). */
  samples: SkewSample[]
}

export interface SkewSummary {
  /** Examples compared. */
  examples: number
  /** Examples with at least one skewed feature. */
  examplesWithSkew: number
  /** Every feature compared, in first-seen order. */
  features: FeatureSkew[]
  /** The features with at least one skewed example. */
  skewedFeatures: FeatureSkew[]
}

export interface SkewAccumulatorOptions {
  tolerance: (feature: string) => Tolerance
  /** Compare only these features; default: every feature either side produces. */
  features?: readonly string[]
  maxSamples: number
}

export class SkewAccumulator {
  private examples = 0
  private examplesWithSkew = 0
  private readonly byFeature = new Map<string, FeatureSkew>()

  constructor(private readonly options: SkewAccumulatorOptions) {
    for (const feature of options.features ?? []) this.stats(feature)
  }

  private stats(feature: string): FeatureSkew {
    let stats = this.byFeature.get(feature)
    if (!stats) {
      stats = {
        feature, tolerance: describeTolerance(this.options.tolerance(feature)), examples: 0, skewed: 0,
        onlyInTraining: 0, onlyInServing: 0, maxAbsDiff: null, maxUlpDiff: null, maxUlpDiffFloat64: null, samples: [],
      }
      this.byFeature.set(feature, stats)
    }
    return stats
  }

  private names(training: Features, serving: Features): Iterable<string> {
    if (this.options.features) return this.options.features
    const names = new Set(Object.keys(training))
    for (const name of Object.keys(serving)) names.add(name)
    return names
  }

  /**
   * Compares one example's features; returns whether any feature is skewed. The key may be a
   * function, called only when the example is kept as a sample (most never are).
   */
  add(key: string | (() => string), training: Features, serving: Features): boolean {
    this.examples++
    let exampleSkewed = false
    for (const name of this.names(training, serving)) {
      const t = training[name]
      const s = serving[name]
      if (t === undefined && s === undefined) continue
      const stats = this.stats(name)
      stats.examples++
      let differs: boolean
      if (t === undefined || s === undefined) {
        differs = true
        if (t === undefined) stats.onlyInServing++
        else stats.onlyInTraining++
      } else {
        const c = compareValues(t, s, this.options.tolerance(name))
        differs = c.differs
        if (c.absDiff !== undefined) stats.maxAbsDiff = Math.max(stats.maxAbsDiff ?? 0, c.absDiff)
        if (c.ulps && c.ulps.float32 !== null) stats.maxUlpDiff = Math.max(stats.maxUlpDiff ?? 0, c.ulps.float32)
        if (c.ulps && c.ulps.float64 !== null) stats.maxUlpDiffFloat64 = Math.max(stats.maxUlpDiffFloat64 ?? 0, c.ulps.float64)
      }
      if (!differs) continue
      stats.skewed++
      exampleSkewed = true
      if (stats.samples.length < this.options.maxSamples) stats.samples.push({ key: typeof key === 'function' ? key() : key, training: formatValue(t), serving: formatValue(s) })
    }
    if (exampleSkewed) this.examplesWithSkew++
    return exampleSkewed
  }

  summary(): SkewSummary {
    const features = [...this.byFeature.values()]
    return { examples: this.examples, examplesWithSkew: this.examplesWithSkew, features, skewedFeatures: features.filter((f) => f.skewed > 0) }
  }
}
