/**
 * From a collected test and how it ended to the `TestResult` reporters see. Both sides build
 * results: the worker for the tests it ran, the main thread for tests whose worker died or
 * hung before they could report. One builder and one seed derivation serve both, so a
 * crashed test's replay line, JUnit properties and JSON name the seed it actually ran with.
 */
import { relative } from 'node:path'
import type { CollectedTest, FileTask, TestResult } from './protocol.ts'
import { deriveSeed } from './seed.ts'

/** A test file's path relative to the project root, `/`-separated on every platform: part of test ids and seeds. */
export function relativeTestFile(rootDir: string, file: string): string {
  return relative(rootDir, file).split('\\').join('/')
}

/** The seed a test runs with (`t.seed`, `t.rng`): from the run seed, its file and its full name only. */
export function testSeedOf(task: Pick<FileTask, 'seed' | 'rootDir' | 'file'>, fullName: string): number {
  return deriveSeed(task.seed, relativeTestFile(task.rootDir, task.file), fullName)
}

/** The fields a result copies from its collected test. */
type IdentityKey = 'id' | 'file' | 'suitePath' | 'name' | 'fullName' | 'tags' | 'expectFail' | 'location'
/** The fields a test that never ran leaves at their empty value. */
type DefaultedKey = 'durationMs' | 'attempts' | 'annotations' | 'checks' | 'logs'
type OutcomeOf<R> = R extends TestResult ? Omit<R, IdentityKey | DefaultedKey> & Partial<Pick<R, DefaultedKey>> : never

/**
 * How a test ended: its state and what goes with it. `seed` is required so no side can
 * forget it (a result made for a crashed test once carried seed 0).
 */
export type TestOutcome = OutcomeOf<TestResult>

export function testResultOf(collected: CollectedTest, outcome: TestOutcome): TestResult {
  const { id, file, suitePath, name, fullName, tags, expectFail, location } = collected
  const { seed, ...ended } = outcome
  // A pass that needed a retry is flaky: derived here, once, for every reporter.
  const flaky = ended.state === 'passed' && (ended.attempts ?? 0) > 1 ? { flaky: true } : {}
  return {
    id, file, suitePath, name, fullName, tags, expectFail, location,
    durationMs: 0, attempts: 0, seed, annotations: [], checks: [], logs: [],
    ...ended,
    ...flaky,
  } as TestResult
}
