/**
 * Schedules test files on the worker pool: one file per task, never more tasks than
 * workers, new files held back while an exclusive test runs. When a worker dies mid-file
 * (crash, `process.exit`, out of memory, a hung test), the file's remaining tests get
 * another attempt on a fresh worker (`file-attempt.ts`, `crash-triage.ts`). Also: `--bail`
 * and worker recycling (`--isolate file`, memory limit).
 */
import type { FileResult, FileTask, FileTaskReturn } from '../protocol.ts'
import { ExclusiveGate } from './exclusive-gate.ts'
import { FileAttempt, type FileEvents } from './file-attempt.ts'
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
}

export interface ScheduleOutcome {
  files: FileResult[]
  /** Files `--bail` kept from starting. */
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

  constructor(
    private readonly files: string[],
    private readonly options: SchedulerOptions,
  ) {
    this.queue = files.map((file) => ({ file, skipIds: [] }))
  }

  async drain(): Promise<ScheduleOutcome> {
    // Never more tasks than workers: each starts at once, and recycling happens between files.
    const slots = Math.min(this.options.pool.size, Math.max(this.files.length, 1))
    await Promise.all(Array.from({ length: slots }, () => this.takeFromQueue()))
    // A file whose resume was queued when --bail stopped the run still ends for reporters.
    for (const pending of this.queue) if (this.results.has(pending.file)) this.finishFile(pending.file)
    const notRun = this.queue.map((q) => q.file).filter((f) => !this.results.has(f))
    return { files: this.files.filter((f) => this.results.has(f)).map((f) => this.results.get(f)!), notRun }
  }

  private async takeFromQueue(): Promise<void> {
    while (this.queue.length > 0 && !this.bailed) {
      await this.gate.whenIdle()
      const next = this.queue.shift()
      if (!next) break
      await this.attemptFile(next)
    }
  }

  /** One attempt at a file; after a crash, the rest of the file goes to the front of the queue. */
  private async attemptFile({ file, skipIds }: QueuedFile): Promise<void> {
    const result = this.results.get(file) ?? { file, durationMs: 0, errors: [], tests: [] }
    this.results.set(file, result)
    const attempt = new FileAttempt({
      pool: this.options.pool,
      task: this.options.taskFor(file, skipIds),
      result,
      events: this.options.events,
      gate: this.gate,
      countFailure: () => this.countFailure(),
      failuresLeft: () => (this.options.bail > 0 ? this.options.bail - this.failures : Infinity),
    })
    this.attempts.add(attempt)
    if (this.bailed) attempt.cancel('--bail')
    try {
      const outcome = await attempt.outcome()
      if (outcome.state === 'crashed') {
        if (outcome.resume) this.queue.unshift({ file, skipIds: [...attempt.reported] })
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
    if (overLimit || recycleEveryFile) await pool.recycle(done.workerId)
    else pool.release(done.workerId)
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
