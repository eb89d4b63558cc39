/**
 * Small formatting helpers shared by every parity report, and the assertion error the checks
 * throw, so the runner classifies a parity violation as a failure rather than a crash.
 */

/** A number for a report: integers as-is, others with 4 significant digits. */
export function fmt(value: number | null | undefined): string {
  if (value === null || value === undefined) return 'n/a'
  if (!Number.isFinite(value) || Number.isInteger(value)) return String(value)
  const abs = Math.abs(value)
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e6)) return value.toExponential(3)
  return String(Number(value.toPrecision(4)))
}

/** `168/333 (50.5%)`. */
export function countOf(part: number, whole: number): string {
  const pct = whole === 0 ? 0 : (100 * part) / whole
  return `${part}/${whole} (${pct.toFixed(1)}%)`
}

/** An Error named `AssertionError` whose message is the readable report. */
export function parityFailure(report: string): Error {
  const error = new Error(report)
  error.name = 'AssertionError'
  return error
}

/** Rejects a count option that is not a positive integer, naming the option. */
export function positiveInteger(value: number | undefined, fallback: number, option: string): number {
  if (value === undefined) return fallback
  if (!Number.isInteger(value) || value < 1) throw new TypeError(`${option} must be a positive integer (got ${String(value)})`)
  return value
}

/** Rejects a fraction option outside [0, 1], naming the option. */
export function fraction(value: number | undefined, fallback: number, option: string): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) throw new TypeError(`${option} must be a number in [0, 1] (got ${String(value)})`)
  return value
}

/** Rejects a missing or non-object options argument before any field is read, naming the expected shape. */
export function assertOptions(options: unknown, check: string, shape: string): void {
  if (typeof options === 'object' && options !== null && !Array.isArray(options)) return
  const got = options === null ? 'null' : Array.isArray(options) ? 'an array' : typeof options
  throw new TypeError(`${check}: expected an options object ${shape} (got ${got})`)
}
