/**
 * Option fields zod cannot word well on its own: values with several accepted forms (an
 * array or an arbitrary, a number or a boolean) and numbers that may be infinite (zod's
 * `z.number()` refuses ±Infinity). Each error is one line in the wording `parseCheckOptions`
 * uses, `option "x" must be <forms> (got <value>)`, so every option error reads alike.
 */
import { z } from 'mltest/plugin'

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

/** A number, ±Infinity included, NaN not. */
export const isNumber = (value: unknown): value is number => typeof value === 'number' && !Number.isNaN(value)
