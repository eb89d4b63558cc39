/**
 * Standardisation, (x - mean) / std, divides by zero when every value is the same — a
 * constant feature column, a padded batch, one example in a batch. Adding a small epsilon
 * under the square root keeps the output finite (and 0 for a constant input).
 */
import { describe, expect, test } from 'mltest'
import { arb, checkStability, finite, StabilityError, type TensorValue } from 'mltest/stability'

type Vector = TensorValue<'float32'>

function moments(x: Float32Array): { mean: number; variance: number } {
  const mean = x.reduce((a, b) => a + b, 0) / x.length
  const variance = x.reduce((a, b) => a + (b - mean) ** 2, 0) / x.length
  return { mean, variance }
}

function naiveStandardize(x: Vector): Float32Array {
  const { mean, variance } = moments(x.data)
  return x.data.map((v) => (v - mean) / Math.sqrt(variance))
}

function stableStandardize(x: Vector, epsilon = 1e-12): Float32Array {
  const { mean, variance } = moments(x.data)
  return x.data.map((v) => (v - mean) / Math.sqrt(variance + epsilon))
}

const vectors = arb.tensor({ shape: [8] })

describe('naive standardisation', () => {
  test.fails('is caught by checkStability', async () => {
    await checkStability(naiveStandardize, { inputs: vectors, runs: 200 })
  }, { error: /^checkStability: .+ broke after \d+ runs?/ })

  test('shrinks to a constant vector (std = 0)', async () => {
    const error = await checkStability(naiveStandardize, { inputs: vectors, runs: 200 }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(StabilityError)
    const { counterexample, reason } = error as StabilityError
    expect(new Set((counterexample as Vector).data).size).toBe(1)
    expect(reason).toMatch(/8 of 8 elements are not finite: output\[0\] = NaN/)
  })
})

test('standardisation with an epsilon is finite', async () => {
  await checkStability(stableStandardize, { inputs: vectors, runs: 200 })
})
