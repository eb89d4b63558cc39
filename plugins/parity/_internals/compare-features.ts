/**
 * Comparing one feature value from the training pipeline with the same feature from the
 * serving pipeline. Numbers and numeric vectors (one-hot, embeddings) use the feature's
 * tolerance through the SDK's `compareArrays` (training is the reference; NaN on both sides
 * is parity, since both pipelines computed the same missing value); strings, booleans and
 * null are categorical and compare exactly.
 */
import { compareArrays, type Tolerance, type UlpMax } from 'mltest/plugin'

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

function compareNumbers(training: ArrayLike<number>, serving: ArrayLike<number>, tolerance: Tolerance): ValueComparison {
  const c = compareArrays(serving, training, tolerance, { equalNaN: true })
  return { differs: c.mismatches > 0, absDiff: c.maxAbsDiff, ulps: c.maxUlps }
}

/** Numeric elements go through the tolerance together; any other element must be identical. */
function compareVectors(training: ArrayLike<unknown>, serving: ArrayLike<unknown>, tolerance: Tolerance): ValueComparison {
  if (training.length !== serving.length) return { differs: true }
  const numbersT: number[] = []
  const numbersS: number[] = []
  let categoricalDiffers = false
  for (let i = 0; i < training.length; i++) {
    const t = training[i]
    const s = serving[i]
    if (typeof t === 'number' && typeof s === 'number') {
      numbersT.push(t)
      numbersS.push(s)
    } else if (t !== s) categoricalDiffers = true
  }
  if (numbersT.length === 0) return { differs: categoricalDiffers }
  const numeric = compareNumbers(numbersT, numbersS, tolerance)
  return { ...numeric, differs: numeric.differs || categoricalDiffers }
}

/** Compares two present values of one feature. */
export function compareValues(training: FeatureValue, serving: FeatureValue, tolerance: Tolerance): ValueComparison {
  if (typeof training === 'number' && typeof serving === 'number') return compareNumbers([training], [serving], tolerance)
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
