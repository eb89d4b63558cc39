/**
 * Zod pieces for the quality checks' options that zod's own types word badly: arrays of
 * rows or values, functions, a metric by name or object. Each fails with one sentence naming
 * the option, which `parseCheckOptions` prefixes with the check's name.
 */
import { shownValue, z } from 'mltest/plugin'
import { METRICS, type Metric, type MetricName } from '../metrics.ts'

function refined<T>(problem: (value: unknown) => string | undefined) {
  return z.custom<T>().superRefine((value, ctx) => {
    const message = problem(value)
    if (message !== undefined) ctx.addIssue({ code: 'custom', message })
  })
}

const isArrayLike = (v: unknown): v is ArrayLike<unknown> => Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView))

/** A non-empty array (or typed array) of `what`. */
export function arrayOption<T>(name: string, what: string) {
  return refined<T>((v) => {
    if (!isArrayLike(v)) return `option "${name}" must be an array of ${what} (got ${shownValue(v)})`
    return v.length === 0 ? `option "${name}" is empty; pass at least one of ${what}` : undefined
  })
}

/** An array of row objects. */
export function rowsOption<T>(name: string) {
  return refined<T>((v) => {
    if (!Array.isArray(v)) return `option "${name}" must be an array of rows (objects with the columns as fields) (got ${shownValue(v)})`
    if (v.length === 0) return `option "${name}" is empty; pass at least one row`
    const bad = v.findIndex((row) => typeof row !== 'object' || row === null || Array.isArray(row))
    return bad >= 0 ? `option "${name}[${bad}]" must be an object with the columns as fields (got ${shownValue(v[bad])})` : undefined
  })
}

export function functionOption<T>(name: string, signature: string) {
  return refined<T>((v) => (typeof v === 'function' ? undefined : `option "${name}" must be a function ${signature} (got ${shownValue(v)})`))
}

/** Levenshtein distance, for the did-you-mean of a misspelled metric name. */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    prev = row
  }
  return prev[b.length]!
}

export const metricOption = refined<MetricName | Metric>((v) => {
  if (typeof v === 'string') {
    if (v in METRICS) return undefined
    const names = Object.keys(METRICS)
    const near = names.map((n) => [n, editDistance(n.toLowerCase(), v.toLowerCase())] as const).sort((a, b) => a[1] - b[1]).find(([, d]) => d <= 3)?.[0]
    return `option "metric" is ${JSON.stringify(v)}, not a known metric${near ? ` — did you mean "${near}"?` : ''} (known: ${names.join(', ')}; or pass { name, input, higherIsBetter, compute })`
  }
  if (typeof v === 'object' && v !== null && typeof (v as Metric).compute === 'function' && typeof (v as Metric).name === 'string' && typeof (v as Metric).higherIsBetter === 'boolean') return undefined
  return `option "metric" must be a metric name such as 'accuracy' or { name, input, higherIsBetter, compute } (got ${shownValue(v)})`
})

/** A confidence level in (0, 1). */
export const confidenceOption = z.number().gt(0).lt(1)
