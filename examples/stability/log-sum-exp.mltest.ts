/**
 * log-sum-exp, the normaliser behind log-softmax and cross-entropy. Computed literally,
 * log(sum(exp(x))) overflows to Infinity once exp does (x > ~709.78 in float64, less when
 * several terms add up) and gives log(0) = -Infinity when every term underflows. Factoring
 * out the max, m + log(sum(exp(x - m))), is finite for every finite input.
 */
import { describe, expect, test } from 'mltest'
import { arb, checkStability, finite, FLOAT64, invariantUnder, StabilityError, type TensorValue } from 'mltest/stability'

type Vector = TensorValue<'float32'>

function naiveLogSumExp(x: Vector): number {
  return Math.log(x.data.reduce((sum, v) => sum + Math.exp(v), 0))
}

function stableLogSumExp(x: Vector): number {
  const max = x.data.reduce((a, b) => Math.max(a, b), -Infinity)
  return max + Math.log(x.data.reduce((sum, v) => sum + Math.exp(v - max), 0))
}

const reversed = (x: Vector): Vector => ({ ...x, data: x.data.slice().reverse() })
const vectors = arb.tensor({ shape: [8] })

describe('naive log-sum-exp', () => {
  test.fails('is caught by checkStability', async () => {
    await checkStability(naiveLogSumExp, { inputs: vectors })
  }, { error: /^checkStability: .+ broke after \d+ runs?/ })

  test('shrinks to an input whose exponentials overflow or all underflow', async () => {
    const error = await checkStability(naiveLogSumExp, { inputs: vectors }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(StabilityError)
    const { counterexample, output } = error as StabilityError
    const largest = Math.max(...(counterexample as Vector).data)
    // 8 terms overflow only if the largest exceeds ln(DBL_MAX) - ln(8); all underflow only below ln(MIN_VALUE).
    if (output === Infinity) expect(largest).toBeGreaterThan(FLOAT64.expFinite - Math.log(8))
    else expect({ output, largest: largest < FLOAT64.expSmallest }).toEqual({ output: -Infinity, largest: true })
  })
})

test('stable log-sum-exp is finite and does not depend on the order of its terms', async () => {
  await checkStability(stableLogSumExp, { inputs: vectors, property: [finite, invariantUnder(reversed, { rtol: 1e-12, atol: 1e-12 })] })
})
