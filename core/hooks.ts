/**
 * Every plugin hook, declared once. A plugin is a factory returning a plain object of
 * optional hooks. Three kinds only:
 * - notify: every plugin's hook runs, in order;
 * - first-result: plugins are asked in order, the first non-undefined answer wins;
 * - wrap: `wrapTest(next, info)` decides how often and how to call `next`; the first
 *   wrapper in order is the outermost.
 * Order is decided per hook (pluggy's tryfirst/trylast): a hook given as
 * `{ order: 'pre' | 'post', handler }` takes that position for that hook only; otherwise the
 * plugin's `enforce` applies; ties keep registration order (built-in plugins first). So a
 * plugin's place in `onRunEnd` never changes because it also implements `wrapTest`.
 *
 * The thread boundary: a plugin object is created separately on the main thread (from the
 * config) and in every worker, so a value a main hook captures in a closure is NOT seen by
 * worker hooks. Data reaches workers only through the plugin's validated options
 * (`pluginOptions(name, schema)` from `mltest/plugin` reads them on either side).
 */
import type { z } from 'zod'
import type { CollectedTest, FileResult, TestResult } from './protocol.ts'
import type { MatcherFunction } from './expect/index.ts'

/** A plugin's options: a zod object schema; each field's `.describe()` and `.default()` feed `--help`. */
export type PluginOptionsSchema = z.ZodObject<z.ZodRawShape>

/** A plain JSON value: what a plugin may add to the run result. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue }

/** A hook given with its own position: `{ order: 'pre', handler(...) {} }`. */
export interface OrderedHook<F> {
  order: 'pre' | 'post'
  handler: F
}

/** What a plugin command's `run` receives besides its arguments. */
export interface CommandContext {
  cwd: string
  /** Folder of the config file, else `cwd`. */
  rootDir: string
  configFile?: string
  /** This plugin's validated options. */
  options: Record<string, unknown>
  /** Write a line to stdout / stderr (tests capture them). */
  stdout(text: string): void
  stderr(text: string): void
}

/** A subcommand a plugin adds: `mltest <name> [args] [options]`. */
export interface PluginCommand {
  name: string
  description: string
  /** commander argument syntax, e.g. `<file>` or `[paths...]`. */
  arguments?: string[]
  options?: Array<{ flags: string; description: string; default?: string | boolean }>
  /** Resolves to the exit code (default 0). Throw a `UsageError`-like `Error` for bad input: it prints one line and exits 2. */
  run(args: string[], options: Record<string, unknown>, context: CommandContext): number | void | Promise<number | void>
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
  /**
   * main — after `onRunEnd`: this plugin's named section of the run result
   * (`result.sections[pluginName]`), kept in the JSON result and replayed by `mltest report`.
   * Keep it small and JSON-only; undefined adds nothing.
   */
  runResultSection?(files: FileResult[], summary: RunSummary): JsonValue | undefined | Promise<JsonValue | undefined>
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

/** Hooks by name, each either a function or `{ order, handler }`. */
export type PluginHooks = {
  [K in keyof (MainHooks & WorkerHooks)]?: NonNullable<(MainHooks & WorkerHooks)[K]> | OrderedHook<NonNullable<(MainHooks & WorkerHooks)[K]>>
}

export interface Plugin extends PluginHooks {
  /** Unique name; also the config key (`pluginOptions.<name>`) and CLI prefix (`--<name>-<option>`) of its options. */
  name: string
  /** Default position of all this plugin's hooks; a hook's own `order` wins. */
  enforce?: 'pre' | 'post'
  /** Options, validated by core with the config (unknown keys and wrong types exit 2). */
  options?: PluginOptionsSchema
  /** Matchers added to `expect` in every worker. */
  matchers?: Record<string, MatcherFunction<any>>
  /** Subcommands of the CLI, e.g. `mltest bench` (main thread only). */
  commands?: PluginCommand[]
}

/** A plugin after registration: every hook a plain function (its order recorded apart). */
export type RegisteredPlugin = Omit<Plugin, keyof PluginHooks> & MainHooks & WorkerHooks

/** The hook names a plugin object may carry, checked at registration. */
export const HOOK_NAMES: ReadonlyArray<keyof MainHooks | keyof WorkerHooks> = [
  'configResolved',
  'onRunStart',
  'onTestResult',
  'onFileResult',
  'onRunEnd',
  'runResultSection',
  'workerConfigResolved',
  'resolveModel',
  'wrapTest',
  'extendContext',
]

/** Non-hook fields a plugin object may carry. */
export const PLUGIN_FIELDS = ['name', 'enforce', 'options', 'matchers', 'commands'] as const
