/**
 * Registers plugins and calls their hooks. Used on both sides of the thread boundary:
 * the main thread calls main hooks, each worker calls worker hooks.
 */
import { HOOK_NAMES, PLUGIN_FIELDS, type OrderedHook, type Plugin, type RegisteredPlugin, type WrapTestInfo } from './hooks.ts'

/** A hook threw: names the plugin and the hook so the user knows whom to blame. */
export class PluginError extends Error {
  constructor(
    readonly plugin: string,
    readonly hook: string,
    cause: unknown,
  ) {
    const detail = cause instanceof Error ? cause.message : String(cause)
    super(`plugin "${plugin}" failed in ${hook}: ${detail}`, { cause })
    this.name = 'PluginError'
  }
}

/** A plugin object is malformed; raised at registration, before anything runs. */
export class PluginRegistrationError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'PluginRegistrationError'
  }
}

const known = new Set<string>([...HOOK_NAMES, ...PLUGIN_FIELDS])
const rank = { pre: 0, undefined: 1, post: 2 } as const
type Rank = 0 | 1 | 2
type HookName = (typeof HOOK_NAMES)[number]

/** Each registered plugin's position per hook (the plugin objects stay plain). */
const hookRanks = new WeakMap<RegisteredPlugin, Partial<Record<HookName, Rank>>>()

function isOrderedHook(value: unknown): value is OrderedHook<(...args: unknown[]) => unknown> {
  return typeof value === 'object' && value !== null && 'handler' in value
}

function checkOptionsSchema(plugin: Plugin): void {
  const options = plugin.options as unknown
  if (options === undefined) return
  const looksLikeZodObject = typeof options === 'object' && options !== null && 'shape' in options && typeof (options as { safeParse?: unknown }).safeParse === 'function'
  if (!looksLikeZodObject) {
    throw new PluginRegistrationError(
      `plugin "${plugin.name}": options must be a zod object schema, e.g. options: z.object({ runs: z.number().int().default(100).describe('...') }) — import { z } from 'mltest/plugin'`,
    )
  }
}

function checkCommands(plugin: Plugin): void {
  if (plugin.commands === undefined) return
  if (!Array.isArray(plugin.commands)) throw new PluginRegistrationError(`plugin "${plugin.name}": commands must be an array of { name, description, run }`)
  for (const command of plugin.commands) {
    if (typeof command?.name !== 'string' || !/^[a-z][a-z0-9-]*$/.test(command.name) || typeof command.run !== 'function') {
      throw new PluginRegistrationError(`plugin "${plugin.name}": each command needs a kebab-case name and a run function (got ${JSON.stringify(command?.name)})`)
    }
  }
}

/** Validates plugin objects; returns them in registration order, every hook a plain function. */
export function registerPlugins(plugins: unknown[]): RegisteredPlugin[] {
  const seen = new Set<string>()
  return plugins.map((p, i) => {
    if (p === null || typeof p !== 'object' || Array.isArray(p)) {
      throw new PluginRegistrationError(
        `plugins[${i}] is ${p === null ? 'null' : typeof p}, not a plugin object — call the plugin factory, e.g. plugins: [myPlugin()]`,
      )
    }
    const plugin = p as Plugin
    if (typeof plugin.name !== 'string' || plugin.name === '') {
      throw new PluginRegistrationError(`plugins[${i}] has no "name" — give every plugin a unique string name`)
    }
    if (seen.has(plugin.name)) {
      throw new PluginRegistrationError(`two plugins are named "${plugin.name}" — plugin names must be unique`)
    }
    seen.add(plugin.name)
    if (plugin.enforce !== undefined && plugin.enforce !== 'pre' && plugin.enforce !== 'post') {
      throw new PluginRegistrationError(`plugin "${plugin.name}": enforce must be 'pre' or 'post'`)
    }
    checkOptionsSchema(plugin)
    checkCommands(plugin)
    const registered: Record<string, unknown> = {}
    const ranks: Partial<Record<HookName, Rank>> = {}
    for (const key of Object.keys(plugin)) {
      const value = (plugin as unknown as Record<string, unknown>)[key]
      if (!known.has(key)) {
        throw new PluginRegistrationError(`plugin "${plugin.name}" has an unknown hook "${key}" — known hooks: ${HOOK_NAMES.join(', ')}`)
      }
      if (!(HOOK_NAMES as readonly string[]).includes(key)) {
        registered[key] = value
        continue
      }
      const hook = key as HookName
      if (isOrderedHook(value)) {
        if (value.order !== 'pre' && value.order !== 'post') {
          throw new PluginRegistrationError(`plugin "${plugin.name}": hook "${key}" has order ${JSON.stringify(value.order)} — use 'pre' or 'post'`)
        }
        if (typeof value.handler !== 'function') throw new PluginRegistrationError(`plugin "${plugin.name}": hook "${key}".handler must be a function`)
        ranks[hook] = rank[value.order]
        // Bound so `this` inside the handler is the plugin object, as for a plain hook.
        registered[key] = (...args: unknown[]) => value.handler.apply(registered, args)
      } else if (typeof value === 'function') {
        ranks[hook] = rank[String(plugin.enforce) as keyof typeof rank]
        registered[key] = value
      } else {
        throw new PluginRegistrationError(`plugin "${plugin.name}": hook "${key}" must be a function or { order: 'pre' | 'post', handler }`)
      }
    }
    const result = registered as unknown as RegisteredPlugin
    hookRanks.set(result, ranks)
    return result
  })
}

/**
 * The plugins implementing `hook`, in that hook's order: `pre`, normal, `post`, registration
 * order within each. Plugins not registered through `registerPlugins` count as normal.
 */
export function pluginsFor(plugins: RegisteredPlugin[], hook: HookName): RegisteredPlugin[] {
  return plugins
    .map((plugin, index) => ({ plugin, index, rank: hookRanks.get(plugin)?.[hook] ?? rank[String(plugin.enforce) as keyof typeof rank] }))
    .filter((x) => typeof x.plugin[hook] === 'function')
    .sort((a, b) => a.rank - b.rank || a.index - b.index)
    .map((x) => x.plugin)
}

type HookArgs<K extends HookName> = RegisteredPlugin[K] extends ((...args: infer A) => unknown) | undefined ? A : never

/** Calls a notify hook on every plugin that has it, in order. */
export async function callNotify<K extends HookName>(plugins: RegisteredPlugin[], hook: K, ...args: HookArgs<K>): Promise<void> {
  for (const plugin of pluginsFor(plugins, hook)) {
    const fn = plugin[hook] as ((...a: unknown[]) => unknown) | undefined
    if (typeof fn !== 'function') continue
    try {
      await fn.apply(plugin, args)
    } catch (error) {
      throw new PluginError(plugin.name, hook, error)
    }
  }
}

/** Calls a first-result hook; the first non-undefined answer wins. */
export async function callFirst<K extends HookName, R>(
  plugins: RegisteredPlugin[],
  hook: K,
  ...args: HookArgs<K>
): Promise<R | undefined> {
  for (const plugin of pluginsFor(plugins, hook)) {
    const fn = plugin[hook] as ((...a: unknown[]) => unknown) | undefined
    if (typeof fn !== 'function') continue
    let answer: unknown
    try {
      answer = await fn.apply(plugin, args)
    } catch (error) {
      throw new PluginError(plugin.name, hook, error)
    }
    if (answer !== undefined) return answer as R
  }
  return undefined
}

/**
 * Composes `wrapTest` hooks around `body`; the first plugin is outermost. Errors thrown by
 * the test body pass through unchanged (they are the test's failure, not the plugin's).
 */
export function composeWrappers(plugins: RegisteredPlugin[], body: () => Promise<void>, info: WrapTestInfo): () => Promise<void> {
  const fromBody = new WeakSet<object>()
  let next = body
  for (const plugin of [...pluginsFor(plugins, 'wrapTest')].reverse()) {
    const wrap = plugin.wrapTest
    if (!wrap) continue
    const prev = next
    const inner = async () => {
      try {
        await prev()
      } catch (error) {
        if (error !== null && typeof error === 'object') fromBody.add(error)
        throw error
      }
    }
    next = async () => {
      try {
        await wrap.call(plugin, inner, info)
      } catch (error) {
        if (error !== null && typeof error === 'object' && fromBody.has(error)) throw error
        throw new PluginError(plugin.name, 'wrapTest', error)
      }
    }
  }
  return next
}
