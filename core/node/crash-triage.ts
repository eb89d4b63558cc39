/**
 * What to report when a worker dies mid-file (crash, `process.exit`, out of memory, or
 * ended by the watchdog because it blocked), and whether the file's remaining tests get
 * another attempt on a fresh worker. Pure: it reads what the main thread knew at that
 * moment and returns results and file errors; the scheduler reports them.
 */
import type { CollectedTest, FileTask, SerializedError, TestResult } from '../protocol.ts'
import { testResultOf, testSeedOf } from '../test-result.ts'
import { watchdogDeadline } from '../watchdog.ts'

/** Code a worker runs outside a test (set-up, import, an all-hook), as its `phase-start` announced it. */
export interface Phase {
  label: string
  deadlineMs: number
  /** Tests that cannot run if this code fails (a beforeAll's tests). */
  guards: string[]
  /** Whether the file's other tests may run on a fresh worker afterwards. */
  resumable: boolean
}

export interface StartedTest {
  id: string
  timeoutMs: number
}

/** What the worker was doing when it died, as the watchdog saw it. */
export interface WorkerActivity {
  /** A test that started and had not ended. */
  running?: StartedTest
  /** The test the watchdog ended the worker for. */
  hungTest?: StartedTest
  /** Code outside tests that had started and not ended. */
  phase?: Phase
  /** The phase the watchdog ended the worker for. */
  hungPhase?: Phase
}

export interface CrashFacts {
  task: Pick<FileTask, 'file' | 'rootDir' | 'seed'>
  /** The file's selected tests, as the worker collected them (empty if it died before). */
  collected: CollectedTest[]
  /** Ids of tests already reported, by this attempt or earlier ones. */
  reported: ReadonlySet<string>
  activity: WorkerActivity
  /** Why the worker died, as the pool put it (e.g. "the worker exited with code 3 ..."). */
  crashMessage: string
  /** Failures `--bail` still allows before it stops the run: Infinity without `--bail`, 0 or less once stopped. */
  failuresLeft: number
}

export interface CrashTriage {
  /** Errors that belong to the file; each counts as a failure. */
  fileErrors: SerializedError[]
  /** Results for tests the worker could not report, in order. */
  results: TestResult[]
  /** Run the file's unreported tests on a fresh worker; otherwise the file is finished. */
  resume: boolean
}

export function triageCrash(facts: CrashFacts): CrashTriage {
  const { hungPhase, running, phase } = facts.activity
  // A phase the watchdog ended is to blame; a phase merely in progress only when no test
  // was running.
  const stuckIn = hungPhase ?? (running ? undefined : phase)
  return stuckIn ? triagePhase(facts, stuckIn, hungPhase !== undefined) : triageTest(facts)
}

/**
 * The worker died outside a test: blocked, or crashed in set-up, import or an all-hook. The
 * tests the phase guards fail with the reason; the file's other tests get a fresh worker
 * when that is safe (not after set-up or import, which would only fail again).
 */
function triagePhase(facts: CrashFacts, phase: Phase, hung: boolean): CrashTriage {
  const message = hung
    ? `${phase.label} did not finish within ${phase.deadlineMs} ms (a synchronous loop, or slow top-level work: move it into beforeAll); the worker was terminated`
    : `${phase.label}: ${facts.crashMessage}`
  const failure: SerializedError = { kind: hung ? 'timeout' : 'crash', name: hung ? 'TimeoutError' : 'WorkerCrash', message }
  const guarded = new Set(phase.guards)
  const fileErrors = guarded.size === 0 ? [failure] : []
  const unreported = facts.collected.filter((t) => !facts.reported.has(t.id))
  const results = unreported
    .filter((t) => guarded.has(t.id))
    .map((t) => testResultOf(t, { state: 'failed', error: { ...failure, location: t.location }, attempts: 1, seed: testSeedOf(facts.task, t.fullName) }))
  const remaining = unreported.filter((t) => !guarded.has(t.id))
  const bails = fileErrors.length + results.length >= facts.failuresLeft
  if (phase.resumable && remaining.some((t) => t.mode === 'run') && !bails) return { fileErrors, results, resume: true }
  for (const test of remaining) {
    results.push(testResultOf(test, { state: 'skipped', reason: `not run: ${phase.label} ended the worker`, seed: testSeedOf(facts.task, test.fullName) }))
  }
  return { fileErrors, results, resume: false }
}

/**
 * The worker died in a test, or between tests. The test it was running (or blocked in)
 * fails with the reason and the rest of the file resumes on a fresh worker; each attempt
 * reports at least that test, so resuming ends. Dying between tests ends the file.
 */
function triageTest(facts: CrashFacts): CrashTriage {
  const { hungTest, running } = facts.activity
  const victim = hungTest ?? running
  if (!victim) {
    const error: SerializedError = { kind: 'crash', name: 'WorkerCrash', message: `${facts.crashMessage}; the file did not finish` }
    return { fileErrors: [error], results: [], resume: false }
  }
  const test = facts.collected.find((t) => t.id === victim.id) ?? unknownTest(victim.id, facts.task.file)
  const error: SerializedError = hungTest
    ? {
        kind: 'timeout',
        name: 'TimeoutError',
        message: `test timed out after ${victim.timeoutMs} ms and blocked its worker (synchronous code such as an infinite loop?); the worker was terminated after ${watchdogDeadline(victim.timeoutMs)} ms`,
        location: test.location,
      }
    : { kind: 'crash', name: 'WorkerCrash', message: facts.crashMessage, location: test.location }
  const result = testResultOf(test, { state: 'failed', error, attempts: 1, seed: testSeedOf(facts.task, test.fullName) })
  const remaining = facts.collected.filter((t) => !facts.reported.has(t.id) && t.id !== victim.id && t.mode === 'run')
  return { fileErrors: [], results: [result], resume: remaining.length > 0 && 1 < facts.failuresLeft }
}

/** A test the worker started without collecting it first; the protocol never does this, but a result still needs a name. */
function unknownTest(id: string, file: string): CollectedTest {
  return { id, file, suitePath: [], name: id, fullName: id, tags: [], mode: 'run', expectFail: false, exclusive: false }
}
