/**
 * `checkServingLog`: the practice's "maintain a log of serving feature values", checked. Each
 * logged raw input goes back through the training feature pipeline and the result is compared
 * with the features the serving system logged. Logs are streamed in chunks, so a log of
 * millions of records is checked in bounded memory, with progress reported as it goes.
 */
import { currentTest, parseCheckOptions, z } from 'mltest/plugin'
import type { Features } from './_internals/compare-features.ts'
import { functionSchema, keyBySchema, pipelineSchema, refined, shown, toleranceSchema } from './_internals/option-schemas.ts'
import { keyOf, runPipeline, type FeaturePipeline, type KeyBy } from './_internals/pipeline.ts'
import { describeSource, readServingLog, type ServingLogSource } from './_internals/read-serving-log.ts'
import { assertOptions } from './_internals/report-format.ts'
import { SkewAccumulator, type SkewSummary } from './_internals/skew-accumulator.ts'
import { finishSkewCheck } from './_internals/skew-report.ts'
import { toleranceLookup, type ToleranceSpec } from './_internals/tolerance.ts'

export type { ServingLogRecord, ServingLogSource } from './_internals/read-serving-log.ts'

export interface ServingLogProgress {
  /** Records checked so far. */
  records: number
  /** Of those, records with at least one skewed feature. */
  recordsWithSkew: number
  /** True on the last call, after the whole log was read. */
  done: boolean
}

export interface CheckServingLogOptions<R> {
  /** A JSONL file of `{ raw, features }` lines, or any (async) iterable of such records. */
  log: ServingLogSource<R>
  /** The training feature pipeline, re-run on each logged raw input. */
  training: FeaturePipeline<R>
  /** How records are named in the report (default: `line <n>` for files, `#<index>` for readers). */
  keyBy?: KeyBy<R>
  /** Per-feature tolerance (default exact). */
  tolerance?: ToleranceSpec
  /** Compare only these features (default: every feature either side has). */
  features?: readonly string[]
  /** Offending examples shown per skewed feature (default 3). */
  maxExamples?: number
  /** Records handed to the training pipeline at once; bounds memory (default 1000). */
  batchSize?: number
  /** Report progress every this many records (default 50000). */
  progressEvery?: number
  /** Progress callback; default: a line in the running test's log (`t.log`). */
  onProgress?: (progress: ServingLogProgress) => void
}

const isIterable = (value: unknown) => typeof value === 'object' && value !== null &&
  (typeof (value as Record<symbol, unknown>)[Symbol.asyncIterator] === 'function' || typeof (value as Record<symbol, unknown>)[Symbol.iterator] === 'function')

/** Every option, declared once; `satisfies` keeps it in step with the interface above. */
const optionsSchema = z.object({
  log: refined<ServingLogSource<unknown>>((value) => (typeof value === 'string' && value !== '') || value instanceof URL || isIterable(value)
    ? undefined
    : `option "log" must be a JSONL file path, a file URL, or an (async) iterable of { raw, features } records (got ${shown(value)})`),
  training: pipelineSchema<FeaturePipeline<unknown>>('training'),
  keyBy: keyBySchema<KeyBy<unknown>>().optional(),
  tolerance: toleranceSchema<ToleranceSpec>('tolerance', { map: true }).optional(),
  features: z.array(z.string()).optional(),
  maxExamples: z.number().int().min(1).optional(),
  batchSize: z.number().int().min(1).optional(),
  progressEvery: z.number().int().min(1).optional(),
  onProgress: functionSchema<(progress: ServingLogProgress) => void>('onProgress', '(progress) => void').optional(),
} satisfies Record<keyof CheckServingLogOptions<unknown>, z.ZodType>)

/**
 * Streams the log, recomputes training features for each record and compares them with the
 * logged serving features. Throws an assertion error naming each skewed feature with its
 * count of skewed records; returns the summary when the log is clean.
 */
export async function checkServingLog<R>(options: CheckServingLogOptions<R>): Promise<SkewSummary> {
  const check = 'checkServingLog'
  assertOptions(options, check, '{ log, training }')
  parseCheckOptions(check, optionsSchema, options)
  const batchSize = options.batchSize ?? 1000
  const progressEvery = options.progressEvery ?? 50_000
  const source = describeSource(options.log)
  const accumulator = new SkewAccumulator({
    tolerance: toleranceLookup(options.tolerance),
    features: options.features,
    maxSamples: options.maxExamples ?? 3,
  })
  let records = 0
  let recordsWithSkew = 0
  const progress = (done: boolean) => {
    if (options.onProgress) options.onProgress({ records, recordsWithSkew, done })
    else if (!done || records >= progressEvery) currentTest()?.log(`${check}: ${records} records checked, ${recordsWithSkew} with skew (${source})${done ? ', done' : ''}`)
  }
  const { batches, label } = readServingLog(options.log, batchSize, check)
  for await (const batch of batches) {
    const trainingRows: Features[] = await runPipeline(options.training, batch.map((r) => r.raw), 'training', check, records)
    for (let i = 0; i < batch.length; i++) {
      const record = batch[i]!
      const index = records
      const key = options.keyBy === undefined ? () => label(record.position) : () => keyOf(options.keyBy, record.raw, index)
      if (accumulator.add(key, trainingRows[i]!, record.features)) recordsWithSkew++
      records++
      if (records % progressEvery === 0) progress(false)
    }
  }
  if (records === 0) throw new TypeError(`${check}: the serving log ${source} holds no records`)
  progress(true)
  return finishSkewCheck({
    check,
    subject: `${records} logged serving records (${source}) against the training pipeline`,
    summary: accumulator.summary(),
    metrics: { log: source, records },
  })
}
