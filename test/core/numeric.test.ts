// The numeric core (core/numeric/) and the report toolkit (core/report/): every edge case of the
// closeness rule, ULP distances checked against bit patterns read through a DataView, and the
// failure error and formatters every check's report is built from.
import t from 'tap'
import {
  absDiff, CheckFailure, compareArrays, describeTolerance, formatNumber, formatTable, isClose, isExactTolerance, isFloat32,
  pairPrecision, ulpDistance, validateTolerance,
} from '../../core/plugin.ts'
import { serializeError } from '../../core/worker/serialize-error.ts'

// Independent references: bit patterns through a DataView, big-endian, as BigInts.
const view = new DataView(new ArrayBuffer(8))
const bits32 = (x: number) => (view.setFloat32(0, x), view.getUint32(0))
const bits64 = (x: number) => (view.setFloat64(0, x), view.getBigUint64(0))
const fromBits32 = (b: number) => (view.setUint32(0, b), view.getFloat32(0))
const fromBits64 = (b: bigint) => (view.setBigUint64(0, b), view.getFloat64(0))
/** The next double above a finite x, by incrementing its bit pattern (x >= +0). */
const nextUp = (x: number) => fromBits64(bits64(x) + 1n)
/** The ordered-line position of a double: magnitude for positives, minus magnitude for negatives. */
const ordered64 = (x: number) => {
  const b = bits64(x)
  const magnitude = b & 0x7fffffffffffffffn
  return b >> 63n ? -magnitude : magnitude
}
const referenceUlps64 = (a: number, b: number) => {
  const d = ordered64(a) - ordered64(b)
  return Number(d < 0n ? -d : d)
}
const MAX32 = fromBits32(0x7f7fffff)
const MIN_SUBNORMAL32 = fromBits32(1)

t.test('NaN: equal to NaN only with equalNaN, never to a number', async (t) => {
  t.notOk(isClose(NaN, NaN, 'exact'), 'default equalNaN false, as numpy and toAllClose')
  t.notOk(isClose(NaN, NaN, { atol: Infinity, ulps: 1000 }), 'no tolerance makes NaN equal NaN')
  t.ok(isClose(NaN, NaN, 'exact', { equalNaN: true }))
  t.ok(isClose(NaN, NaN, { atol: 0 }, { equalNaN: true }))
  t.notOk(isClose(NaN, 1, { atol: Infinity }, { equalNaN: true }), 'NaN vs a number, even with equalNaN and atol Infinity')
  t.notOk(isClose(1, NaN, { rtol: 1e9, ulps: 2 ** 31 }, { equalNaN: true }))
  t.equal(ulpDistance(NaN, NaN, 'float32'), 0)
  t.equal(ulpDistance(NaN, NaN, 'float64'), 0)
  t.equal(ulpDistance(NaN, 0, 'float32'), Infinity)
  t.equal(ulpDistance(1, NaN, 'float64'), Infinity)
  t.equal(absDiff(NaN, NaN), 0)
  t.equal(absDiff(NaN, 2), Infinity, 'a NaN mismatch is infinitely far, so no max-difference figure hides it')
})

t.test('+0 and -0 are equal under every tolerance and 0 ULPs apart', async (t) => {
  t.ok(isClose(0, -0, 'exact'))
  t.ok(isClose(-0, 0, {}))
  t.ok(isClose(-0, 0, { ulps: 0 }, { precision: 'float32' }))
  t.equal(bits32(-0) - bits32(0), 0x80000000, 'they differ in the sign bit only')
  t.equal(ulpDistance(0, -0, 'float32'), 0)
  t.equal(ulpDistance(-0, 0, 'float64'), 0)
  t.equal(absDiff(0, -0), 0)
})

t.test('infinities: equal to the same infinity, never close to anything else', async (t) => {
  t.ok(isClose(Infinity, Infinity, 'exact'))
  t.ok(isClose(-Infinity, -Infinity, { atol: 0 }))
  t.notOk(isClose(Infinity, -Infinity, { atol: Infinity, rtol: Infinity, ulps: Number.MAX_SAFE_INTEGER }))
  t.notOk(isClose(-Infinity, Infinity, 'exact'))
  t.equal(ulpDistance(Infinity, -Infinity, 'float64'), Infinity)
  t.equal(ulpDistance(Infinity, Infinity, 'float32'), 0)
  t.equal(absDiff(Infinity, Infinity), 0)
  t.equal(absDiff(Infinity, -Infinity), Infinity)
})

t.test('an infinity is not close to a huge finite number, whatever the tolerance', async (t) => {
  // |Inf - x| <= atol + rtol * |Inf| would hold, and MAX32 is the last float before Infinity's bit pattern.
  t.equal(bits32(Infinity) - bits32(MAX32), 1, 'adjacent bit patterns')
  t.notOk(isClose(Infinity, MAX32, { ulps: 10 }), 'one bit pattern apart, but an overflow is not a rounding step')
  t.notOk(isClose(MAX32, Infinity, { rtol: 1 }), 'rtol scaled by |Infinity|')
  t.notOk(isClose(Infinity, Number.MAX_VALUE, { atol: 1e308 }))
  t.notOk(isClose(Number.MAX_VALUE, Infinity, { atol: Infinity }))
  t.notOk(isClose(-Infinity, -Number.MAX_VALUE, { atol: 1e308, rtol: 1, ulps: 10 }))
  t.equal(ulpDistance(MAX32, Infinity, 'float32'), Infinity)
  t.equal(ulpDistance(Number.MAX_VALUE, Infinity, 'float64'), Infinity)
  t.equal(ulpDistance(1e39, 2e39, 'float32'), 0, 'both overflow float32 when rounded to it: the same float32, Infinity')
  t.ok(isClose(Number.MAX_VALUE, Number.MAX_VALUE / 2, { atol: Infinity }), 'atol Infinity still accepts every finite pair')
})

t.test('denormals: counted like any float, one bit pattern apart per ULP', async (t) => {
  t.equal(MIN_SUBNORMAL32, 2 ** -149)
  t.equal(ulpDistance(0, MIN_SUBNORMAL32, 'float32'), 1)
  t.equal(ulpDistance(3 * 2 ** -149, 2 ** -126, 'float32'), bits32(2 ** -126) - 3, 'across the subnormal/normal boundary')
  t.equal(ulpDistance(0, 5e-324, 'float64'), 1)
  t.equal(ulpDistance(5e-324, 2 ** -1022, 'float64'), referenceUlps64(5e-324, 2 ** -1022))
  t.notOk(isClose(MIN_SUBNORMAL32, 0, 'exact'))
  t.notOk(isClose(MIN_SUBNORMAL32, 0, { atol: 0, rtol: 1 }), 'rtol scales with the expected 0')
  t.ok(isClose(MIN_SUBNORMAL32, 0, { ulps: 1 }))
  t.ok(isClose(0, MIN_SUBNORMAL32, { atol: 2e-45 }))
  t.notOk(isClose(0, MIN_SUBNORMAL32, { atol: 1e-45 }), '1.4e-45 > 1e-45')
})

t.test('float32 ULPs across zero and at known spacings', async (t) => {
  t.equal(ulpDistance(-MIN_SUBNORMAL32, MIN_SUBNORMAL32, 'float32'), 2)
  t.equal(ulpDistance(-1, 1, 'float32'), 2 * bits32(1), 'magnitudes add across zero')
  t.equal(ulpDistance(-2.5, 0.75, 'float32'), (bits32(-2.5) - 0x80000000) + bits32(0.75))
  t.equal(ulpDistance(1, 1 + 2 ** -23, 'float32'), 1, 'next float32 after 1')
  t.equal(ulpDistance(1, 1 - 2 ** -24, 'float32'), 1, 'previous float32 before 1 (finer spacing below 1)')
  t.equal(ulpDistance(1, 2, 'float32'), 2 ** 23, 'one binade')
  t.equal(ulpDistance(1, 1 + 1e-9, 'float32'), 0, 'doubles that round to one float32 are 0 apart')
  for (const [a, b] of [[0.1, 0.3], [-7.5, -1e-20], [1e30, 3e-30], [-MAX32, MAX32]] as const) {
    const expected = bits32(a) >>> 31 === bits32(b) >>> 31 ? Math.abs(bits32(a) - bits32(b)) : (bits32(a) & 0x7fffffff) + (bits32(b) & 0x7fffffff)
    t.equal(ulpDistance(a, b, 'float32'), expected, `${a} to ${b}`)
  }
})

t.test('float64 ULPs of adjacent doubles and far-apart ones match the bit patterns', async (t) => {
  t.equal(nextUp(1), 1 + Number.EPSILON, 'nextafter(1) through the DataView is 1 + EPSILON')
  t.equal(ulpDistance(1, 1 + Number.EPSILON, 'float64'), 1)
  t.equal(ulpDistance(1, 1 - Number.EPSILON / 2, 'float64'), 1, 'below 1 the spacing halves')
  t.equal(ulpDistance(0.1 + 0.2, 0.3, 'float64'), 1)
  t.equal(ulpDistance(1, 2, 'float64'), 2 ** 52)
  t.equal(ulpDistance(-5e-324, 5e-324, 'float64'), 2)
  for (const x of [1e-300, 0.7, 12345.678, 1e300, 2 ** 1023]) {
    t.equal(ulpDistance(x, nextUp(x), 'float64'), 1, `${x} and the next double`)
    t.equal(ulpDistance(nextUp(nextUp(nextUp(x))), x, 'float64'), 3)
    t.equal(ulpDistance(-x, -nextUp(x), 'float64'), 1, 'negatives too')
  }
  // Far apart (beyond 2^53 steps) the count is the correctly rounded exact count.
  for (const [a, b] of [[0, 1e-6], [-1, 1], [-Number.MAX_VALUE, Number.MAX_VALUE], [1e-300, 1e300], [-0.4, 0.6]] as const) {
    t.equal(ulpDistance(a, b, 'float64'), referenceUlps64(a, b), `${a} to ${b}`)
  }
  t.throws(() => ulpDistance(1, 2, 'float16' as never), /precision must be 'float32' or 'float64'/)
})

t.test('pair precision: float32 when both are float32 values', async (t) => {
  t.ok(isFloat32(0.5) && isFloat32(NaN) && isFloat32(-Infinity) && !isFloat32(0.1))
  t.equal(pairPrecision(0.5, Math.fround(0.1)), 'float32')
  t.equal(pairPrecision(0.5, 0.1), 'float64')
  t.notOk(isClose(0.1, Math.fround(0.1), { ulps: 0 }), 'a float32 rounding of a double is far in float64 ULPs')
  t.ok(isClose(0.1, Math.fround(0.1), { ulps: 0 }, { precision: 'float32' }), 'but 0 apart when counted in float32, as asked')
  t.ok(isClose(1, 1 + 2 * 2 ** -23, { ulps: 2 }), 'two float32 values, two float32 steps')
  t.notOk(isClose(1, 1 + 2 * 2 ** -23, { ulps: 1 }))
})

t.test("'exact', atol only, rtol only and ulps only", async (t) => {
  t.ok(isClose(1, 1, 'exact'))
  t.notOk(isClose(1 + Number.EPSILON, 1, 'exact'))
  t.notOk(isClose(1 + Number.EPSILON, 1, {}), '{} allows nothing')
  t.ok(isClose(1.5, 1, { atol: 0.5 }), 'atol bound is inclusive')
  t.notOk(isClose(1.5, 1, { atol: 0.25 }))
  t.ok(isClose(1e10 + 1, 1e10, { atol: 1 }), 'atol ignores magnitude')
  t.ok(isClose(110, 100, { rtol: 0.1 }), 'rtol scales with |expected|: 10 <= 0.1 * 100')
  t.ok(isClose(100, 110, { rtol: 0.095 }), '10 <= 0.095 * 110')
  t.notOk(isClose(110, 100, { rtol: 0.095 }), 'asymmetric, numpy-style: 10 > 0.095 * 100')
  t.notOk(isClose(1e-10, 0, { rtol: 0.5 }), 'rtol alone never accepts a non-zero against 0')
  t.ok(isClose(nextUp(nextUp(1)), 1, { ulps: 2 }), 'two float64 steps')
  t.notOk(isClose(nextUp(nextUp(1)), 1, { ulps: 1 }))
})

t.test('the combination: close when within atol + rtol * |expected| OR within ulps', async (t) => {
  const tolerance = { atol: 1e-12, rtol: 1e-9, ulps: 4 }
  const manySteps = 1 + 1e-10 // ~450 000 float64 steps from 1, but within rtol * 1
  t.ok(referenceUlps64(manySteps, 1) > 4 && isClose(manySteps, 1, tolerance), 'outside ulps, inside atol + rtol * |e|')
  const tiny = fromBits64(bits64(1e-300) + 3n) // 3 steps above 1e-300, far below any relative allowance anyway
  t.ok(isClose(tiny, 1e-300, { ulps: 4 }) && !isClose(tiny, 1e-300, { atol: 0, rtol: 1e-20 }), 'ulps alone accepts it')
  const big = nextUp(nextUp(nextUp(1e20)))
  t.ok(isClose(big, 1e20, { atol: 1e-12, ulps: 4 }), 'outside atol (a step at 1e20 is 16384), inside ulps')
  t.notOk(isClose(big, 1e20, { atol: 1e-12, ulps: 2 }), 'outside both')
  t.ok(isClose(1 + 1e-8, 1, { atol: 5e-9, rtol: 5e-9 }), 'atol and rtol add: 1e-8 <= 5e-9 + 5e-9 * 1')
  t.notOk(isClose(1 + 1e-8, 1, { atol: 5e-9 }), 'either alone is not enough')
})

t.test('validateTolerance, isExactTolerance, describeTolerance', async (t) => {
  t.same(validateTolerance({ atol: 1e-6, ulps: 3 }), { atol: 1e-6, ulps: 3 })
  t.equal(validateTolerance('exact'), 'exact')
  t.same(validateTolerance({ atol: Infinity }), { atol: Infinity })
  t.throws(() => validateTolerance({ atol: -1 }), { name: 'TypeError', message: 'tolerance.atol must be a non-negative number (got -1)' })
  t.throws(() => validateTolerance({ rtol: NaN }, 'opts.tol'), /opts\.tol\.rtol must be a non-negative number \(got NaN\)/)
  t.throws(() => validateTolerance({ ulps: 1.5 }), /tolerance\.ulps must be a non-negative integer \(got 1\.5\)/)
  t.throws(() => validateTolerance({ atl: 1 }), /tolerance has unknown key "atl"; use atol, rtol or ulps/)
  t.throws(() => validateTolerance(0.1), /tolerance must be 'exact' or \{ atol\?, rtol\?, ulps\? \} \(got 0\.1\)/)
  t.throws(() => validateTolerance(null), /\(got null\)/)
  t.ok(isExactTolerance('exact') && isExactTolerance({}) && isExactTolerance({ atol: 0, rtol: 0, ulps: 0 }))
  t.notOk(isExactTolerance({ ulps: 1 }))
  t.equal(describeTolerance('exact'), 'exact')
  t.equal(describeTolerance({}), 'exact')
  t.equal(describeTolerance({ atol: 1e-5, rtol: 0.001 }), 'atol 1e-5, rtol 0.001')
  t.equal(describeTolerance({ rtol: 0.1, ulps: 4 }), 'rtol 0.1 or <= 4 ulps (float32 ulps when both values are float32, else float64)')
  t.equal(describeTolerance({ ulps: 0 }, 'float32 ulps'), '<= 0 float32 ulps')
})

t.test('compareArrays: counts, first and worst mismatch, maxima per precision', async (t) => {
  const c = compareArrays([1, 2, 5, NaN, Infinity, 0], [1, 2.5, 3, 1, 1e300, -0], { atol: 0.6 })
  t.same(c, { total: 6, mismatches: 3, firstMismatch: 2, worst: 3, maxAbsDiff: Infinity, maxUlps: { float32: Infinity, float64: Infinity } })
  t.equal(compareArrays([5, Infinity], [1, 1e300], 'exact').worst, 1, 'an infinity mismatch outranks a finite one')
  // Worst by excess over the tolerance, not by abs diff: 1020 vs 1000 is 20 off on an allowance of 10.01, 15 vs 0 is 15 off on 0.01.
  const excess = compareArrays([1020, 15, 50], [1000, 0, 51], { atol: 0.01, rtol: 0.01 })
  t.same([excess.mismatches, excess.worst, excess.maxAbsDiff], [3, 1, 20], 'excess 9.99, 14.99 and 0.48: the second is worst')
  const scalar = compareArrays(Float32Array.of(0.5, 0.5, 0.25), 0.5, 'exact')
  t.same([scalar.mismatches, scalar.firstMismatch, scalar.maxUlps], [1, 2, { float32: 2 ** 23, float64: null }], 'a scalar expected is broadcast')
  const mixed = compareArrays([0.5, 0.1], [0.5, 0.1 + 2 ** -56], { ulps: 1 })
  t.same(mixed.maxUlps, { float32: 0, float64: 1 }, 'float32 pairs and float64 pairs kept apart')
  t.same(compareArrays([NaN], [NaN], 'exact', { equalNaN: true }).mismatches, 0)
  t.same(compareArrays([], [], 'exact'), { total: 0, mismatches: 0, firstMismatch: -1, worst: -1, maxAbsDiff: 0, maxUlps: { float32: null, float64: null } })
  t.throws(() => compareArrays([1], [1, 2], 'exact'), /cannot compare arrays of different lengths \(1 and 2\)/)
})

t.test('CheckFailure is serialised as an assertion, with its report as the message', async (t) => {
  const failure = new CheckFailure('checkThing: 3 of 4 broke\n  threshold: 0')
  t.ok(failure instanceof Error)
  const serialized = serializeError(failure)
  t.match(serialized, { kind: 'assertion', name: 'AssertionError', message: 'checkThing: 3 of 4 broke\n  threshold: 0' })
  t.equal(serialized.diff, undefined, 'no diff without expected and actual')
  t.match(failure.stack, /^AssertionError: checkThing/)
  class DomainFailure extends CheckFailure {}
  t.equal(serializeError(new DomainFailure('x')).kind, 'assertion', 'subclasses stay assertions')
  const withDiff = serializeError(new CheckFailure('weights differ', { expected: { w: [1, 2] }, actual: { w: [1, 3] } }))
  t.match(withDiff.diff, /- Expected\n\+ Received[\s\S]*- +2,\n\+ +3,/)
  const caused = serializeError(new CheckFailure('check failed', { cause: new RangeError('bad') }))
  t.match(caused.cause, { kind: 'error', name: 'RangeError', message: 'bad' })
})

t.test('formatNumber: significant digits, special values, exact integers', async (t) => {
  const cases: [number, number | undefined, string][] = [
    [NaN, undefined, 'NaN'], [Infinity, undefined, 'Infinity'], [-Infinity, undefined, '-Infinity'],
    [-0, undefined, '-0'], [0, undefined, '0'], [123456789, undefined, '123456789'], [2 ** 53 - 1, undefined, '9007199254740991'],
    [2 ** 53, undefined, '9.007e+15'], [4517329193108106637, undefined, '4.517e+18'], [0.1 + 0.2, undefined, '0.3'],
    [88.72283935546875, undefined, '88.72'], [88.72283935546875, 8, '88.722839'], [1.401298464324817e-45, 8, '1.4012985e-45'],
    [1e-5, undefined, '1e-5'], [1.1574e-6, undefined, '1.157e-6'], [0.00041734, undefined, '0.0004173'], [1e-4, undefined, '0.0001'],
    [1234567.8, undefined, '1.235e+6'], [999999.7, undefined, '1e+6'], [-1.5e-7, undefined, '-1.5e-7'], [12345.6, undefined, '12350'],
    [Number.MAX_VALUE, undefined, '1.798e+308'], [Number.MAX_VALUE, 3, '1.8e+308'], [-Number.MAX_VALUE, 2, '-1.8e+308'], [5e-324, undefined, '5e-324'], [0.1 + 0.2, 17, '0.30000000000000004'],
    [1e-5, 17, '1e-5'], [2.5, 1, '3'], [0.123456, 0, '0.1'], [0.123456, 40, '0.123456'],
  ]
  for (const [x, digits, expected] of cases) t.equal(formatNumber(x, digits), expected, `formatNumber(${x}, ${digits})`)
})

t.test('formatTable: one padder, per-column alignment, no trailing spaces', async (t) => {
  const rows = [['tensor', 'max ULP', 'note'], ['dense/kernel', '3', ''], ['b', '1024', 'f64']]
  t.equal(formatTable(rows), 'tensor        max ULP  note\ndense/kernel  3\nb             1024     f64')
  t.equal(formatTable(rows, { align: ['left', 'right'], indent: '    ' }), '    tensor        max ULP  note\n    dense/kernel        3\n    b                1024  f64')
  t.equal(formatTable([['a', 'bb'], ['ccc', 'd']], { align: 'right', gap: ' | ' }), '  a | bb\nccc |  d')
  t.equal(formatTable([['only'], ['ragged', 'row']], {}), 'only\nragged  row', 'missing cells are empty')
  t.equal(formatTable([]), '')
})
