/**
 * Builds the test context `t` for each attempt and routes console output to the running
 * test. The running-test store itself is side-neutral (`core/running-test.ts`).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir as osTmpdir } from 'node:os'
import { join } from 'node:path'
import { format } from 'node:util'
import type { AnnotationValue, CollectedTest, LogEntry } from '../protocol.ts'
import { running, type BuiltinTestContext, type RunningTest, type TestContext } from '../running-test.ts'
import { createRng } from '../seed.ts'

export { runWithTest, type RunningTest, type TestContext } from '../running-test.ts'

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
  const builtin: BuiltinTestContext = {
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
  // Plugin fields (typed by augmentation) are added at run time; built-in fields win.
  const context = { ...extra, ...builtin } as TestContext
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
