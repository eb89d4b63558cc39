/**
 * Runs one test file inside a worker: sets the worker up once (config plugins, setup
 * files), imports the file, collects and selects its tests, runs them with all-hooks,
 * retries and the exclusive-test protocol, and streams events to the main thread. Code that
 * runs outside a test (set-up, import, all-hooks) is announced as a phase, so the main
 * thread's watchdog can end a worker that blocks in it.
 */
import { getHeapStatistics } from 'node:v8'
import { pathToFileURL } from 'node:url'
import { finishGoldenFile, startGoldenFile } from '../expect/golden-session.ts'
import type { ControlMessage, FileTask, FileTaskReturn, SerializedError, WorkerBatch } from '../protocol.ts'
import { createRng, deriveSeed } from '../seed.ts'
import { relativeTestFile, testResultOf, testSeedOf, type TestOutcome } from '../test-result.ts'
import { IMPORT_DEADLINE_MS, watchdogDeadline } from '../watchdog.ts'
import { beginCollection, endCollection, type SuiteNode, type TestNode } from './collect.ts'
import { captureConsole } from './context.ts'
import { EventSink } from './event-sink.ts'
import { FileFixtures } from './fixtures.ts'
import { ExclusiveWaiter } from './exclusive-waiter.ts'
import { describeTests, moveFirst, shuffleTree, type Meta } from './select-tests.ts'
import { serializeError } from './serialize-error.ts'
import { lateStrayErrorOf, listenForStrayErrors, startFileScope, type FileStrayErrors } from './stray-errors.ts'
import { prefixed, runAttempts } from './test-attempt.ts'
import { toError, withTimeout } from './timeout.ts'
import { ensureWorkerSetup, isWorkerSetUp } from './worker-setup.ts'

// Captured at load: user code that patches the clock cannot break the runner.
const now = performance.now.bind(performance)

/** How a worker talks to the main thread for one task. */
export interface TaskChannel {
  post(batch: WorkerBatch): void
  onControl(listener: (message: ControlMessage) => void): void
}

// Console output outside any test belongs to the file being run.
let activeSink: EventSink | undefined
captureConsole((entry) => activeSink?.push(['log', null, entry]))

/** Imports per file in this worker: a later import adds a query so the module runs afresh. */
const importCounts = new Map<string, number>()

/** Runs one file; events stream through `channel`; resolves when the file is done. */
export function runTestFileInWorker(task: FileTask, channel: TaskChannel): Promise<FileTaskReturn> {
  return new FileRun(task, channel).execute()
}

/** One file's run: its event stream, its tests and their selection, and whether it was cancelled. */
class FileRun {
  private readonly started = now()
  private readonly sink: EventSink
  private readonly waiter: ExclusiveWaiter
  private readonly relFile: string
  private readonly skipIds: Set<string>
  private readonly stopListening: () => void
  private readonly strays: FileStrayErrors
  private readonly fixtures: FileFixtures
  private metas = new Map<TestNode, Meta>()
  /** Ids of tests that ran to the end: their unused golden entries are obsolete. */
  private readonly completed = new Set<string>()
  /** Set by `cancel` (`--bail`, an interrupted run) or by this file spending the `--bail` budget: tests not yet started are skipped with this reason. */
  private cancelled: string | undefined
  /** Failed tests of this file so far, against `task.bail`. */
  private failures = 0

  constructor(
    private readonly task: FileTask,
    channel: TaskChannel,
  ) {
    this.sink = new EventSink((batch) => channel.post(batch))
    activeSink = this.sink
    this.waiter = new ExclusiveWaiter(this.sink)
    channel.onControl((message) => {
      if (message.type === 'cancel') this.cancelled = message.reason
      else this.waiter.onControl(message)
    })
    this.relFile = relativeTestFile(task.rootDir, task.file)
    this.skipIds = new Set(task.skipIds)
    this.stopListening = listenForStrayErrors((error) => this.fileError(serializeError(error)))
    startGoldenFile({ testFile: task.file, rootDir: task.rootDir, update: task.update ?? false })
    this.fixtures = new FileFixtures(this.relFile, task.seed, task.timeoutMs, (error) => this.fileError(error))
    this.strays = startFileScope(task.file, (late) => this.sink.push(['stray-error', lateStrayErrorOf(late, task.rootDir)]))
  }

  async execute(): Promise<FileTaskReturn> {
    try {
      // Set-up files are the worker's, not this file's: they run outside its scope.
      const root = (await this.setUpWorker()) ? await this.strays.run(() => this.importFile()) : undefined
      if (root) this.collect(root)
      if (root && !this.task.listOnly) await this.strays.run(() => this.runSuite(root, []))
      if (this.fixtures.hasFileFixtures) await this.strays.run(() => this.teardownFileFixtures())
      if (root && !this.task.listOnly) this.finishGoldenFiles()
    } catch (error) {
      this.fileError(prefixed(serializeError(error), 'internal error while running the file'))
    }
    return this.finish()
  }

  /** Whether the worker is ready for this task's config; a failure is the file's error. */
  private async setUpWorker(): Promise<boolean> {
    if (isWorkerSetUp(this.task)) return true
    try {
      this.enterPhase('setting up the worker (config plugins, setupFiles)', this.loadDeadline())
      await ensureWorkerSetup(this.task)
      this.sink.push(['phase-end'])
      return true
    } catch (error) {
      this.fileError(prefixed(serializeError(error), 'could not set up the worker (config plugins or setupFiles)'))
      return false
    }
  }

  /** Imports the file, collecting its tests; the tree's root, or undefined if the import failed. */
  private async importFile(): Promise<SuiteNode | undefined> {
    const root = beginCollection()
    try {
      const count = importCounts.get(this.task.file) ?? 0
      importCounts.set(this.task.file, count + 1)
      const url = pathToFileURL(this.task.file).href + (count > 0 ? `?mltest=${count}` : '')
      this.enterPhase('importing the file', this.loadDeadline())
      await import(url)
      this.sink.push(['phase-end'])
      return root
    } catch (error) {
      this.fileError(prefixed(serializeError(error), 'failed to load the test file'))
      return undefined
    } finally {
      endCollection()
    }
  }

  private collect(root: SuiteNode): void {
    if (this.task.shuffle) shuffleTree(root, createRng(deriveSeed(this.task.seed, this.relFile, 'order')))
    if (this.task.runFirst?.length) moveFirst(root, new Set(this.task.runFirst))
    this.metas = describeTests(root, this.task, this.relFile)
    this.sink.push(['collected', [...this.metas.values()].filter((m) => m.selected).map((m) => m.collected)])
  }

  private async runSuite(suite: SuiteNode, chain: SuiteNode[]): Promise<void> {
    const inside = this.testsIn(suite)
    const chainHere = [...chain, suite]
    const runnable = inside.filter((m) => this.isRunnable(m))
    // Nothing runs here: each test is reported (skip, todo, cancelled) and the all-hooks stay idle.
    if (runnable.length === 0 || this.cancelled) {
      for (const meta of inside) await this.runTest(meta, chainHere)
      return
    }
    const guards = runnable.map((m) => m.collected.id)
    const hookError = suite.beforeAll.length > 0 ? await this.runAllHooks('beforeAll', suite, guards) : undefined
    if (hookError) {
      for (const meta of inside) {
        if (this.isRunnable(meta) && !this.cancelled) this.report(meta, { state: 'failed', error: hookError, attempts: 1, seed: this.seedOf(meta) })
        else await this.runTest(meta, chainHere)
      }
    } else {
      for (const child of suite.children) {
        if (child.kind === 'suite') await this.runSuite(child, chainHere)
        else await this.runTest(this.metas.get(child)!, chainHere)
      }
    }
    if (suite.afterAll.length > 0) {
      const error = await this.runAllHooks('afterAll', suite, [])
      if (error) this.fileError(error)
    }
  }

  /** File-scoped fixtures end after the file's tests and all-hooks; their errors are the file's. */
  private async teardownFileFixtures(): Promise<void> {
    this.enterPhase('tearing down file-scoped fixtures', watchdogDeadline(this.task.timeoutMs))
    for (const error of await this.fixtures.teardownFile()) this.fileError(error)
    this.sink.push(['phase-end'])
  }

  /** A describe's beforeAll or afterAll hooks, announced as a phase guarding `guards`; their error, if any. */
  private async runAllHooks(kind: 'beforeAll' | 'afterAll', suite: SuiteNode, guards: string[]): Promise<SerializedError | undefined> {
    const where = suite.name ? ` of "${suite.name}"` : ''
    this.enterPhase(`${kind} hook${where}`, watchdogDeadline(this.task.timeoutMs), guards, true)
    let error: SerializedError | undefined
    try {
      await withTimeout(async () => {
        for (const hook of suite[kind]) await hook()
      }, this.task.timeoutMs, `${kind} hooks`)
    } catch (e) {
      error = prefixed(toError(e), `${kind} hook${where} failed`)
    }
    this.sink.push(['phase-end'])
    return error
  }

  /** Runs a test's attempts (retries) and reports it; tests not selected, or already reported by an earlier attempt at the file, are passed over. */
  private async runTest(meta: Meta, suites: SuiteNode[]): Promise<void> {
    const { collected } = meta
    if (!meta.selected || this.skipIds.has(collected.id)) return
    const seed = this.seedOf(meta)
    if (collected.mode === 'todo') return this.report(meta, { state: 'todo', seed })
    if (collected.mode === 'skip') return this.report(meta, { state: 'skipped', seed })
    if (this.cancelled) return this.report(meta, { state: 'skipped', reason: this.cancelled, seed })
    await this.waiter.beforeTest(collected)
    if (this.cancelled) return this.report(meta, { state: 'skipped', reason: this.cancelled, seed })
    const outcome = await runAttempts(meta, suites, seed, this.task.seed, this.sink, this.fixtures)
    this.report(meta, outcome)
  }

  private report(meta: Meta, outcome: TestOutcome): void {
    if ((outcome.state === 'passed' || outcome.state === 'inconclusive') && !meta.collected.expectFail) this.completed.add(meta.collected.id)
    this.sink.push(['test-end', testResultOf(meta.collected, outcome)])
    // --bail inside the file: the main thread's cancel would come too late for the next tests.
    const bail = this.task.bail
    if (outcome.state === 'failed' && bail && ++this.failures >= bail.left) this.cancelled ??= `--bail: stopped after ${bail.limit} failure${bail.limit === 1 ? '' : 's'}`
  }

  /** What golden and snapshot files gained, or hold that no test uses, as the file's output. */
  private finishGoldenFiles(): void {
    const tests = [...this.metas.values()].map((m) => m.collected)
    for (const line of finishGoldenFile(tests, this.completed)) this.sink.push(['log', null, { stream: 'stdout', text: `${line}\n` }])
  }

  private fileError(error: SerializedError): void {
    this.sink.push(['file-error', error])
  }

  /** Code outside tests can block the thread too: the main thread's watchdog must know. */
  private enterPhase(label: string, deadlineMs: number, guards: string[] = [], resumable = false): void {
    this.sink.push(['phase-start', label, deadlineMs, guards, resumable])
    this.sink.flush()
  }

  /** Set-up and import may load heavy libraries (tfjs, onnxruntime). */
  private loadDeadline(): number {
    return Math.max(watchdogDeadline(this.task.timeoutMs), IMPORT_DEADLINE_MS)
  }

  private seedOf(meta: Meta): number {
    return testSeedOf(this.task, meta.collected.fullName)
  }

  private isRunnable(meta: Meta): boolean {
    return meta.selected && meta.collected.mode === 'run' && !this.skipIds.has(meta.collected.id)
  }

  private testsIn(suite: SuiteNode): Meta[] {
    return suite.children.flatMap((c) => (c.kind === 'suite' ? this.testsIn(c) : [this.metas.get(c)!]))
  }

  private finish(): FileTaskReturn {
    this.sink.flush()
    if (activeSink === this.sink) activeSink = undefined
    this.stopListening()
    this.strays.stop()
    // process.memoryUsage() walks every heap space (~1 ms); these two reads are cheap.
    return { durationMs: now() - this.started, heapUsedBytes: getHeapStatistics().used_heap_size, rssBytes: process.memoryUsage.rss() }
  }
}
