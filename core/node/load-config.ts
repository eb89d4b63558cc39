/**
 * Finds, loads and validates `mltest.config.{ts,mts,js,mjs}`. Unknown keys and wrong types
 * are UsageErrors naming the key, the problem and the file.
 */
import { existsSync } from 'node:fs'
import { basename, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { z } from 'zod'
import type { UserConfig } from '../config.ts'
import { CONFIG_OPTIONS } from '../options/config-options.ts'
import { describeIssue } from '../options/describe-issue.ts'
import { fieldAt } from '../options/zod-introspect.ts'
import { UsageError } from './usage-error.ts'

export const CONFIG_NAMES = ['mltest.config.ts', 'mltest.config.mts', 'mltest.config.js', 'mltest.config.mjs']

/** The config file's schema: every table option that a config may set, unknown keys refused. */
function configSchema() {
  const shape: Record<string, z.ZodType> = {}
  for (const [key, option] of Object.entries(CONFIG_OPTIONS)) {
    if ((option as { config?: boolean }).config === false) continue
    shape[key] = (option.schema(z) as z.ZodType).optional()
  }
  return z.strictObject(shape)
}

/** The config file to use: `--config PATH`, else the first default name in `cwd`. */
export function findConfigFile(cwd: string, explicit?: string): string | undefined {
  if (explicit !== undefined) {
    const path = resolve(cwd, explicit)
    if (!existsSync(path)) throw new UsageError(`config file not found: ${path} — check the --config path`)
    return path
  }
  return CONFIG_NAMES.map((name) => resolve(cwd, name)).find((path) => existsSync(path))
}

/** Imports and validates a config file. */
export async function loadConfigFile(path: string): Promise<UserConfig> {
  let mod: { default?: unknown }
  try {
    mod = (await import(pathToFileURL(path).href)) as { default?: unknown }
  } catch (error) {
    // esbuild puts the `file:line:col: ERROR: ...` detail on the lines after the first.
    const message = error instanceof Error ? error.message.split('\n').map((l) => l.trim()).filter(Boolean).slice(0, 3).join(' ') : String(error)
    throw new UsageError(`could not load ${basename(path)}: ${message} — fix the error in ${path}`)
  }
  const config = mod.default
  if (config === null || typeof config !== 'object') {
    throw new UsageError(`${basename(path)} has no default export object — write: export default defineConfig({ ... })`)
  }
  const schema = configSchema()
  const parsed = schema.safeParse(config)
  if (!parsed.success) {
    const label = (keyPath: ReadonlyArray<PropertyKey>) => `key "${keyPath.join('.')}"`
    const issue = parsed.error.issues[0]!
    // An unknown key inside an object option (e.g. coverage.thresholds) is matched against that object's keys.
    const known = Object.keys(fieldAt(schema, issue.path)?.shape ?? schema.shape)
    throw new UsageError(`${basename(path)}: ${describeIssue(issue, config, label, known, schema)} — fix it in ${path}`)
  }
  return parsed.data as UserConfig
}
