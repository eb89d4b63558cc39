/**
 * A worker's one-time set-up: the config's plugins (registered with the built-in ones, their
 * matchers added to expect, their worker options delivered) and the setup files. Done again
 * only when a task brings another config, setup files or plugin options (watch mode).
 */
import { pathToFileURL } from 'node:url'
import { builtinPlugins } from '../builtin-plugins.ts'
import { expect } from '../expect/index.ts'
import { callNotify, pluginsFor, registerPlugins } from '../plugin-host.ts'
import { setPluginOptions } from '../plugin-options.ts'
import type { FileTask } from '../protocol.ts'
import { setWorkerPlugins } from '../active-plugins.ts'

let setupKey: string | undefined

function workerSetupKey(task: FileTask): string {
  return JSON.stringify([task.configFile, task.setupFiles, task.pluginOptions])
}

/** Whether this worker is already set up for `task`. */
export function isWorkerSetUp(task: FileTask): boolean {
  return workerSetupKey(task) === setupKey
}

export async function ensureWorkerSetup(task: FileTask): Promise<void> {
  const key = workerSetupKey(task)
  if (key === setupKey) return
  const userPlugins: unknown[] = []
  if (task.configFile) {
    const mod = (await import(pathToFileURL(task.configFile).href)) as { default?: { plugins?: unknown[] } }
    userPlugins.push(...(mod.default?.plugins ?? []))
  }
  const plugins = registerPlugins([...builtinPlugins(), ...userPlugins])
  setWorkerPlugins(plugins)
  setPluginOptions(task.pluginOptions)
  for (const plugin of plugins) if (plugin.matchers) expect.extend(plugin.matchers)
  for (const plugin of pluginsFor(plugins, 'workerConfigResolved')) await callNotify([plugin], 'workerConfigResolved', task.pluginOptions[plugin.name] ?? {})
  for (const file of task.setupFiles) await import(pathToFileURL(file).href)
  setupKey = key
}

