/**
 * The running test, reachable from library and plugin code on the worker side through
 * AsyncLocalStorage (`currentTest()`), so a check called inside a test can attach its
 * metrics, verdict and practice id to it. Side-neutral: the SDK re-exports it, and loading
 * it on the main thread loads no worker code. The store lives on `globalThis` so that two
 * copies of this module (a linked install) still share one running test.
 */
import { AsyncLocalStorage } from 'node:async_hooks'
import type { Annotation, AnnotationValue, CheckRecord, CollectedTest, LogEntry } from './protocol.ts'
import type { Rng } from './seed.ts'

/** The fields core gives every test context. */
export interface BuiltinTestContext {
  /** The test's own name. */
  readonly name: string
  /** Describe titles and the name, joined with ` > `. */
  readonly fullName: string
  /** Absolute path of the test file. */
  readonly file: string
  /** Derived from the run seed and the test's full name: independent of order and worker. */
  readonly seed: number
  /** The run seed (`--seed`): with the test's name, it replays the test. */
  readonly runSeed: number
  /** A PRNG seeded with `seed`. */
  readonly rng: Rng
  /** Aborted when the test times out. */
  readonly signal: AbortSignal
  /** 1 on the first try, 2 on the first retry, ... */
  readonly attempt: number
  /** A fresh temporary directory, removed after the test. */
  tmpdir(): string
  /** Logs a line captured with the test (console output is captured too). */
  log(...args: unknown[]): void
  /** Attaches a figure that reaches every reporter (JUnit properties, JSON, console). */
  annotate(key: string, value: AnnotationValue): void
}

/**
 * The test context `t`: the built-in fields plus what plugins add through `extendContext`.
 * A plugin types its fields by augmenting this interface:
 *
 *   declare module 'mltest' {
 *     interface TestContext { expectLabels(labels: string[], expected: Record<string, number>): void }
 *   }
 */
export interface TestContext extends BuiltinTestContext {
  readonly [field: string]: unknown
}

/** What the runner keeps for the test that is running. */
export interface RunningTest {
  test: CollectedTest
  context: TestContext
  annotations: Annotation[]
  checks: CheckRecord[]
  logs: LogEntry[]
  tmpdirs: string[]
  controller: AbortController
  emitLog(entry: LogEntry): void
}

const storage = ((globalThis as Record<symbol, unknown>)[Symbol.for('mltest.running-test')] ??= new AsyncLocalStorage<RunningTest>()) as AsyncLocalStorage<RunningTest>

export function runWithTest<T>(running: RunningTest, fn: () => T): T {
  return storage.run(running, fn)
}

export function running(): RunningTest | undefined {
  return storage.getStore()
}

/** The context of the test running now, or undefined outside a test. */
export function currentTest(): TestContext | undefined {
  return running()?.context
}

/**
 * Records a check's outcome on the running test (no-op outside a test, so checks also work
 * in plain scripts). A verdict of `inconclusive` makes an otherwise passing test inconclusive.
 */
export function recordCheck(record: CheckRecord): void {
  running()?.checks.push(record)
}

/** Attaches a figure to the running test (no-op outside a test). */
export function annotate(key: string, value: AnnotationValue): void {
  running()?.context.annotate(key, value)
}
