/**
 * Option fields zod cannot word well on its own: values with several accepted forms (a
 * tensor or nested arrays, one backend or a list, a `Tolerance`). Each error is one line in
 * the wording `parseCheckOptions` uses, `option "x" must be <forms> (got <value>)`, so every
 * option error reads alike.
 */
import { validateTolerance, z, type Tolerance } from 'mltest/plugin'

/** The SDK's option field, under the name the checks here use. */
export { optionField as field } from 'mltest/plugin'

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
