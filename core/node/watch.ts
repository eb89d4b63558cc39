/**
 * `mltest watch [paths]`: runs the tests, then reruns the files a change affects (the
 * changed test file, or every test file importing the changed module, transitively) on the
 * same warm pool. Keys: `a` rerun all, `f` rerun failed tests, `q` quit.
 *
 * Workers keep their module cache between files, and only test files are imported afresh
 * each time, so when a helper module changes the pool is replaced before the rerun (the
 * new workers import the new code); when only test files changed, the warm workers are kept.
 * A change to a setup file reruns everything on fresh workers; a change to the config file
 * needs a restart, since plugins and settings were loaded from it at start.
 */
import { dirname, relative, sep } from 'node:path'
import { builtinReporters } from '../../reporters/index.ts'
import { discoverTestFiles } from './discovery.ts'
import { createPool, executePass } from './execute-pass.ts'
import { ImportGraph } from './import-graph.ts'
import { planFailedFirst } from './last-failed.ts'
import { createReporters, ReporterHost } from './reporter-host.ts'
import type { ResolvedConfig } from './resolve-config.ts'
import { checkSetupFiles } from './run-command.ts'
import { FileWatcher } from './watch-files.ts'
import { listenForKeys } from './watch-keys.ts'

const PROMPT = 'mltest watch: waiting for changes · a rerun all · f rerun failed · q quit'

export async function watchTests(config: ResolvedConfig, paths: string[], cwd: string, stdin: NodeJS.ReadStream = process.stdin): Promise<number> {
  checkSetupFiles(config)
  const out = (line: string): void => void process.stdout.write(line + '\n')
  const rel = (file: string) => relative(cwd, file) || file
  const discover = () => discoverTestFiles({ rootDir: config.rootDir, paths, cwd, include: config.include, exclude: config.exclude })
  let testFiles = discover()
  const sharedRoots = [config.configFile, ...config.setupFiles].filter((f): f is string => f !== undefined)
  const graph = new ImportGraph()
  graph.add([...testFiles, ...sharedRoots])
  const workers = Math.max(1, Math.min(config.workers, testFiles.length || 1))
  let pool = createPool(config, workers)
  let firstPass = true
  let activeHost: ReporterHost | undefined
  let quitting = false
  /** Failed test names per file; `null`: the file itself failed, rerun it whole. */
  const failed = new Map<string, string[] | null>()

  const pass = async (files: string[], narrowToFailed = false) => {
    const host = new ReporterHost(createReporters(config.reporters, config.reporterRegistry ?? builtinReporters, { rootDir: config.rootDir, color: config.color }, cwd))
    activeHost = host
    // The first pass starts with the tests that failed last time (only them with --last-failed); every pass records its failures.
    const startMode = firstPass ? (config.lastFailed ? 'only' : 'first') : undefined
    const memory = planFailedFirst(config, files, startMode, (line) => out(`mltest watch: ${line}`), { quietWhenNone: !config.lastFailed })
    const grepFor = narrowToFailed ? (file: string) => namesPattern(failed.get(file)) : memory.grepFor
    const { run } = await executePass({ config, files: memory.files, pool, workers, host, announceConfig: firstPass, grepFor, runFirstFor: memory.runFirstFor })
    firstPass = false
    memory.record(run.files, narrowToFailed ? (file) => failed.get(file) ?? undefined : undefined)
    for (const file of run.files) {
      const names = file.tests.filter((t) => t.state === 'failed').map((t) => t.fullName)
      if (file.errors.length) failed.set(file.file, null)
      else if (names.length) failed.set(file.file, names)
      else failed.delete(file.file)
    }
    if (quitting) return
    for (const error of host.errors) process.stderr.write(`mltest: ${error}\n`)
    out(PROMPT)
  }

  const freshWorkers = async () => {
    await pool.close()
    pool = createPool(config, workers)
  }

  const onChanges = async (changed: string[]) => {
    if (config.configFile && changed.includes(config.configFile)) out(`mltest watch: ${rel(config.configFile)} changed — restart mltest watch to apply it`)
    try {
      testFiles = discover()
    } catch (error) {
      out(`mltest watch: ${(error as Error).message}`)
      return
    }
    for (const file of failed.keys()) if (!testFiles.includes(file)) failed.delete(file)
    graph.refresh(changed)
    graph.add(testFiles)
    watcher.watch(watchRoots())
    const sharedChanged = changed.some((f) => graph.dependenciesOf(sharedRoots).has(f) && f !== config.configFile)
    const files = sharedChanged ? testFiles : graph.affected(changed, testFiles)
    const known = changed.filter((f) => graph.has(f) || testFiles.includes(f))
    if (files.length === 0) {
      if (known.length) out(`mltest watch: ${known.map(rel).join(', ')} changed — no test file affected`)
      return
    }
    const helperChanged = known.some((f) => !testFiles.includes(f))
    out(`\nmltest watch: ${known.map(rel).join(', ')} changed — rerunning ${files.length} file${files.length === 1 ? '' : 's'}${helperChanged ? ' on fresh workers' : ''}`)
    if (helperChanged) await freshWorkers()
    await pass(files)
  }

  const watchRoots = () => {
    const inside = (f: string) => f === config.rootDir || f.startsWith(config.rootDir + sep)
    return [config.rootDir, ...graph.modules().filter((f) => !inside(f) && !f.includes(`${sep}node_modules${sep}`)).map(dirname)]
  }

  // One job at a time; file changes arriving during a run are merged into one later rerun.
  const jobs: Array<() => Promise<void>> = []
  const pendingChanges = new Set<string>()
  let busy = false
  const enqueue = (job: () => Promise<void>) => {
    jobs.push(job)
    if (!busy) void drain()
  }
  const drain = async () => {
    busy = true
    while (jobs.length > 0 && !quitting) {
      try {
        await jobs.shift()!()
      } catch (error) {
        if (!quitting) out(`mltest watch: the run failed: ${error instanceof Error ? error.message : String(error)}`)
      }
    }
    busy = false
  }
  const watcher = new FileWatcher((paths) => {
    const queued = pendingChanges.size > 0
    for (const p of paths) pendingChanges.add(p)
    if (queued) return
    enqueue(async () => {
      const changed = [...pendingChanges]
      pendingChanges.clear()
      await onChanges(changed)
    })
  })

  let finish: (code: number) => void = () => {}
  const finished = new Promise<number>((resolve) => (finish = resolve))
  const quit = async () => {
    if (quitting) return
    quitting = true
    watcher.close()
    keys.close()
    process.off('SIGINT', quit)
    process.off('SIGTERM', quit)
    if (busy) {
      // Stop the run in progress: its reporters go quiet and its workers end. Should a
      // worker outlive the pool, the process still ends shortly after.
      activeHost?.mute()
      out('mltest watch: stopping the current run')
      setTimeout(() => process.exit(0), 3000).unref()
    }
    await pool.close()
    finish(0)
  }
  const keys = listenForKeys(stdin, (key) => {
    if (key === 'q') void quit()
    else if (key === 'a') enqueue(() => (out('\nmltest watch: rerunning all files'), pass(testFiles)))
    else if (key === 'f') {
      enqueue(async () => {
        const files = testFiles.filter((f) => failed.has(f))
        if (files.length === 0) return out('mltest watch: no failed tests to rerun')
        out(`\nmltest watch: rerunning the failed tests of ${files.length} file${files.length === 1 ? '' : 's'}`)
        await pass(files, true)
      })
    } else out(`mltest watch: unknown key "${key}" — a rerun all · f rerun failed · q quit`)
  })
  process.on('SIGINT', quit)
  process.on('SIGTERM', quit)

  watcher.watch(watchRoots())
  enqueue(() => pass(testFiles))
  return finished
}

/** A `--grep` matching exactly these full test names; undefined reruns the whole file. */
function namesPattern(names: string[] | null | undefined): string | undefined {
  if (!names) return undefined
  return `^(?:${names.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})$`
}
