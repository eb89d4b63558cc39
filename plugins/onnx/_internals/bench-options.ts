/**
 * benchOnnx's options, declared once as a schema and checked on every call, so a misspelled
 * option (`minIteration: 400`) or one of the wrong kind is a one-line `BAD_OPTION` error
 * naming the option, never a silently weaker benchmark. The timing options' schemas are
 * shared with bench (bench-function-options.ts). Rules between options (maxTimeMs below
 * minTimeMs, inputs with batchSizes) are checked in loop-settings.ts.
 */
import { parseCheckOptions, z } from 'mltest/plugin'
import type { BenchOnnxOptions } from '../bench-onnx.ts'
import { BenchOnnxError } from './bench-onnx-error.ts'

export const count = z.number().int().min(1)
const shown = (value: unknown) => (typeof value === 'function' ? 'a function' : typeof value === 'string' ? JSON.stringify(value) : String(JSON.stringify(value) ?? value))

export const isObject = (value: unknown) => typeof value === 'object' && value !== null && !Array.isArray(value)
/** An object the check reads itself (feeds, session options): any plain object, named in the error. */
const objectOf = (option: string, what: string) =>
  z.custom<Record<string, never>>(isObject, { error: (issue) => `option "${option}" must be an object of ${what} (got ${shown(issue.input)})` })

const isWarmup = (value: unknown) =>
  (typeof value === 'number' && Number.isInteger(value) && value >= 0) ||
  (typeof value === 'object' && value !== null && typeof (value as { ms?: unknown }).ms === 'number' && (value as { ms: number }).ms >= 0)

/** The options of the timed loop and its report, the same in benchOnnx and bench. */
export const timingShape = {
  warmup: z.custom<number | { ms: number }>(isWarmup, {
    error: (issue) => `option "warmup" must be a count of runs (an integer >= 0) or { ms } with ms >= 0 (got ${shown(issue.input)})`,
  }),
  minIterations: count,
  minTimeMs: z.number().min(0),
  maxTimeMs: z.number().min(0),
  maxIterations: count,
  bootstrapResamples: count,
  seed: z.number(),
  rssIntervalMs: z.number().min(0),
  log: z.boolean(),
}

/** Every key of `shape` optional: a check's options are all optional. */
export function optionalObject<S extends Record<string, z.ZodType>>(shape: S) {
  return z.object(Object.fromEntries(Object.entries(shape).map(([key, schema]) => [key, schema.optional()])) as { [K in keyof S]: z.ZodOptional<S[K]> })
}

/** Every option of BenchOnnxOptions, no more (`satisfies` keeps the two in step). */
const shape = {
  name: z.string(),
  inputs: objectOf('inputs', 'feeds by input name'),
  batchSize: count,
  batchSizes: z.array(count).min(1),
  batchDim: z.string(),
  dims: z.record(z.string(), count),
  generate: z.custom<NonNullable<BenchOnnxOptions['generate']>>((v) => typeof v === 'function', {
    error: (issue) => `option "generate" must be a function (input, rng) => data (got ${shown(issue.input)})`,
  }),
  ...timingShape,
  sessionOptions: objectOf('sessionOptions', 'InferenceSession.SessionOptions'),
  release: z.boolean(),
} satisfies Record<keyof BenchOnnxOptions, z.ZodType>

const benchOnnxOptions = optionalObject(shape)

/** `given` checked against the schema; the caller's own values (tensors, functions, session options) are kept as given. */
export function checkBenchOptions(given: unknown): BenchOnnxOptions {
  if (given !== undefined && given !== null && !isObject(given)) {
    throw new BenchOnnxError('BAD_OPTION', `benchOnnx: options must be an object such as { batchSizes: [1, 8] } (got ${shown(given)})`)
  }
  try {
    parseCheckOptions('benchOnnx', benchOnnxOptions, given)
  } catch (error) {
    throw new BenchOnnxError('BAD_OPTION', (error as Error).message, { cause: error })
  }
  return (given ?? {}) as BenchOnnxOptions
}
