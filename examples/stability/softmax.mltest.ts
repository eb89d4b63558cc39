/**
 * Softmax: the textbook formula exp(x) / sum(exp(x)) overflows in float32 once a logit
 * passes ~88.72 (exp gives Infinity, and Infinity / Infinity is NaN) and divides 0 by 0
 * when every logit is below ~-103.97. Subtracting the max logit first fixes both.
 */
import { describe, expect, test } from 'mltest'
import { arb, checkStability, finite, FLOAT32, invariantUnder, mapTensor, probability, StabilityError, sumsToOne, type TensorValue } from 'mltest/stability'

type Logits = TensorValue<'float32'>

function naiveSoftmax(logits: Logits): Float32Array {
  const exps = logits.data.map(Math.exp) // stored as float32: exp(89) is already Infinity
  const sum = exps.reduce((a, b) => a + b, 0)
  return exps.map((e) => e / sum)
}

function stableSoftmax(logits: Logits): Float32Array {
  const max = logits.data.reduce((a, b) => Math.max(a, b), -Infinity)
  const exps = logits.data.map((x) => Math.exp(x - max))
  const sum = exps.reduce((a, b) => a + b, 0)
  return exps.map((e) => e / sum)
}

const logits = arb.tensor({ shape: [8] })
const shiftBy7 = (x: Logits) => mapTensor(x, (v) => v + 7)

describe('naive softmax', () => {
  test.fails('is caught by checkStability', async () => {
    await checkStability(naiveSoftmax, { inputs: logits })
  }, { error: /^checkStability: .+ broke after \d+ runs?/ })

  test('shrinks to a logit just past the float32 exp overflow (or all logits past underflow)', async () => {
    const error = await checkStability(naiveSoftmax, { inputs: logits }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(StabilityError)
    const { counterexample, reason } = error as StabilityError
    const largest = Math.max(...(counterexample as Logits).data)
    expect(largest > FLOAT32.expFinite || largest < FLOAT32.expSmallest).toBe(true)
    expect(reason).toMatch(/not finite: output\[\d\] = NaN/)
  })
})

test('stable softmax is finite, a distribution, and shift-invariant', async () => {
  await checkStability(stableSoftmax, {
    inputs: logits,
    property: [finite, probability, sumsToOne({ tol: 1e-5 }), invariantUnder(shiftBy7, { rtol: 1e-4, atol: 1e-6 })],
  })
})
