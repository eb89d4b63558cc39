/**
 * benchOnnx's timing options, merged with the run-wide defaults, and the rules between
 * options, so a nonsensical setting fails before any model loads instead of benchmarking
 * nothing. Each option's own type and range are checked by its schema (bench-options.ts).
 */
import type { BenchOnnxOptions } from '../bench-onnx.ts'
import { BenchOnnxError } from './bench-onnx-error.ts'
import { timingDefaults } from './defaults.ts'
import type { LoopSettings } from './measure-batch.ts'

function bad(message: string): never {
  throw new BenchOnnxError('BAD_OPTION', `benchOnnx: ${message}`)
}

export function loopSettings(options: BenchOnnxOptions, seed: number, signal: AbortSignal | undefined): LoopSettings {
  const defaults = timingDefaults()
  const minTimeMs = options.minTimeMs ?? defaults.minTimeMs
  // A minTimeMs above the default maximum stretches the maximum rather than contradicting it.
  const maxTimeMs = options.maxTimeMs ?? Math.max(defaults.maxTimeMs, minTimeMs)
  if (maxTimeMs < minTimeMs) bad(`maxTimeMs (${maxTimeMs}) is below minTimeMs (${minTimeMs}) — raise maxTimeMs or lower minTimeMs`)
  const minIterations = options.minIterations ?? defaults.minIterations
  const maxIterations = options.maxIterations ?? 50_000
  if (maxIterations < minIterations) bad(`maxIterations (${maxIterations}) is below minIterations (${minIterations})`)
  if (options.inputs && options.batchSizes) {
    bad('give either inputs (fixed feeds) or batchSizes (generated feeds), not both — use batchSize to say what batch fixed inputs hold')
  }
  if (options.inputs && options.dims) {
    bad('dims sizes generated feeds, but inputs are fixed feeds that carry their own dims — drop dims or inputs')
  }
  return {
    warmup: options.warmup ?? defaults.warmup,
    minIterations,
    minTimeMs,
    maxTimeMs,
    maxIterations,
    bootstrapResamples: options.bootstrapResamples ?? 2000,
    seed,
    signal,
  }
}
