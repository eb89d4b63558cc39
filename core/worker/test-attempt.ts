/**
 * A test's attempts inside the worker, one more per retry until one passes. Each attempt:
 * context fields from plugins, beforeEach hooks, the body wrapped by plugins and bounded by
 * its timeout, afterEach hooks, errors thrown outside its awaited code, and the `test.fails`
 * judgement.
 */
import { workerPlugins } from '../active-plugins.ts'
import type { RegisteredPlugin } from '../hooks.ts'
import { composeWrappers, PluginError, pluginsFor } from '../plugin-host.ts'
import type { CollectedTest, SerializedError } from '../protocol.ts'
import type { TestOutcome } from '../test-result.ts'
import type { SuiteNode } from './collect.ts'
import { createRunningTest, removeTmpdirs, runWithTest, type RunningTest } from './context.ts'
import type { EventSink } from './event-sink.ts'
import type { FileFixtures } from './fixtures.ts'
import type { Meta } from './select-tests.ts'
import { serializeError } from './serialize-error.ts'
import { listenForStrayErrors } from './stray-errors.ts'
import { toError, withTimeout } from './timeout.ts'

// Captured at load: user code that patches the clock cannot break the runner.
const now = performance.now.bind(performance)

/** Runs the attempts a test is allowed (1 + retries), announcing each; how the test ended. */
export async function runAttempts(meta: Meta, suites: SuiteNode[], seed: number, runSeed: number, sink: EventSink, fixtures?: FileFixtures): Promise<TestOutcome> {
  const { collected } = meta
  const started = now()
  let error: SerializedError | undefined
  let running: RunningTest | undefined
  let attempt = 0
  while (attempt <= meta.retries) {
    attempt++
    sink.push(['test-start', collected.id, meta.timeoutMs])
    sink.flush()
    running = createRunningTest(collected, seed, runSeed, attempt, (entry) => sink.push(['log', collected.id, entry]), {})
    error = judgeExpectedFailure(meta, await runAttempt(meta, running, suites, fixtures))
    if (!error) break
  }
  const { annotations, checks, logs } = running!
  const ran = { durationMs: now() - started, attempts: attempt, seed, annotations, checks, logs }
  if (error) return { ...ran, state: 'failed', error }
  const inconclusive = checks.find((c) => c.verdict === 'inconclusive')
  if (inconclusive) return { ...ran, state: 'inconclusive', reason: inconclusive.reason ?? inconclusive.summary ?? `${inconclusive.check}: not enough evidence either way` }
  return { ...ran, state: 'passed' }
}

/** One attempt; `suites` are the enclosing describes, outermost first. Resolves to the error, if any. */
async function runAttempt(meta: Meta, running: RunningTest, suites: SuiteNode[], fixtures?: FileFixtures): Promise<SerializedError | undefined> {
  const ctx = running.context
  try {
    for (const plugin of pluginsFor(workerPlugins(), 'extendContext')) Object.assign(ctx, await contextFieldsOf(plugin, meta.collected))
  } catch (e) {
    return serializeError(e)
  }
  const stray: unknown[] = []
  const stopListening = listenForStrayErrors((e) => stray.push(e))
  let error: SerializedError | undefined
  await runWithTest(running, async () => {
    // Fixtures the test destructures, set up before its beforeEach hooks (which see them on `t`).
    const used = meta.node.fixtures
    const setUp = used && fixtures ? await fixtures.setUp(used.set, used.used, ctx.seed, ctx, meta.timeoutMs) : undefined
    if (setUp?.error) {
      error = setUp.error
      for (const e of await fixtures!.teardownTest(setUp.scope)) fixtures!.onTeardownError(e)
      return
    }
    const body = async () => {
      for (const suite of suites) for (const hook of suite.beforeEach) await hook(ctx)
      await meta.node.fn!(ctx)
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
    // A fixture's teardown error belongs to the file, as pytest reports an error at teardown.
    if (setUp) for (const e of await fixtures!.teardownTest(setUp.scope)) fixtures!.onTeardownError(e)
  })
  stopListening()
  removeTmpdirs(running)
  if (!error && stray.length > 0) error = prefixed(serializeError(stray[0]), 'an error was thrown outside the test\'s awaited code (a stray timer or unawaited promise)')
  return error
}

/**
 * `test.fails`: the attempt's error as the test's outcome sees it. A failure is expected
 * (and must match `{ error }` when given); a pass is the failure; a timeout stays one.
 */
function judgeExpectedFailure(meta: Meta, error: SerializedError | undefined): SerializedError | undefined {
  const { collected, node } = meta
  if (!collected.expectFail) return error
  if (!error) {
    return { kind: 'assertion', name: 'ExpectedFailureError', message: 'test.fails: the test was expected to fail, but it passed', location: collected.location }
  }
  if (error.kind === 'timeout') return error
  const wanted = node.options.error
  if (wanted === undefined || matchesExpected(error.message, wanted)) return undefined
  return {
    ...error,
    kind: 'assertion',
    message: `test.fails: the test failed, but not with the expected error (${String(wanted)}):\n${error.message}`,
  }
}

/** The error with `context` before its message. */
export function prefixed(error: SerializedError, context: string): SerializedError {
  return { ...error, message: `${context}: ${error.message}` }
}

async function contextFieldsOf(plugin: RegisteredPlugin, test: CollectedTest): Promise<Record<string, unknown>> {
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
