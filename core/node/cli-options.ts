/**
 * The flags of `mltest run` and `mltest watch`, derived from the option table and from each
 * plugin's options schema, and read back into `CliOverrides`. Values stay as typed text
 * here; `resolveConfig` coerces and validates them with the same schemas as the config.
 */
import { Option, type Command } from 'commander'
import type { RegisteredPlugin } from '../hooks.ts'
import { CONFIG_OPTIONS, type ConfigOptionName, type FlagKind } from '../options/config-options.ts'
import { optionFields } from '../plugin-options.ts'
import { pluginFlagName, type CliOverrides } from './resolve-config.ts'

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value]
}

function defaultText(option: { default?: unknown; defaultText?: string }): string {
  if (option.defaultText !== undefined) return ` (default: ${option.defaultText})`
  if (option.default === undefined || option.default === false || (Array.isArray(option.default) && option.default.length === 0)) return ''
  return ` (default: ${Array.isArray(option.default) ? option.default.join(', ') : String(option.default)})`
}

/** commander's key for a flag spec: `--worker-memory-limit <mb>` → `workerMemoryLimit`. */
function attributeOf(spec: string): string {
  const long = spec.split(/[ ,]+/).find((part) => part.startsWith('--'))!.slice(2).replace(/^no-/, '')
  return long.replace(/-([a-z0-9])/g, (_m, ch: string) => ch.toUpperCase())
}

/** Adds the core flags of `command` ('run' or 'watch') and every plugin's flags. */
export function addOptionFlags(command: Command, name: 'run' | 'watch', plugins: RegisteredPlugin[]): void {
  for (const option of Object.values(CONFIG_OPTIONS) as Array<{ flag?: { spec: string; kind: FlagKind; only?: string }; description: string; default?: unknown; defaultText?: string; schema: unknown }>) {
    const flag = option.flag
    if (!flag || (flag.only && flag.only !== name)) continue
    const description = flag.kind === 'negatable' ? 'plain output without colours' : `${option.description}${defaultText(option)}`
    const commanderOption = new Option(flag.spec, description)
    if (flag.kind === 'repeatable') commanderOption.argParser(collect)
    command.addOption(commanderOption)
  }
  for (const plugin of plugins) {
    if (!plugin.options) continue
    for (const field of optionFields(plugin.options)) {
      const value = field.kind === 'choice' ? `<${field.choices!.join('|')}>` : '<value>'
      const shownDefault = field.default === undefined ? '' : ` (default: ${String(field.default)})`
      command.addOption(new Option(`--${pluginFlagName(plugin.name, field.name)} ${value}`, `[plugin ${plugin.name}] ${field.description}${shownDefault}`))
    }
  }
}

/** What commander parsed, as overrides keyed like the option table. */
export function overridesOf(opts: Record<string, unknown>, plugins: RegisteredPlugin[]): CliOverrides {
  const overrides: CliOverrides = {}
  for (const [key, option] of Object.entries(CONFIG_OPTIONS) as Array<[ConfigOptionName, { flag?: { spec: string; kind: FlagKind } }]>) {
    if (!option.flag) continue
    const raw = opts[attributeOf(option.flag.spec)]
    if (raw === undefined) continue
    if (option.flag.kind === 'negatable') {
      if (raw === false) overrides[key] = false
    } else if (option.flag.kind === 'optional-number') overrides[key] = raw === true ? 1 : raw
    else overrides[key] = raw
  }
  const pluginFlags: Record<string, string> = {}
  for (const plugin of plugins) {
    if (!plugin.options) continue
    for (const field of optionFields(plugin.options)) {
      const raw = opts[attributeOf(`--${pluginFlagName(plugin.name, field.name)}`)]
      if (raw !== undefined) pluginFlags[`${plugin.name}.${field.name}`] = String(raw)
    }
  }
  overrides.pluginFlags = pluginFlags
  return overrides
}
