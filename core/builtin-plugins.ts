/**
 * Plugins registered in every run before the config's own. Each built-in plugin's heavy
 * dependencies load lazily, inside the check functions that need them.
 */
import type { Plugin } from './hooks.ts'

export function builtinPlugins(): Plugin[] {
  return []
}
