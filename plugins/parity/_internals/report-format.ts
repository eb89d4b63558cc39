/**
 * Small helpers shared by every parity report and option check. Numbers print through the
 * SDK's `formatNumber`, and violations throw the SDK's `CheckFailure`, so the runner files a
 * parity violation as a failed assertion rather than a crash.
 */
import { formatNumber, type UlpMax } from 'mltest/plugin'

/** `168/333 (50.5%)`. */
export function countOf(part: number, whole: number): string {
  const pct = whole === 0 ? 0 : (100 * part) / whole
  return `${part}/${whole} (${pct.toFixed(1)}%)`
}

/** Folds `from` into `into`, keeping the largest ULP distance per precision. */
export function mergeUlps(into: UlpMax, from: UlpMax): void {
  for (const precision of ['float32', 'float64'] as const) {
    const value = from[precision]
    if (value !== null) into[precision] = Math.max(into[precision] ?? 0, value)
  }
}

/** `3 float32 ulps`, `12 float64 ulps`, or both (a float32 and a float64 ULP are different units); `n/a` when nothing numeric was compared. */
export function describeUlps(max: UlpMax): string {
  const parts = [
    max.float32 !== null ? `${formatNumber(max.float32)} float32 ulps` : '',
    max.float64 !== null ? `${formatNumber(max.float64)} float64 ulps` : '',
  ].filter(Boolean)
  return parts.length ? parts.join(', ') : 'n/a'
}

/** Rejects a missing or non-object options argument before any field is read, naming the expected shape. */
export function assertOptions(options: unknown, check: string, shape: string): void {
  if (typeof options === 'object' && options !== null && !Array.isArray(options)) return
  const got = options === null ? 'null' : Array.isArray(options) ? 'an array' : typeof options
  throw new TypeError(`${check}: expected an options object ${shape} (got ${got})`)
}
