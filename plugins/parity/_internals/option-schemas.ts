/**
 * Zod pieces for the parity checks' option schemas, for the options zod's own types describe
 * badly: functions, rows, tolerances, thresholds that are a number or a map. Each fails with
 * one sentence naming the option (`option "tolerance.price": unknown option "atl" — did you
 * mean "atol"?`), which `parseCheckOptions` prefixes with the check's name.
 */
import { parseCheckOptions, z } from 'mltest/plugin'

/** `value` as an error message shows it: strings quoted, objects as short JSON. */
export function shown(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'function') return 'a function'
  if (Array.isArray(value)) return `an array of ${value.length}`
  if (typeof value !== 'object' || value === null) return String(value)
  try {
    const text = JSON.stringify(value)
    return text.length > 60 ? `${text.slice(0, 57)}...` : text
  } catch {
    return 'an object'
  }
}

/** Any value `problem` accepts (returns undefined for); its sentence otherwise. Typed as T. */
export function refined<T>(problem: (value: unknown) => string | undefined) {
  return z.custom<T>().superRefine((value, ctx) => {
    const message = problem(value)
    if (message !== undefined) ctx.addIssue({ code: 'custom', message })
  })
}

/** The error sentence of parsing a nested options object, or undefined when it is valid. */
function nestedProblem(label: string, schema: z.ZodObject<z.ZodRawShape>, value: unknown): string | undefined {
  try {
    parseCheckOptions(label, schema, value)
    return undefined
  } catch (error) {
    return (error as Error).message
  }
}

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

/** A non-negative number; Infinity allowed (every finite pair is then close), NaN not. */
const allowance = (name: string) => refined<number>((v) => (typeof v === 'number' && v >= 0 ? undefined : `option "${name}" must be a number >= 0 (got ${shown(v)})`))
const toleranceObject = z.object({ atol: allowance('atol').optional(), rtol: allowance('rtol').optional(), ulps: z.number().int().min(0).optional() })

function toleranceProblem(value: unknown, option: string, forms = "'exact' or { atol?, rtol?, ulps? }"): string | undefined {
  if (value === 'exact') return undefined
  if (!isPlainObject(value)) return `option "${option}" must be ${forms} (got ${shown(value)})`
  return nestedProblem(`option "${option}"`, toleranceObject, value)
}

/**
 * A tolerance, or with `map` also `{ '*': default, feature: tolerance }`. An object with a
 * number among its values is read as one tolerance, so `{ atl: 1 }` is a misspelled `atol`.
 */
export function toleranceSchema<T>(option: string, { map }: { map: boolean }) {
  return refined<T>((value) => {
    if (!map) return toleranceProblem(value, option)
    if (!isPlainObject(value) || Object.values(value).some((v) => typeof v === 'number' || v === undefined)) {
      return toleranceProblem(value, option, "'exact', { atol?, rtol?, ulps? } or a map { '*': default, feature: tolerance }")
    }
    for (const [feature, tolerance] of Object.entries(value)) {
      const problem = toleranceProblem(tolerance, `${option}.${feature}`)
      if (problem) return problem
    }
    return undefined
  })
}

const fractionText = (option: string, value: unknown) => `option "${option}" must be a number in [0, 1] (got ${shown(value)})`
const isFraction = (value: unknown) => typeof value === 'number' && value >= 0 && value <= 1

/** A number in [0, 1] for every feature, or `{ '*': default, feature: number }`. */
export function thresholdsSchema<T>(option: string) {
  return refined<T>((value) => {
    if (isFraction(value)) return undefined
    if (!isPlainObject(value)) return `option "${option}" must be a number in [0, 1] or { '*': default, feature: threshold } (got ${shown(value)})`
    const bad = Object.entries(value).find(([, v]) => !isFraction(v))
    return bad ? fractionText(`${option}.${bad[0]}`, bad[1]) : undefined
  })
}

/** A function, or an object with a `batch` function (a feature pipeline). */
export function pipelineSchema<T>(option: string) {
  return refined<T>((value) => {
    const ok = typeof value === 'function' || (isPlainObject(value) && typeof value.batch === 'function')
    return ok ? undefined : `option "${option}" must be a function (record) => features or an object with batch(records) => features[] (got ${shown(value)})`
  })
}

/** A function; `signature` shows its shape in the message. */
export function functionSchema<T>(option: string, signature: string) {
  return refined<T>((value) => (typeof value === 'function' ? undefined : `option "${option}" must be a function ${signature} (got ${shown(value)})`))
}

/** An array; `what` says what it holds. Its elements are checked where they are read, not here. */
export function arraySchema<T>(option: string, what: string, { nonEmpty }: { nonEmpty: boolean }) {
  return refined<T>((value) => {
    if (!Array.isArray(value)) return `option "${option}" must be an array of ${what} (got ${shown(value)})`
    return nonEmpty && value.length === 0 ? `option "${option}" is empty; pass the ${what}` : undefined
  })
}

/** A field name of the raw record, or `(record, index) => string`. */
export function keyBySchema<T>() {
  return refined<T>((value) => (typeof value === 'string' || typeof value === 'function' ? undefined : `option "keyBy" must be a field name or a function (record, index) => string (got ${shown(value)})`))
}
