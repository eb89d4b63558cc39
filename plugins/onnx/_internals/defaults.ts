/**
 * Run-wide defaults of benchOnnx's timing options. The `onnx` plugin sets them from config
 * or CLI flags (`--onnx-min-time-ms 200`), so a CI job can shorten every benchmark without
 * editing tests; options given to a benchOnnx call still win.
 */
export interface TimingDefaults {
  minTimeMs: number
  maxTimeMs: number
  warmup: number
  minIterations: number
}

export const BUILTIN_DEFAULTS: Readonly<TimingDefaults> = Object.freeze({ minTimeMs: 500, maxTimeMs: 5000, warmup: 5, minIterations: 20 })

let current: TimingDefaults = { ...BUILTIN_DEFAULTS }

export function timingDefaults(): Readonly<TimingDefaults> {
  return current
}

/** What each option accepts: counts of runs are integers, and at least one run is timed. */
const KINDS: Record<keyof TimingDefaults, { integer: boolean; min: number; what: string }> = {
  minTimeMs: { integer: false, min: 0, what: 'a non-negative number' },
  maxTimeMs: { integer: false, min: 0, what: 'a non-negative number' },
  warmup: { integer: true, min: 0, what: 'an integer >= 0 (a count of runs)' },
  minIterations: { integer: true, min: 1, what: 'an integer >= 1 (a count of runs)' },
}

/** Parses resolved plugin options; a value of the wrong kind is a config error naming its flag. */
export function parseTimingDefaults(options: Record<string, unknown>): TimingDefaults {
  const next = { ...BUILTIN_DEFAULTS }
  for (const key of Object.keys(BUILTIN_DEFAULTS) as Array<keyof TimingDefaults>) {
    const value = options[key]
    if (value === undefined) continue
    const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value
    const kind = KINDS[key]
    if (typeof n !== 'number' || !Number.isFinite(n) || n < kind.min || (kind.integer && !Number.isInteger(n))) {
      throw new Error(`onnx.${key} must be ${kind.what}, got ${JSON.stringify(value)} — fix pluginOptions.onnx.${key} or --onnx-${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`)
    }
    next[key] = n
  }
  if (next.maxTimeMs < next.minTimeMs) {
    throw new Error(`onnx.maxTimeMs (${next.maxTimeMs}) is below onnx.minTimeMs (${next.minTimeMs}) — raise maxTimeMs or lower minTimeMs`)
  }
  return next
}

/** Applies resolved plugin options in a worker. */
export function setTimingDefaults(options: Record<string, unknown>): void {
  current = parseTimingDefaults(options)
}
