/**
 * `mltest/parity`: training/serving skew checks. Feature pipelines compared record by record
 * (`checkFeatureParity`), serving-feature logs replayed through the training pipeline
 * (`checkServingLog`), distribution-level skew TFDV-style (`checkDistributionSkew`), and model
 * implementations compared output by output (`checkModelParity`), with `exportToOnnx` to get a
 * tfjs model into onnxruntime. Every check records practice `train-serve-skew` on the test.
 */
export { checkFeatureParity } from './feature-parity.ts'
export type { CheckFeatureParityOptions } from './feature-parity.ts'
export { checkServingLog } from './serving-log.ts'
export type { CheckServingLogOptions, ServingLogProgress, ServingLogRecord, ServingLogSource } from './serving-log.ts'
export { checkDistributionSkew } from './distribution-skew.ts'
export type { CheckDistributionSkewOptions, Correction, DistributionSkewSummary, FeatureDistributionSkew, FeatureKind, FeatureVerdict, RateComparison } from './distribution-skew.ts'
export { exportToOnnx } from './export-to-onnx.ts'
export type { ExportToOnnxOptions } from './export-to-onnx.ts'
export { checkModelParity } from './model-parity.ts'
export type { CheckModelParityOptions, ModelImplementation, ModelParityResult, PredictFunction } from './model-parity.ts'
export { jensenShannon, lInfinity } from './_internals/distances.ts'
export { ulpDistance } from 'mltest/plugin'
export type { Features, FeatureValue } from './_internals/compare-features.ts'
export type { FeaturePipeline, KeyBy } from './_internals/pipeline.ts'
export type { FeatureSkew, SkewSample, SkewSummary } from './_internals/skew-accumulator.ts'
export type { Tolerance } from 'mltest/plugin'
export type { ToleranceSpec } from './_internals/tolerance.ts'
