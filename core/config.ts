/**
 * The user's config file (`mltest.config.ts`, `.js`, `.mjs`), typed:
 *
 *   import { defineConfig } from 'mltest/config'
 *   export default defineConfig({ include: ['models/**\/*.mltest.ts'], timeout: 60_000 })
 *
 * Validation (unknown keys, wrong types) happens when the runner loads it.
 */
import type { ConfigFileOptions } from './options/config-options.ts'

/**
 * Everything `mltest.config.ts` may set, derived from the one option table
 * (`core/options/config-options.ts`: schema, flag, description, default). Run
 * `mltest run --help` for the descriptions and defaults.
 */
export type UserConfig = ConfigFileOptions

/** Identity function that gives a config file its types. */
export function defineConfig(config: UserConfig): UserConfig {
  return config
}
