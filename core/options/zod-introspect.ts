/**
 * The little of zod's internals core reads to derive flags, `--help` lines and messages from
 * a schema: the base type under default/optional wrappers, a field by path, integer checks.
 */
export interface ZodInternals {
  _zod: { def: { type: string; innerType?: unknown; shape?: Record<string, unknown>; entries?: Record<string, unknown>; checks?: Array<{ _zod: { def: { check: string; format?: string } } }> } }
  description?: string
  shape?: Record<string, unknown>
}

const WRAPPERS = ['default', 'optional', 'nullable', 'prefault', 'readonly', 'catch']

/** Unwraps default/optional/nullable wrappers to the base type of a field. */
export function baseOf(schema: unknown): ZodInternals {
  let s = schema as ZodInternals
  while (s._zod.def.innerType && WRAPPERS.includes(s._zod.def.type)) s = s._zod.def.innerType as ZodInternals
  return s
}

/** The schema of the field at `path` inside object schemas, if there is one. */
export function fieldAt(schema: unknown, path: ReadonlyArray<PropertyKey>): ZodInternals | undefined {
  let s: ZodInternals | undefined = schema === undefined ? undefined : baseOf(schema)
  for (const key of path) {
    const shape = s?.shape ?? s?._zod.def.shape
    const next = shape?.[String(key)]
    s = next === undefined ? undefined : baseOf(next)
  }
  return s
}

/** Whether a number schema accepts integers only (`z.number().int()`). */
export function isIntegerSchema(schema: ZodInternals | undefined): boolean {
  return schema?._zod.def.type === 'number' && (schema._zod.def.checks ?? []).some((c) => c._zod.def.format === 'safeint' || c._zod.def.check === 'number_format')
}
