/**
 * mltest/reproducibility — reproducible training and model unit tests for TensorFlow.js.
 *
 * - `checkReproducible(train, options)` trains several times with one seed (each run in its
 *   own worker thread by default, or its own child process) and demands identical weights,
 *   predictions and metrics.
 * - `checkTrainingStep(model, options)` is the model unit test: a few gradient steps on a
 *   seeded batch, then every variable must have moved and every number stayed finite.
 * - `seedEverything(seed)` seeds `Math.random` for the running test, which also seeds every
 *   tfjs random op that has no explicit seed.
 *
 * tfjs loads lazily, inside the checks; this module itself is light.
 */
export { checkReproducible } from './_internals/check-reproducible.ts'
export type { CheckReproducibleOptions, Isolation, ReproducibilityResult } from './_internals/check-reproducible.ts'
export type { Aspect, BackendGroup, RunComparison, TensorComparison, MetricComparison } from './_internals/compare-runs.ts'
export type { TrainContext, TrainFn, TrainResult, RunRecord, RunDiagnostics } from './_internals/run-training.ts'
export type { TrainModuleRef } from './_internals/worker-run.ts'
export type { ModelAdapter, WeightTensor, ShapedValues, StoredValues, ProbeInput } from './_internals/model-weights.ts'
export type { Checkpoint, CheckpointLevel } from './_internals/fit-probe.ts'
export { diffArrays } from './_internals/float-diff.ts'
export type { ArrayDiff } from './_internals/float-diff.ts'
export { ulpDistance } from 'mltest/plugin'
export type { FloatPrecision as Precision, Tolerance } from 'mltest/plugin'
export { checkTrainingStep } from './_internals/check-training-step.ts'
export type { TrainingStepOptions, TrainingStepResult, StepLoss } from './_internals/check-training-step.ts'
export type { VariableStep } from './_internals/step-report.ts'
export { seedEverything } from './_internals/seed-everything.ts'
export type { SeedHandle } from './_internals/seed-everything.ts'
export { reproducibilityPlugin } from './_internals/plugin.ts'
