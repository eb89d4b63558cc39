/**
 * Schedules test files on the worker pool: one file per task, never more tasks than
 * workers, new files held back while an exclusive test runs. When a worker dies mid-file
 * (crash, `process.exit`, out of memory, a hung test), the file's remaining tests get
 * another attempt on a fresh worker (`file-attempt.ts`, `crash-triage.ts`). Also: `--bail`
 * (each task carries the failures it may still have, so a file stops inside itself), an
 * interruption (SIGINT, SIGTERM: no new file starts, running ones are cancelled) and worker
 * recycling (`--isolate file`, memory limit).
 */
import type { FileResult, FileTask, FileTaskReturn } from '../protocol.ts'
import { ExclusiveGate } from './exclusive-gate.ts'
import { FileAttempt, type FileEvents } from './file-attempt.ts'
import { cancelledReason, INTERRUPT_GRACE_MS, type InterruptSignal } from './interrupt.ts'
import type { WorkerPool } from './worker-pool.ts'

export interface SchedulerOptions {
  pool: WorkerPool
  /** Builds the task for a file; `skipIds` lists tests an earlier attempt already reported. */
  taskFor(file: string, skipIds: string[]): FileTask
  bail: number
  /** `--isolate file`: a fresh worker for every file. */
  recycleEveryFile?: boolean
  /** Recycle a worker whose memory passed this many bytes after a file. */
  memoryLimitBytes?: number
  memoryMetric: 'heap' | 'rss'
  events: FileEvents
  /** Aborted (reason: the signal's name) when SIGINT or SIGTERM stops the run. */
  interrupt?: AbortSignal
}

export interface ScheduleOutcome {
  files: FileResult[]
  /** Files `--bail` or an interruption kept from starting. */
  notRun: string[]
}

interface QueuedFile {
  file: string
  skipIds: string[]
}

/** Runs every file to its end on `options.pool`; resolves with their results once all are done. */
export function scheduleFiles(files: string[], options: SchedulerOptions): Promise<ScheduleOutcome> {
  return new FileScheduler(files, options).drain()
}

class FileScheduler {
  private readonly queue: QueuedFile[]
  private readonly results = new Map<string, FileResult>()
  private readonly attempts = new Set<FileAttempt>()
  private readonly gate = new ExclusiveGate()
  private failures = 0
  private bailed = false
  /** The signal that interrupted the run. */
  private interrupted: InterruptSignal | undefined

  constructor(
    private readonly files: string[],
    private readonly options: SchedulerOptions,
  ) {
    this.queue = files.map((file) => ({ file, skipIds: [] }))
  }

  async drain(): Promise<ScheduleOutcome> {
    // Never more tasks than workers: each starts at once, and recycling happens between files.
    const slots = Math.min(this.options.pool.size, Math.max(this.files.length, 1))
    const { interrupt } = this.options
    const onInterrupt = () => this.interrupt(interrupt!.reason as InterruptSignal)
    if (interrupt?.aborted) onInterrupt()
    else interrupt?.addEventListener('abort', onInterrupt, { once: true })
    try {
      await Promise.all(Array.from({ length: slots }, () => this.takeFromQueue()))
    } finally {
      interrupt?.removeEventListener('abort', onInterrupt)
    }
    // A file whose resume was queued when --bail stopped the run still ends for reporters.
    for (const pending of this.queue) if (this.results.has(pending.file)) this.finishFile(pending.file)
    const notRun = this.files.filter((f) => !this.results.has(f))
    return { files: this.files.filter((f) => this.results.has(f)).map((f) => this.results.get(f)!), notRun }
  }

  private async takeFromQueue(): Promise<void> {
    while (this.queue.length > 0 && !this.bailed && !this.interrupted) {
      await this.gate.whenIdle()
      if (this.interrupted) break
      const next = this.queue.shift()
      if (!next) break
      await this.attemptFile(next)
    }
  }

  /** SIGINT or SIGTERM: no new file starts; running ones skip their remaining tests, and their workers end after a grace. */
  private interrupt(signal: InterruptSignal): void {
    if (this.interrupted) return
    this.interrupted = signal
    for (const attempt of this.attempts) attempt.interrupt(cancelledReason(signal), INTERRUPT_GRACE_MS)
  }

  /** One attempt at a file; after a crash, the rest of the file goes to the front of the queue. */
  private async attemptFile({ file, skipIds }: QueuedFile): Promise<void> {
    const result = this.results.get(file) ?? { file, durationMs: 0, errors: [], tests: [] }
    this.results.set(file, result)
    const { bail } = this.options
    const task = this.options.taskFor(file, skipIds)
    const attempt = new FileAttempt({
      pool: this.options.pool,
      // The worker stops the file itself once it has spent what is left of the budget.
      task: bail > 0 ? { ...task, bail: { limit: bail, left: bail - this.failures } } : task,
      result,
      events: this.options.events,
      gate: this.gate,
      countFailure: () => this.countFailure(),
      failuresLeft: () => (this.options.bail > 0 ? this.options.bail - this.failures : Infinity),
    })
    this.attempts.add(attempt)
    if (this.bailed) attempt.cancel('--bail')
    if (this.interrupted) attempt.interrupt(cancelledReason(this.interrupted), INTERRUPT_GRACE_MS)
    try {
      const outcome = await attempt.outcome()
      if (outcome.state === 'crashed') {
        if (outcome.resume && !this.interrupted) this.queue.unshift({ file, skipIds: [...attempt.reported] })
        else if (this.interrupted && result.tests.length === 0 && result.errors.length === 0) this.results.delete(file)
        else this.finishFile(file)
        return
      }
      result.durationMs += outcome.durationMs
      await this.afterFile(outcome)
    } finally {
      attempt.close()
      this.attempts.delete(attempt)
    }
    this.finishFile(file)
  }

  /** Keeps the worker for the next file, or replaces it (`--isolate file`, memory over the limit). */
  private async afterFile(done: FileTaskReturn & { workerId: number }): Promise<void> {
    const { pool, memoryLimitBytes, recycleEveryFile } = this.options
    const used = this.options.memoryMetric === 'heap' ? done.heapUsedBytes : done.rssBytes
    const overLimit = memoryLimitBytes !== undefined && used > memoryLimitBytes
    if (overLimit || recycleEveryFile) {
      // The worker's worker-scoped fixtures end with it; their teardown errors are the run's.
      for (const error of (await pool.teardownWorkerFixtures?.(done.workerId)) ?? []) this.options.events.onRunError?.(error.message)
      await pool.recycle(done.workerId)
    } else pool.release(done.workerId)
  }

  private countFailure(): void {
    this.failures++
    if (this.options.bail > 0 && this.failures >= this.options.bail && !this.bailed) {
      this.bailed = true
      const reason = `--bail: stopped after ${this.failures} failure${this.failures === 1 ? '' : 's'}`
      for (const attempt of this.attempts) attempt.cancel(reason)
    }
  }

  private finishFile(file: string): void {
    this.options.events.onFileResult(this.results.get(file)!)
  }
}
