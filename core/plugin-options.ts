/**
 * Plugin options, declared once as a zod object schema on the plugin (`options`): core
 * derives the `--<plugin>-<option>` flags and their `--help` lines from it, validates config
 * and flags against it (exit 2 on a bad value), and hands the validated values to both sides
 * of the thread boundary. Plugin code reads them with `pluginOptions(name, schema)` — typed
 * by the schema — instead of module-level state set from a hook.
 */
import type { z } from 'zod'
import type { PluginOptionsSchema } from './hooks.ts'
import { baseOf, isIntegerSchema, type ZodInternals } from './options/zod-introspect.ts'

type Store = Map<string, Record<string, unknown>>
const store = ((globalThis as Record<symbol, unknown>)[Symbol.for('mltest.plugin-options')] ??= new Map()) as Store

/** Core sets the validated options of every plugin, once on each side. */
export function setPluginOptions(all: Record<string, Record<string, unknown>>): void {
  store.clear()
  for (const [name, options] of Object.entries(all)) store.set(name, options)
}

/**
 * The validated options of plugin `name` on this side (main thread or worker). Outside a run
 * (a plain script calling a check) the schema's defaults apply.
 */
export function pluginOptions<S extends PluginOptionsSchema>(name: string, schema: S): z.output<S> {
  const resolved = store.get(name)
  return (resolved ?? schema.parse({})) as z.output<S>
}

/** How a flag's text is read for one option field. */
export interface OptionField {
  name: string
  kind: 'number' | 'integer' | 'string' | 'boolean' | 'choice' | 'other'
  choices?: string[]
  description: string
  default?: unknown
}

/** The fields of an options schema, with what `--help` shows for each. */
export function optionFields(schema: PluginOptionsSchema): OptionField[] {
  return Object.entries(schema.shape).map(([name, field]) => {
    const base = baseOf(field)
    const type = base._zod.def.type
    const integer = isIntegerSchema(base)
    const kind: OptionField['kind'] = type === 'number' ? (integer ? 'integer' : 'number') : type === 'string' ? 'string' : type === 'boolean' ? 'boolean' : type === 'enum' ? 'choice' : 'other'
    const parsed = (field as z.ZodType).safeParse(undefined)
    return {
      name,
      kind,
      choices: kind === 'choice' ? Object.keys(base._zod.def.entries ?? {}) : undefined,
      description: (field as ZodInternals).description ?? base.description ?? '',
      default: parsed.success ? parsed.data : undefined,
    }
  })
}

/** A flag's text as the value its field expects (the schema then validates it). */
export function coerceFlagText(field: OptionField, text: string): unknown {
  if (field.kind === 'number' || field.kind === 'integer') return text.trim() === '' ? text : Number(text)
  if (field.kind === 'boolean') return text === 'true' ? true : text === 'false' ? false : text
  return text
}
