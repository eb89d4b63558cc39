/**
 * One wording for every option error (config file, command line, plugin options, a check's
 * options): "<where> <what> must be <rule> (got <value>) — <fix>". zod finds the problem;
 * this turns its first issue into the words a user reads.
 */
import type { z } from 'zod'
import { fieldAt, isIntegerSchema } from './zod-introspect.ts'

/** `value` as it appears in a message: strings quoted, objects as JSON, short. */
export function shownValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value)
  if (typeof value === 'function') return 'a function'
  try {
    const text = JSON.stringify(value)
    return text.length > 60 ? `${text.slice(0, 57)}...` : text
  } catch {
    return typeof value
  }
}

function rangeRule(issue: { minimum?: unknown; maximum?: unknown; inclusive?: boolean; origin?: string }, bound: 'minimum' | 'maximum'): string {
  const limit = Number(issue[bound])
  const op = bound === 'minimum' ? (issue.inclusive ? '>=' : '>') : issue.inclusive ? '<=' : '<'
  if (issue.origin === 'array' || issue.origin === 'string') return `${bound === 'minimum' ? 'at least' : 'at most'} ${limit} long`
  return `${op} ${limit}`
}

/**
 * The rule an issue says was broken, e.g. "an integer >= 1", "a number <= 1", "one of pass,
 * fail". `schema` (the schema the issue came from) lets a range name the field's type.
 */
export function ruleOf(issue: z.core.$ZodIssue, schema?: unknown): string {
  const field = fieldAt(schema, issue.path)
  const noun = isIntegerSchema(field) ? 'an integer' : field?._zod.def.type === 'number' ? 'a number' : undefined
  const ranged = (bound: 'minimum' | 'maximum') => `${noun ? `${noun} ` : ''}${rangeRule(issue as never, bound)}`
  switch (issue.code) {
    case 'invalid_type':
      if (issue.expected === 'int') return 'an integer'
      if (issue.expected === 'array') return 'an array'
      return isIntegerSchema(field) ? 'an integer' : `${/^[aeiou]/.test(String(issue.expected)) ? 'an' : 'a'} ${issue.expected}`
    case 'too_small':
      return ranged('minimum')
    case 'too_big':
      return ranged('maximum')
    case 'invalid_value':
      return `one of ${issue.values.map((v) => String(v)).join(', ')}`
    case 'not_multiple_of':
      return `a multiple of ${String(issue.divisor)}`
    case 'invalid_union':
      return 'one of the accepted forms'
    default:
      return issue.message.replace(/^Invalid input: /, '').toLowerCase()
  }
}

/** The value an issue is about, read from the input by the issue's path. */
export function valueAt(input: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let value: unknown = input
  for (const part of path) value = (value as Record<PropertyKey, unknown> | undefined)?.[part]
  return value
}

/**
 * One line for the first issue: `${label(path)} must be ${rule} (got ${value})`, or for
 * unknown keys `unknown option "x" — known: a, b`. `label` names the option as the user wrote
 * it (a config key, a flag, `checkStability option "runs"`).
 */
export function describeIssue(
  issue: z.core.$ZodIssue,
  input: unknown,
  label: (path: ReadonlyArray<PropertyKey>) => string,
  known: readonly string[],
  schema?: unknown,
): string {
  if (issue.code === 'unrecognized_keys') return unknownKeysMessage(issue.keys.map((k) => [...issue.path, k]), label, known)
  // A refinement's own message is already a sentence with its fix.
  if (issue.code === 'custom') return issue.message
  return `${label(issue.path)} must be ${ruleOf(issue, schema)} (got ${shownValue(valueAt(input, issue.path))})`
}

/** The known name closest to a misspelled one (edit distance <= 2, or a case/prefix slip). */
export function closest(word: string, known: readonly string[]): string | undefined {
  let best: string | undefined
  let bestDistance = 3
  for (const candidate of known) {
    const d = candidate.toLowerCase() === word.toLowerCase() ? 0 : editDistance(word, candidate)
    if (d < bestDistance) {
      best = candidate
      bestDistance = d
    }
  }
  return best
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1))
      diagonal = above
    }
  }
  return row[b.length]!
}

/** `unknown option "x" — did you mean "y"? (known: ...)` for keys a schema does not declare. */
export function unknownKeysMessage(paths: ReadonlyArray<ReadonlyArray<PropertyKey>>, label: (path: ReadonlyArray<PropertyKey>) => string, known: readonly string[]): string {
  const keys = paths.map((path) => label(path)).join(', ')
  const hint = paths.map((path) => closest(String(path[path.length - 1]), known)).find(Boolean)
  return `unknown ${keys}${hint ? ` — did you mean "${hint}"?` : ''} (known: ${known.join(', ') || 'none'})`
}

/**
 * Keys of `given` that an object schema does not declare. Checked apart from parsing because
 * `.strict()` would drop the schema's refinements (cross-field rules such as max >= min).
 */
export function undeclaredKeys(shape: Record<string, unknown>, given: unknown): string[] {
  if (given === null || typeof given !== 'object' || Array.isArray(given)) return []
  return Object.keys(given).filter((key) => !Object.hasOwn(shape, key))
}
