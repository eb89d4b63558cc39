/**
 * Ctrl-C and CI cancellation (SIGINT, SIGTERM) during `mltest run`. The first signal stops
 * the run gracefully: no new test starts, running tests get a short grace and their workers
 * are then ended, the tests that did not finish are reported as skipped ("cancelled
 * (SIGINT)"), the summary is printed and every file reporter writes, marked as interrupted.
 * The exit code is then 128 + the signal's number, as a shell reports a process the signal
 * ended: 130 for SIGINT, 143 for SIGTERM. A second signal exits at once.
 */
export type InterruptSignal = 'SIGINT' | 'SIGTERM'

export const INTERRUPT_EXIT_CODES: Record<InterruptSignal, number> = { SIGINT: 130, SIGTERM: 143 }

/** How long a running test may take to finish after the signal before its worker is ended. */
export const INTERRUPT_GRACE_MS = 1000

/** The reason unfinished tests are skipped with. */
export function cancelledReason(signal: InterruptSignal): string {
  return `cancelled (${signal})`
}

export class RunInterruption {
  private readonly controller = new AbortController()
  private received: InterruptSignal | undefined
  private readonly onSignal = (signal: NodeJS.Signals) => this.handle(signal as InterruptSignal)

  constructor() {
    process.on('SIGINT', this.onSignal)
    process.on('SIGTERM', this.onSignal)
  }

  /** Aborted at the first signal, with the signal's name as its reason. */
  get abortSignal(): AbortSignal {
    return this.controller.signal
  }

  /** The first signal received, if any. */
  get signal(): InterruptSignal | undefined {
    return this.received
  }

  /** Stops listening: after the run, a signal ends the process as usual. */
  dispose(): void {
    process.off('SIGINT', this.onSignal)
    process.off('SIGTERM', this.onSignal)
  }

  private handle(signal: InterruptSignal): void {
    if (this.received) {
      process.stderr.write(`\nmltest: ${signal} again — exiting at once, without reports\n`)
      process.exit(INTERRUPT_EXIT_CODES[signal])
    }
    this.received = signal
    process.stderr.write(`\nmltest: ${signal} — stopping: no new test starts, running tests get ${INTERRUPT_GRACE_MS / 1000} s, then the reports are written (${signal === 'SIGINT' ? 'Ctrl-C' : 'send it'} again to exit at once)\n`)
    this.controller.abort(signal)
  }
}
