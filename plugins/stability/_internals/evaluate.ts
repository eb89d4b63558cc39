/**
 * One run of a stability check: call the function under test on a generated input and ask
 * each oracle in turn, staying synchronous when everything is synchronous (no promise per
 * run for sync functions). Built once per check; nothing is allocated per run but the
 * input copy, the context and, on failure, the Violation.
 */
import fc from 'fast-check'
import { UsageError, type Oracle, type OracleContext, type OracleVerdict } from '../oracle.ts'
import { Violation } from './report.ts'

export type Verdict = Violation | undefined
export type Evaluate = (args: unknown[]) => Verdict | Promise<Verdict>

export interface EvaluatorOptions {
  fn: (...args: any[]) => unknown
  /** `inputs` was an array: the input is the argument tuple, spread into `fn`. */
  spread: boolean
  oracles: Oracle[]
  /** The names of all oracles, for failures that are not any one oracle's (fn threw). */
  propertyName: string
  /** Set-up mistakes stop the check: they are handed here and the run counts as passing. */
  onUsageError(error: UsageError): void
}

/**
 * A copy of a generated input for code that may write into it: values with a fast-check
 * clone method (`arb.tensor` values, `arb.tfTensor` tensors) are cloned, and an array (an
 * argument tuple, or a plain array input) becomes a new array of cloned items. Nested plain
 * arrays and other objects are shared, not copied.
 */
export function copyInput(input: unknown): unknown {
  return Array.isArray(input) && !fc.hasCloneMethod(input) ? input.map(fc.cloneIfNeeded) : fc.cloneIfNeeded(input)
}

export function createEvaluator({ fn, spread, oracles, propertyName, onUsageError }: EvaluatorOptions): Evaluate {
  const needsOutput = oracles.some((o) => !o.callsFn)
  // fn gets fresh copies of generated tensors: one that writes into its input (or disposes
  // a tfjs one) must not change the counterexample fast-check keeps (it reports the very
  // object it generated).
  const call = spread
    ? (input: unknown) => fn(...(input as unknown[]).map(fc.cloneIfNeeded))
    : (input: unknown) => fn(copyInput(input))

  function thrown(error: unknown, oracle: Oracle | undefined, output: unknown): Verdict {
    if (error instanceof UsageError) {
      onUsageError(error)
      return undefined
    }
    const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
    if (!oracle) return new Violation(propertyName, `fn threw ${text}`, undefined, false)
    return new Violation(oracle.name, `the property threw ${text}`, output, needsOutput)
  }

  function runOracles(output: unknown, context: OracleContext, from: number): Verdict | Promise<Verdict> {
    for (let k = from; k < oracles.length; k++) {
      const oracle = oracles[k]!
      let verdict: OracleVerdict | Promise<OracleVerdict>
      try {
        verdict = oracle.check(output, context)
      } catch (error) {
        return thrown(error, oracle, output)
      }
      if (verdict instanceof Promise) {
        return verdict.then(
          (v) => (v === undefined ? runOracles(output, context, k + 1) : new Violation(oracle.name, v, output, needsOutput)),
          (error: unknown) => thrown(error, oracle, output),
        )
      }
      if (verdict !== undefined) return new Violation(oracle.name, verdict, output, needsOutput)
    }
    return undefined
  }

  return (args) => {
    const context: OracleContext = { input: spread ? args : args[0], args, call }
    let output: unknown
    try {
      output = needsOutput ? call(context.input) : undefined
    } catch (error) {
      return thrown(error, undefined, undefined)
    }
    if (output instanceof Promise) {
      return output.then(
        (o: unknown) => runOracles(o, context, 0),
        (error: unknown) => thrown(error, undefined, undefined),
      )
    }
    return runOracles(output, context, 0)
  }
}
