/**
 * One `mltest run`: discovery → scheduler on the pool → reporters → exit code.
 * Exit codes: 0 all passed; 1 a test or file failed, a plugin or reporter failed, or no
 * tests were found (unless passWithNoTests); 2 is raised as a UsageError by the caller.
 */
import { existsSync } from 'node:fs'
import { relative } from 'node:path'
import { callNotify, PluginError } from '../plugin-host.ts'
import type { CollectedTest, FileResult, FileTask } from '../protocol.ts'
import type { RunResult } from '../reporter.ts'
import { summarize } from '../summary.ts'
import { builtinReporters } from '../../reporters/index.ts'
import { discoverTestFiles } from './discovery.ts'
import { createProcessPool } from './process-pool.ts'
import { createReporters, ReporterHost } from './reporter-host.ts'
import type { ResolvedConfig } from './resolve-config.ts'
import { runScheduled } from './scheduler.ts'
import { createThreadPool } from './thread-pool.ts'
import { UsageError } from './usage-error.ts'
import type { WorkerPool } from './worker-pool.ts'

export async function runTests(config: ResolvedConfig, paths: string[], cwd: string): Promise<number> {
  for (const file of config.setupFiles) {
    if (!existsSync(file)) throw new UsageError(`setup file not found: ${file} — fix setupFiles in ${config.configFile ?? 'the config'}`)
  }
  const startedAt = new Date()
  let files = discoverTestFiles({ rootDir: config.rootDir, paths, cwd, include: config.include, exclude: config.exclude })
  if (config.shuffle) {
    const { createRng, deriveSeed } = await import('../seed.ts')
    files = createRng(deriveSeed(config.seed, 'file-order')).shuffle(files)
  }
  const reporters = createReporters(
    config.list ? [] : [...config.reporters].sort((a, b) => Number(isConsole(a)) - Number(isConsole(b))),
    builtinReporters,
    { rootDir: config.rootDir, color: config.color },
  )
  const host = new ReporterHost(reporters)
  const runErrors: string[] = []
  const pluginCalls: Promise<void>[] = []
  const callPlugins = (promise: Promise<void>) => {
    pluginCalls.push(promise.catch((error: unknown) => void runErrors.push(error instanceof PluginError ? error.message : String(error))))
  }

  const workers = Math.max(1, Math.min(config.workers, files.length || 1))
  for (const plugin of config.plugins) {
    if (plugin.configResolved) callPlugins(callNotify([plugin], 'configResolved', config.pluginOptions[plugin.name] ?? {}))
  }
  callPlugins(callNotify(config.plugins, 'onRunStart', { rootDir: config.rootDir, seed: config.seed, files }))
  await host.emit('onRunStart', { rootDir: config.rootDir, seed: config.seed, files, workers, isolate: config.isolate, startedAt: startedAt.toISOString() })

  const taskFor = (file: string, skipIds: string[]): FileTask => ({
    file,
    rootDir: config.rootDir,
    configFile: config.configFile,
    setupFiles: config.setupFiles,
    seed: config.seed,
    shuffle: config.shuffle,
    timeoutMs: config.timeoutMs,
    retries: config.retries,
    grep: config.grep,
    tagExpr: config.tagExpr,
    listOnly: config.list,
    skipIds,
    pluginOptions: config.pluginOptions,
    color: config.color,
  })

  const listed: Array<[string, CollectedTest[]]> = []
  let outcome: { files: FileResult[]; notRun: string[] } = { files: [], notRun: [] }
  if (files.length > 0) {
    const pool: WorkerPool =
      config.isolate === 'process'
        ? createProcessPool({ workers, heapLimitMb: config.workerHeapLimitMb, env: process.env })
        : createThreadPool({ workers, heapLimitMb: config.workerHeapLimitMb, env: process.env })
    try {
      outcome = await runScheduled(files, {
        pool,
        taskFor,
        bail: config.bail,
        recycleEveryFile: config.isolate === 'file',
        memoryLimitBytes: config.workerMemoryLimitMb ? config.workerMemoryLimitMb * 1024 * 1024 : undefined,
        memoryMetric: config.isolate === 'process' ? 'rss' : 'heap',
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
          onLog: (file, id, entry) => host.notify('onLog', file, id, entry),
          onFileResult: (result) => {
            host.notify('onFileResult', result)
            callPlugins(callNotify(config.plugins, 'onFileResult', result))
          },
        },
      })
    } finally {
      await pool.close()
    }
  }

  if (config.list) return printList(listed, config, outcome.files)

  const durationMs = Date.now() - startedAt.getTime()
  const summary = summarize(outcome.files, durationMs)
  callPlugins(callNotify(config.plugins, 'onRunEnd', outcome.files, summary))
  await Promise.all(pluginCalls)
  const run: RunResult = { rootDir: config.rootDir, seed: config.seed, startedAt: startedAt.toISOString(), durationMs, files: outcome.files, summary, notRun: outcome.notRun, runErrors }
  // File reporters first, the console last: its closing line stays the very last line and
  // it can show what failed before it.
  for (const name of new Set(host.names)) {
    if (name === 'console') run.runErrors.push(...host.errors.splice(0))
    await host.emitTo(name, 'onRunEnd', run)
  }
  const anyTests = summary.passed + summary.failed + summary.skipped + summary.todo + summary.inconclusive > 0
  if (!anyTests && summary.fileErrors === 0 && !config.passWithNoTests) {
    process.stderr.write(`mltest: no tests found${paths.length ? ` in ${paths.join(' ')}` : ''} — check the paths, --grep/--tag filters or the config's include, or pass --pass-with-no-tests\n`)
    return 1
  }
  const failed = summary.failed > 0 || summary.fileErrors > 0 || run.runErrors.length > 0 || host.errors.length > 0
  if (host.errors.length) for (const error of host.errors) process.stderr.write(`mltest: ${error}\n`)
  if (failed || (config.inconclusive === 'fail' && summary.inconclusive > 0)) return 1
  return 0
}

function isConsole(spec: unknown): boolean {
  return typeof spec === 'object' && spec !== null && (spec as { name?: unknown }).name === 'console'
}

function printList(listed: Array<[string, CollectedTest[]]>, config: ResolvedConfig, files: FileResult[]): number {
  let count = 0
  for (const [file, tests] of listed.sort((a, b) => a[0].localeCompare(b[0]))) {
    for (const test of tests) {
      count++
      const tags = test.tags.length ? ` [${test.tags.join(', ')}]` : ''
      const mode = test.mode === 'run' ? '' : ` (${test.mode})`
      process.stdout.write(`${relative(config.rootDir, file)} > ${test.fullName}${tags}${mode}\n`)
    }
  }
  for (const file of files) {
    for (const error of file.errors) process.stderr.write(`mltest: ${relative(config.rootDir, file.file)}: ${error.message}\n`)
  }
  process.stdout.write(`mltest: ${count} test${count === 1 ? '' : 's'} collected\n`)
  const errors = files.some((f) => f.errors.length > 0)
  return errors || (count === 0 && !config.passWithNoTests) ? 1 : 0
}
