/**
 * Merges command-line flags over the config file over defaults — all declared once in
 * `core/options/config-options.ts` — validates the merged result with the table's zod
 * schemas, and validates each plugin's options against the plugin's own schema. The
 * validated result is what the run uses; any problem is a one-line UsageError (exit 2)
 * raised before a worker starts.
 */
import { availableParallelism } from 'node:os'
import { dirname, resolve } from 'node:path'
import { z } from 'zod'
import { builtinPlugins } from '../builtin-plugins.ts'
import type { UserConfig } from '../config.ts'
import type { RegisteredPlugin } from '../hooks.ts'
import { CONFIG_OPTIONS, type ConfigOptionName } from '../options/config-options.ts'
import { describeIssue, undeclaredKeys, unknownKeysMessage } from '../options/describe-issue.ts'
import { PluginRegistrationError, registerPlugins } from '../plugin-host.ts'
import { coerceFlagText, optionFields } from '../plugin-options.ts'
import type { Reporter, ReporterFactory } from '../reporter.ts'
import { missingPermissions, runtimeLimits } from '../runtime.mjs'
import { randomRunSeed } from '../seed.ts'
import { parseTagExpression, TagExpressionError } from '../tag-expression.ts'
import { parseReporterSpec, type ReporterSpec } from './reporter-host.ts'
import { UsageError } from './usage-error.ts'

export { DEFAULT_TIMEOUT_MS } from '../options/config-options.ts'

/** What the command line said, by option key (undefined: not given); plugin flags apart. */
export type CliOverrides = { [K in ConfigOptionName]?: unknown } & {
  /** `plugin.option` → raw CLI text. */
  pluginFlags?: Record<string, string>
}

type Spec = typeof CONFIG_OPTIONS
type Value<K extends ConfigOptionName> = z.output<ReturnType<Spec[K]['schema']>>
type ResolvedName<K extends ConfigOptionName> = Spec[K] extends { resolvedAs: infer N extends string } ? N : K
type Optional = 'workerMemoryLimit' | 'workerHeapLimit' | 'grep' | 'tag' | 'minReadiness'

/** The run's settings, derived from the option table (names as in the run summary). */
export type ResolvedConfig = {
  [K in Exclude<ConfigOptionName, Optional | 'reporters' | 'plugins'> as ResolvedName<K>]: Value<K>
} & {
  [K in Optional as ResolvedName<K>]?: Value<K>
} & {
  rootDir: string
  configFile?: string
  reporters: Array<ReporterSpec | Reporter>
  /** Built-in reporters plus the module reporters `reporters` names, loaded before the run. */
  reporterRegistry?: Record<string, ReporterFactory>
  plugins: RegisteredPlugin[]
  pluginOptions: Record<string, Record<string, unknown>>
}

/** Built-in plus config plugins, validated, in registration order. */
export function pluginsOf(config: UserConfig | undefined): RegisteredPlugin[] {
  try {
    return registerPlugins([...builtinPlugins(), ...(config?.plugins ?? [])])
  } catch (error) {
    if (error instanceof PluginRegistrationError) throw new UsageError(`${error.message} (in the config's plugins)`)
    throw error
  }
}

function defaultOf(key: ConfigOptionName): unknown {
  if (key === 'workers') return availableParallelism()
  if (key === 'seed') return randomRunSeed()
  if (key === 'color') return process.env.NO_COLOR ? false : process.env.FORCE_COLOR ? process.env.FORCE_COLOR !== '0' : Boolean(process.stdout.isTTY)
  const value = (CONFIG_OPTIONS[key] as { default?: unknown }).default
  return Array.isArray(value) ? [...value] : value
}

/** The flag that sets `key`, as the user types it (`--workers`), for messages. */
export function flagOf(key: ConfigOptionName): string | undefined {
  const flag = (CONFIG_OPTIONS[key] as { flag?: { spec: string } }).flag
  return flag?.spec.split(/[ ,]+/).find((part) => part.startsWith('--'))
}

/** Validates one value of a core option; `from` says where it came from. */
function validated(key: ConfigOptionName, given: unknown, from: 'cli' | 'config'): unknown {
  const schema = CONFIG_OPTIONS[key].schema(z) as z.ZodType
  const kind = (CONFIG_OPTIONS[key] as { flag?: { kind: string } }).flag?.kind
  // Flags arrive as text; numbers are read here so the schema judges them like config values.
  const numeric = kind === 'number' || kind === 'optional-number'
  const value = from === 'cli' && numeric && typeof given === 'string' && given.trim() !== '' ? Number(given) : given
  const parsed = schema.safeParse(value)
  if (parsed.success) return parsed.data
  const label = (path: ReadonlyArray<PropertyKey>) => (from === 'cli' ? (flagOf(key) ?? `--${key}`) : `"${[key, ...path].join('.')}"`)
  const line = describeIssue(parsed.error.issues[0]!, given, label, [], schema)
  throw new UsageError(from === 'cli' ? line : `config: ${line}`)
}

function resolvePluginOptions(plugins: RegisteredPlugin[], config: UserConfig | undefined, flags: Record<string, string>): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {}
  const byName = new Map(plugins.map((p) => [p.name, p]))
  for (const name of Object.keys(config?.pluginOptions ?? {})) {
    if (!byName.has(name)) {
      throw new UsageError(`config pluginOptions: no plugin is named "${name}" — registered plugins: ${[...byName.keys()].join(', ') || 'none'}`)
    }
  }
  for (const plugin of plugins) {
    const given: Record<string, unknown> = { ...(config?.pluginOptions?.[plugin.name] ?? {}) }
    if (!plugin.options) {
      const keys = Object.keys(given)
      if (keys.length > 0) throw new UsageError(`config pluginOptions.${plugin.name}: unknown option "${keys[0]}" — plugin "${plugin.name}" has no options`)
      out[plugin.name] = {}
      continue
    }
    const fields = optionFields(plugin.options)
    const fromFlag = new Set<string>()
    for (const field of fields) {
      const text = flags[`${plugin.name}.${field.name}`]
      if (text === undefined) continue
      given[field.name] = coerceFlagText(field, text)
      fromFlag.add(field.name)
    }
    const known = fields.map((f) => f.name)
    const label = (path: ReadonlyArray<PropertyKey>) =>
      fromFlag.has(String(path[0])) ? `--${pluginFlagName(plugin.name, String(path[0]))}` : `option "${plugin.name}.${path.join('.')}"`
    const unknown = undeclaredKeys(plugin.options.shape, given)
    if (unknown.length > 0) throw new UsageError(`config pluginOptions.${plugin.name}: ${unknownKeysMessage(unknown.map((k) => [k]), label, known)}`)
    const parsed = plugin.options.safeParse(given)
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!
      const option = String(issue.path[0])
      const shownInput = fromFlag.has(option) ? { [option]: flags[`${plugin.name}.${option}`] } : given
      const line = describeIssue(issue, shownInput, label, known, plugin.options)
      throw new UsageError(fromFlag.has(option) || issue.code === 'custom' ? line : `config pluginOptions.${plugin.name}: ${line}`)
    }
    out[plugin.name] = parsed.data as Record<string, unknown>
  }
  return out
}

/** `--<plugin>-<option>` with camelCase turned kebab-case. */
export function pluginFlagName(plugin: string, option: string): string {
  return `${plugin}-${option}`.replace(/[A-Z]/g, (ch) => `-${ch.toLowerCase()}`)
}

export function resolveConfig(cwd: string, configFile: string | undefined, config: UserConfig | undefined, cli: CliOverrides): ResolvedConfig {
  const rootDir = configFile ? dirname(configFile) : cwd
  const plugins = pluginsOf(config)
  const values: Record<string, unknown> = {}
  for (const key of Object.keys(CONFIG_OPTIONS) as ConfigOptionName[]) {
    const fromCli = cli[key]
    const fromConfig = (config as Record<string, unknown> | undefined)?.[key]
    const value = fromCli !== undefined ? validated(key, fromCli, 'cli') : fromConfig !== undefined ? validated(key, fromConfig, 'config') : defaultOf(key)
    values[(CONFIG_OPTIONS[key] as { resolvedAs?: string }).resolvedAs ?? key] = value
  }
  if (values.tagExpr !== undefined) {
    try {
      parseTagExpression(values.tagExpr as string)
    } catch (error) {
      if (error instanceof TagExpressionError) throw new UsageError(error.message)
      throw error
    }
  }
  if (values.grep !== undefined) {
    try {
      new RegExp(values.grep as string)
    } catch {
      throw new UsageError(`invalid --grep pattern "${values.grep as string}": not a valid regular expression — escape special characters such as ( [ * with a backslash`)
    }
  }
  if (values.workerHeapLimitMb !== undefined && values.isolate !== 'process' && runtimeLimits.threadHeapLimit) throw new UsageError(runtimeLimits.threadHeapLimit)
  const permissionProblem = values.isolate === 'process' ? missingPermissions({ run: '--isolate process (it starts child processes)' }) : undefined
  if (permissionProblem) throw new UsageError(permissionProblem)
  const reporters = (values.reporters as Array<string | Reporter>).map((r) => (typeof r === 'string' ? parseReporterSpec(r) : r))
  return {
    ...(values as object),
    rootDir,
    configFile,
    reporters,
    plugins,
    setupFiles: (values.setupFiles as string[]).map((f) => resolve(rootDir, f)),
    pluginOptions: resolvePluginOptions(plugins, config, cli.pluginFlags ?? {}),
  } as ResolvedConfig
}
