/**
 * Run-wide defaults of `checkStability` and `arb.tensor`, declared once as the `stability`
 * plugin's options schema (`pluginOptions.stability` or `--stability-runs` /
 * `--stability-edge-bias`): core validates them with the config and hands them to every
 * worker, where the check functions read them through `pluginOptions`. The same field
 * schemas validate a call's own `runs` and `edgeBias`, so both say the same thing.
 */
import { pluginOptions, z } from 'mltest/plugin'

/** Generated inputs: a positive integer. */
export const runsSchema = z.number().int().min(1)

/** Probability of an edge value: a number in [0, 1] (0: off). */
export const edgeBiasSchema = z.number().min(0).max(1)

export const stabilityOptions = z.object({
  runs: runsSchema.default(100).describe('generated inputs per checkStability call, unless the call sets runs'),
  edgeBias: edgeBiasSchema
    .default(0.1)
    .describe('probability that arb.tensor draws an element from the float edge values, unless the call sets edgeBias (0: off)'),
})

export type StabilityDefaults = z.output<typeof stabilityOptions>

export const BUILTIN_DEFAULTS: Readonly<StabilityDefaults> = Object.freeze(stabilityOptions.parse({}))

/** The run's defaults in this worker (the built-in ones outside a run). */
export function stabilityDefaults(): Readonly<StabilityDefaults> {
  return pluginOptions('stability', stabilityOptions)
}
