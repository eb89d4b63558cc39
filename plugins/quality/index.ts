/**
 * `mltest/quality`: model quality and monitoring. Metrics with scikit-learn's definitions;
 * slice quality (`checkSlices`, practice `data-slices`); inclusion and fairness
 * (`checkFairness`, `checkProxyFeatures`, `checkInvariance`, practice `inclusion`); drift as
 * the online proxy (`checkDrift`, practice `prediction-drift`); the complexity tax
 * (`checkComplexity`, practice `complexity-tax`). Every verdict states metric, threshold,
 * observed value, sample size and its confidence interval or p-value, and is inconclusive
 * when the data cannot tell.
 */
export {
  accuracy, balancedAccuracy, brierScore, confusionMatrix, f1, LOG_LOSS_EPS, logLoss, mae, METRICS, perClassScores, precision, r2, recall, resolveMetric, rmse, rocAuc,
} from './metrics.ts'
export type { Average, ClassificationOptions, ConfusionMatrix, Label, Metric, MetricInput, MetricName, PerClassScores, ZeroDivision } from './metrics.ts'
export { checkSlices } from './slices.ts'
export type { CheckSlicesOptions, Row, SliceBy, SliceKey, SliceResult, SlicesResult } from './slices.ts'
export { checkFairness } from './fairness.ts'
export type { CheckFairnessOptions, FairnessMetricName, FairnessMetricResult, FairnessResult, GroupFairness } from './fairness.ts'
export { checkProxyFeatures } from './proxies.ts'
export type { CheckProxyFeaturesOptions, ProxyFeature, ProxyFeaturesResult } from './proxies.ts'
export { checkInvariance } from './invariance.ts'
export type { CheckInvarianceOptions, FlippedRecord, InvarianceResult } from './invariance.ts'
export { bootstrapInterval, bootstrapMetric, pairedBootstrap } from './_internals/bootstrap.ts'
export type { BootstrapInterval, BootstrapOptions, PairedBootstrapInterval } from './_internals/bootstrap.ts'
export * from './drift.ts'
export * from './complexity.ts'
