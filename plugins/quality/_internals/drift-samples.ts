/**
 * The values of one feature in the reference and current samples, validated: a feature
 * missing from `current`, a NaN, a missing value or a mix of numbers and categories is a
 * one-line error naming the sample, the row and the field, with the fix.
 */

export type FeatureKind = 'numeric' | 'categorical'
export type Row = Readonly<Record<string, unknown>>
export type Primitive = number | string | boolean

export interface FeatureValues {
  feature: string
  kind: FeatureKind
  reference: number[] | string[]
  current: number[] | string[]
}

/** The feature name the check gives a sample of plain values (predictions, scores). */
export const PREDICTION = 'prediction'

/** True when `rows` holds plain values rather than records. */
export function isPlainSample(rows: readonly unknown[]): boolean {
  return rows.length > 0 && rows.every((r) => typeof r !== 'object' || r === null)
}

function kindOfValue(v: unknown): FeatureKind | undefined {
  if (typeof v === 'number') return 'numeric'
  if (typeof v === 'string' || typeof v === 'boolean') return 'categorical'
  return undefined
}

/** The kind of a feature: declared, or read from the first reference value. */
export function inferKind(check: string, rows: readonly unknown[], feature: string, plain: boolean): FeatureKind {
  const first = plain ? rows[0] : (rows[0] as Row)[feature]
  const kind = kindOfValue(first)
  if (kind) return kind
  throw new TypeError(`${check}: reference[0]${plain ? '' : `.${feature}`} is ${shownValue(first)}, neither a number nor a category (string or boolean); drop such rows or declare the feature's kind`)
}

function shownValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v)
  if (v === undefined) return 'missing'
  if (typeof v === 'object' && v !== null) return 'an object'
  return String(v)
}

function valuesOf(check: string, rows: readonly unknown[], side: 'reference' | 'current', feature: string, kind: FeatureKind, plain: boolean): number[] | string[] {
  if (!plain && !rows.some((r) => typeof r === 'object' && r !== null && feature in r)) {
    const fields = Object.keys((rows[0] ?? {}) as object).slice(0, 8).join(', ')
    throw new TypeError(`${check}: feature "${feature}" is missing from ${side} (its rows have: ${fields}); check the name or add the field`)
  }
  const out: (number | string)[] = []
  for (let i = 0; i < rows.length; i++) {
    const v = plain ? rows[i] : (rows[i] as Row | null)?.[feature]
    const where = plain ? `${side}[${i}]` : `${side}[${i}].${feature}`
    if (kind === 'numeric') {
      if (typeof v !== 'number') throw new TypeError(`${check}: ${where} is ${shownValue(v)}, but "${feature}" is numeric; drop or impute missing values before checking drift, or declare it categorical`)
      if (Number.isNaN(v)) throw new TypeError(`${check}: ${where} is NaN; drop or impute missing values before checking drift`)
      if (!Number.isFinite(v)) throw new TypeError(`${check}: ${where} is ${v}; drift statistics need finite values, so clip or drop it`)
      out.push(v)
    } else {
      if (typeof v !== 'string' && typeof v !== 'boolean') throw new TypeError(`${check}: ${where} is ${shownValue(v)}, but "${feature}" is categorical (strings or booleans); fill missing categories with a value such as "missing" before checking drift`)
      out.push(String(v))
    }
  }
  return out as number[] | string[]
}

/** The validated values of `feature` on both sides. */
export function featureValues(check: string, reference: readonly unknown[], current: readonly unknown[], feature: string, declared: FeatureKind | undefined, plain: boolean): FeatureValues {
  const kind = declared ?? inferKind(check, reference, feature, plain)
  return {
    feature,
    kind,
    reference: valuesOf(check, reference, 'reference', feature, kind, plain),
    current: valuesOf(check, current, 'current', feature, kind, plain),
  }
}
