/**
 * The `stability` plugin: declares the run-wide defaults of `checkStability` and `arb.tensor`
 * (shown in `mltest run --help`, set with `pluginOptions.stability` or `--stability-<option>`).
 * It imports nothing heavy, so registering it costs a plain suite nothing; fast-check loads
 * with `mltest/stability` itself.
 */
import type { Plugin } from 'mltest/plugin'
import { stabilityOptions } from './_internals/defaults.ts'

export function stabilityPlugin(): Plugin {
  return { name: 'stability', options: stabilityOptions }
}
