/**
 * Run-wide defaults of the timing options of benchOnnx and bench, declared once as the `onnx`
 * plugin's options schema: core derives `--onnx-min-time-ms` and friends and their `--help`
 * lines from it, validates config and flags (exit 2 on a bad value), and hands the values to
 * every worker. Options given to a call still win.
 */
import { pluginOptions, z } from 'mltest/plugin'

export const onnxOptions = z
  .object({
    minTimeMs: z.number().min(0).default(500).describe('benchOnnx and bench: timed ms per batch size, at least, unless the call sets minTimeMs'),
    maxTimeMs: z.number().min(0).default(5000).describe('benchOnnx and bench: timed ms per batch size, at most, unless the call sets maxTimeMs'),
    warmup: z.number().int().min(0).default(5).describe('benchOnnx and bench: untimed warm-up runs per batch size, unless the call sets warmup'),
    minIterations: z.number().int().min(1).default(20).describe('benchOnnx and bench: timed runs per batch size, at least, unless the call sets minIterations'),
  })
  .refine((o) => o.maxTimeMs >= o.minTimeMs, { message: 'onnx.maxTimeMs is below onnx.minTimeMs — raise maxTimeMs or lower minTimeMs', path: ['maxTimeMs'] })

export type TimingDefaults = z.output<typeof onnxOptions>

export const BUILTIN_DEFAULTS: Readonly<TimingDefaults> = Object.freeze(onnxOptions.parse({}))

/** The run's timing defaults in this worker (the built-in ones outside a run). */
export function timingDefaults(): Readonly<TimingDefaults> {
  return pluginOptions('onnx', onnxOptions)
}
