/**
 * Every plugin hook, declared once. A plugin is a factory returning a plain object of
 * optional hooks. Three kinds only:
 * - notify: every plugin's hook runs, in order;
 * - first-result: plugins are asked in order, the first non-undefined answer wins;
 * - wrap: `wrapTest(next, info)` decides how often and how to call `next`.
 * Order: plugins with `wrapTest` are outermost, then `enforce: 'pre'`, normal, `'post'`,
 * then registration order.
 *
 * Plugins are instantiated on both sides of the thread boundary (the main thread loads the
 * config, and so does every worker); each hook says where it runs.
 */
import type { CollectedTest, FileResult, TestResult } from './protocol.ts'
import type { MatcherFunction } from './expect/index.ts'

/** One option a plugin accepts, shown in `--help` and validated with the config. */
export interface PluginOption {
  name: string
  type: 'number' | 'string' | 'boolean'
  default?: number | string | boolean
  description: string
}

export interface RunInfo {
  rootDir: string
  seed: number
  files: string[]
}

export interface RunSummary {
  passed: number
  failed: number
  skipped: number
  todo: number
  inconclusive: number
  fileErrors: number
  durationMs: number
}

/** What `wrapTest` learns about the test it wraps. */
export interface WrapTestInfo {
  test: CollectedTest
  attempt: number
}

/** Hooks that run on the main thread. */
export interface MainHooks {
  /** notify · main — resolved options for this plugin, before anything runs. */
  configResolved?(options: Record<string, unknown>): void | Promise<void>
  /** notify · main — the run is about to start. */
  onRunStart?(run: RunInfo): void | Promise<void>
  /** notify · main — a test finished (after retries). */
  onTestResult?(result: TestResult): void | Promise<void>
  /** notify · main — a file finished. */
  onFileResult?(file: FileResult): void | Promise<void>
  /** notify · main — the run ended. */
  onRunEnd?(files: FileResult[], summary: RunSummary): void | Promise<void>
}

/** Hooks that run inside workers. */
export interface WorkerHooks {
  /** notify · worker — resolved options for this plugin, before the first file runs. */
  workerConfigResolved?(options: Record<string, unknown>): void | Promise<void>
  /** first-result · worker — turn a model reference (e.g. `zoo:mnist`) into a file path. */
  resolveModel?(ref: string): string | undefined | Promise<string | undefined>
  /** wrap · worker — runs around each test attempt (`beforeEach` hooks and the body; `afterEach` runs after); must call `next` or throw. */
  wrapTest?(next: () => Promise<void>, info: WrapTestInfo): Promise<void>
  /** notify · worker — extra fields merged into the test context `t`. */
  extendContext?(test: CollectedTest): Record<string, unknown> | undefined
}

export interface Plugin extends MainHooks, WorkerHooks {
  /** Unique name; also the config key and CLI prefix of its options. */
  name: string
  enforce?: 'pre' | 'post'
  options?: PluginOption[]
  /** Matchers added to `expect` in every worker. */
  matchers?: Record<string, MatcherFunction<any>>
}

/** The hook names a plugin object may carry, checked at registration. */
export const HOOK_NAMES: ReadonlyArray<keyof MainHooks | keyof WorkerHooks> = [
  'configResolved',
  'onRunStart',
  'onTestResult',
  'onFileResult',
  'onRunEnd',
  'workerConfigResolved',
  'resolveModel',
  'wrapTest',
  'extendContext',
]

/** Non-hook fields a plugin object may carry. */
export const PLUGIN_FIELDS = ['name', 'enforce', 'options', 'matchers'] as const
