/**
 * What a property (oracle) is, and how a plain predicate becomes one. An oracle looks at one
 * output of the function under test and says why it breaks the property, or nothing when
 * it holds; relational oracles (`invariantUnder`) call the function again on another input.
 */

/** `undefined` when the property holds; otherwise one readable line saying what broke it. */
export type OracleVerdict = string | undefined

export interface OracleContext<I = unknown, O = unknown> {
  /** The generated input (a tuple when `inputs` is an array of arbitraries). */
  input: I
  /** The arguments `fn` is called with: `[input]`, or the tuple itself. */
  args: readonly unknown[]
  /** Calls the function under test on another input, as `checkStability` calls it. */
  call(input: I): O | Promise<O>
}

export interface Oracle<I = any, O = any> {
  /** Shown in reports and metrics, e.g. `sumsToOne(axis -1, tol 1e-5)`. */
  readonly name: string
  /** The oracle calls the function itself (e.g. under a gradient tape); `output` is then `undefined`. */
  readonly callsFn?: boolean
  /** Runs once before the first input (e.g. loads tfjs). */
  prepare?(): Promise<void>
  check(output: O, context: OracleContext<I, O>): OracleVerdict | Promise<OracleVerdict>
}

/** A predicate over the output: `false` or a string (the reason) means the property broke. */
export type PropertyFn<I = any, O = any> = (output: O, input: I) => boolean | string | void | Promise<boolean | string | void>

export type Property<I = any, O = any> = Oracle<I, O> | PropertyFn<I, O>

/**
 * A mistake in how a check is set up (wrong axis, a factory passed uncalled, ...). The check
 * stops at once and throws it, instead of reporting it as a counterexample.
 */
export class UsageError extends TypeError {
  constructor(message: string) {
    super(message)
    this.name = 'TypeError'
  }
}

/**
 * The built-in functions that make oracles (`sumsToOne`, `monotonic`, ...). One passed uncalled
 * (`property: monotonic`) is refused up front: called as a predicate, it would read the output
 * as its options.
 */
export const oracleFactories = new WeakSet<(...args: never[]) => Oracle>()

export function isOracle(value: unknown): value is Oracle {
  return typeof value === 'object' && value !== null && typeof (value as Oracle).check === 'function' && typeof (value as Oracle).name === 'string'
}

function verdictOf(result: unknown, name: string): OracleVerdict {
  if (result === undefined || result === true) return undefined
  if (result === false) return 'the property returned false'
  if (typeof result === 'string') return result
  if (isOracle(result)) {
    throw new UsageError(`property ${name} returned an oracle: it is an oracle factory, call it, e.g. property: ${name}()`)
  }
  throw new UsageError(`property ${name} returned ${typeof result}; a property returns true/undefined (holds), false, or a string (the reason it broke)`)
}

/** Wraps a predicate as an oracle named after the function. */
function fromPredicate<I, O>(predicate: PropertyFn<I, O>): Oracle<I, O> {
  const name = predicate.name || 'custom property'
  return {
    name,
    check(output, context) {
      const result = predicate(output, context.input)
      return result instanceof Promise ? result.then((r) => verdictOf(r, name)) : verdictOf(result, name)
    },
  }
}

/** Normalises `property` (one or a list) into oracles; throws a clear error for anything else. */
export function toOracles(property: Property | readonly Property[] | undefined, fallback: Oracle): Oracle[] {
  if (property === undefined) return [fallback]
  const list = Array.isArray(property) ? property : [property]
  if (list.length === 0) throw new TypeError('checkStability: property is an empty list; pass an oracle such as finite, or leave it out')
  return list.map((p, i) => {
    if (isOracle(p)) return p
    if (oracleFactories.has(p as never)) {
      const name = (p as () => Oracle).name
      throw new UsageError(`checkStability: property ${name} is not an oracle: it is an oracle factory, call it, e.g. property: ${name}()`)
    }
    if (typeof p === 'function') return fromPredicate(p as PropertyFn)
    throw new TypeError(`checkStability: property${Array.isArray(property) ? `[${i}]` : ''} must be an oracle (finite, sumsToOne(), ...) or a function (output, input) => boolean | string`)
  })
}

/** Runs `then` on a value or, when it is a promise, on its result (keeps sync paths sync). */
export function andThen<T, R>(value: T | Promise<T>, then: (v: T) => R | Promise<R>): R | Promise<R> {
  return value instanceof Promise ? value.then(then) : then(value)
}
