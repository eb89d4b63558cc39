/**
 * Run-wide defaults of `checkStability` and `arb.tensor`, declared once as the `stability`
 * plugin's options schema (`pluginOptions.stability` or `--stability-runs` /
 * `--stability-edge-bias`): core validates them with the config and hands them to every
 * worker, where the check functions read them through `pluginOptions`.
 */
import { pluginOptions, z } from 'mltest/plugin'

export const stabilityOptions = z.object({
  runs: z.number().int().min(1).default(100).describe('generated inputs per checkStability call, unless the call sets runs'),
  edgeBias: z
    .number()
    .min(0)
    .max(1)
    .default(0.1)
    .describe('probability that arb.tensor draws an element from the float edge values, unless the call sets edgeBias (0: off)'),
})

export type StabilityDefaults = z.output<typeof stabilityOptions>

export const BUILTIN_DEFAULTS: Readonly<StabilityDefaults> = Object.freeze(stabilityOptions.parse({}))

/** The run's defaults in this worker (the built-in ones outside a run). */
export function stabilityDefaults(): Readonly<StabilityDefaults> {
  return pluginOptions('stability', stabilityOptions)
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
