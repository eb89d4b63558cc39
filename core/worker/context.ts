/**
 * The test context `t` and the running-test handle library code reaches through
 * AsyncLocalStorage (`currentTest()`), so a check called inside a test can attach its
 * metrics, verdict and practice id to it.
 */
import { AsyncLocalStorage } from 'node:async_hooks'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir as osTmpdir } from 'node:os'
import { join } from 'node:path'
import { format } from 'node:util'
import type { Annotation, AnnotationValue, CheckRecord, CollectedTest, LogEntry } from '../protocol.ts'
import { createRng, type Rng } from '../seed.ts'

export interface TestContext {
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
  /** Fields plugins add through `extendContext`. */
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

const storage = new AsyncLocalStorage<RunningTest>()

export function runWithTest<T>(running: RunningTest, fn: () => T): T {
  return storage.run(running, fn)
}

function running(): RunningTest | undefined {
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

export function createRunningTest(
  test: CollectedTest,
  seed: number,
  runSeed: number,
  attempt: number,
  emitLog: (entry: LogEntry) => void,
  extra: Record<string, unknown>,
): RunningTest {
  const controller = new AbortController()
  const state: Omit<RunningTest, 'context'> = { test, annotations: [], checks: [], logs: [], tmpdirs: [], controller, emitLog }
  const log = (entry: LogEntry) => {
    state.logs.push(entry)
    emitLog(entry)
  }
  const context: TestContext = {
    ...extra,
    name: test.name,
    fullName: test.fullName,
    file: test.file,
    seed,
    runSeed,
    rng: createRng(seed),
    signal: controller.signal,
    attempt,
    tmpdir() {
      const dir = mkdtempSync(join(osTmpdir(), 'mltest-'))
      state.tmpdirs.push(dir)
      return dir
    },
    log: (...args: unknown[]) => log({ stream: 'stdout', text: format(...args) + '\n' }),
    annotate(key: string, value: AnnotationValue) {
      if (typeof key !== 'string' || key === '') throw new TypeError('t.annotate(key, value): key must be a non-empty string')
      const ok = value === null || ['string', 'number', 'boolean'].includes(typeof value)
      if (!ok) throw new TypeError(`t.annotate("${key}", value): value must be a string, number, boolean or null, got ${typeof value}`)
      state.annotations.push({ key, value })
    },
  }
  return Object.assign(state, { context }) as RunningTest
}

export function removeTmpdirs(test: RunningTest): void {
  for (const dir of test.tmpdirs) rmSync(dir, { recursive: true, force: true })
  test.tmpdirs.length = 0
}

/**
 * Routes console output to the running test (or to the file when no test runs), so
 * reporters can attribute it. Installed once per worker.
 */
export function captureConsole(emitFileLog: (entry: LogEntry) => void): void {
  const streams: Record<string, LogEntry['stream']> = {
    log: 'stdout', info: 'stdout', debug: 'stdout', warn: 'stderr', error: 'stderr', trace: 'stderr',
  }
  for (const [method, stream] of Object.entries(streams)) {
    ;(console as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
      const entry: LogEntry = { stream, text: format(...args) + '\n' }
      const test = running()
      if (test) {
        test.logs.push(entry)
        test.emitLog(entry)
      } else emitFileLog(entry)
    }
  }
}
