/**
 * The one Reporter interface: optional async hooks. Streaming reporters (console, tap,
 * github) use the per-event hooks; file reporters (junit, json) only read the final result
 * tree in `onRunEnd`. `mltest report` and `mltest merge` replay a saved result tree through
 * the same hooks, so every reporter works from a JSON result as well as from a live run.
 */
import type { JsonValue, RunSummary } from './hooks.ts'
import type { CollectedTest, FileResult, LogEntry, TestResult } from './protocol.ts'
import type { ReadinessLedger } from './readiness.ts'

/** This run's part of a sharded run: `--shard index/count`, both 1-based. */
export interface ShardSpec {
  index: number
  count: number
}

/** The settings that shaped a run, kept in the result so a report can say how it was made. */
export interface RunConfigSummary {
  configFile: string | null
  include: string[]
  exclude: string[]
  workers: number
  isolate: 'none' | 'file' | 'process'
  timeoutMs: number
  retries: number
  bail: number
  shuffle: boolean
  grep: string | null
  tagExpr: string | null
  /** How inconclusive verdicts count: as a pass (default) or a failure. */
  inconclusive: 'pass' | 'fail'
  reporters: string[]
  plugins: string[]
  pluginOptions: Record<string, Record<string, unknown>>
  /** `--readiness`: reporters show the readiness ledger (present only when asked for). */
  readiness?: true
  /** `--min-readiness N`: the run fails when the readiness score is below N (present only when set). */
  minReadiness?: number
}

/** Where a run ran. */
export interface RunEnvironment {
  mltestVersion: string
  /** The Node API version the runtime reports (on Deno, the Node version it emulates). */
  node: string
  /** The runtime that ran mltest: "Node v20.20.2" or "Deno 2.9.6" (absent in results written before it). */
  runtime?: string
  platform: string
  arch: string
  cpuModel: string
  cpuCount: number
  totalMemoryMb: number
  hostname: string
}

export interface RunStart {
  rootDir: string
  seed: number
  files: string[]
  workers: number
  isolate: 'none' | 'file' | 'process'
  startedAt: string
  shard?: ShardSpec
  config?: RunConfigSummary
}

/** A file's result plus console output that no test owned (top-level code, beforeAll). */
export interface FileReport extends FileResult {
  logs?: LogEntry[]
}

/** One input of `mltest merge`. */
export interface MergedShard {
  source: string
  shard: ShardSpec | null
  seed: number
  startedAt: string
  durationMs: number
  hostname: string | null
  /** The shard's plugin sections, when it had any. */
  sections?: Record<string, JsonValue>
}

/** The complete result tree of a run. */
export interface RunResult {
  rootDir: string
  seed: number
  startedAt: string
  durationMs: number
  files: FileReport[]
  summary: RunSummary
  /** Files never started because of `--bail`, or because the run was interrupted. */
  notRun: string[]
  /**
   * Set when SIGINT or SIGTERM stopped the run (Ctrl-C, CI cancellation): the tests that did
   * not finish are `skipped` with reason `cancelled (SIGINT)`, files never started are in
   * `notRun`, and the result covers only what ran.
   */
  interrupted?: 'SIGINT' | 'SIGTERM'
  /** Errors of the run itself (a throwing plugin or reporter), not of a test. */
  runErrors: string[]
  config?: RunConfigSummary
  environment?: RunEnvironment
  shard?: ShardSpec
  /** Set by `mltest merge`: the shard results this one was merged from. */
  mergedFrom?: MergedShard[]
  /** Named sections plugins add (`runResultSection`), keyed by plugin name; kept in JSON. */
  sections?: Record<string, JsonValue>
  /**
   * The readiness ledger: which of the 14 practices the run's checks automate, and the score.
   * Computed from the check records, so `mltest merge` recomputes it over every shard.
   */
  readiness?: ReadinessLedger
}

export interface Reporter {
  onRunStart?(run: RunStart): void | Promise<void>
  onCollected?(file: string, tests: CollectedTest[]): void | Promise<void>
  onTestStart?(file: string, testId: string): void | Promise<void>
  onTestResult?(result: TestResult): void | Promise<void>
  onLog?(file: string, testId: string | null, entry: LogEntry): void | Promise<void>
  onFileResult?(file: FileReport): void | Promise<void>
  onRunEnd?(run: RunResult): void | Promise<void>
}

export interface ReporterOptions {
  rootDir: string
  color: boolean
  /** The `:PATH` part of `--reporter name:path`, if given, resolved against the working directory. */
  outputFile?: string
}

export type ReporterFactory = (options: ReporterOptions) => Reporter
