/**
 * bench's options, declared once as a schema and checked on every call (a misspelled or
 * ill-typed option is a one-line `TypeError` naming it). The timing options are benchOnnx's
 * (bench-options.ts); rules between them are checked in loop-settings.ts.
 */
import { parseCheckOptions, shownValue, z } from 'mltest/plugin'
import type { BenchFunctionOptions } from '../bench.ts'
import { count, optionalObject, timingShape } from './bench-options.ts'

/** Subject keys bench sets itself. */
export const RESERVED_SUBJECT_KEYS = ['items', 'version', 'samples'] as const

const subjectValue = z.union([z.string(), z.number(), z.boolean(), z.null()])

/** Every option of BenchFunctionOptions, no more (`satisfies` keeps the two in step). */
const shape = {
  batchSize: count,
  items: z.number().gt(0),
  version: z.union([z.string(), z.number()]),
  subject: z.record(z.string(), subjectValue).refine((s) => !RESERVED_SUBJECT_KEYS.some((k) => k in s), {
    message: `option "subject" cannot set ${RESERVED_SUBJECT_KEYS.join(', ')}: bench sets them (use the items and version options)`,
  }),
  ...timingShape,
} satisfies Record<keyof BenchFunctionOptions, z.ZodType>

const benchFunctionOptions = optionalObject(shape)

/** A rule broken between options, or a bad name or function: one line naming the check. */
export function optionsError(message: string): TypeError {
  const error = new TypeError(`bench: ${message}`)
  error.name = 'OptionsError'
  return error
}

/** The call's arguments checked: a name, a function, and options of the schema. */
export function checkBenchArguments(name: unknown, fn: unknown, given: unknown): BenchFunctionOptions {
  if (typeof name !== 'string' || name.trim() === '') throw optionsError(`the name must be a non-empty string, as in bench('tokenize', fn) (got ${shownValue(name)})`)
  if (typeof fn !== 'function') throw optionsError(`${name}: the benchmark must be a function, sync or async (got ${shownValue(fn)})`)
  return parseCheckOptions('bench', benchFunctionOptions, given) as BenchFunctionOptions
}
