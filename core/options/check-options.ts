/**
 * Validates the options object a check function receives, against the check's zod schema:
 * an unknown key (a typo such as `runz`) or a wrong type is a one-line TypeError naming the
 * check and the option, so a misspelled option never silently weakens a check.
 */
import { z } from 'zod'
import { describeIssue } from './describe-issue.ts'

/**
 * `given` parsed by `schema` (made strict: unknown keys are refused); throws a TypeError
 * such as `checkStability: unknown option "runz" — did you mean "runs"? (known: runs, ...)`.
 */
export function parseCheckOptions<S extends z.ZodObject<z.ZodRawShape>>(check: string, schema: S, given: unknown): z.output<S> {
  const parsed = schema.strict().safeParse(given ?? {})
  if (parsed.success) return parsed.data as z.output<S>
  const known = Object.keys(schema.shape)
  const label = (path: ReadonlyArray<PropertyKey>) => `option "${path.join('.')}"`
  const error = new TypeError(`${check}: ${describeIssue(parsed.error.issues[0]!, given, label, known, schema)}`)
  error.name = 'OptionsError'
  throw error
}
