/**
 * Runs one test file inside a worker: loads the worker's plugins and setup files once,
 * imports the file, collects its tests, filters them, runs them with hooks, timeouts,
 * retries and plugin wrappers, and streams events to the main thread.
 */
import { relative } from 'node:path'
import { getHeapStatistics } from 'node:v8'
import { pathToFileURL } from 'node:url'
import type { Plugin } from '../hooks.ts'
import { composeWrappers, PluginError } from '../plugin-host.ts'
import type { CollectedTest, ControlMessage, FileTask, FileTaskReturn, SerializedError, TestResult, WorkerBatch } from '../protocol.ts'
import { createRng, deriveSeed } from '../seed.ts'
import { IMPORT_DEADLINE_MS, watchdogDeadline } from '../watchdog.ts'
import { beginCollection, endCollection, type SuiteNode, type TestNode } from './collect.ts'
import { captureConsole, createRunningTest, removeTmpdirs, runWithTest, type RunningTest } from './context.ts'
import { EventSink } from './event-sink.ts'
import { ExclusiveWaiter } from './exclusive-waiter.ts'
import { serializeError } from './serialize-error.ts'
import { describeTests, shuffleTree, type Meta } from './select-tests.ts'
import { toError, withTimeout } from './timeout.ts'
import { workerPlugins } from '../active-plugins.ts'
import { ensureWorkerSetup, isWorkerSetUp } from './worker-setup.ts'

// Captured at load: user code that patches the clock cannot break the runner.
const now = performance.now.bind(performance)

/** How a worker talks to the main thread for one task. */
export interface TaskChannel {
  post(batch: WorkerBatch): void
  onControl(listener: (message: ControlMessage) => void): void
}

let activeSink: EventSink | undefined
const importCounts = new Map<string, number>()

captureConsole((entry) => activeSink?.push(['log', null, entry]))

// Errors thrown outside any awaited promise (a stray timer, an unawaited rejection) are
// pinned on the running test when the async context knows it, else on the file.
let onStrayError: ((error: unknown) => void) | undefined
process.on('uncaughtException', (error) => onStrayError?.(error))
process.on('unhandledRejection', (error) => onStrayError?.(error))

/** Runs one file; events stream through `channel`; resolves when the file is done. */
export async function runFileTask(task: FileTask, channel: TaskChannel): Promise<FileTaskReturn> {
  const started = now()
  const sink = new EventSink((batch) => channel.post(batch))
  activeSink = sink
  let cancelled: string | undefined
  const gate = new ExclusiveWaiter(sink)
  channel.onControl((message) => {
    if (message.type === 'cancel') cancelled = message.reason
    else gate.onControl(message)
  })
  const relFile = relative(task.rootDir, task.file).split('\\').join('/')
  const fileError = (error: SerializedError) => sink.push(['file-error', error])
  onStrayError = (error) => fileError(serializeError(error))
  // Code outside tests can block the thread too: the main thread's watchdog must know.
  const enterPhase = (label: string, deadlineMs: number, guards: string[] = [], resumable = false) => {
    sink.push(['phase-start', label, deadlineMs, guards, resumable])
    sink.flush()
  }

  try {
    try {
      if (!isWorkerSetUp(task)) {
        enterPhase('setting up the worker (config plugins, setupFiles)', Math.max(watchdogDeadline(task.timeoutMs), IMPORT_DEADLINE_MS))
        await ensureWorkerSetup(task)
        sink.push(['phase-end'])
      }
    } catch (error) {
      fileError(prefixed(serializeError(error), 'could not set up the worker (config plugins or setupFiles)'))
      return finish()
    }
    const root = beginCollection()
    try {
      const count = importCounts.get(task.file) ?? 0
      importCounts.set(task.file, count + 1)
      const url = pathToFileURL(task.file).href + (count > 0 ? `?mltest=${count}` : '')
      enterPhase('importing the file', Math.max(watchdogDeadline(task.timeoutMs), IMPORT_DEADLINE_MS))
      await import(url)
      sink.push(['phase-end'])
    } catch (error) {
      fileError(prefixed(serializeError(error), 'failed to load the test file'))
      return finish()
    } finally {
      endCollection()
    }
    if (task.shuffle) shuffleTree(root, createRng(deriveSeed(task.seed, relFile, 'order')))
    const metas = describeTests(root, task, relFile)
    sink.push(['collected', [...metas.values()].filter((m) => m.selected).map((m) => m.collected)])
    if (task.listOnly) return finish()
    const skipIds = new Set(task.skipIds)
    const runnable = (m: Meta | undefined) => m !== undefined && m.selected && m.collected.mode === 'run' && !skipIds.has(m.collected.id)
    const testsIn = (suite: SuiteNode): Meta[] =>
      suite.children.flatMap((c) => (c.kind === 'suite' ? testsIn(c) : [metas.get(c)!]))

    const report = (meta: Meta, result: Partial<TestResult> & Pick<TestResult, 'state'>) => {
      const c = meta.collected
      sink.push([
        'test-end',
        {
          id: c.id, file: c.file, suitePath: c.suitePath, name: c.name, fullName: c.fullName, tags: c.tags,
          expectFail: c.expectFail, location: c.location, durationMs: 0, attempts: 0,
          seed: deriveSeed(task.seed, relFile, c.fullName), annotations: [], checks: [], logs: [], ...result,
        } as TestResult,
      ])
    }

    const runTest = async (meta: Meta, beforeEach: SuiteNode[]) => {
      const { collected, node } = meta
      if (!meta.selected || skipIds.has(collected.id)) return
      if (collected.mode === 'todo') return report(meta, { state: 'todo' })
      if (collected.mode === 'skip') return report(meta, { state: 'skipped' })
      if (cancelled) return report(meta, { state: 'skipped', reason: cancelled })
      await gate.beforeTest(collected)
      if (cancelled) return report(meta, { state: 'skipped', reason: cancelled })
      const seed = deriveSeed(task.seed, relFile, collected.fullName)
      const started = now()
      let error: SerializedError | undefined
      let running: RunningTest | undefined
      let attempt = 0
      while (attempt <= meta.retries) {
        attempt++
        sink.push(['test-start', collected.id, meta.timeoutMs])
        sink.flush()
        running = createRunningTest(collected, seed, task.seed, attempt, (entry) => sink.push(['log', collected.id, entry]), {})
        error = await runAttempt(node, meta, running, beforeEach)
        if (collected.expectFail) {
          const wanted = node.options.error
          if (error && error.kind !== 'timeout' && wanted !== undefined && !matchesExpected(error.message, wanted)) {
            error = {
              ...error,
              kind: 'assertion',
              message: `test.fails: the test failed, but not with the expected error (${String(wanted)}):\n${error.message}`,
            }
          } else if (error && error.kind !== 'timeout') error = undefined
          else if (!error) {
            error = { kind: 'assertion', name: 'ExpectedFailureError', message: 'test.fails: the test was expected to fail, but it passed', location: collected.location }
          }
        }
        if (!error) break
      }
      const r = running!
      const base = { durationMs: now() - started, attempts: attempt, seed, annotations: r.annotations, checks: r.checks, logs: r.logs }
      if (error) return report(meta, { ...base, state: 'failed', error })
      const inconclusive = r.checks.find((c) => c.verdict === 'inconclusive')
      if (inconclusive) return report(meta, { ...base, state: 'inconclusive', reason: inconclusive.summary ?? `${inconclusive.check}: not enough evidence either way` })
      report(meta, { ...base, state: 'passed' })
    }

    const runAttempt = async (node: TestNode, meta: Meta, running: RunningTest, suites: SuiteNode[]) => {
      const ctx = running.context
      try {
        for (const plugin of workerPlugins()) {
          if (plugin.extendContext) Object.assign(ctx, await contextFieldsOf(plugin, meta.collected))
        }
      } catch (e) {
        return serializeError(e)
      }
      const stray: unknown[] = []
      const previousStray = onStrayError
      onStrayError = (e) => stray.push(e)
      let error: SerializedError | undefined
      await runWithTest(running, async () => {
        const body = async () => {
          for (const suite of suites) for (const hook of suite.beforeEach) await hook(ctx)
          await node.fn!(ctx)
        }
        const wrapped = composeWrappers(workerPlugins(), body, { test: meta.collected, attempt: ctx.attempt })
        try {
          await withTimeout(wrapped, meta.timeoutMs, `test "${meta.collected.fullName}"`, () => running.controller.abort(new Error('test timed out')))
        } catch (e) {
          error = toError(e)
        }
        try {
          await withTimeout(async () => {
            for (const suite of [...suites].reverse()) for (const hook of suite.afterEach) await hook(ctx)
          }, meta.timeoutMs, 'afterEach hooks')
        } catch (e) {
          error ??= prefixed(toError(e), 'afterEach hook failed')
        }
      })
      onStrayError = previousStray
      removeTmpdirs(running)
      if (!error && stray.length > 0) error = prefixed(serializeError(stray[0]), 'an error was thrown outside the test\'s awaited code (a stray timer or unawaited promise)')
      return error
    }

    const runSuite = async (suite: SuiteNode, chain: SuiteNode[]) => {
      const inside = testsIn(suite)
      const chainHere = [...chain, suite]
      if (!inside.some(runnable) || cancelled) {
        for (const meta of inside) await runTest(meta, chainHere)
        return
      }
      let hookError: SerializedError | undefined
      const where = suite.name ? ` of "${suite.name}"` : ''
      if (suite.beforeAll.length > 0) {
        enterPhase(`beforeAll hook${where}`, watchdogDeadline(task.timeoutMs), inside.filter(runnable).map((m) => m.collected.id), true)
        try {
          await withTimeout(async () => {
            for (const hook of suite.beforeAll) await hook()
          }, task.timeoutMs, 'beforeAll hooks')
        } catch (error) {
          hookError = prefixed(toError(error), `beforeAll hook${where} failed`)
        }
        sink.push(['phase-end'])
      }
      if (hookError) {
        for (const meta of inside) {
          if (runnable(meta)) report(meta, { state: 'failed', error: hookError, attempts: 1 })
          else await runTest(meta, chainHere)
        }
      } else {
        for (const child of suite.children) {
          if (child.kind === 'suite') await runSuite(child, chainHere)
          else await runTest(metas.get(child)!, chainHere)
        }
      }
      if (suite.afterAll.length > 0) {
        enterPhase(`afterAll hook${where}`, watchdogDeadline(task.timeoutMs), [], true)
        try {
          await withTimeout(async () => {
            for (const hook of suite.afterAll) await hook()
          }, task.timeoutMs, 'afterAll hooks')
        } catch (error) {
          fileError(prefixed(toError(error), `afterAll hook${where} failed`))
        }
        sink.push(['phase-end'])
      }
    }

    await runSuite(root, [])
    return finish()
  } catch (error) {
    fileError(prefixed(serializeError(error), 'internal error while running the file'))
    return finish()
  }

  function finish(): FileTaskReturn {
    sink.flush()
    if (activeSink === sink) activeSink = undefined
    onStrayError = undefined
    // process.memoryUsage() walks every heap space (~1 ms); these two reads are cheap.
    return { durationMs: now() - started, heapUsedBytes: getHeapStatistics().used_heap_size, rssBytes: process.memoryUsage.rss() }
  }
}

async function contextFieldsOf(plugin: Plugin, test: CollectedTest): Promise<Record<string, unknown>> {
  try {
    return plugin.extendContext?.(test) ?? {}
  } catch (error) {
    throw new PluginError(plugin.name, 'extendContext', error)
  }
}

function matchesExpected(message: string, wanted: string | RegExp): boolean {
  // search() ignores a /g or /y pattern's lastIndex, so one pattern can serve many tests.
  return typeof wanted === 'string' ? message.includes(wanted) : message.search(wanted) !== -1
}

function prefixed(error: SerializedError, context: string): SerializedError {
  return { ...error, message: `${context}: ${error.message}` }
}
