/**
 * One attempt at a file on one worker: starts the task, dispatches the worker's events to
 * the scheduler's listeners, the exclusive gate and the watchdog, and when the worker dies
 * turns crash triage into reported results. A file whose worker died mid-way may get
 * another attempt for its remaining tests, which skips the ones reported so far. An
 * interrupted attempt (SIGINT, SIGTERM) skips its remaining tests, and its worker is ended
 * after a grace: the tests it did not report are then skipped as cancelled.
 */
import type { CollectedTest, FileResult, FileTask, FileTaskReturn, SerializedError, TestResult, WorkerEvent } from '../protocol.ts'
import { testResultOf, testSeedOf } from '../test-result.ts'
import { triageCrash } from './crash-triage.ts'
import type { ExclusiveGate, GateSeat } from './exclusive-gate.ts'
import { WorkerCrash, type PoolTask, type WorkerPool } from './worker-pool.ts'
import { WorkerWatchdog } from './worker-watchdog.ts'

/** What the scheduler tells its caller as files run. */
export interface FileEvents {
  onCollected(file: string, tests: CollectedTest[]): void
  onTestStart(file: string, testId: string): void
  onTestResult(result: TestResult): void
  onLog(file: string, testId: string | null, entry: { stream: 'stdout' | 'stderr'; text: string }): void
  onFileResult(result: FileResult): void
  /** An error that belongs to the run rather than to this file (a stray timer of a finished file). */
  onRunError?(message: string): void
}

export interface FileAttemptOptions {
  pool: WorkerPool
  task: FileTask
  /** The file's result so far; every attempt adds to the same one. */
  result: FileResult
  events: FileEvents
  gate: ExclusiveGate
  /** Counts a failed test or a file error toward `--bail`. */
  countFailure(): void
  /** Failures `--bail` still allows (Infinity without it), read when a crash is triaged. */
  failuresLeft(): number
}

export type AttemptOutcome =
  | ({ state: 'done' } & FileTaskReturn & { workerId: number })
  /** The worker died; its tests were triaged. `resume`: another attempt should run the rest. */
  | { state: 'crashed'; resume: boolean }

export class FileAttempt {
  /** Ids of the file's tests reported so far, by this attempt or earlier ones. */
  readonly reported: Set<string>
  private collected: CollectedTest[] = []
  private readonly worker: PoolTask
  private readonly watchdog: WorkerWatchdog
  private readonly seat: GateSeat
  /** Set by `interrupt`: why the tests this attempt does not finish are skipped. */
  private interruptedBy: string | undefined
  private graceTimer: ReturnType<typeof setTimeout> | undefined

  constructor(private readonly options: FileAttemptOptions) {
    this.reported = new Set(options.task.skipIds)
    this.worker = options.pool.run(options.task, (batch) => {
      for (const event of batch.events) this.dispatch(event)
    })
    this.watchdog = new WorkerWatchdog(() => this.worker.kill())
    this.seat = options.gate.join((message) => this.worker.control(message))
  }

  get file(): string {
    return this.options.task.file
  }

  /** Asks the worker to skip the tests it has not started (`--bail`). */
  cancel(reason: string): void {
    this.worker.control({ type: 'cancel', reason })
  }

  /** The run was interrupted: the worker skips what it has not started and is ended after `graceMs`. */
  interrupt(reason: string, graceMs: number): void {
    if (this.interruptedBy) return
    this.interruptedBy = reason
    this.cancel(reason)
    this.graceTimer = setTimeout(() => this.worker.kill(), graceMs)
  }

  /** Resolves when the worker finished the file, or died and its tests were triaged. */
  async outcome(): Promise<AttemptOutcome> {
    try {
      return { state: 'done', ...(await this.worker.done) }
    } catch (error) {
      if (!(error instanceof WorkerCrash)) throw error
      // A worker process ended by the same Ctrl-C (a terminal signals the whole process group).
      if (error.reason === 'interrupted') this.interruptedBy ??= error.message
      if (!this.interruptedBy) return { state: 'crashed', resume: this.triage(error) }
      // A test that crashed its worker by itself during the grace still fails; the rest is cancelled.
      if (error.reason === 'exit' || error.reason === 'oom') this.triage(error)
      this.skipUnreported(this.interruptedBy)
      return { state: 'crashed', resume: false }
    } finally {
      clearTimeout(this.graceTimer)
      this.watchdog.stop()
    }
  }

  /** Leaves the exclusive gate: call once the worker is released or replaced. */
  close(): void {
    this.seat.leave()
  }

  private dispatch(event: WorkerEvent): void {
    const { events } = this.options
    switch (event[0]) {
      case 'collected':
        // A resumed attempt collects again; reporters heard about the tests the first time.
        if (this.options.task.skipIds.length === 0) events.onCollected(this.file, event[1])
        this.collected = event[1]
        break
      case 'test-start':
        this.watchdog.testStarted(event[1], event[2])
        events.onTestStart(this.file, event[1])
        break
      case 'phase-start': {
        const [, label, deadlineMs, guards, resumable] = event
        this.watchdog.phaseStarted({ label, deadlineMs, guards, resumable })
        break
      }
      case 'phase-end':
        this.watchdog.phaseEnded()
        break
      case 'test-end':
        this.watchdog.testEnded(event[1].id)
        this.report(event[1])
        this.seat.testEnded(event[1].id)
        break
      case 'exclusive-request':
        this.seat.request(event[1])
        break
      case 'paused':
        this.seat.paused(event[1])
        break
      case 'log':
        events.onLog(this.file, event[1], event[2])
        break
      case 'file-error':
        this.fileError(event[1])
        break
      case 'stray-error':
        events.onRunError?.(event[1].message)
        break
    }
  }

  private report(test: TestResult): void {
    this.reported.add(test.id)
    this.options.result.tests.push(test)
    if (test.state === 'failed') this.options.countFailure()
    this.options.events.onTestResult(test)
  }

  private fileError(error: SerializedError): void {
    this.options.result.errors.push(error)
    this.options.countFailure()
  }

  /** Reports every collected test not reported yet as skipped with `reason`. */
  private skipUnreported(reason: string): void {
    for (const test of this.collected) {
      if (this.reported.has(test.id)) continue
      this.report(testResultOf(test, { state: 'skipped', reason, seed: testSeedOf(this.options.task, test.fullName) }))
    }
  }

  /** Reports what the worker could not; whether the rest of the file should resume. */
  private triage(crash: WorkerCrash): boolean {
    const triage = triageCrash({
      task: this.options.task,
      collected: this.collected,
      reported: this.reported,
      activity: this.watchdog.activity(),
      crashMessage: crash.message,
      failuresLeft: this.options.failuresLeft(),
    })
    for (const error of triage.fileErrors) this.fileError(error)
    for (const result of triage.results) this.report(result)
    return triage.resume
  }
}
