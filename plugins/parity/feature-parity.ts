/**
 * `checkFeatureParity`: the same raw records through the training feature pipeline and the
 * serving one. Training/serving skew happens when the two code paths differ; this reports the
 * practice's metrics exactly: how many features are skewed, and for each, how many examples.
 */
import { parseCheckOptions, z } from 'mltest/plugin'
import type { Features } from './_internals/compare-features.ts'
import { arraySchema, keyBySchema, pipelineSchema, toleranceSchema } from './_internals/option-schemas.ts'
import { keyOf, runPipeline, type FeaturePipeline, type KeyBy } from './_internals/pipeline.ts'
import { assertOptions } from './_internals/report-format.ts'
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

/** Every option, declared once; `satisfies` keeps it in step with the interface above. */
const optionsSchema = z.object({
  records: arraySchema<readonly unknown[]>('records', 'raw records both pipelines should transform', { nonEmpty: true }),
  training: pipelineSchema<FeaturePipeline<unknown>>('training'),
  serving: pipelineSchema<FeaturePipeline<unknown>>('serving'),
  tolerance: toleranceSchema<ToleranceSpec>('tolerance', { map: true }).optional(),
  features: z.array(z.string()).optional(),
  keyBy: keyBySchema<KeyBy<unknown>>().optional(),
  maxExamples: z.number().int().min(1).optional(),
} satisfies Record<keyof CheckFeatureParityOptions<unknown>, z.ZodType>)

/**
 * Runs both pipelines on every record and compares feature by feature. Throws an assertion
 * error naming each skewed feature with its count of skewed examples, max abs and ULP
 * difference and the first offending records; a feature present on one side only is skew.
 * Returns the summary when no feature is skewed.
 */
export async function checkFeatureParity<R>(options: CheckFeatureParityOptions<R>): Promise<SkewSummary> {
  const check = 'checkFeatureParity'
  assertOptions(options, check, '{ records, training, serving }')
  parseCheckOptions(check, optionsSchema, options)
  const { records, training, serving } = options
  const accumulator = new SkewAccumulator({
    tolerance: toleranceLookup(options.tolerance),
    features: options.features,
    maxSamples: options.maxExamples ?? 3,
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
