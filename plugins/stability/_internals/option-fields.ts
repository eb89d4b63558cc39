/**
 * Option fields zod cannot word well on its own: values with several accepted forms (an
 * array or an arbitrary, a number or a boolean) and numbers that may be infinite (zod's
 * `z.number()` refuses ±Infinity). Each error is one line in the wording `parseCheckOptions`
 * uses, `option "x" must be <forms> (got <value>)`, so every option error reads alike.
 */

/** The SDK's option field, under the name the checks here use. */
export { optionField as field } from 'mltest/plugin'

/** A number, ±Infinity included, NaN not. */
export const isNumber = (value: unknown): value is number => typeof value === 'number' && !Number.isNaN(value)
