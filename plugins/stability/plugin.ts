/**
 * The `stability` plugin: declares the run-wide defaults of `checkStability` and `arb.tensor`
 * (shown in `mltest run --help`, set with `pluginOptions.stability` or `--stability-<option>`)
 * and hands them to each worker. It imports nothing heavy, so registering it costs a plain
 * suite nothing; fast-check loads with `mltest/stability` itself.
 */
import type { Plugin } from 'mltest/plugin'
import { BUILTIN_DEFAULTS, setStabilityDefaults, validateDefaults } from './_internals/defaults.ts'

export function stabilityPlugin(): Plugin {
  return {
    name: 'stability',
    options: [
      {
        name: 'runs',
        type: 'number',
        default: BUILTIN_DEFAULTS.runs,
        description: 'generated inputs per checkStability call, unless the call sets runs',
      },
      {
        name: 'edgeBias',
        type: 'number',
        default: BUILTIN_DEFAULTS.edgeBias,
        description: 'probability that arb.tensor draws an element from the float edge values, unless the call sets edgeBias (0: off)',
      },
    ],
    configResolved(options) {
      validateDefaults(options)
    },
    workerConfigResolved(options) {
      setStabilityDefaults(options)
    },
  }
}
