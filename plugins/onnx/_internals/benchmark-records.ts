/**
 * The raw measurements benchOnnx and bench attach to the check they record
 * (`CheckRecord.benchmarks`), which the benchmark history (`mltest bench`) stores and compares:
 * one record per batch size, with every timed run's latency in measurement order. A call that
 * timed more than MAX_RECORDED_SAMPLES runs keeps a deterministic, evenly spaced subsample of
 * each batch (in proportion to its runs), and says so in the record's subject; the result's
 * own `samplesMs` always keeps every run.
 */
import type { AnnotationValue, BenchmarkRecord } from 'mltest/plugin'
import type { TimedBatch } from './timed-batch.ts'

export const MAX_RECORDED_SAMPLES = 100_000

/** The subject entry of a subsampled record. */
export const SUBSAMPLED = `evenly spaced subsample (at most ${MAX_RECORDED_SAMPLES} samples per call)`

/** `keep` of `samples` at evenly spaced positions ⌊i·n/keep⌋, in their order. */
export function evenlySpaced(samples: readonly number[], keep: number): number[] {
  const n = samples.length
  if (keep >= n) return samples.slice()
  const kept = new Array<number>(keep)
  for (let i = 0; i < keep; i++) kept[i] = samples[Math.floor((i * n) / keep)]!
  return kept
}

export interface RecordInput {
  batch: TimedBatch
  subject: Record<string, AnnotationValue>
  /** Peak rss from the start of the call to the end of this batch, MiB. */
  peakRssMb: number
}

export function benchmarkRecords(name: string, inputs: readonly RecordInput[]): BenchmarkRecord[] {
  const total = inputs.reduce((n, r) => n + r.batch.samplesMs.length, 0)
  return inputs.map(({ batch, subject, peakRssMb }) => {
    const n = batch.samplesMs.length
    const keep = total > MAX_RECORDED_SAMPLES ? Math.max(1, Math.floor((n * MAX_RECORDED_SAMPLES) / total)) : n
    return {
      name,
      batchSize: batch.batchSize,
      // A copy: the record is sent when the test ends, after the test may have sorted the result's samples.
      samplesMs: keep < n ? evenlySpaced(batch.samplesMs, keep) : batch.samplesMs.slice(),
      subject: keep < n ? { ...subject, samples: SUBSAMPLED } : subject,
      // A run faster than the clock's step can time at 0 ms; an infinite throughput is no figure.
      ...(Number.isFinite(batch.throughput) ? { throughputPerSec: batch.throughput } : {}),
      ...(Number.isFinite(peakRssMb) ? { peakRssMb } : {}),
    }
  })
}
