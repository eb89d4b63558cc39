/**
 * How long code may block a worker before the main thread ends it. Async timeouts are
 * enforced inside the worker; these deadlines catch what cannot be interrupted from inside
 * (a synchronous infinite loop), so they leave room for the in-worker timeout to act first.
 */

/** A test: its body (timeout) + afterEach hooks (their own timeout) + 1 s. */
export function watchdogDeadline(timeoutMs: number): number {
  return 2 * timeoutMs + 1000
}

/** Importing a test file may load heavy libraries (tfjs, onnxruntime): at least this long. */
export const IMPORT_DEADLINE_MS = 10_000
