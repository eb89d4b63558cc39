/**
 * `checkFeatureParity`: the same raw records through the training feature pipeline and the
 * serving one. Training/serving skew happens when the two code paths differ; this reports the
 * practice's metrics exactly: how many features are skewed, and for each, how many examples.
 */
import type { Features } from './_internals/compare-features.ts'
import { assertPipeline, keyOf, runPipeline, type FeaturePipeline, type KeyBy } from './_internals/pipeline.ts'
import { assertOptions, positiveInteger } from './_internals/report-format.ts'
import { SkewAccumulator, type SkewSummary } from './_internals/skew-accumulator.ts'
import { finishSkewCheck } from './_internals/skew-report.ts'
import { toleranceLookup, type ToleranceSpec } from './_internals/tolerance.ts'

export interface CheckFeatureParityOptions<R> {
  /** Raw records (requests, rows) fed to both pipelines. */
  records: readonly R[]
  /** The feature code used to build the training set. */
  training: FeaturePipeline<R>
  /** The feature code the serving system runs. */
  serving: FeaturePipeline<R>
  /** Per-feature tolerance (default exact); strings, booleans and null always compare exactly. */
  tolerance?: ToleranceSpec
  /** Compare only these features (default: every feature either pipeline produces). */
  features?: readonly string[]
  /** How records are named in the report (default `#<index>`). */
  keyBy?: KeyBy<R>
  /** Offending examples shown per skewed feature (default 3). */
  maxExamples?: number
}

/**
 * Runs both pipelines on every record and compares feature by feature. Throws an assertion
 * error naming each skewed feature with its count of skewed examples, max abs and ULP
 * difference and the first offending records; a feature present on one side only is skew.
 * Returns the summary when no feature is skewed.
 */
export async function checkFeatureParity<R>(options: CheckFeatureParityOptions<R>): Promise<SkewSummary> {
  const check = 'checkFeatureParity'
  assertOptions(options, check, '{ records, training, serving }')
  const { records, training, serving } = options
  if (!Array.isArray(records)) throw new TypeError(`${check}: \`records\` must be an array of raw records (got ${typeof records})`)
  if (records.length === 0) throw new TypeError(`${check}: \`records\` is empty; pass the raw records both pipelines should transform`)
  assertPipeline(training, 'training', check)
  assertPipeline(serving, 'serving', check)
  const accumulator = new SkewAccumulator({
    tolerance: toleranceLookup(options.tolerance),
    features: options.features,
    maxSamples: positiveInteger(options.maxExamples, 3, 'maxExamples'),
  })
  const trainingRows: Features[] = await runPipeline(training, records, 'training', check)
  const servingRows: Features[] = await runPipeline(serving, records, 'serving', check)
  for (let i = 0; i < records.length; i++) {
    accumulator.add(keyOf(options.keyBy, records[i]!, i), trainingRows[i]!, servingRows[i]!)
  }
  return finishSkewCheck({
    check,
    subject: `${records.length} records through the training and the serving pipeline`,
    summary: accumulator.summary(),
  })
}
