/**
 * The `onnx` plugin: registers `toMeetBudget` and declares run-wide defaults for benchOnnx's
 * timing (shown in `mltest run --help`, set with `pluginOptions.onnx` or `--onnx-<option>`),
 * so a CI job can shorten every benchmark without editing tests. It imports nothing heavy:
 * onnxruntime-node loads on the first benchOnnx call.
 */
import type { Plugin } from 'mltest/plugin'
import { BUILTIN_DEFAULTS, parseTimingDefaults, setTimingDefaults } from './_internals/defaults.ts'
import { toMeetBudget } from './to-meet-budget.ts'

export function onnxPlugin(): Plugin {
  return {
    name: 'onnx',
    options: [
      { name: 'minTimeMs', type: 'number', default: BUILTIN_DEFAULTS.minTimeMs, description: 'benchOnnx: timed ms per batch size, at least, unless the call sets minTimeMs' },
      { name: 'maxTimeMs', type: 'number', default: BUILTIN_DEFAULTS.maxTimeMs, description: 'benchOnnx: timed ms per batch size, at most, unless the call sets maxTimeMs' },
      { name: 'warmup', type: 'number', default: BUILTIN_DEFAULTS.warmup, description: 'benchOnnx: untimed warm-up runs per batch size, unless the call sets warmup' },
      { name: 'minIterations', type: 'number', default: BUILTIN_DEFAULTS.minIterations, description: 'benchOnnx: timed runs per batch size, at least, unless the call sets minIterations' },
    ],
    configResolved(options) {
      parseTimingDefaults(options)
    },
    workerConfigResolved(options) {
      setTimingDefaults(options)
    },
    matchers: { toMeetBudget },
  }
}
