/**
 * The timing options of benchOnnx and bench, merged with the run-wide defaults (the `onnx`
 * plugin's options), and the rules between options, so a nonsensical setting fails before
 * anything runs instead of benchmarking nothing. Each option's own type and range are checked
 * by its check's schema (bench-options.ts, bench.ts).
 */
import type { BenchOnnxOptions } from '../bench-onnx.ts'
import { BenchOnnxError } from './bench-onnx-error.ts'
import { timingDefaults } from './defaults.ts'
import type { LoopSettings } from './timed-loop.ts'

/** The options every timed loop takes (benchOnnx: per batch size; bench: per call). */
export interface TimingOptions {
  /** Untimed warm-up runs (a count, or `{ ms }`), stopped at maxTimeMs. Default 5. */
  warmup?: number | { ms: number }
  /** Timed runs, at least. Default 20. */
  minIterations?: number
  /** Timed ms, at least, once minIterations are done. Default 500. */
  minTimeMs?: number
  /** Time of the warm-up and of the timed runs, each at most, even below minIterations (the result is then inconclusive). Default 5000. */
  maxTimeMs?: number
  /** Timed runs, at most. Default 50 000. */
  maxIterations?: number
  /** Bootstrap resamples for the throughput confidence interval. Default 2000. */
  bootstrapResamples?: number
}

/** Timing options with the run's defaults; `bad` throws the check's own error for a rule broken between options. */
export function timingSettings(options: TimingOptions, seed: number, signal: AbortSignal | undefined, bad: (message: string) => never): LoopSettings {
  const defaults = timingDefaults()
  const minTimeMs = options.minTimeMs ?? defaults.minTimeMs
  // A minTimeMs above the default maximum stretches the maximum rather than contradicting it.
  const maxTimeMs = options.maxTimeMs ?? Math.max(defaults.maxTimeMs, minTimeMs)
  if (maxTimeMs < minTimeMs) bad(`maxTimeMs (${maxTimeMs}) is below minTimeMs (${minTimeMs}) — raise maxTimeMs or lower minTimeMs`)
  const minIterations = options.minIterations ?? defaults.minIterations
  const maxIterations = options.maxIterations ?? 50_000
  if (maxIterations < minIterations) bad(`maxIterations (${maxIterations}) is below minIterations (${minIterations})`)
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

function bad(message: string): never {
  throw new BenchOnnxError('BAD_OPTION', `benchOnnx: ${message}`)
}

/** benchOnnx's settings: the timing rules, and the rules between its feed options. */
export function loopSettings(options: BenchOnnxOptions, seed: number, signal: AbortSignal | undefined): LoopSettings {
  const settings = timingSettings(options, seed, signal, bad)
  if (options.inputs && options.batchSizes) {
    bad('give either inputs (fixed feeds) or batchSizes (generated feeds), not both — use batchSize to say what batch fixed inputs hold')
  }
  if (options.inputs && options.dims) {
    bad('dims sizes generated feeds, but inputs are fixed feeds that carry their own dims — drop dims or inputs')
  }
  return settings
}
