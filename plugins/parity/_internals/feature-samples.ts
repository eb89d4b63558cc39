/**
 * Pulling one feature out of a set of rows for a distribution comparison: the numbers of a
 * numeric feature or the category counts of a categorical one, with missing values and the
 * non-finite numbers ±Infinity counted separately rather than silently mixed in (an Infinity
 * in a histogram has no bin, and a distance over it is meaningless).
 */

export type FeatureKind = 'categorical' | 'numeric'

export interface FeatureSample {
  /** Rows read. */
  rows: number
  /** Values compared: neither missing nor non-finite. */
  count: number
  /** undefined, null, and NaN. */
  missing: number
  /** ±Infinity of a numeric feature. */
  nonFinite: number
  /** Values of a numeric feature. */
  numbers: number[]
  /** Values of a categorical feature, as strings. */
  labels: string[]
  /** Counts per category of a categorical feature. */
  categories: Map<string, number>
}

/** Counts per label. */
export function countLabels(labels: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>()
  for (const label of labels) counts.set(label, (counts.get(label) ?? 0) + 1)
  return counts
}

/** Collects a feature's values from `rows`; a value of the wrong kind is an error naming the row. */
export function featureSamples(rows: readonly Readonly<Record<string, unknown>>[], feature: string, kind: FeatureKind, side: string): FeatureSample {
  const sample: FeatureSample = { rows: rows.length, count: 0, missing: 0, nonFinite: 0, numbers: [], labels: [], categories: new Map() }
  if (kind !== 'numeric' && kind !== 'categorical') {
    throw new TypeError(`checkDistributionSkew: feature "${feature}" has kind ${JSON.stringify(kind)}; use 'numeric' or 'categorical'`)
  }
  for (let i = 0; i < rows.length; i++) {
    const v = rows[i]![feature]
    if (v === undefined || v === null || (typeof v === 'number' && Number.isNaN(v))) {
      sample.missing++
      continue
    }
    if (kind === 'numeric') {
      if (typeof v !== 'number') {
        throw new TypeError(`checkDistributionSkew: numeric feature "${feature}" is ${JSON.stringify(v)} (${typeof v}) in ${side} row #${i}; convert it to a number or declare the feature 'categorical'`)
      }
      if (!Number.isFinite(v)) {
        sample.nonFinite++
        continue
      }
      sample.numbers.push(v)
    } else {
      if (typeof v !== 'string' && typeof v !== 'boolean' && typeof v !== 'number') {
        throw new TypeError(`checkDistributionSkew: categorical feature "${feature}" is ${typeof v} in ${side} row #${i}; use strings, booleans or numbers`)
      }
      sample.labels.push(String(v))
    }
    sample.count++
  }
  sample.categories = countLabels(sample.labels)
  return sample
}
