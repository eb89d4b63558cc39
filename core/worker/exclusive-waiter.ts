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
  private wakePaused: (() => void) | undefined
  private wakeGranted: (() => void) | undefined

  constructor(private readonly sink: EventSink) {}

  onControl(message: ControlMessage): void {
    if (message.type === 'pause') {
      this.pauseRequested = true
      this.pauseEpoch = message.epoch
    } else if (message.type === 'resume') {
      this.pauseRequested = false
      this.wakePaused?.()
      this.wakePaused = undefined
    } else if (message.type === 'grant') {
      // A grant also settles a pause that crossed our request on the way. Only a grant may
      // start an exclusive test; a resume never does.
      this.pauseRequested = false
      this.wakeGranted?.()
      this.wakeGranted = undefined
    }
  }

  private send(event: ['exclusive-request', string] | ['paused', number]): void {
    this.sink.push(event)
    this.sink.flush()
  }

  /** Resolves when `test` may start. */
  async beforeTest(test: CollectedTest): Promise<void> {
    if (this.pauseRequested) {
      await new Promise<void>((resolve) => {
        this.wakePaused = resolve
        this.send(['paused', this.pauseEpoch])
      })
    }
    if (test.exclusive) {
      await new Promise<void>((resolve) => {
        this.wakeGranted = resolve
        this.send(['exclusive-request', test.id])
      })
    }
  }
}
