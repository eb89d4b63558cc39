/**
 * The `onnx` plugin: registers `toMeetBudget` and declares run-wide defaults for the timing of
 * benchOnnx and bench (shown in `mltest run --help`, set with `pluginOptions.onnx` or `--onnx-<option>`),
 * so a CI job can shorten every benchmark without editing tests. It imports nothing heavy:
 * onnxruntime-node loads on the first benchOnnx call.
 */
import type { Plugin } from 'mltest/plugin'
import { onnxOptions } from './_internals/defaults.ts'
import { toMeetBudget } from './to-meet-budget.ts'

export function onnxPlugin(): Plugin {
  return { name: 'onnx', options: onnxOptions, matchers: { toMeetBudget } }
}
