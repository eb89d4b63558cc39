/**
 * Run-wide defaults set from the plugin's options (`pluginOptions.stability` or
 * `--stability-runs` / `--stability-edge-bias`). They live in module state because the plugin's
 * `workerConfigResolved` runs in each worker before any test file, and the check functions a
 * test calls read them later in the same worker.
 */

export interface StabilityDefaults {
  /** Generated inputs per `checkStability` call. */
  runs: number
  /** Probability that `arb.tensor` draws an element from the edge values. */
  edgeBias: number
}

export const BUILTIN_DEFAULTS: Readonly<StabilityDefaults> = Object.freeze({ runs: 100, edgeBias: 0.1 })

let current: StabilityDefaults = { ...BUILTIN_DEFAULTS }

export function stabilityDefaults(): Readonly<StabilityDefaults> {
  return current
}

/** Replaces the defaults (missing keys fall back to the built-in ones). */
export function setStabilityDefaults(options: Partial<StabilityDefaults>): void {
  current = { ...BUILTIN_DEFAULTS, ...validateDefaults(options) }
}

/** Checks option values; the error names the option and the fix. */
export function validateDefaults(options: Record<string, unknown>): Partial<StabilityDefaults> {
  const out: Partial<StabilityDefaults> = {}
  if (options.runs !== undefined) out.runs = checkRuns(options.runs, 'stability option "runs" (pluginOptions.stability.runs, --stability-runs)')
  if (options.edgeBias !== undefined) out.edgeBias = checkProbability(options.edgeBias, 'stability option "edgeBias" (pluginOptions.stability.edgeBias, --stability-edge-bias)')
  return out
}

export function checkRuns(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new RangeError(`${what} must be a positive integer, got ${String(value)} — e.g. runs: 100`)
  }
  return value
}

export function checkProbability(value: unknown, what: string): number {
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
    throw new RangeError(`${what} must be a number in [0, 1], got ${String(value)} — e.g. 0.1, or 0 to turn it off`)
  }
  return value
}
