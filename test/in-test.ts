/**
 * Runs a check as if inside a test of `file` (the running test a check records on), outside
 * the runner: what a check recorded, and its result or error. One helper for every plugin test.
 */
import type { CheckRecord, LogEntry } from '../core/protocol.ts'
import { createRunningTest, runWithTest } from '../core/worker/context.ts'

export interface InTestOutcome<T> {
  result: T | undefined
  error: Error | undefined
  checks: CheckRecord[]
  annotations: Array<{ key: string; value: unknown }>
  logs: LogEntry[]
}

/** A runner bound to a test file, e.g. `const inTest = inTestOf(import.meta.filename, { seed: 1 })`. */
export function inTestOf(file: string, { seed = 1234, name = 'check' }: { seed?: number; name?: string } = {}) {
  return async function inTest<T>(fn: () => T | Promise<T>, testSeed = seed): Promise<InTestOutcome<T>> {
    const test = { id: 'x', file, suitePath: [], name, fullName: name, tags: [], mode: 'run' as const, expectFail: false, exclusive: false }
    const logs: LogEntry[] = []
    const running = createRunningTest(test, testSeed, 99, 1, (entry) => logs.push(entry), {})
    const done = (result: T | undefined, error: Error | undefined): InTestOutcome<T> => ({ result, error, checks: running.checks as CheckRecord[], annotations: running.annotations, logs })
    try {
      return done(await runWithTest(running, fn), undefined)
    } catch (error) {
      return done(undefined, error as Error)
    }
  }
}
