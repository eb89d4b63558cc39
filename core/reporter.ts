/**
 * The one Reporter interface: optional async hooks. Streaming reporters (console, tap,
 * github) use the per-event hooks; file reporters (junit, json) only read the final result
 * tree in `onRunEnd`.
 */
import type { RunSummary } from './hooks.ts'
import type { CollectedTest, FileResult, LogEntry, TestResult } from './protocol.ts'

export interface RunStart {
  rootDir: string
  seed: number
  files: string[]
  workers: number
  isolate: 'none' | 'file' | 'process'
  startedAt: string
}

/** The complete result tree of a run. */
export interface RunResult {
  rootDir: string
  seed: number
  startedAt: string
  durationMs: number
  files: FileResult[]
  summary: RunSummary
  /** Files never started because of `--bail`. */
  notRun: string[]
  /** Errors of the run itself (a throwing plugin), not of a test. */
  runErrors: string[]
}

export interface Reporter {
  onRunStart?(run: RunStart): void | Promise<void>
  onCollected?(file: string, tests: CollectedTest[]): void | Promise<void>
  onTestStart?(file: string, testId: string): void | Promise<void>
  onTestResult?(result: TestResult): void | Promise<void>
  onLog?(file: string, testId: string | null, entry: LogEntry): void | Promise<void>
  onFileResult?(file: FileResult): void | Promise<void>
  onRunEnd?(run: RunResult): void | Promise<void>
}

export interface ReporterOptions {
  rootDir: string
  color: boolean
  /** The `:PATH` part of `--reporter name:path`, if given. */
  outputFile?: string
}

export type ReporterFactory = (options: ReporterOptions) => Reporter
