/**
 * Validation and label handling shared by the metrics: every input that cannot be judged
 * (different lengths, nothing to score, NaN, a label of the wrong kind) is a one-line error
 * naming the function, the field and the fix, instead of a NaN that passes a threshold.
 */

/** A class label, as scikit-learn accepts them: numbers, strings or booleans (not mixed). */
export type Label = number | string | boolean

/** Throws unless `values` is a non-empty array; `field` names it in the error. */
function assertNonEmptyArray(fn: string, field: string, values: unknown): asserts values is readonly unknown[] {
  if (!Array.isArray(values) && !ArrayBuffer.isView(values)) {
    throw new TypeError(`${fn}: ${field} must be an array (got ${values === null ? 'null' : typeof values})`)
  }
  if ((values as ArrayLike<unknown>).length === 0) {
    throw new RangeError(`${fn}: ${field} is empty; a metric needs at least one value`)
  }
}

/** Throws unless both arrays are non-empty and of equal length. */
export function assertPaired(fn: string, a: [string, unknown], b: [string, unknown]): void {
  assertNonEmptyArray(fn, a[0], a[1])
  assertNonEmptyArray(fn, b[0], b[1])
  const [na, nb] = [(a[1] as ArrayLike<unknown>).length, (b[1] as ArrayLike<unknown>).length]
  if (na !== nb) {
    throw new RangeError(`${fn}: ${a[0]} has ${na} values but ${b[0]} has ${nb}; pass one ${b[0].replace(/s$/, '')} per ${a[0].replace(/s$/, '')}`)
  }
}

/** The values as finite numbers; NaN, infinities and non-numbers are errors naming the index. */
export function finiteNumbers(fn: string, field: string, values: ArrayLike<unknown>): number[] {
  const out = new Array<number>(values.length)
  for (let i = 0; i < values.length; i++) {
    const v = values[i]
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      const what = typeof v === 'number' ? String(v) : v === null ? 'null' : typeof v === 'string' ? JSON.stringify(v) : typeof v
      throw new TypeError(`${fn}: ${field}[${i}] is ${what}; every value must be a finite number (drop or impute missing values first)`)
    }
    out[i] = v
  }
  return out
}

/** The values as labels of one kind (all numbers, all strings or all booleans); NaN is an error. */
export function labelValues(fn: string, field: string, values: ArrayLike<unknown>): Label[] {
  const out = new Array<Label>(values.length)
  let kind: string | undefined
  for (let i = 0; i < values.length; i++) {
    const v = values[i]
    const t = typeof v
    if ((t !== 'number' && t !== 'string' && t !== 'boolean') || (t === 'number' && Number.isNaN(v))) {
      const what = t === 'number' ? 'NaN' : v === null ? 'null' : t
      throw new TypeError(`${fn}: ${field}[${i}] is ${what}; labels must be numbers, strings or booleans (drop unlabelled rows first)`)
    }
    if (kind === undefined) kind = t
    else if (kind !== t) {
      throw new TypeError(`${fn}: ${field} mixes label types (${kind} and ${t} at index ${i}); use one type, as scikit-learn requires`)
    }
    out[i] = v as Label
  }
  return out
}

function compareLabels(a: Label, b: Label): number {
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0
  return Number(a) - Number(b)
}

/** The distinct labels of the arrays, sorted (numbers ascending, strings by code unit, false < true), as sklearn's unique_labels. */
export function sortedLabels(fn: string, ...arrays: [string, readonly Label[]][]): Label[] {
  const seen = new Set<Label>()
  let kind: string | undefined
  for (const [field, values] of arrays) {
    for (const v of values) {
      if (kind === undefined) kind = typeof v
      else if (kind !== typeof v) {
        throw new TypeError(`${fn}: ${field} holds ${typeof v} labels but the other input ${kind} labels; use one label type for both`)
      }
      seen.add(v)
    }
  }
  return [...seen].sort(compareLabels)
}

/**
 * The positive class of a binary metric: the given one, else 1 for numbers and true for
 * booleans (scikit-learn's pos_label=1); string labels must name theirs.
 */
export function defaultPositive(fn: string, labels: readonly Label[], given: Label | undefined): Label {
  if (given !== undefined) return given
  const kind = typeof labels[0]
  if (kind === 'number') return 1
  if (kind === 'boolean') return true
  throw new TypeError(`${fn}: labels are strings, so the positive class is not 1; pass posLabel, e.g. { posLabel: ${JSON.stringify(labels[0])} }`)
}
