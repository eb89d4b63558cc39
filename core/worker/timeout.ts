/**
 * Timeouts inside the worker: async work past its limit rejects with a TimeoutError (a
 * synchronous loop cannot be interrupted from here; the main thread's watchdog handles it).
 */
import type { SerializedError } from '../protocol.ts'
import { serializeError } from './serialize-error.ts'

// Captured at load: user code that fakes timers cannot stop timeouts from firing.
const setTimer = globalThis.setTimeout
const clearTimer = globalThis.clearTimeout

export class TimeoutError extends Error {
  override name = 'TimeoutError'
}

/** Runs `fn`, rejecting with a TimeoutError after `ms`; `onTimeout` runs first (abort signals). */
export function withTimeout(fn: () => unknown, ms: number, what: string, onTimeout?: () => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimer(() => {
      onTimeout?.()
      reject(new TimeoutError(`${what} timed out after ${ms} ms — raise the limit with { timeout } in its options or --timeout`))
    }, ms)
    Promise.resolve()
      .then(fn)
      .then(
        () => (clearTimer(timer), resolve()),
        (error: unknown) => (clearTimer(timer), reject(error)),
      )
  })
}

/** Serialises a thrown value; a TimeoutError is of kind `timeout`. */
export function toError(error: unknown): SerializedError {
  return serializeError(error, error instanceof TimeoutError ? 'timeout' : undefined)
}

