/**
 * Registers plugins and calls their hooks. Used on both sides of the thread boundary:
 * the main thread calls main hooks, each worker calls worker hooks.
 */
import { HOOK_NAMES, PLUGIN_FIELDS, type Plugin, type WrapTestInfo } from './hooks.ts'

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
const enforceRank = { pre: 0, undefined: 1, post: 2 } as const

/** Validates plugin objects and returns them in hook order. */
export function registerPlugins(plugins: unknown[]): Plugin[] {
  const seen = new Set<string>()
  const valid = plugins.map((p, i) => {
    if (p === null || typeof p !== 'object' || Array.isArray(p)) {
      throw new PluginRegistrationError(
        `plugins[${i}] is ${p === null ? 'null' : typeof p}, not a plugin object — call the plugin factory, e.g. plugins: [myPlugin()]`,
      )
    }
    const plugin = p as Plugin
    if (typeof plugin.name !== 'string' || plugin.name === '') {
      throw new PluginRegistrationError(`plugins[${i}] has no "name" — give every plugin a unique string name`)
    }
    for (const key of Object.keys(plugin)) {
      if (!known.has(key)) {
        throw new PluginRegistrationError(
          `plugin "${plugin.name}" has an unknown hook "${key}" — known hooks: ${HOOK_NAMES.join(', ')}`,
        )
      }
      const value = (plugin as unknown as Record<string, unknown>)[key]
      if ((HOOK_NAMES as readonly string[]).includes(key) && typeof value !== 'function') {
        throw new PluginRegistrationError(`plugin "${plugin.name}": hook "${key}" must be a function`)
      }
    }
    if (seen.has(plugin.name)) {
      throw new PluginRegistrationError(`two plugins are named "${plugin.name}" — plugin names must be unique`)
    }
    seen.add(plugin.name)
    if (plugin.enforce !== undefined && plugin.enforce !== 'pre' && plugin.enforce !== 'post') {
      throw new PluginRegistrationError(`plugin "${plugin.name}": enforce must be 'pre' or 'post'`)
    }
    return plugin
  })
  // Stable sort: wrappers first, then pre/normal/post, registration order within each.
  return valid
    .map((plugin, index) => ({ plugin, index }))
    .sort((a, b) => {
      const wa = a.plugin.wrapTest ? 0 : 1
      const wb = b.plugin.wrapTest ? 0 : 1
      if (wa !== wb) return wa - wb
      const ea = enforceRank[String(a.plugin.enforce) as keyof typeof enforceRank]
      const eb = enforceRank[String(b.plugin.enforce) as keyof typeof enforceRank]
      return ea - eb || a.index - b.index
    })
    .map((x) => x.plugin)
}

type HookArgs<K extends keyof Plugin> = Plugin[K] extends ((...args: infer A) => unknown) | undefined ? A : never

/** Calls a notify hook on every plugin that has it, in order. */
export async function callNotify<K extends keyof Plugin>(plugins: Plugin[], hook: K, ...args: HookArgs<K>): Promise<void> {
  for (const plugin of plugins) {
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
export async function callFirst<K extends keyof Plugin, R>(
  plugins: Plugin[],
  hook: K,
  ...args: HookArgs<K>
): Promise<R | undefined> {
  for (const plugin of plugins) {
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
export function composeWrappers(plugins: Plugin[], body: () => Promise<void>, info: WrapTestInfo): () => Promise<void> {
  const fromBody = new WeakSet<object>()
  let next = body
  for (const plugin of [...plugins].reverse()) {
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
