/**
 * `mltest/stability`: numerical-stability fuzzing on fast-check. `checkStability` runs a
 * function on generated inputs that over-sample float edge values and checks a property of
 * its outputs; `arb` builds the inputs; the oracles are the properties.
 */
export { checkStability } from './check-stability.ts'
export type { CheckStabilityOptions, StabilityResult } from './check-stability.ts'
export { arb } from './arbitraries.ts'
export type { BatchOptions, ShapeOptions, TensorOptions } from './arbitrary-options.ts'
export { finite, monotonic, probability, sumsToOne } from './oracles.ts'
export type { MonotonicOptions, SumsToOneOptions } from './oracles.ts'
export { invariantUnder } from './invariance.ts'
export type { Tolerance } from 'mltest/plugin'
export { gradientsFinite } from './gradients-finite.ts'
export type { GradientsFiniteOptions } from './gradients-finite.ts'
export type { Oracle, OracleContext, OracleVerdict, Property, PropertyFn } from './oracle.ts'
export { StabilityError } from './_internals/report.ts'
export type { FailureDetails } from './_internals/report.ts'
export { mapTensor } from './_internals/tensor-value.ts'
export type { DType, TensorValue } from './_internals/tensor-value.ts'
export { edgeValues, FLOAT32, FLOAT64 } from './_internals/edge-values.ts'
export { loadTfjs } from './_internals/tfjs.ts'
export { stabilityPlugin } from './plugin.ts'
