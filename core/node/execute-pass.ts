/**
 * One pass over a list of test files on a pool the caller owns, with reporters and plugins
 * notified, returning the complete result tree. `mltest run` calls it once; `mltest watch`
 * calls it for every rerun on the same warm pool.
 */
import { collectRunResultSections } from './run-result-sections.ts'
import { callNotify, PluginError } from '../plugin-host.ts'
import type { CollectedTest, FileResult, FileTask, LogEntry, SerializedError } from '../protocol.ts'
import type { RunResult, ShardSpec } from '../reporter.ts'
import { summarize } from '../summary.ts'
import { computeReadiness, minReadinessFailure } from '../readiness.ts'
import type { InterruptSignal } from './interrupt.ts'
import { createProcessPool } from './process-pool.ts'
import type { ReporterHost } from './reporter-host.ts'
import type { ResolvedConfig } from './resolve-config.ts'
import { configSummary, runEnvironment } from './run-info.ts'
import { scheduleFiles } from './scheduler.ts'
import { createThreadPool } from './thread-pool.ts'
import type { WorkerPool } from './worker-pool.ts'

export function createPool(config: ResolvedConfig, workers: number): WorkerPool {
  return config.isolate === 'process'
    ? createProcessPool({ workers, heapLimitMb: config.workerHeapLimitMb, env: process.env })
    : createThreadPool({ workers, heapLimitMb: config.workerHeapLimitMb, env: process.env })
}

export interface PassOptions {
  config: ResolvedConfig
  files: string[]
  /** Needed when `files` is not empty. */
  pool?: WorkerPool
  workers: number
  host: ReporterHost
  shard?: ShardSpec
  /** Call plugins' `configResolved` first (once per process: `run`, or the first watch pass). */
  announceConfig: boolean
  /** A per-file `--grep` (watch's "rerun failed" narrows each file to its failed tests). */
  grepFor?(file: string): string | undefined
  /** Errors found before the run (`--typecheck`), by file: added to that file's result, or a result of their own for a file that did not run. */
  fileErrors?: ReadonlyMap<string, readonly SerializedError[]>
  /** Full names of a file's tests to run before its others (`--failed-first`). */
  runFirstFor?(file: string): readonly string[] | undefined
  /** Aborted (reason: `SIGINT` or `SIGTERM`) to stop the pass; its result is marked interrupted. */
  interrupt?: AbortSignal
}

export interface PassOutcome {
  run: RunResult
  /** Collected tests per file, for `--list`. */
  listed: Array<[string, CollectedTest[]]>
}

export async function executePass(options: PassOptions): Promise<PassOutcome> {
  const { config, files, host, workers } = options
  const startedAt = new Date()
  const runErrors: string[] = []
  const pluginCalls: Promise<void>[] = []
  const callPlugins = (promise: Promise<void>) => {
    pluginCalls.push(promise.catch((error: unknown) => void runErrors.push(error instanceof PluginError ? error.message : String(error))))
  }
  if (options.announceConfig) {
    for (const plugin of config.plugins) {
      if (plugin.configResolved) callPlugins(callNotify([plugin], 'configResolved', config.pluginOptions[plugin.name] ?? {}))
    }
    // A plugin that rejects its options stops the run here, rather than in every worker.
    await Promise.all(pluginCalls)
  }
  const setupFailed = runErrors.length > 0
  const summaryOfConfig = configSummary(config, workers)
  callPlugins(callNotify(config.plugins, 'onRunStart', { rootDir: config.rootDir, seed: config.seed, files }))
  await host.emit('onRunStart', {
    rootDir: config.rootDir, seed: config.seed, files, workers, isolate: config.isolate, startedAt: startedAt.toISOString(), shard: options.shard, config: summaryOfConfig,
  })

  const taskFor = (file: string, skipIds: string[]): FileTask => ({
    file,
    rootDir: config.rootDir,
    configFile: config.configFile,
    setupFiles: config.setupFiles,
    seed: config.seed,
    shuffle: config.shuffle,
    timeoutMs: config.timeoutMs,
    retries: config.retries,
    grep: options.grepFor?.(file) ?? config.grep,
    tagExpr: config.tagExpr,
    listOnly: config.list,
    update: config.update,
    skipIds,
    ...(options.runFirstFor?.(file)?.length ? { runFirst: [...options.runFirstFor(file)!] } : {}),
    pluginOptions: config.pluginOptions,
    color: config.color,
  })

  const listed: Array<[string, CollectedTest[]]> = []
  const fileLogs = new Map<string, LogEntry[]>()
  let outcome: { files: FileResult[]; notRun: string[] } = { files: [], notRun: [] }
  if (files.length > 0 && !setupFailed) {
    if (!options.pool) throw new Error('executePass: a pool is needed to run files')
    outcome = await scheduleFiles(files, {
      pool: options.pool,
      taskFor,
      bail: config.bail,
      recycleEveryFile: config.isolate === 'file',
      memoryLimitBytes: config.workerMemoryLimitMb ? config.workerMemoryLimitMb * 1024 * 1024 : undefined,
      memoryMetric: config.isolate === 'process' ? 'rss' : 'heap',
      interrupt: options.interrupt,
      events: {
        onCollected: (file, tests) => {
          listed.push([file, tests])
          host.notify('onCollected', file, tests)
        },
        onTestStart: (file, id) => host.notify('onTestStart', file, id),
        onTestResult: (result) => {
          host.notify('onTestResult', result)
          callPlugins(callNotify(config.plugins, 'onTestResult', result))
        },
        onLog: (file, id, entry) => {
          if (id === null) fileLogs.set(file, [...(fileLogs.get(file) ?? []), entry])
          host.notify('onLog', file, id, entry)
        },
        onRunError: (message) => void runErrors.push(message),
        onFileResult: (result) => {
          result.errors.push(...(options.fileErrors?.get(result.file) ?? []))
          host.notify('onFileResult', { ...result, logs: fileLogs.get(result.file) ?? [] })
          callPlugins(callNotify(config.plugins, 'onFileResult', result))
        },
      },
    })
  }

  // Files with errors found before the run that did not run themselves (a helper module with a type error, or `mltest typecheck`).
  for (const [file, errors] of options.fileErrors ?? []) {
    if (outcome.files.some((f) => f.file === file)) continue
    const result: FileResult = { file, durationMs: 0, errors: [...errors], tests: [] }
    outcome.files.push(result)
    host.notify('onFileResult', { ...result, logs: [] })
    callPlugins(callNotify(config.plugins, 'onFileResult', result))
  }
  // Worker-scoped fixtures end with the pass (watch mode may change their code before the next).
  if (options.pool && files.length > 0 && !setupFailed && !config.list) {
    for (const error of (await options.pool.teardownWorkerFixtures?.()) ?? []) runErrors.push(error.message)
  }
  const durationMs = Date.now() - startedAt.getTime()
  const summary = summarize(outcome.files, durationMs)
  if (!config.list) callPlugins(callNotify(config.plugins, 'onRunEnd', outcome.files, summary))
  await Promise.all(pluginCalls)
  const sections = config.list ? {} : await collectRunResultSections(config.plugins, outcome.files, summary, runErrors)
  const run: RunResult = {
    rootDir: config.rootDir,
    seed: config.seed,
    startedAt: startedAt.toISOString(),
    durationMs,
    files: outcome.files.map((f) => ({ ...f, logs: fileLogs.get(f.file) ?? [] })),
    summary,
    notRun: outcome.notRun,
    ...(options.interrupt?.aborted ? { interrupted: options.interrupt.reason as InterruptSignal } : {}),
    runErrors,
    config: summaryOfConfig,
    environment: runEnvironment(),
    ...(options.shard ? { shard: options.shard } : {}),
    ...(Object.keys(sections).length > 0 ? { sections } : {}),
    readiness: computeReadiness(outcome.files, config.rootDir),
  }
  if (!config.list) await host.finish(run)
  return { run, listed }
}

/**
 * 0 when everything passed; 1 for failed tests, file errors, run or reporter errors,
 * inconclusive verdicts counted as failures, an interrupted run (incomplete, so never a
 * pass; `mltest run` itself exits 130 or 143 then), or a readiness score below `--min-readiness`.
 */
export function exitCodeOf(run: RunResult, reporterErrors: string[]): number {
  const s = run.summary
  const failed = s.failed > 0 || s.fileErrors > 0 || run.runErrors.length > 0 || reporterErrors.length > 0 || run.interrupted !== undefined
  // One shard's ledger has only its own files' checks: the gate is judged by `mltest merge`.
  const belowReadiness = run.config?.minReadiness !== undefined && run.readiness !== undefined && !run.shard && run.readiness.score < run.config.minReadiness
  return failed || belowReadiness || (run.config?.inconclusive === 'fail' && s.inconclusive > 0) ? 1 : 0
}

/** `--min-readiness N` not met: one line saying the score and N (the exit code is `exitCodeOf`'s). */
export function reportMinReadiness(run: RunResult): void {
  const min = run.config?.minReadiness
  if (min === undefined || !run.readiness) return
  if (run.shard) {
    process.stderr.write(`mltest: --min-readiness ${min} is not judged on shard ${run.shard.index}/${run.shard.count}, whose ledger has only its own files' checks — judge the whole run with mltest merge <shard results> --min-readiness ${min}\n`)
    return
  }
  const failure = minReadinessFailure(run.readiness, min)
  if (failure) process.stderr.write(`mltest: ${failure}\n`)
}
