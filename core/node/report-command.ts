/**
 * `mltest report results.json` and `mltest merge shard-*.json`: render any reporter from
 * saved JSON results without running a test. The result tree is replayed through the same
 * reporter hooks a live run calls (start, each test with its logs, each file, end), so
 * streaming reporters (console, tap) work too. The exit code is the one the run would have
 * had: 1 for failures, file or run errors, or a reporter that failed here.
 */
import { resolve } from 'node:path'
import type { RunResult } from '../reporter.ts'
import { builtinReporters } from '../../reporters/index.ts'
import { exitCodeOf, reportMinReadiness } from './execute-pass.ts'
import { mergeResults } from './merge.ts'
import { createReporters, parseReporterSpec, ReporterHost } from './reporter-host.ts'
import { loadReporterRegistry } from './load-reporters.ts'
import { readResultFile } from './result-json.ts'
import { computeReadiness } from '../readiness.ts'

export interface ReportOptions {
  reporters: string[]
  color: boolean
  cwd: string
  /** `--readiness`: reporters show the readiness ledger. */
  readiness?: boolean
  /** `--min-readiness N`: exit 1 when the result's readiness score is below N. */
  minReadiness?: number
}

async function replay(given: RunResult, options: ReportOptions): Promise<number> {
  // A result written before the ledger existed gets it from its check records.
  let run: RunResult = { ...given, readiness: given.readiness ?? computeReadiness(given.files, given.rootDir) }
  if ((options.readiness || options.minReadiness !== undefined) && run.config) {
    run = { ...run, config: { ...run.config, ...(options.readiness ? { readiness: true as const } : {}), ...(options.minReadiness !== undefined ? { minReadiness: options.minReadiness } : {}) } }
  }
  const specs = options.reporters.map(parseReporterSpec)
  const registry = await loadReporterRegistry(specs, builtinReporters, options.cwd)
  const host = new ReporterHost(createReporters(specs, registry, { rootDir: run.rootDir, color: options.color }, options.cwd))
  await host.emit('onRunStart', {
    rootDir: run.rootDir,
    seed: run.seed,
    files: run.files.map((f) => f.file),
    workers: run.config?.workers ?? 1,
    isolate: run.config?.isolate ?? 'none',
    startedAt: run.startedAt,
    shard: run.shard,
    config: run.config,
  })
  for (const file of run.files) {
    for (const entry of file.logs ?? []) await host.emit('onLog', file.file, null, entry)
    for (const test of file.tests) {
      for (const entry of test.logs) await host.emit('onLog', file.file, test.id, entry)
      await host.emit('onTestResult', test)
    }
    await host.emit('onFileResult', file)
  }
  await host.finish(run)
  for (const error of host.errors) process.stderr.write(`mltest: ${error}\n`)
  reportMinReadiness(run)
  return exitCodeOf(run, host.errors)
}

export async function reportCommand(file: string, options: ReportOptions): Promise<number> {
  return replay(readResultFile(resolve(options.cwd, file), file), options)
}

export interface HistoryReportOptions extends ReportOptions {
  /** How many of the latest runs to show (default 100). */
  limit?: number
}

/**
 * `mltest report --history .mltest/history.db`: the benchmark history as a run result (one
 * test per benchmark, its trend as a check with a figure), read through the bench plugin's
 * public API and rendered by the same reporters, e.g. `--reporter html:trends.html`.
 */
export async function historyReportCommand(historyFile: string, options: HistoryReportOptions): Promise<number> {
  const { historyTrends, openHistory } = await import('../../plugins/bench-history/index.ts')
  const store = await openHistory(resolve(options.cwd, historyFile), { mode: 'existing' })
  let run: RunResult
  try {
    run = historyTrends(store, { limit: options.limit, rootDir: options.cwd })
  } finally {
    store.close()
  }
  return replay(run, options)
}

export async function mergeCommand(files: string[], options: ReportOptions): Promise<number> {
  const inputs = files.map((file) => ({ source: file, run: readResultFile(resolve(options.cwd, file), file) }))
  const { run, warnings } = mergeResults(inputs)
  for (const warning of warnings) process.stderr.write(`mltest: merge: ${warning}\n`)
  return replay(run, options)
}
