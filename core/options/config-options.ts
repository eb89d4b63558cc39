/**
 * Every core option, declared once: its zod schema, where it can be set (config file key,
 * command-line flag), its description and its default. `UserConfig`, the resolved config,
 * the commander options, `--help` and the run summary in every result are all derived from
 * this table (`core/node/resolve-config.ts`, `core/node/cli-options.ts`).
 *
 * Schemas are functions of `z` because zod loads only once it is needed; the types are
 * derived without loading it.
 */
import type { z } from 'zod'
import type { Plugin } from '../hooks.ts'
import type { Reporter } from '../reporter.ts'
import { MAX_READINESS_SCORE } from '../readiness.ts'

type Z = typeof z

/** How a flag's text becomes a value before the schema checks it. */
export type FlagKind = 'number' | 'string' | 'boolean' | 'negatable' | 'optional-number' | 'repeatable' | 'choice'

export interface OptionSpec<S extends z.ZodType = z.ZodType> {
  schema(z: Z): S
  description: string
  /** The value when nothing sets it: a constant, or computed when the run starts. */
  default?: unknown
  defaultText?: string
  /** Settable in `mltest.config.ts` under this key (default: yes). */
  config?: boolean
  /** A flag of `run` and `watch`, e.g. `--workers <n>`; `only` limits it to `run`. */
  flag?: { spec: string; kind: FlagKind; only?: 'run' }
  /** Field name in the resolved config and the run summary, when it differs from the key. */
  resolvedAs?: string
  /** Shown in the run summary of every result (JSON, JUnit properties). */
  summary?: boolean
}

function spec<const T extends OptionSpec<any>>(s: T): T {
  return s
}

export const DEFAULT_INCLUDE = ['**/*.mltest.ts']
export const DEFAULT_TIMEOUT_MS = 30_000
/** Coverage report formats (monocart-coverage-reports' istanbul reports). */
export const COVERAGE_REPORTERS = ['text-summary', 'lcov', 'cobertura', 'json-summary', 'html', 'json', 'text'] as const
export const DEFAULT_COVERAGE = {
  enabled: false,
  reporters: ['text-summary', 'lcov', 'cobertura', 'json-summary', 'html'] as Array<(typeof COVERAGE_REPORTERS)[number]>,
  include: [] as string[],
  exclude: [] as string[],
  dir: 'coverage',
  thresholds: {} as { lines?: number; branches?: number; functions?: number; statements?: number },
}

export const CONFIG_OPTIONS = {
  include: spec({ schema: (z) => z.array(z.string()), description: 'globs of test files, relative to the config folder', default: DEFAULT_INCLUDE, summary: true }),
  exclude: spec({ schema: (z) => z.array(z.string()), description: 'globs to leave out (node_modules and dot-folders always are)', default: [], summary: true }),
  workers: spec({
    schema: (z) => z.number().int().min(1),
    description: 'worker threads (or processes)',
    defaultText: 'available parallelism',
    flag: { spec: '--workers <n>', kind: 'number' },
    summary: true,
  }),
  grep: spec({ schema: (z) => z.string(), config: false, description: 'run tests whose full name matches this regular expression', flag: { spec: '-t, --grep <pattern>', kind: 'string' }, summary: true }),
  tag: spec({ schema: (z) => z.string(), config: false, description: 'run tests whose tags match, e.g. "slow and not gpu"', flag: { spec: '--tag <expr>', kind: 'string' }, resolvedAs: 'tagExpr', summary: true }),
  bail: spec({ schema: (z) => z.number().int().min(0), description: 'stop after n failed tests (0: never; the flag alone means 1)', default: 0, flag: { spec: '--bail [n]', kind: 'optional-number' }, summary: true }),
  timeout: spec({ schema: (z) => z.number().int().min(1), description: 'per-test timeout in ms', default: DEFAULT_TIMEOUT_MS, flag: { spec: '--timeout <ms>', kind: 'number' }, resolvedAs: 'timeoutMs', summary: true }),
  retries: spec({ schema: (z) => z.number().int().min(0), description: 'retry a failing test up to n times', default: 0, flag: { spec: '--retries <n>', kind: 'number' }, summary: true }),
  seed: spec({
    schema: (z) => z.number().int().min(0).max(2 ** 31 - 1),
    description: 'run seed for t.rng and --shuffle, always printed',
    defaultText: 'random',
    flag: { spec: '--seed <n>', kind: 'number' },
  }),
  shuffle: spec({ schema: (z) => z.boolean(), description: 'shuffle file and test order with the run seed', default: false, flag: { spec: '--shuffle', kind: 'boolean' }, summary: true }),
  reporters: spec({
    schema: (z) => z.array(z.union([z.string(), z.custom<Reporter>((v) => typeof v === 'object' && v !== null && !Array.isArray(v))])),
    description: 'reporters: a built-in name (console, junit, json, tap, github, html), a module path or package, each with an optional :PATH',
    default: ['console'],
    flag: { spec: '--reporter <name[:path]>', kind: 'repeatable' },
  }),
  passWithNoTests: spec({ schema: (z) => z.boolean(), description: 'exit 0 when no test is found', default: false, flag: { spec: '--pass-with-no-tests', kind: 'boolean' } }),
  isolate: spec({
    schema: (z) => z.enum(['none', 'file', 'process']),
    description: 'none: long-lived workers share their module cache; file: a fresh worker per file; process: child processes',
    default: 'none',
    flag: { spec: '--isolate <mode>', kind: 'choice' },
    summary: true,
  }),
  workerMemoryLimit: spec({
    schema: (z) => z.number().int().min(1),
    description: 'recycle a worker between files once its memory passes this many MB (heap for threads, rss for processes)',
    flag: { spec: '--worker-memory-limit <mb>', kind: 'number' },
    resolvedAs: 'workerMemoryLimitMb',
  }),
  workerHeapLimit: spec({
    schema: (z) => z.number().int().min(1),
    description: 'hard V8 heap limit per worker thread in MB; a file exceeding it fails and the worker is replaced',
    flag: { spec: '--worker-heap-limit <mb>', kind: 'number' },
    resolvedAs: 'workerHeapLimitMb',
  }),
  inconclusive: spec({
    schema: (z) => z.enum(['pass', 'fail']),
    description: 'how inconclusive statistical verdicts count for the exit code',
    default: 'pass',
    flag: { spec: '--inconclusive <as>', kind: 'choice' },
    summary: true,
  }),
  update: spec({
    schema: (z) => z.boolean(),
    config: false,
    description: 'rewrite golden and snapshot entries that do not match (toMatchGolden, toMatchSnapshot) and remove obsolete ones',
    default: false,
    flag: { spec: '-u, --update', kind: 'boolean', only: 'run' },
  }),
  readiness: spec({
    schema: (z) => z.boolean(),
    description: 'print the readiness ledger: the 14 practices by stage, automated, failing or missing, with the tests that cover them, and the score',
    default: false,
    flag: { spec: '--readiness', kind: 'boolean' },
  }),
  minReadiness: spec({
    schema: (z) => z.number().int().min(0).max(MAX_READINESS_SCORE),
    description: `fail the run when the readiness score (automated practices of the weakest stage, 0 to ${MAX_READINESS_SCORE}) is below n`,
    flag: { spec: '--min-readiness <n>', kind: 'number' },
  }),
  typecheck: spec({
    schema: (z) => z.boolean(),
    description: 'type-check the selected test files and what they import (the project\'s TypeScript and tsconfig, tsc --noEmit); type errors fail their file',
    default: false,
    flag: { spec: '--typecheck', kind: 'boolean', only: 'run' },
  }),
  lastFailed: spec({
    schema: (z) => z.boolean(),
    config: false,
    description: 'run only the tests that failed last time (remembered in .mltest/last-failed.json); all tests when none did',
    default: false,
    flag: { spec: '--last-failed', kind: 'boolean' },
  }),
  failedFirst: spec({
    schema: (z) => z.boolean(),
    config: false,
    description: 'run the tests that failed last time first, then the rest',
    default: false,
    flag: { spec: '--failed-first', kind: 'boolean' },
  }),
  collectCoverage: spec({
    schema: (z) => z.boolean(),
    config: false,
    description: 'collect V8 coverage from every worker, mapped to the TypeScript sources; reports in coverage.dir (coverage.enabled in the config)',
    default: false,
    flag: { spec: '--coverage', kind: 'boolean', only: 'run' },
  }),
  coverage: spec({
    schema: (z) => {
      const percent = z.number().min(0).max(100)
      return z
        .object({
          enabled: z.boolean().default(DEFAULT_COVERAGE.enabled),
          reporters: z.array(z.enum(COVERAGE_REPORTERS)).default(DEFAULT_COVERAGE.reporters),
          include: z.array(z.string()).default(DEFAULT_COVERAGE.include),
          exclude: z.array(z.string()).default(DEFAULT_COVERAGE.exclude),
          dir: z.string().min(1).default(DEFAULT_COVERAGE.dir),
          thresholds: z.object({ lines: percent, branches: percent, functions: percent, statements: percent }).partial().strict().default(DEFAULT_COVERAGE.thresholds),
        })
        .strict()
    },
    description: 'coverage: { enabled, reporters, include, exclude (globs of source files, relative to the config folder), dir, thresholds: { lines, branches, functions, statements } in % }',
    default: DEFAULT_COVERAGE,
  }),
  list: spec({ schema: (z) => z.boolean(), config: false, description: 'collect and print the tests with their tags, run nothing', default: false, flag: { spec: '--list', kind: 'boolean', only: 'run' } }),
  color: spec({
    schema: (z) => z.boolean(),
    config: false,
    description: 'colours in terminal output (--no-color: plain)',
    defaultText: 'when the terminal supports it (NO_COLOR, FORCE_COLOR respected)',
    flag: { spec: '--no-color', kind: 'negatable' },
  }),
  setupFiles: spec({ schema: (z) => z.array(z.string()), description: 'modules imported once in each worker before its first test file (relative to the config)', default: [] }),
  plugins: spec({ schema: (z) => z.array(z.custom<Plugin>(() => true)), description: 'your plugins, registered after the built-in ones', default: [] }),
  pluginOptions: spec({
    schema: (z) => z.record(z.string(), z.record(z.string(), z.unknown())),
    description: 'options of plugins, keyed by plugin name, e.g. { stability: { runs: 500 } }',
    default: {},
  }),
}

export type ConfigOptionName = keyof typeof CONFIG_OPTIONS

type Spec = typeof CONFIG_OPTIONS
type ConfigKeys = { [K in keyof Spec]: Spec[K] extends { config: false } ? never : K }[keyof Spec]
type ValueOf<K extends keyof Spec> = z.output<ReturnType<Spec[K]['schema']>>
/** What a user may write: keys with defaults inside an object option (e.g. coverage.dir) are optional. */
type InputOf<K extends keyof Spec> = z.input<ReturnType<Spec[K]['schema']>>

/** What `mltest.config.ts` may set: derived from the table (hover a key for its schema). */
export type ConfigFileOptions = { [K in ConfigKeys]?: InputOf<K> }

/** What the command line may set (flags), before merging. */
export type FlagOptions = { [K in keyof Spec as Spec[K] extends { flag: object } ? K : never]?: ValueOf<K> }
