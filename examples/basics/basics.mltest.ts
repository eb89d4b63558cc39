import { describe, expect, test } from 'mltest'

function softmax(logits: number[]): number[] {
  const max = Math.max(...logits)
  const exps = logits.map((x) => Math.exp(x - max))
  const sum = exps.reduce((a, b) => a + b, 0)
  return exps.map((e) => e / sum)
}

describe('softmax', () => {
  test('sums to one', () => {
    const p = softmax([1, 2, 3])
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 10)
  })
  test('matches reference values', () => {
    expect(softmax([1, 2, 3])).toAllClose([0.09003057, 0.24472847, 0.66524096], { rtol: 1e-6 })
  })
  test('is finite for large logits', (t) => {
    const logits = Array.from({ length: 16 }, () => t.rng.next() * 2000 - 1000)
    expect(softmax(logits)).toBeFinite()
  })
})
