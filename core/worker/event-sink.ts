/**
 * Batches worker events into `{ events }` messages. A batch goes out when a test is about
 * to start (so the main thread's watchdog knows what runs, even if it then blocks the
 * thread), when the file ends, or after a short delay for logs.
 */
import type { WorkerBatch, WorkerEvent } from '../protocol.ts'

// Captured at load so user code that fakes timers cannot stall event delivery.
const setTimer = globalThis.setTimeout
const clearTimer = globalThis.clearTimeout
const FLUSH_DELAY_MS = 50

export class EventSink {
  private pending: WorkerEvent[] = []
  private timer: ReturnType<typeof setTimeout> | undefined

  constructor(private readonly post: (batch: WorkerBatch) => void) {}

  push(event: WorkerEvent): void {
    this.pending.push(event)
    if (this.timer === undefined) {
      this.timer = setTimer(() => this.flush(), FLUSH_DELAY_MS)
      this.timer.unref?.()
    }
  }

  flush(): void {
    if (this.timer !== undefined) {
      clearTimer(this.timer)
      this.timer = undefined
    }
    if (this.pending.length === 0) return
    const events = this.pending
    this.pending = []
    this.post({ events })
  }
}
