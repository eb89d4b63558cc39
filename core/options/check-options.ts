/**
 * Validates the options object a check function receives, against the check's zod schema:
 * an unknown key (a typo such as `runz`) or a wrong type is a one-line TypeError naming the
 * check and the option, so a misspelled option never silently weakens a check.
 */
import { z } from 'zod'
import { describeIssue, shownValue, undeclaredKeys, unknownKeysMessage } from './describe-issue.ts'

/**
 * `given` parsed by `schema`, unknown keys refused; throws a TypeError
 * such as `checkStability: unknown option "runz" — did you mean "runs"? (known: runs, ...)`.
 */
export function parseCheckOptions<S extends z.ZodObject<z.ZodRawShape>>(check: string, schema: S, given: unknown): z.output<S> {
  if (given !== undefined && (given === null || typeof given !== 'object' || Array.isArray(given))) {
    const error = new TypeError(`${check}: options must be an object, e.g. { ${Object.keys(schema.shape)[0] ?? 'option'}: ... } (got ${shownValue(given)})`)
    error.name = 'OptionsError'
    throw error
  }
  const known = Object.keys(schema.shape)
  const label = (path: ReadonlyArray<PropertyKey>) => `option "${path.join('.')}"`
  const unknown = undeclaredKeys(schema.shape, given)
  const parsed = unknown.length > 0 ? undefined : schema.safeParse(given ?? {})
  if (parsed?.success) return parsed.data as z.output<S>
  const line = parsed ? describeIssue(parsed.error.issues[0]!, given, label, known, schema) : unknownKeysMessage(unknown.map((k) => [k]), label, known)
  // A refinement's message may already name the check.
  const error = new TypeError(line.startsWith(`${check}:`) ? line : `${check}: ${line}`)
  error.name = 'OptionsError'
  throw error
}

/**
 * An option field whose accepted forms zod cannot word on its own (several forms, numbers
 * that may be infinite): fails with `option "<name>" must be <forms> (got <value>)`, the
 * wording of every other option error.
 */
export function optionField<T>(name: string, forms: string, accepts: (value: unknown) => boolean): z.ZodCustom<T, T> {
  return z.custom<T>(accepts, { error: (issue) => `option "${name}" must be ${forms} (got ${shownValue(issue.input)})` })
}
