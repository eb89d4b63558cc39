/**
 * `checkStability(fn, { inputs, property })`: property-based numerical-stability testing on
 * fast-check. It calls `fn` on generated inputs (edge values over-sampled), checks a property
 * of each output (default: every element finite), shrinks a failing input to a minimal
 * counterexample, records the verdict on the running test, and throws a readable report.
 *
 * The seed defaults to the running test's seed, which derives from the run's `--seed` and
 * the test's name, so `mltest run --seed N` replays a failure exactly; `seed` and `path`
 * in the options replay one call directly.
 */
import fc, { type Arbitrary, type IAsyncProperty, type IProperty, type Parameters, type RunDetails } from 'fast-check'
import { currentTest, parseCheckOptions, recordCheck, z } from 'mltest/plugin'
import { isArbitrary } from './arbitrary-options.ts'
import { runsSchema, stabilityDefaults } from './_internals/defaults.ts'
import { counterexampleFigures } from './_internals/figures.ts'
import { field } from './_internals/option-fields.ts'
import { failureReport, StabilityError, Violation } from './_internals/report.ts'
import { loadTfjs, openTfScope, tfjsRequested } from './_internals/tfjs.ts'
import { finite } from './oracles.ts'
import { toOracles, type Property, type UsageError } from './oracle.ts'
import { createEvaluator, type Evaluate } from './_internals/evaluate.ts'

const AsyncFunction = (async () => undefined).constructor

/** Captured at load, so a test that stubs Math.random cannot change how seeds are drawn. */
const random = Math.random

// inputs, property and edgeCases are typed generically in CheckStabilityOptions below; the
// schema checks their form.
const checkStabilityOptions = z.object({
  inputs: field<Arbitrary<unknown> | readonly Arbitrary<unknown>[]>(
    'inputs',
    'a fast-check arbitrary such as arb.tensor({ shape: [8] }), or a non-empty array of them (one per argument)',
    (v) => isArbitrary(v) || (Array.isArray(v) && v.length > 0 && v.every(isArbitrary)),
  ),
  // Checked by toOracles, which names the offending item of a list.
  property: z.custom<Property | readonly Property[]>().optional(),
  /** Generated inputs (default: the plugin's `runs` option, 100). */
  runs: runsSchema.optional(),
  /** Seed (default: the running test's seed; random outside a test). */
  seed: z.number().int().optional(),
  /** Replay path printed by a failure report; with `seed`, reruns just the counterexample. */
  path: field<string>('path', 'a replay path such as "4:1:0" (copy it from the failure report)', (v) => typeof v === 'string' && /^\d+(:\d+)*$/.test(v)).optional(),
  edgeCases: z.array(z.unknown()).readonly().optional(),
})

export type CheckStabilityOptions<I, O> = Omit<z.input<typeof checkStabilityOptions>, 'inputs' | 'property' | 'edgeCases'> & {
  /** Input generator(s): one arbitrary (fn gets its value) or an array (fn gets one argument per arbitrary). */
  inputs: Arbitrary<I> | readonly Arbitrary<unknown>[]
  /** One property or several that must all hold (default `finite`). */
  property?: Property<I, O> | readonly Property<I, O>[]
  /** Inputs tried before the generated ones (argument tuples when `inputs` is an array). */
  edgeCases?: readonly I[]
}

export interface StabilityResult {
  /** The property names, joined with ` & `. */
  property: string
  runs: number
  seed: number
}

type Fn = (...args: any[]) => unknown

function validate(fn: unknown, options: CheckStabilityOptions<unknown, unknown> | undefined) {
  if (typeof fn !== 'function') throw new TypeError('checkStability(fn, options): fn must be the function under test')
  if (typeof options !== 'object' || options === null) throw new TypeError('checkStability(fn, options): pass options, e.g. { inputs: arb.tensor({ shape: [8] }) }')
  const parsed = parseCheckOptions('checkStability', checkStabilityOptions, options)
  const spread = Array.isArray(parsed.inputs)
  const arbitraries = (spread ? parsed.inputs : [parsed.inputs]) as Arbitrary<unknown>[]
  return { ...parsed, spread, arbitraries, runs: parsed.runs ?? stabilityDefaults().runs }
}

/**
 * Checks a property of `fn` on generated inputs; resolves with the run count, or throws a
 * `StabilityError` (an assertion failure) with the minimal counterexample and a replay line.
 */
export async function checkStability<I, O>(fn: (input: I) => O | Promise<O>, options: CheckStabilityOptions<I, O> & { inputs: Arbitrary<I> }): Promise<StabilityResult>
export async function checkStability<Ts extends unknown[], O>(fn: (...args: Ts) => O | Promise<O>, options: CheckStabilityOptions<Ts, O> & { inputs: { [K in keyof Ts]: Arbitrary<Ts[K]> } }): Promise<StabilityResult>
export async function checkStability(fn: Fn, options: CheckStabilityOptions<unknown, unknown>): Promise<StabilityResult> {
  const { spread, arbitraries, runs, property, path, edgeCases, ...parsed } = validate(fn, options)
  const oracles = toOracles(property, finite)
  const propertyName = oracles.map((o) => o.name).join(' & ')
  const test = currentTest()
  const seed = parsed.seed ?? test?.seed ?? Math.floor(random() * 2 ** 31)
  for (const oracle of oracles) await oracle.prepare?.()
  if (tfjsRequested()) await loadTfjs()

  let usageError: UsageError | undefined
  const evaluate = createEvaluator({ fn, spread, oracles, propertyName, onUsageError: (error) => (usageError ??= error) })

  const parameters: Parameters<unknown[]> = { seed, numRuns: runs }
  if (path !== undefined) parameters.path = path
  if (edgeCases) parameters.examples = edgeCases.map((e) => (spread ? (e as unknown[]) : [e]))

  const closeScope = openTfScope()
  let keep: unknown[] = []
  try {
    const aborted = () => usageError !== undefined
    let details: RunDetails<unknown[]> | undefined
    if (!(fn instanceof AsyncFunction)) details = fc.check(syncProperty(arbitraries, evaluate, aborted), parameters)
    if (!details || details.errorInstance === NEEDS_ASYNC) details = await fc.check(asyncProperty(arbitraries, evaluate, aborted), parameters)
    if (usageError) throw usageError
    const names = { check: 'checkStability', practice: 'numerical-stability' }
    if (!details.failed) {
      recordCheck({ ...names, verdict: 'pass', metrics: { runs: details.numRuns, shrinks: 0, seed, path: null, property: propertyName }, summary: `${propertyName} held on ${plural(details.numRuns, 'run')} (seed ${seed})` })
      return { property: propertyName, runs: details.numRuns, seed }
    }
    const violation = details.errorInstance instanceof Violation ? details.errorInstance : new Violation(propertyName, String(details.errorInstance), undefined, false)
    const args = details.counterexample ?? []
    const failure = {
      property: violation.property,
      reason: violation.reason,
      counterexample: spread ? args : args[0],
      output: violation.output,
      seed,
      path: details.counterexamplePath ?? '',
      runs: details.numRuns,
      shrinks: details.numShrinks,
    }
    keep = [failure.counterexample, failure.output]
    const message = failureReport({ details: failure, spread, hasOutput: violation.hasOutput, test })
    recordCheck({
      ...names,
      verdict: 'fail',
      metrics: { runs: failure.runs, shrinks: failure.shrinks, seed, path: failure.path, property: propertyName },
      summary: `${violation.property} broke after ${plural(failure.runs, 'run')}, ${plural(failure.shrinks, 'shrink')} (seed ${seed}, path "${failure.path}")`,
      figures: counterexampleFigures({ ...failure, hasOutput: violation.hasOutput, spread }),
    })
    throw new StabilityError(message, failure)
  } finally {
    closeScope(keep)
  }
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`

/** Marks the first sync run that met a promise: the check reruns as an async property. */
const NEEDS_ASYNC = Symbol('needs an async property')

/**
 * Sync functions run as a sync property (no promise per run). If a run returns a promise
 * (a sync function that returns one), the sync pass fails with a marker and passes every
 * later call at once, so nothing shrinks; the check then reruns as an async property with
 * the same seed, so generation is identical.
 */
function syncProperty(arbitraries: Arbitrary<unknown>[], evaluate: Evaluate, aborted: () => boolean) {
  let async = false
  const property = fc.property as unknown as (...parts: unknown[]) => IProperty<unknown[]>
  return property(...arbitraries, (...args: unknown[]) => {
    if (async || aborted()) return true
    const verdict = evaluate(args)
    if (verdict instanceof Promise) {
      async = true
      verdict.catch(() => undefined)
      throw NEEDS_ASYNC
    }
    if (verdict) throw verdict
    return true
  })
}

function asyncProperty(arbitraries: Arbitrary<unknown>[], evaluate: Evaluate, aborted: () => boolean) {
  const property = fc.asyncProperty as unknown as (...parts: unknown[]) => IAsyncProperty<unknown[]>
  return property(...arbitraries, async (...args: unknown[]) => {
    if (aborted()) return true
    const verdict = await evaluate(args)
    if (verdict) throw verdict
    return true
  })
}
