/**
 * Finds, loads and validates `mltest.config.{ts,mts,js,mjs}`. Unknown keys and wrong types
 * are UsageErrors naming the key, the problem and the file.
 */
import { existsSync } from 'node:fs'
import { basename, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { z } from 'zod'
import type { UserConfig } from '../config.ts'
import { UsageError } from './usage-error.ts'

export const CONFIG_NAMES = ['mltest.config.ts', 'mltest.config.mts', 'mltest.config.js', 'mltest.config.mjs']

// zod loads only when there is a config file to check (it costs ~100 ms at start-up).
function configSchema(z: typeof import('zod').z) {
  const positiveInt = z.number().int().positive()
  const nonNegativeInt = z.number().int().nonnegative()
  return z.strictObject({
    include: z.array(z.string()).optional(),
    exclude: z.array(z.string()).optional(),
    workers: positiveInt.optional(),
    timeout: positiveInt.optional(),
    retries: nonNegativeInt.optional(),
    reporters: z.array(z.union([z.string(), z.looseObject({})])).optional(),
    plugins: z.array(z.unknown()).optional(),
    setupFiles: z.array(z.string()).optional(),
    bail: nonNegativeInt.optional(),
    seed: nonNegativeInt.optional(),
    shuffle: z.boolean().optional(),
    passWithNoTests: z.boolean().optional(),
    isolate: z.enum(['none', 'file', 'process']).optional(),
    workerMemoryLimit: positiveInt.optional(),
    workerHeapLimit: positiveInt.optional(),
    inconclusive: z.enum(['pass', 'fail']).optional(),
    pluginOptions: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
  })
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

function describeIssue(issue: z.core.$ZodIssue, input: unknown, knownKeys: string[]): string {
  const key = issue.path.join('.')
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((k) => `"${[...issue.path, k].join('.')}"`).join(', ')
    return `unknown key ${keys} — remove it or fix its spelling (known keys: ${knownKeys.join(', ')})`
  }
  let value: unknown = input
  for (const part of issue.path) value = (value as Record<PropertyKey, unknown> | undefined)?.[part as PropertyKey]
  const shown = typeof value === 'string' ? `"${value}"` : String(value)
  return `"${key}" ${issue.message.replace(/^Invalid input: /, '').toLowerCase()} (got ${shown})`
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
  const schema = configSchema((await import('zod')).z)
  const parsed = schema.safeParse(config)
  if (!parsed.success) {
    throw new UsageError(`${basename(path)}: ${describeIssue(parsed.error.issues[0]!, config, Object.keys(schema.shape))} — fix it in ${path}`)
  }
  return config as UserConfig
}
