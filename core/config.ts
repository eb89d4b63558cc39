/**
 * The user's config file (`mltest.config.ts`, `.js`, `.mjs`), typed:
 *
 *   import { defineConfig } from 'mltest/config'
 *   export default defineConfig({ include: ['models/**\/*.mltest.ts'], timeout: 60_000 })
 *
 * Validation (unknown keys, wrong types) happens when the runner loads it.
 */
import type { Plugin } from './hooks.ts'
import type { Reporter } from './reporter.ts'

export interface UserConfig {
  /** Globs of test files, relative to the config's folder. Default `['**\/*.mltest.ts']`. */
  include?: string[]
  /** Globs to leave out (node_modules and dot-folders are always left out). */
  exclude?: string[]
  /** Worker threads (or processes). Default: available parallelism. */
  workers?: number
  /** Per-test timeout in ms. Default 30 000. */
  timeout?: number
  /** Retries of a failing test. Default 0. */
  retries?: number
  /** `'name'`, `'name:path'`, or a reporter object. Default `['console']`. */
  reporters?: Array<string | Reporter>
  /** User plugins, after the built-in ones. */
  plugins?: Plugin[]
  /** Modules imported once in each worker before its first test file (paths relative to the config). */
  setupFiles?: string[]
  /** Stop after this many failed tests (0: never). */
  bail?: number
  /** Run seed; default random, always printed. */
  seed?: number
  /** Shuffle file and test order with the run seed. */
  shuffle?: boolean
  /** Exit 0 when no test is found. */
  passWithNoTests?: boolean
  /** `none`: long-lived workers share their module cache; `file`: a fresh worker per file; `process`: child processes. */
  isolate?: 'none' | 'file' | 'process'
  /** Recycle a worker between files once its memory passes this many MB (heap for threads, rss for processes). */
  workerMemoryLimit?: number
  /** Hard V8 heap limit per worker thread, in MB: a file that exceeds it fails, the worker is replaced. */
  workerHeapLimit?: number
  /** Exit code for inconclusive statistical verdicts: `pass` (default) or `fail`. */
  inconclusive?: 'pass' | 'fail'
  /** Options of plugins, keyed by plugin name, e.g. `{ stability: { runs: 500 } }`. */
  pluginOptions?: Record<string, Record<string, unknown>>
}

/** Identity function that gives a config file its types. */
export function defineConfig(config: UserConfig): UserConfig {
  return config
}
