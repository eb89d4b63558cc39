/**
 * Comparing one feature value from the training pipeline with the same feature from the
 * serving pipeline. Numbers and numeric vectors (one-hot, embeddings) use the feature's
 * tolerance; strings, booleans and null are categorical and compare exactly.
 */
import { absDistance, addUlps, type UlpMax } from './float-distance.ts'
import { withinTolerance, type ResolvedTolerance } from './tolerance.ts'

/** A feature value: a scalar, a categorical, or a vector (array or typed array). `undefined` means absent. */
export type FeatureValue = number | string | boolean | null | undefined | readonly unknown[] | ArrayLike<number>

/** Named features produced by a pipeline for one record. */
export type Features = Readonly<Record<string, FeatureValue>>

export interface ValueComparison {
  differs: boolean
  /** Largest element-wise |training - serving| for numeric values, else undefined. */
  absDiff?: number
  /** Largest element-wise ULP distances for numeric values (float32 and float64 pairs apart), else undefined. */
  ulps?: UlpMax
}

function isVector(value: unknown): value is ArrayLike<unknown> {
  return Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView))
}

function compareVectors(training: ArrayLike<unknown>, serving: ArrayLike<unknown>, tolerance: ResolvedTolerance): ValueComparison {
  if (training.length !== serving.length) return { differs: true }
  let differs = false
  let absDiff: number | undefined
  let ulps: UlpMax | undefined
  for (let i = 0; i < training.length; i++) {
    const t = training[i]
    const s = serving[i]
    if (typeof t === 'number' && typeof s === 'number') {
      absDiff = Math.max(absDiff ?? 0, absDistance(t, s))
      ulps ??= { float32: null, float64: null }
      addUlps(ulps, t, s)
      if (!withinTolerance(t, s, tolerance)) differs = true
    } else if (t !== s) differs = true
  }
  return { differs, absDiff, ulps }
}

/** Compares two present values of one feature. */
export function compareValues(training: FeatureValue, serving: FeatureValue, tolerance: ResolvedTolerance): ValueComparison {
  if (typeof training === 'number' && typeof serving === 'number') {
    const ulps: UlpMax = { float32: null, float64: null }
    addUlps(ulps, training, serving)
    return { differs: !withinTolerance(training, serving, tolerance), absDiff: absDistance(training, serving), ulps }
  }
  if (isVector(training) && isVector(serving)) return compareVectors(training, serving, tolerance)
  return { differs: training !== serving }
}

/** A short, exact rendering of a value for reports: full-precision numbers, vectors cut after 8 elements. */
export function formatValue(value: unknown): string {
  if (value === undefined) return '(absent)'
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value)
  if (isVector(value)) {
    const shown = Array.from({ length: Math.min(value.length, 8) }, (_, i) => formatValue(value[i]))
    return `[${shown.join(', ')}${value.length > 8 ? `, … (${value.length} values)` : ''}]`
  }
  return JSON.stringify(value) ?? String(value)
}
