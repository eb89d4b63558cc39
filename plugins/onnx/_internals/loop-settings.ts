/**
 * benchOnnx's timing options, merged with the run-wide defaults and checked, so a
 * nonsensical setting fails before any model loads instead of benchmarking nothing.
 */
import type { BenchOnnxOptions } from '../bench-onnx.ts'
import { BenchOnnxError } from './bench-onnx-error.ts'
import { timingDefaults } from './defaults.ts'
import type { LoopSettings } from './measure-batch.ts'

function bad(message: string): never {
  throw new BenchOnnxError('BAD_OPTION', `benchOnnx: ${message}`)
}

function positiveInt(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) bad(`${name} must be a positive integer, got ${value}`)
  return value
}

function nonNegative(name: string, value: number): number {
  if (typeof value !== 'number' || !(value >= 0)) bad(`${name} must be a non-negative number, got ${value}`)
  return value
}

export function loopSettings(options: BenchOnnxOptions, seed: number, signal: AbortSignal | undefined): LoopSettings {
  const defaults = timingDefaults()
  const warmup = options.warmup ?? defaults.warmup
  if (typeof warmup === 'number') {
    if (!Number.isInteger(warmup) || warmup < 0) bad(`warmup must be a count of runs (integer >= 0) or { ms }, got ${warmup}`)
  } else if (typeof warmup !== 'object' || warmup === null) bad(`warmup must be a count of runs or { ms }, got ${JSON.stringify(warmup)}`)
  else nonNegative('warmup.ms', warmup.ms)
  const minTimeMs = nonNegative('minTimeMs', options.minTimeMs ?? defaults.minTimeMs)
  // A minTimeMs above the default maximum stretches the maximum rather than contradicting it.
  const maxTimeMs = nonNegative('maxTimeMs', options.maxTimeMs ?? Math.max(defaults.maxTimeMs, minTimeMs))
  if (maxTimeMs < minTimeMs) bad(`maxTimeMs (${maxTimeMs}) is below minTimeMs (${minTimeMs}) — raise maxTimeMs or lower minTimeMs`)
  const minIterations = positiveInt('minIterations', options.minIterations ?? defaults.minIterations)
  const maxIterations = positiveInt('maxIterations', options.maxIterations ?? 50_000)
  if (maxIterations < minIterations) bad(`maxIterations (${maxIterations}) is below minIterations (${minIterations})`)
  if (options.inputs && options.batchSizes) {
    bad('give either inputs (fixed feeds) or batchSizes (generated feeds), not both — use batchSize to say what batch fixed inputs hold')
  }
  if (options.inputs && options.dims) {
    bad('dims sizes generated feeds, but inputs are fixed feeds that carry their own dims — drop dims or inputs')
  }
  options.batchSizes?.forEach((b, i) => positiveInt(`batchSizes[${i}]`, b))
  if (options.batchSize !== undefined) positiveInt('batchSize', options.batchSize)
  for (const [name, size] of Object.entries(options.dims ?? {})) positiveInt(`dims.${name}`, size)
  return {
    warmup,
    minIterations,
    minTimeMs,
    maxTimeMs,
    maxIterations,
    bootstrapResamples: positiveInt('bootstrapResamples', options.bootstrapResamples ?? 2000),
    seed,
    signal,
  }
}
