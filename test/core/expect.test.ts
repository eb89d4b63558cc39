import t from 'tap'
import { expect } from '../../core/expect/index.ts'
import { formatIndex, toFlatNumbers } from '../../core/expect/numeric.ts'
import { failureOf } from '../failure-of.ts'


const tfjsLike = (shape: number[], data: number[]) => ({ shape, dataSync: () => Float32Array.from(data) })
const ortLike = (dims: number[], data: number[]) => ({ dims, data: Float64Array.from(data), type: 'float64' })

t.test('toFlatNumbers and formatIndex', async (t) => {
  t.same(toFlatNumbers(3), { values: [3], shape: [] })
  t.same(toFlatNumbers([[1, 2, 3], [4, 5, 6]]), { values: [1, 2, 3, 4, 5, 6], shape: [2, 3] })
  t.same(toFlatNumbers([[], []]).shape, [2, 0])
  t.same(toFlatNumbers(new Int32Array([1, 2])).shape, [2])
  t.same(toFlatNumbers([new Float32Array([1, 2]), new Float32Array([3, 4])]), { values: [1, 2, 3, 4], shape: [2, 2] })
  t.same(toFlatNumbers(tfjsLike([2, 1], [7, 8])).shape, [2, 1])
  t.same(Array.from(toFlatNumbers({ dims: [2], data: new BigInt64Array([1n, 2n]) }).values), [1, 2])
  t.throws(() => toFlatNumbers([[1, 2], [3]]), /ragged nested array: element at \[1\] is an array of length 1, but element at \[0\] has length 2/)
  t.throws(() => toFlatNumbers([[1, 2], 3]), /element at \[1\] is a number/)
  t.throws(() => toFlatNumbers([[1, 'x']]), /element at \[0, 1\] is a string \("x"\); expected a number/)
  t.throws(() => toFlatNumbers({ shape: [3], data: new Float32Array(2) }), /shape \[3\] holds 3 elements but its data has 2/)
  t.equal(formatIndex(5, [3, 2]), '[2, 1]')
  t.equal(formatIndex(7, [2, 2, 2]), '[1, 1, 1]')
  t.equal(formatIndex(0, []), '[]')
})

t.test('toAllClose passes on close values of every accepted kind', async () => {
  expect(1).toAllClose(1 + 1e-9)
  expect([[1, 2], [3, 4]]).toAllClose([[1, 2 + 1e-6], [3, 4]])
  expect(new Float32Array([0.1, 0.2])).toAllClose([0.1, 0.2], { rtol: 1e-6 })
  expect(tfjsLike([2, 2], [1, 2, 3, 4])).toAllClose(ortLike([2, 2], [1, 2, 3, 4]))
  expect([[0.5, 0.5], [0.5, 0.5]]).toAllClose(0.5)
  expect([Infinity, -Infinity]).toAllClose([Infinity, -Infinity])
  expect([1, NaN]).toAllClose([1, NaN], { equalNaN: true })
  expect([]).toAllClose([])
})

t.test('toAllClose follows the numpy formula |a - e| <= atol + rtol * |e|', async () => {
  // The examples from the numpy.allclose documentation.
  expect([1e10, 1e-7]).not.toAllClose([1.00001e10, 1e-8])
  expect([1e10, 1e-8]).toAllClose([1.00001e10, 1e-9])
  expect([1e10, 1e-8]).not.toAllClose([1.0001e10, 1e-9])
  // The tolerance scales with the expected value, not the received one.
  expect(100).toAllClose(101, { rtol: 0.01, atol: 0 })
  expect(101).not.toAllClose(100, { rtol: 0.0099, atol: 0 })
  expect(0).toAllClose(1e-3, { rtol: 0, atol: 1e-3 })
})

t.test('toAllClose failure reports count, worst element and tolerances', async (t) => {
  const received = Array.from({ length: 1000 }, () => 1)
  received[10] = 1.5
  received[500] = 3
  received[999] = 1.1
  const message = failureOf(() => expect(received).toAllClose(1))
  t.match(message, 'expect(received).toAllClose(expected)')
  t.match(message, '3 of 1000 elements (0.3%) differ (rtol 0.00001, atol 1e-8)')
  t.match(message, 'Worst at [500]: received 3, expected 1, abs diff 2, tolerance 0.00001001')
  t.match(message, 'Max abs diff: 2')
  t.notMatch(message, /\u001b\[/, 'no ANSI colours')

  const grid = [[0, 0, 0], [0, 0, 0]]
  const off = [[0, 0, 0.1], [0, 0.5, 0]]
  const gridMessage = failureOf(() => expect(grid).toAllClose(off, { rtol: 0, atol: 0.01 }))
  t.match(gridMessage, '2 of 6 elements (33.3%) differ (rtol 0, atol 0.01)')
  t.match(gridMessage, 'Worst at [1, 1]: received 0, expected 0.5, abs diff 0.5, tolerance 0.01')
})

t.test('toAllClose worst element is chosen by excess over tolerance, not abs diff', async (t) => {
  // 1000 vs 1010 is within rtol=0.01 (tol 10.1); 0 vs 1 exceeds atol by 0.99.
  const message = failureOf(() => expect([[1000, 0]]).toAllClose([[1010, 1]], { rtol: 0.01, atol: 0.01 }))
  t.match(message, '1 of 2 elements (50%) differ')
  t.match(message, 'Worst at [0, 1]: received 0, expected 1')
  t.match(message, 'Max abs diff: 10')
})

t.test('toAllClose with NaN and infinities', async (t) => {
  const nanMessage = failureOf(() => expect([5, 1, NaN]).toAllClose([1, 1, 2]))
  t.match(nanMessage, '2 of 3 elements (66.7%) differ')
  t.match(nanMessage, 'Worst at [2]: received NaN, expected 2', 'NaN outranks a finite difference')
  t.match(nanMessage, 'Max abs diff: Infinity', 'a NaN mismatch is infinitely far, as in every numeric report')
  t.match(failureOf(() => expect([NaN]).toAllClose([NaN])), '1 of 1 elements (100%) differ')
  t.match(failureOf(() => expect([1]).toAllClose([NaN], { equalNaN: true })), 'received 1, expected NaN')
  t.match(failureOf(() => expect([Infinity]).toAllClose([-Infinity])), 'received Infinity, expected -Infinity')
  t.match(failureOf(() => expect([Infinity, 1]).toAllClose([1e300, NaN])), 'Worst at [1]: received 1, expected NaN')
})

t.test('toAllClose shape mismatch states both shapes', async (t) => {
  const message = failureOf(() => expect([[1, 2, 3], [4, 5, 6]]).toAllClose([[1, 2], [3, 4], [5, 6]]))
  t.match(message, 'Shapes differ: received [2, 3], expected [3, 2]')
  t.match(failureOf(() => expect(1).toAllClose([1])), 'received [], expected [1]')
  t.match(failureOf(() => expect(tfjsLike([4], [1, 2, 3, 4])).toAllClose(ortLike([2, 2], [1, 2, 3, 4]))), 'received [4], expected [2, 2]')
  expect([1, 2]).not.toAllClose([1, 2, 3])
})

t.test('toAllClose with .not fails when everything is close', async (t) => {
  const message = failureOf(() => expect([1, 2, 3]).not.toAllClose([1, 2, 3 + 1e-9]))
  t.match(message, 'expect(received).not.toAllClose(expected)')
  t.match(message, 'all 3 elements are within tolerance (rtol 0.00001, atol 1e-8)')
})

t.test('toAllClose rejects bad input with a clear message, even under .not', async (t) => {
  t.match(failureOf(() => expect('1.0').toAllClose(1)), 'Invalid received value: cannot read numbers from a string ("1.0"); accepted: a number, a nested array')
  t.match(failureOf(() => expect([1]).not.toAllClose({ foo: 1 })), 'Invalid expected value: cannot read numbers from an object without a valid `shape` or `dims`')
  t.match(failureOf(() => expect([[1, 2], [3]]).not.toAllClose(1)), 'ragged nested array: element at [1] is an array of length 1, but element at [0] has length 2')
  t.match(failureOf(() => expect({ shape: [2], data: ['a', 'b'] }).toAllClose(1)), 'tensor data is an array of length 2; expected numbers')
  t.match(failureOf(() => expect(1).toAllClose(1, { rtol: -1 })), 'rtol must be a non-negative number, got -1')
  t.match(failureOf(() => expect(null).toAllClose(1)), 'cannot read numbers from null')
})

t.test('toBeFinite', async (t) => {
  expect(1).toBeFinite()
  expect([[1, 2], [3, 4]]).toBeFinite()
  expect(new Float32Array([1, -1e30])).toBeFinite()
  expect(tfjsLike([1, 2], [0, 1])).toBeFinite()
  expect([NaN]).not.toBeFinite()

  const message = failureOf(() => expect([[1, NaN, 3], [Infinity, 5, 6]]).toBeFinite())
  t.match(message, 'expect(received).toBeFinite()')
  t.match(message, '2 of 6 elements are not finite; first: NaN at [0, 1]')
  t.match(failureOf(() => expect(ortLike([2, 2], [0, 0, 0, -Infinity])).toBeFinite()), '1 of 4 elements are not finite; first: -Infinity at [1, 1]')
  t.match(failureOf(() => expect(new Float64Array([1, 2])).not.toBeFinite()), 'but all 2 elements are finite')
  t.match(failureOf(() => expect('NaN').not.toBeFinite()), 'Invalid received value: cannot read numbers from a string')
})

t.test('toHaveShape', async (t) => {
  expect(7).toHaveShape([])
  expect([[1, 2, 3], [4, 5, 6]]).toHaveShape([2, 3])
  expect(new Float32Array(5)).toHaveShape([5])
  expect(tfjsLike([2, 1, 2], [1, 2, 3, 4])).toHaveShape([2, 1, 2])
  expect(ortLike([1, 3], [1, 2, 3])).toHaveShape([1, 3])
  expect([[1, 2]]).not.toHaveShape([2, 1])

  t.match(failureOf(() => expect([[1, 2, 3], [4, 5, 6]]).toHaveShape([3, 2])), 'Expected shape [3, 2], received shape [2, 3]')
  t.match(failureOf(() => expect(ortLike([1, 3], [1, 2, 3])).not.toHaveShape([1, 3])), 'Expected a shape other than [1, 3]')
  t.match(failureOf(() => expect([[1, 2], [3, 4, 5]]).toHaveShape([2, 2])), 'ragged nested array: element at [1] is an array of length 3, but element at [0] has length 2')
  t.match(failureOf(() => expect([[1, 2], [3, 4]]).toHaveShape([2, -1])), 'Invalid expected shape: an array of length 2; expected an array of non-negative integers')
  t.match(failureOf(() => expect({ data: new Float32Array(2) }).toHaveShape([2])), 'without a valid `shape` or `dims`')
})
