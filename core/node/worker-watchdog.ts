/**
 * The main thread's watch over the worker running one file: what it is doing (a test, or
 * code outside tests such as import or a beforeAll) and a deadline for it. Past the deadline
 * the worker is blocked beyond what its own timeouts can interrupt (a synchronous loop), so
 * the watchdog ends it and remembers what hung, for crash triage. Deadlines: `core/watchdog.ts`.
 */
import { watchdogDeadline } from '../watchdog.ts'
import type { Phase, StartedTest, WorkerActivity } from './crash-triage.ts'

export class WorkerWatchdog {
  private running: StartedTest | undefined
  private hungTest: StartedTest | undefined
  private phase: Phase | undefined
  private hungPhase: Phase | undefined
  private timer: ReturnType<typeof setTimeout> | undefined

  /** `kill` ends the worker; the pool then reports it as a crash. */
  constructor(private readonly kill: () => void) {}

  testStarted(id: string, timeoutMs: number): void {
    this.running = { id, timeoutMs }
    this.arm(watchdogDeadline(timeoutMs), () => (this.hungTest = this.running))
  }

  testEnded(id: string): void {
    if (this.running?.id !== id) return
    this.running = undefined
    this.stop()
  }

  phaseStarted(phase: Phase): void {
    this.phase = phase
    this.arm(phase.deadlineMs, () => (this.hungPhase = this.phase))
  }

  phaseEnded(): void {
    this.phase = undefined
    this.stop()
  }

  /** No more deadlines: the file is done or its worker is gone. */
  stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = undefined
  }

  activity(): WorkerActivity {
    return { running: this.running, hungTest: this.hungTest, phase: this.phase, hungPhase: this.hungPhase }
  }

  private arm(deadlineMs: number, onFire: () => void): void {
    this.stop()
    this.timer = setTimeout(() => {
      onFire()
      this.kill()
    }, deadlineMs)
  }
}
