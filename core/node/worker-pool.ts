/**
 * The pool interface the scheduler uses, with two implementations: worker threads through
 * piscina (`thread-pool.ts`, the default) and child processes (`process-pool.ts`,
 * `--isolate process`). The scheduler never submits more tasks than there are workers, so
 * every task starts at once and a worker can be recycled between two files safely.
 */
import type { ControlMessage, FileTask, FileTaskReturn, SerializedError, WorkerBatch } from '../protocol.ts'

/**
 * How long a worker may take to tear down its worker-scoped fixtures before the pool gives up
 * on it (120 s; `MLTEST_FIXTURE_TEARDOWN_LIMIT_MS` shortens it, for mltest's own tests).
 */
export const FIXTURE_TEARDOWN_LIMIT_MS = Number(process.env.MLTEST_FIXTURE_TEARDOWN_LIMIT_MS) || 120_000

export interface PoolTask {
  /** Resolves when the file is done; rejects with a `WorkerCrash` if its worker died. */
  done: Promise<FileTaskReturn & { workerId: number }>
  /** Sends a control message (e.g. cancel on bail) to the worker running the file. */
  control(message: ControlMessage): void
  /** Ends the worker running this file (a hung test); `done` then rejects. */
  kill(): void
}

export interface WorkerPool {
  readonly size: number
  run(task: FileTask, onBatch: (batch: WorkerBatch) => void): PoolTask
  /** After a file: the worker that ran it may take the next one. */
  release(workerId: number): void
  /** After a file: replace the worker that ran it (`--isolate file`, memory over the limit). */
  recycle(workerId: number): Promise<void>
  /**
   * Tears down the worker-scoped fixtures (`test.extend`, `{ scope: 'worker' }`) of one idle
   * worker about to be recycled, or of every worker when the pass ends; their errors.
   */
  teardownWorkerFixtures?(workerId?: number): Promise<SerializedError[]>
  close(): Promise<void>
}

/** The worker running a file died: crash, `process.exit`, out of memory, or killed. */
export class WorkerCrash extends Error {
  override name = 'WorkerCrash'
  constructor(
    message: string,
    /** `interrupted`: a worker process ended by SIGINT or SIGTERM (Ctrl-C reaches the whole process group); the message is the reason its tests are skipped. */
    readonly reason: 'killed' | 'exit' | 'oom' | 'signal' | 'interrupted' | 'error',
  ) {
    super(message)
  }
}
