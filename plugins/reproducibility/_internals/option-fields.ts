/**
 * Option fields zod cannot word well on its own: values with several accepted forms (a
 * tensor or nested arrays, one backend or a list, a `Tolerance`). Each error is one line in
 * the wording `parseCheckOptions` uses, `option "x" must be <forms> (got <value>)`, so every
 * option error reads alike.
 */
import { validateTolerance, z, type Tolerance } from 'mltest/plugin'

/** `value` as a message shows it: strings quoted, objects as short JSON. */
export function shown(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'function') return 'a function'
  if (typeof value !== 'object' || value === null) return String(value)
  try {
    const text = JSON.stringify(value)
    return text.length > 60 ? `${text.slice(0, 57)}...` : text
  } catch {
    return 'an object'
  }
}

/** A field that accepts what `accepts` accepts, and otherwise says `option "<name>" must be <forms>`. */
export function field<T>(name: string, forms: string, accepts: (value: unknown) => boolean) {
  return z.custom<T>(accepts, { error: (issue) => `option "${name}" must be ${forms} (got ${shown(issue.input)})` })
}

/** A `Tolerance`, checked (and copied) by the SDK's `validateTolerance`, whose message names the key. */
export function toleranceField(name: string) {
  return z.custom<Tolerance>().transform((value, ctx) => {
    try {
      return validateTolerance(value, name)
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message, input: value })
      return z.NEVER
    }
  })
}
