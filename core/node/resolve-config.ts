/**
 * Merges command-line options over the config file over defaults, and validates plugin
 * options against what each plugin declares.
 */
import { availableParallelism } from 'node:os'
import { dirname, resolve } from 'node:path'
import { builtinPlugins } from '../builtin-plugins.ts'
import type { UserConfig } from '../config.ts'
import type { Plugin } from '../hooks.ts'
import { PluginRegistrationError, registerPlugins } from '../plugin-host.ts'
import type { Reporter } from '../reporter.ts'
import { randomRunSeed } from '../seed.ts'
import { parseTagExpression, TagExpressionError } from '../tag-expression.ts'
import { DEFAULT_INCLUDE } from './discovery.ts'
import { parseReporterSpec, type ReporterSpec } from './reporter-host.ts'
import { UsageError } from './usage-error.ts'

/** What the command line can say; undefined means "not given". */
export interface CliOverrides {
  workers?: number
  grep?: string
  tag?: string
  bail?: number
  timeout?: number
  retries?: number
  seed?: number
  reporter?: string[]
  list?: boolean
  passWithNoTests?: boolean
  color?: boolean
  shuffle?: boolean
  isolate?: 'none' | 'file' | 'process'
  workerMemoryLimit?: number
  workerHeapLimit?: number
  inconclusive?: 'pass' | 'fail'
  /** `plugin.option` → raw CLI text. */
  pluginFlags?: Record<string, string>
}

export interface ResolvedConfig {
  rootDir: string
  configFile?: string
  include: string[]
  exclude: string[]
  workers: number
  timeoutMs: number
  retries: number
  reporters: Array<ReporterSpec | Reporter>
  plugins: Plugin[]
  setupFiles: string[]
  bail: number
  seed: number
  shuffle: boolean
  passWithNoTests: boolean
  isolate: 'none' | 'file' | 'process'
  workerMemoryLimitMb?: number
  workerHeapLimitMb?: number
  inconclusive: 'pass' | 'fail'
  grep?: string
  tagExpr?: string
  list: boolean
  color: boolean
  pluginOptions: Record<string, Record<string, unknown>>
}

export const DEFAULT_TIMEOUT_MS = 30_000

/** Built-in plus config plugins, validated and in hook order. */
export function pluginsOf(config: UserConfig | undefined): Plugin[] {
  try {
    return registerPlugins([...builtinPlugins(), ...(config?.plugins ?? [])])
  } catch (error) {
    if (error instanceof PluginRegistrationError) throw new UsageError(`${error.message} (in the config's plugins)`)
    throw error
  }
}

function coerce(plugin: string, option: string, type: string, raw: unknown, from: string): unknown {
  if (type === 'number') {
    const n = typeof raw === 'string' ? Number(raw) : raw
    if (typeof n !== 'number' || Number.isNaN(n)) throw new UsageError(`${from}: option "${plugin}.${option}" must be a number (got ${JSON.stringify(raw)})`)
    return n
  }
  if (type === 'boolean') {
    if (raw === 'true' || raw === true) return true
    if (raw === 'false' || raw === false) return false
    throw new UsageError(`${from}: option "${plugin}.${option}" must be true or false (got ${JSON.stringify(raw)})`)
  }
  if (typeof raw !== 'string') throw new UsageError(`${from}: option "${plugin}.${option}" must be a string (got ${JSON.stringify(raw)})`)
  return raw
}

function resolvePluginOptions(plugins: Plugin[], config: UserConfig | undefined, flags: Record<string, string>): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {}
  const byName = new Map(plugins.map((p) => [p.name, p]))
  for (const name of Object.keys(config?.pluginOptions ?? {})) {
    if (!byName.has(name)) {
      throw new UsageError(`config pluginOptions: no plugin is named "${name}" — registered plugins: ${[...byName.keys()].join(', ') || 'none'}`)
    }
  }
  for (const plugin of plugins) {
    const given = config?.pluginOptions?.[plugin.name] ?? {}
    const declared = new Map((plugin.options ?? []).map((o) => [o.name, o]))
    for (const key of Object.keys(given)) {
      if (!declared.has(key)) {
        throw new UsageError(`config pluginOptions.${plugin.name}: unknown option "${key}" — options of "${plugin.name}": ${[...declared.keys()].join(', ') || 'none'}`)
      }
    }
    const resolved: Record<string, unknown> = {}
    for (const option of declared.values()) {
      let value: unknown = option.default
      if (option.name in given) value = coerce(plugin.name, option.name, option.type, given[option.name], 'config')
      const flag = flags[`${plugin.name}.${option.name}`]
      if (flag !== undefined) value = coerce(plugin.name, option.name, option.type, flag, 'command line')
      if (value !== undefined) resolved[option.name] = value
    }
    out[plugin.name] = resolved
  }
  return out
}

export function resolveConfig(cwd: string, configFile: string | undefined, config: UserConfig | undefined, cli: CliOverrides): ResolvedConfig {
  const rootDir = configFile ? dirname(configFile) : cwd
  const plugins = pluginsOf(config)
  if (cli.tag !== undefined) {
    try {
      parseTagExpression(cli.tag)
    } catch (error) {
      if (error instanceof TagExpressionError) throw new UsageError(error.message)
      throw error
    }
  }
  if (cli.grep !== undefined) {
    try {
      new RegExp(cli.grep)
    } catch {
      throw new UsageError(`invalid --grep pattern "${cli.grep}": not a valid regular expression — escape special characters such as ( [ * with a backslash`)
    }
  }
  const reporterInput = cli.reporter ?? config?.reporters ?? ['console']
  const reporters = reporterInput.map((r) => (typeof r === 'string' ? parseReporterSpec(r) : r))
  return {
    rootDir,
    configFile,
    include: config?.include ?? DEFAULT_INCLUDE,
    exclude: config?.exclude ?? [],
    workers: cli.workers ?? config?.workers ?? availableParallelism(),
    timeoutMs: cli.timeout ?? config?.timeout ?? DEFAULT_TIMEOUT_MS,
    retries: cli.retries ?? config?.retries ?? 0,
    reporters,
    plugins,
    setupFiles: (config?.setupFiles ?? []).map((f) => resolve(rootDir, f)),
    bail: cli.bail ?? config?.bail ?? 0,
    seed: cli.seed ?? config?.seed ?? randomRunSeed(),
    shuffle: cli.shuffle ?? config?.shuffle ?? false,
    passWithNoTests: cli.passWithNoTests ?? config?.passWithNoTests ?? false,
    isolate: cli.isolate ?? config?.isolate ?? 'none',
    workerMemoryLimitMb: cli.workerMemoryLimit ?? config?.workerMemoryLimit,
    workerHeapLimitMb: cli.workerHeapLimit ?? config?.workerHeapLimit,
    inconclusive: cli.inconclusive ?? config?.inconclusive ?? 'pass',
    grep: cli.grep,
    tagExpr: cli.tag,
    list: cli.list ?? false,
    color: cli.color ?? (process.env.NO_COLOR ? false : process.env.FORCE_COLOR ? process.env.FORCE_COLOR !== '0' : Boolean(process.stdout.isTTY)),
    pluginOptions: resolvePluginOptions(plugins, config, cli.pluginFlags ?? {}),
  }
}
