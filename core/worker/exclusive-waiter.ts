/**
 * The worker's half of exclusive tests (benchmarks): before an exclusive test it asks the
 * main thread and waits for `grant`; when asked to `pause` (an exclusive test is about to
 * run on another worker) it waits for `resume` before starting its next test. A test
 * already running finishes first, so pausing never interrupts a measurement-free test.
 */
import type { CollectedTest, ControlMessage } from '../protocol.ts'
import type { EventSink } from './event-sink.ts'

export class ExclusiveWaiter {
  private pauseRequested = false
  /** Echoed in `paused`, so the main thread can tell a current answer from a stale one. */
  private pauseEpoch = 0
  private wake: (() => void) | undefined

  constructor(private readonly sink: EventSink) {}

  onControl(message: ControlMessage): void {
    if (message.type === 'pause') {
      this.pauseRequested = true
      this.pauseEpoch = message.epoch
    }
    else if (message.type === 'resume' || message.type === 'grant') {
      // A grant also settles a pause that crossed our request on the way.
      this.pauseRequested = false
      const wake = this.wake
      this.wake = undefined
      wake?.()
    }
  }

  private waitFor(event: ['exclusive-request', string] | ['paused', number]): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve
      this.sink.push(event)
      this.sink.flush()
    })
  }

  /** Resolves when `test` may start. */
  async beforeTest(test: CollectedTest): Promise<void> {
    if (this.pauseRequested) await this.waitFor(['paused', this.pauseEpoch])
    if (test.exclusive) await this.waitFor(['exclusive-request', test.id])
  }
}
