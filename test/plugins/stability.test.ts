import t from 'tap'
import fc from 'fast-check'
import { registerPlugins } from '../../core/plugin-host.ts'
import { builtinPlugins } from '../../core/builtin-plugins.ts'
import { createRunningTest, runWithTest } from '../../core/worker/context.ts'
import type { CheckRecord, CollectedTest } from '../../core/protocol.ts'
import {
  arb,
  checkStability,
  edgeValues,
  finite,
  FLOAT32,
  FLOAT64,
  invariantUnder,
  mapTensor,
  monotonic,
  probability,
  StabilityError,
  stabilityPlugin,
  sumsToOne,
  type TensorValue,
} from '../../plugins/stability/index.ts'
import { float32Bound } from '../../plugins/stability/_internals/edge-values.ts'
import { formatElement, formatValue } from '../../plugins/stability/_internals/format.ts'
import { optionFields, setPluginOptions } from '../../core/plugin-options.ts'
import { resolveConfig } from '../../core/node/resolve-config.ts'

/** The worker-side effect of `pluginOptions.stability` (what core does in each worker). */
const setStabilityDefaults = (options: { runs?: number; edgeBias?: number }) => setPluginOptions({ stability: { runs: 100, edgeBias: 0.1, ...options } })
import { makeProject, runCli } from '../e2e/run-cli.ts'
import { rejectionOf } from '../failure-of.ts'

type Vec = TensorValue<'float32'>

/** Runs a check that must fail and returns its error. */
const failureOf = (check: Promise<unknown>) => rejectionOf(check, StabilityError)

const naiveSoftmax = (x: Vec) => {
  const exps = x.data.map(Math.exp)
  const sum = exps.reduce((a, b) => a + b, 0)
  return exps.map((e) => e / sum)
}
const stableSoftmax = (x: Vec) => {
  const max = x.data.reduce((a, b) => Math.max(a, b), -Infinity)
  const exps = x.data.map((v) => Math.exp(v - max))
  const sum = exps.reduce((a, b) => a + b, 0)
  return exps.map((e) => e / sum)
}

t.test('edge values sit exactly on the float thresholds they name', async (t) => {
  const f = Math.fround
  t.equal(FLOAT32.minSubnormal, 1.401298464324817e-45)
  t.equal(FLOAT32.minNormal, 1.1754943508222875e-38)
  t.equal(FLOAT32.max, 3.4028234663852886e38)
  for (const [name, v] of Object.entries(FLOAT32)) t.equal(f(v), v, `${name} is a float32`)
  t.ok(Number.isFinite(f(Math.exp(FLOAT32.expFinite))), 'exp(expFinite) is finite in float32')
  t.equal(f(Math.exp(FLOAT32.expOverflow)), Infinity, 'exp(expOverflow) overflows in float32')
  t.ok(f(Math.exp(FLOAT32.expNormal)) >= FLOAT32.minNormal, 'exp(expNormal) is normal')
  t.ok(f(Math.exp(FLOAT32.expSubnormal)) < FLOAT32.minNormal, 'exp(expSubnormal) is subnormal')
  t.equal(f(Math.exp(FLOAT32.expSmallest)), FLOAT32.minSubnormal)
  t.equal(f(Math.exp(FLOAT32.expZero)), 0)
  t.ok(Number.isFinite(f(FLOAT32.squareFinite ** 2)))
  t.equal(f(FLOAT32.squareOverflow ** 2), Infinity)
  t.equal(f(FLOAT32.maxExactInteger + 1), FLOAT32.maxExactInteger, 'x + 1 is lost from 2^24')
  t.ok(Number.isFinite(Math.exp(FLOAT64.expFinite)))
  t.equal(Math.exp(FLOAT64.expOverflow), Infinity)
  t.equal(Math.exp(FLOAT64.expSmallest), Number.MIN_VALUE)
  t.equal(Math.exp(FLOAT64.expZero), 0)
  t.equal(FLOAT64.squareFinite ** 2 < Infinity, true)

  const within = edgeValues('float32', -100, 100, false)
  t.ok(within.every((v) => v >= -100 && v <= 100))
  t.ok(within.includes(FLOAT32.expOverflow) && within.includes(-FLOAT32.expOverflow) && within.some((v) => Object.is(v, -0)))
  t.notOk(within.some(Number.isNaN))
  const withNonFinite = edgeValues('float32', -Infinity, Infinity, true)
  t.ok(withNonFinite.some(Number.isNaN) && withNonFinite.includes(Infinity) && withNonFinite.includes(-Infinity))
  t.same(edgeValues('int32', 0, 10, true), [0, 1])
  t.equal(float32Bound(0.1, 'min') >= 0.1, true)
  t.equal(float32Bound(0.1, 'max') <= 0.1, true)
  t.equal(float32Bound(1e39, 'max'), FLOAT32.max)
})

t.test('edge bias generates every listed float32 edge value, constant tensors and edge-only tensors', async (t) => {
  const samples = fc.sample(arb.tensor({ shape: [64], edgeBias: 0.5 }), { seed: 7, numRuns: 60 })
  const seen = samples.flatMap((s) => Array.from(s.data))
  for (const edge of edgeValues('float32', -FLOAT32.max, FLOAT32.max, false)) {
    t.ok(seen.some((v) => Object.is(v, edge)), `edge value ${formatElement(edge)} is generated`)
  }
  t.notOk(seen.some((v) => !Number.isFinite(v)), 'no NaN or ±Infinity unless asked')
  const nonFinite = fc.sample(arb.tensor({ shape: [64], edgeBias: 0.5, nonFinite: true }), { seed: 7, numRuns: 30 }).flatMap((s) => Array.from(s.data))
  t.ok(nonFinite.some(Number.isNaN) && nonFinite.includes(Infinity) && nonFinite.includes(-Infinity), 'NaN and ±Infinity when asked')

  // Tensor patterns have weights 1 : p : p, so with p = 0.5 a quarter of tensors are constant.
  const constantShare = (edgeBias: number) => {
    const tensors = fc.sample(arb.tensor({ shape: [8], edgeBias }), { seed: 11, numRuns: 400 })
    return tensors.filter((x) => new Set(x.data).size === 1).length / tensors.length
  }
  const biased = constantShare(0.5)
  t.ok(biased > 0.15 && biased < 0.35, `constant share with edgeBias 0.5 is ${biased}, expected ≈ 0.25`)
  t.ok(constantShare(0) < 0.05, 'constant tensors are rare without edge bias')
})

t.test('generated values are pinned at a fixed seed (replays stay valid)', async (t) => {
  const pinned = fc.sample(arb.tensor({ shape: [3], edgeBias: 0.25 }), { seed: 2024, numRuns: 4 })
  t.same(
    pinned.map((x) => Array.from(x.data)),
    [
      [-3.4028220466166163e38, -1.8216880036222622e-44, -2.6624670822171524e-44],
      [-67.68474578857422, -3.4028228579130005e38, -103.97208404541016],
      [0, 88.72283935546875, -3.5032461608120427e-44],
      [-3.4028222494407124e38, -3.4028222494407124e38, -3.4028222494407124e38],
    ],
  )
  const shaped = fc.sample(arb.tensor({ shape: arb.shape({ rank: [1, 2], maxDim: 3 }), dtype: 'int32', edgeBias: 0.25 }), { seed: 2024, numRuns: 3 })
  t.same(shaped.map((x) => [x.shape, Array.from(x.data)]), [[[2], [-243584954, 0]], [[1], [-1742096552]], [[2], [0, 0]]])
})

t.test('arbitraries respect dtype, range and shape options, and reject bad ones', async (t) => {
  for (const dtype of ['float32', 'float64', 'int32'] as const) {
    const xs = fc.sample(arb.tensor({ shape: [2, 3], dtype, min: -5, max: 5, edgeBias: 0.3 }), { seed: 1, numRuns: 50 })
    const ctor = { float32: Float32Array, float64: Float64Array, int32: Int32Array }[dtype]
    t.ok(xs.every((x) => x.data instanceof ctor && x.dtype === dtype && x.data.length === 6), `${dtype} typed array of 6`)
    t.ok(xs.every((x) => x.data.every((v) => v >= -5 && v <= 5)), `${dtype} values in [-5, 5]`)
  }
  const shapes = fc.sample(arb.shape({ rank: [1, 3], minDim: 0, maxDim: 4 }), { seed: 3, numRuns: 100 })
  t.ok(shapes.every((s) => s.length >= 1 && s.length <= 3 && s.every((d) => d >= 0 && d <= 4)))
  t.ok(shapes.some((s) => s.includes(0)), 'minDim 0 gives empty tensors')
  const fuzzed = fc.sample(arb.tensor({ shape: arb.shape({ rank: 2 }) }), { seed: 3, numRuns: 50 })
  t.ok(fuzzed.every((x) => x.data.length === x.shape[0]! * x.shape[1]!))
  const batches = fc.sample(arb.batch({ shape: [4], minSize: 1, maxSize: 5 }), { seed: 3, numRuns: 50 })
  t.ok(batches.every((b) => b.shape.length === 2 && b.shape[1] === 4 && b.shape[0]! >= 1 && b.shape[0]! <= 5 && b.data.length === b.shape[0]! * 4))
  t.ok(batches.some((b) => b.shape[0] === 1), 'batches of one are generated')

  t.throws(() => arb.tensor({} as never), { message: 'arb.tensor: option "shape" must be an array of non-negative integers, or a shape arbitrary such as arb.shape({ rank: 2 }) (got undefined)' })
  t.throws(() => arb.tensor({ shape: [2], min: 3, max: 1 }), { message: 'arb.tensor: min must be <= max, got min 3 and max 1 — swap them or widen the range' })
  t.throws(() => arb.tensor({ shape: [2], dtype: 'int32', max: -3e9 }), /min must be <= max, got min -2147483648 and max -3000000000/, 'a bound past the defaulted other one')
  t.throws(() => arb.tensor({ shape: [2], edgeBias: 2 }), { message: 'arb.tensor: option "edgeBias" must be a number in [0, 1] or a boolean (0 or false: off) (got 2)' })
  t.throws(() => arb.tensor({ shape: [2], dtype: 'float16' as never }), { message: 'arb.tensor: option "dtype" must be one of float32, float64, int32 (got "float16")' })
  t.throws(() => arb.shape({ rank: -1 }), { message: 'arb.shape: option "rank" must be an integer >= 0 or a [minRank, maxRank] pair of them (got -1)' })
  t.throws(() => arb.shape({ rank: [3, 1] }), { message: 'arb.shape: option "rank" must be a [minRank, maxRank] pair with minRank <= maxRank (got [3,1])' })
  t.throws(() => arb.shape({ minDim: 10 }), { message: 'arb.shape: option "maxDim" must be >= minDim 10 (got 8)' }, 'against the default maxDim too')
  t.throws(() => arb.batch({ shape: [2], minSize: 4, maxSize: 2 }), { message: 'arb.batch: option "maxSize" must be >= minSize 4 (got 2)' })
  const badShapes = arb.tensor({ shape: fc.constant([2, -1]) })
  t.throws(() => fc.sample(badShapes, 1), /arb.tensor: the shape arbitrary must generate arrays of non-negative integers, got \[2,-1\]/)
})

t.test('options: a misspelled option or a wrong type is a one-line error naming the check and the option', async (t) => {
  const inputs = arb.tensor({ shape: [2] })
  const cases: Array<[string, () => unknown, string]> = [
    ['checkStability runz', () => checkStability(() => 0, { inputs, runz: 5 } as never), 'checkStability: unknown option "runz" — did you mean "runs"? (known: inputs, property, runs, seed, path, edgeCases)'],
    ['checkStability runs type', () => checkStability(() => 0, { inputs, runs: '5' } as never), 'checkStability: option "runs" must be an integer (got "5")'],
    ['arb.tensor edgebias', () => arb.tensor({ shape: [2], edgebias: 0 } as never), 'arb.tensor: unknown option "edgebias" — did you mean "edgeBias"? (known: shape, dtype, min, max, edgeBias, nonFinite)'],
    ['arb.tensor nonFinite type', () => arb.tensor({ shape: [2], nonFinite: 'yes' } as never), 'arb.tensor: option "nonFinite" must be a boolean (got "yes")'],
    ['arb.shape maxdim', () => arb.shape({ maxdim: 3 } as never), 'arb.shape: unknown option "maxdim" — did you mean "maxDim"? (known: rank, minDim, maxDim)'],
    ['arb.shape minDim type', () => arb.shape({ minDim: 0.5 }), 'arb.shape: option "minDim" must be an integer (got 0.5)'],
    ['arb.batch maxsize', () => arb.batch({ shape: [2], maxsize: 3 } as never), 'arb.batch: unknown option "maxsize" — did you mean "maxSize"? (known: shape, minSize, maxSize, dtype, min, max, edgeBias, nonFinite)'],
    ['arb.batch min type', () => arb.batch({ shape: [2], min: '0' } as never), 'arb.batch: option "min" must be a number (got "0")'],
    ['sumsToOne axes', () => sumsToOne({ axes: 1 } as never), 'sumsToOne: unknown option "axes" — did you mean "axis"? (known: axis, tol)'],
    ['sumsToOne tol', () => sumsToOne({ tol: -1 }), 'sumsToOne: option "tol" must be a number >= 0 (got -1)'],
    ['monotonic strickt', () => monotonic({ strickt: true } as never), 'monotonic: unknown option "strickt" — did you mean "strict"? (known: direction, strict)'],
    ['monotonic direction', () => monotonic({ direction: 'up' as never }), 'monotonic: option "direction" must be one of increasing, decreasing (got "up")'],
    ['invariantUnder rtl', () => invariantUnder((x) => x, { rtl: 1e-3 } as never), 'invariantUnder(transform, tol): tol must be a non-negative number, \'exact\' or { rtol?, atol?, ulps? }: tol has unknown key "rtl"; use atol, rtol or ulps'],
    ['invariantUnder atol', () => invariantUnder((x) => x, { atol: '1' } as never), 'invariantUnder(transform, tol): tol must be a non-negative number, \'exact\' or { rtol?, atol?, ulps? }: tol.atol must be a non-negative number (got 1)'],
  ]
  for (const [what, call, message] of cases) {
    const error = await (async () => call())().then(() => undefined, (e: unknown) => e as Error)
    t.equal(error?.message, message, what)
    t.notOk(error?.message.includes('\n'), `${what}: one line`)
  }
  // The same options, spelled right, are accepted.
  await checkStability(() => 0, { inputs, runs: 5, seed: 1, edgeCases: [] })
  t.ok(arb.tensor({ shape: [2], dtype: 'float64', min: -1, max: Infinity, edgeBias: true, nonFinite: true }))
  t.ok(arb.shape({ rank: [1, 2], minDim: 0, maxDim: 3 }))
  t.ok(arb.batch({ shape: [2], minSize: 2, maxSize: 3, edgeBias: 0 }))
  t.equal(sumsToOne({ axis: 0, tol: 0 }).name, 'sumsToOne(axis 0, tol 0)')
  t.equal(monotonic({ direction: 'decreasing', strict: true }).name, 'monotonic(decreasing, strict)')
})

t.test('finite: fails on a naive softmax with an overflowing logit, passes on the stable one', async (t) => {
  const error = await failureOf(checkStability(naiveSoftmax, { inputs: arb.tensor({ shape: [8] }), seed: 42 }))
  const largest = Math.max(...(error.counterexample as Vec).data)
  t.ok(largest > FLOAT32.expFinite || largest < FLOAT32.expSmallest, `shrunk to ${largest}`)
  t.equal(error.name, 'AssertionError')
  t.equal(error.code, 'ERR_ASSERTION')
  t.equal(error.property, 'finite')
  t.match(error.message, /^checkStability: finite broke after \d+ runs? \(counterexample shrunk \d+ times?\)/)
  t.match(error.message, /counterexample: float32 \[8\] \[/)
  t.match(error.message, /output: +float32 \[8\] \[.*NaN/)
  t.match(error.message, /broken: +\d of 8 elements (is|are) not finite: output\[\d\] = NaN/)
  t.match(error.message, new RegExp(`replay: +checkStability\\(fn, \\{ \\.\\.\\.options, seed: 42, path: "${error.path}" \\}\\)`))
  t.ok(error.runs >= 1 && error.shrinks >= 1)
  const passed = await checkStability(stableSoftmax, { inputs: arb.tensor({ shape: [8] }), seed: 42 })
  t.same(passed, { property: 'finite', runs: 100, seed: 42 })
})

t.test('probability: fails on an unclipped hard sigmoid, passes when clipped', async (t) => {
  const hardSigmoid = (x: Vec) => x.data.map((v) => 0.2 * v + 0.5)
  const clipped = (x: Vec) => x.data.map((v) => Math.min(1, Math.max(0, 0.2 * v + 0.5)))
  const error = await failureOf(checkStability(hardSigmoid, { inputs: arb.tensor({ shape: [4], min: -10, max: 10 }), property: probability, seed: 1 }))
  t.match(error.reason, /1 of 4 elements is outside \[0, 1\]: output\[\d\] = /)
  t.ok(Math.max(...(error.counterexample as Vec).data.map(Math.abs)) > 2.5, 'the shrunk input leaves [-2.5, 2.5]')
  await checkStability(clipped, { inputs: arb.tensor({ shape: [4], min: -10, max: 10 }), property: probability, seed: 1 })
})

/** Softmax of a [rows, cols] tensor along `axis` (0: down columns, 1: along rows). */
function softmax2d(x: Vec, axis: 0 | 1): Vec {
  const [rows, cols] = x.shape as [number, number]
  const out = new Float32Array(x.data.length)
  const at = (i: number, j: number) => i * cols + j
  for (let k = 0; k < (axis === 1 ? rows : cols); k++) {
    const idx = Array.from({ length: axis === 1 ? cols : rows }, (_, m) => (axis === 1 ? at(k, m) : at(m, k)))
    const max = Math.max(...idx.map((i) => x.data[i]!))
    const sum = idx.reduce((s, i) => s + Math.exp(x.data[i]! - max), 0)
    for (const i of idx) out[i] = Math.exp(x.data[i]! - max) / sum
  }
  return { data: out, shape: [rows, cols], dtype: 'float32' }
}

t.test('sumsToOne: fails on a softmax over the wrong axis, passes on the right one', async (t) => {
  const inputs = arb.tensor({ shape: [2, 3], min: -10, max: 10 })
  const error = await failureOf(checkStability((x: Vec) => softmax2d(x, 0), { inputs, property: sumsToOne(), seed: 5 }))
  t.equal(error.property, 'sumsToOne(axis -1, tol 1e-5)')
  t.match(error.reason, /^output summed along axis -1 at \[\d\] is [\d.e+-]+ \(\|sum − 1\| = [\d.e+-]+ > tol 1e-5\)$/)
  await checkStability((x: Vec) => softmax2d(x, 1), { inputs, property: sumsToOne(), seed: 5 })
  await checkStability((x: Vec) => softmax2d(x, 1), { inputs, property: sumsToOne({ axis: 1, tol: 1e-6 }), seed: 5 })
  await checkStability((x: Vec) => softmax2d(x, 0), { inputs, property: sumsToOne({ axis: 0 }), seed: 5 })
  await t.rejects(checkStability((x: Vec) => softmax2d(x, 1), { inputs, property: sumsToOne({ axis: 2 }) }), /axis 2 is out of range for a rank-2 output/)
})

t.test('monotonic: fails on an int8 quantiser that wraps, passes when it saturates', async (t) => {
  const inputs = arb.tensor({ shape: [16], min: -10, max: 10 })
  const wraps = (x: Vec) => Int8Array.from(x.data, (v) => Math.round(v / 0.05))
  const saturates = (x: Vec) => Int8Array.from(x.data, (v) => Math.max(-128, Math.min(127, Math.round(v / 0.05))))
  const error = await failureOf(checkStability(wraps, { inputs, property: monotonic(), seed: 9 }))
  t.match(error.reason, /^input\[\d+\] = \S+ < input\[\d+\] = \S+ but output\[\d+\] = \S+ < output\[\d+\] = \S+: the output must not fall as the input grows$/)
  t.ok(Math.max(...(error.counterexample as Vec).data.map(Math.abs)) > 6.35, 'the shrunk input leaves the int8 range (|x| > 127 × 0.05)')
  await checkStability(saturates, { inputs, property: monotonic(), seed: 9 })
  const strict = await failureOf(checkStability(saturates, { inputs, property: monotonic({ strict: true }), seed: 9 }))
  t.match(strict.reason, /output\[\d+\] = \S+ = output\[\d+\] = \S+: the output must rise strictly/)
  const negate = (x: Vec) => x.data.map((v) => -v)
  await checkStability(negate, { inputs, property: monotonic({ direction: 'decreasing' }), seed: 9 })
  await failureOf(checkStability(negate, { inputs, property: monotonic(), seed: 9 }))
  await t.rejects(checkStability((x: Vec) => x.data.slice(1), { inputs, property: monotonic() }), /monotonic\(increasing\) is for elementwise functions: output has 15 elements, input 16/)
  const plainArrays = fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: 2, maxLength: 8 })
  await checkStability((xs: number[]) => xs.map(Math.tanh), { inputs: plainArrays, property: monotonic(), seed: 9 })
  const sine = await failureOf(checkStability((xs: number[]) => xs.map(Math.sin), { inputs: plainArrays, property: monotonic(), seed: 9 }))
  t.equal((sine.counterexample as number[]).length, 2, 'a plain array input is one argument, shrunk to two elements')
})

/** Exact (Shewchuk) summation: the result does not depend on the order of the terms. */
function exactSum(values: ArrayLike<number>): number {
  const partials: number[] = []
  for (let x of Array.from(values)) {
    let i = 0
    for (let y of partials) {
      if (Math.abs(x) < Math.abs(y)) [x, y] = [y, x]
      const hi = x + y
      const lo = y - (hi - x)
      if (lo !== 0) partials[i++] = lo
      x = hi
    }
    partials.length = i
    partials.push(x)
  }
  return partials.reduce((a, b) => a + b, 0)
}

t.test('invariantUnder: a float32 running sum depends on the order of its terms, an exact sum does not', async (t) => {
  const inputs = arb.tensor({ shape: [8] })
  const reversed = (x: Vec): Vec => ({ ...x, data: x.data.slice().reverse() })
  const runningSum = (x: Vec) => x.data.reduce((s, v) => Math.fround(s + v), 0)
  const exact = (x: Vec) => Math.fround(exactSum(x.data))
  t.equal(exactSum([1e308, 1, -1e308]), 1)
  t.equal(exactSum([0.1, 0.2, 0.3]), 0.6)
  const error = await failureOf(checkStability(runningSum, { inputs, property: invariantUnder(reversed), seed: 4 }))
  t.match(error.reason, /^output changed from \S+ to \S+ under reversed \(\|diff\| \S+ > atol 1e-5 \+ rtol 1e-5 × \S+\)$/)
  t.equal(error.property, 'invariantUnder(reversed, rtol 1e-5, atol 1e-5)')
  await checkStability(exact, { inputs, property: [finite, invariantUnder(reversed)], runs: 300, seed: 4 }).catch((e: StabilityError) => {
    // Sums past ±FLT_MAX round to ±Infinity in both orders: `finite` reports that, not invariance.
    t.equal(e.property, 'finite')
  })
  await checkStability(exact, { inputs: arb.tensor({ shape: [8], min: -1e30, max: 1e30 }), property: invariantUnder(reversed), runs: 300, seed: 4 })
})

t.test('invariantUnder: a changed shape, an extra output part, and a transform that writes into its input', async (t) => {
  const inputs = arb.tensor({ shape: [4], min: -10, max: 10 })
  const negated = (x: Vec): Vec => mapTensor(x, (v) => -v)
  const positives = (x: Vec) => x.data.filter((v) => v > 0)
  const shape = await failureOf(checkStability(positives, { inputs, property: invariantUnder(negated), seed: 3 }))
  t.match(shape.reason, /^output changed shape under negated: \[\d\] became \[\d\]$/)
  await checkStability((x: Vec) => x.data.map(Math.abs), { inputs, property: invariantUnder(negated), seed: 3 })

  // A summary that reports a warning only for some inputs: the extra part must not go unnoticed.
  const summary = (x: Vec) => {
    const mean = x.data.reduce((a, b) => a + b, 0) / x.data.length
    return x.data[0]! < 0 ? { spread: Math.max(...x.data) - Math.min(...x.data), negativeFirst: 1 } : { spread: Math.max(...x.data) - Math.min(...x.data) }
  }
  const extra = await failureOf(checkStability(summary, { inputs, property: invariantUnder(negated), seed: 3 }))
  t.match(extra.reason, /^output has (1 part\(s\) under negated, 2 before \(lost|2 part\(s\) under negated, 1 before \(gained) output\.negativeFirst\)$/)
  const spread = (x: Vec) => ({ spread: Math.max(...x.data) - Math.min(...x.data) })
  await checkStability(spread, { inputs, property: invariantUnder(negated), seed: 3 })

  // reverse() in place: without a copy the report would show the reversed input next to the output of the original.
  const reverseInPlace = (x: Vec): Vec => (x.data.reverse(), x)
  const runningSum = (x: Vec) => x.data.reduce((s, v) => Math.fround(s + v), 0)
  const inPlace = await failureOf(checkStability(runningSum, { inputs: arb.tensor({ shape: [8] }), property: invariantUnder(reverseInPlace), seed: 4 }))
  t.equal(inPlace.output, runningSum(inPlace.counterexample as Vec), 'the counterexample is the input the output came from')
  const plain = await failureOf(
    checkStability((xs: number[]) => xs.reduce((s, v) => s + v, 0), {
      inputs: fc.array(fc.integer({ min: 1, max: 9 }).map((i) => i / 10), { minLength: 3, maxLength: 3 }), // 0.1 + 0.2 + 0.3 depends on the order
      property: invariantUnder((xs: number[]) => xs.reverse(), 0),
      seed: 4,
    }),
  )
  t.equal(plain.output, (plain.counterexample as number[]).reduce((s, v) => s + v, 0), 'a plain array input is copied too')
})

t.test('probability fails on NaN; a non-numeric output is a counterexample, not a crash', async (t) => {
  const inputs = arb.tensor({ shape: [4], min: -10, max: 10 })
  const ratio = (x: Vec) => x.data.map((v) => Math.abs(v) / (Math.abs(v) + Math.abs(x.data[0]!)))
  const nan = await failureOf(checkStability(ratio, { inputs, property: probability, seed: 2 }))
  t.match(nan.reason, /elements? (is|are) outside \[0, 1\]: output\[\d\] = NaN/)
  t.ok((nan.counterexample as Vec).data.some((v) => v === 0), 'shrunk to an input with a zero (0 / 0)')
  await checkStability((x: Vec) => x.data.map((v) => Math.abs(v) / (Math.abs(v) + Math.abs(x.data[0]!) + 1e-12)), { inputs, property: probability, seed: 2 })

  const labels = (x: Vec) => (x.data[0]! > 5 ? 'overflow' : x.data[0]!)
  const text = await failureOf(checkStability(labels, { inputs, seed: 2 }))
  t.equal(text.reason, 'the property threw TypeError: output is string; stability oracles read numbers, arrays, typed arrays, tensors, or arrays/records of those')
  t.ok((text.counterexample as Vec).data[0]! > 5)
  await checkStability((x: Vec) => x.data[0]!, { inputs, seed: 2 })
})

t.test('edgeBias: true uses the configured bias (the built-in 0.1 when it is 0) and catches a zero variance', async (t) => {
  t.teardown(() => setStabilityDefaults({}))
  const sample = (edgeBias: number | boolean) => fc.sample(arb.tensor({ shape: [8], edgeBias }), { seed: 5, numRuns: 30 }).map((x) => Array.from(x.data))
  setStabilityDefaults({ edgeBias: 0.3 })
  t.same(sample(true), sample(0.3), 'true is the configured bias')
  setStabilityDefaults({ edgeBias: 0 })
  t.same(sample(true), sample(0.1), 'configured off: true falls back to the built-in 0.1')
  t.same(sample(false), sample(0))
  const standardize = (x: Vec) => {
    const mean = x.data.reduce((a, b) => a + b, 0) / x.data.length
    const std = Math.sqrt(x.data.reduce((a, b) => a + (b - mean) ** 2, 0) / x.data.length)
    return x.data.map((v) => (v - mean) / std)
  }
  const inputs = arb.tensor({ shape: [8], min: -100, max: 100, edgeBias: true })
  const error = await failureOf(checkStability(standardize, { inputs, runs: 200, seed: 5 }))
  t.equal(new Set((error.counterexample as Vec).data).size, 1, 'a constant vector: std 0')
  const safe = (x: Vec) => {
    const mean = x.data.reduce((a, b) => a + b, 0) / x.data.length
    const variance = x.data.reduce((a, b) => a + (b - mean) ** 2, 0) / x.data.length
    return x.data.map((v) => (v - mean) / Math.sqrt(variance + 1e-12))
  }
  await checkStability(safe, { inputs, runs: 200, seed: 5 })
})

t.test('custom properties, async functions, tuple inputs, thrown errors and edge cases', async (t) => {
  const inputs = arb.tensor({ shape: [4], min: -100, max: 100 })
  const falsy = await failureOf(checkStability((x: Vec) => x.data[0]!, { inputs, property: function nonNegative(y: number) { return y >= 0 }, seed: 2 }))
  t.equal(falsy.property, 'nonNegative')
  t.equal(falsy.reason, 'the property returned false')
  t.same(Array.from((falsy.counterexample as Vec).data), [-FLOAT32.minSubnormal, 0, 0, 0], 'shrunk to the negative number closest to 0')
  const worded = await failureOf(checkStability((x: Vec) => x.data[0]!, { inputs, property: (y: number) => (y < 50 ? true : `y = ${y} is not below 50`), seed: 2 }))
  t.match(worded.reason, /^y = \S+ is not below 50$/)

  const asyncFn = async (x: Vec) => naiveSoftmax(x)
  const promiseFn = (x: Vec) => Promise.resolve(naiveSoftmax(x))
  const direct = await failureOf(checkStability(naiveSoftmax, { inputs: arb.tensor({ shape: [8] }), seed: 8 }))
  for (const fn of [asyncFn, promiseFn]) {
    const e = await failureOf(checkStability(fn, { inputs: arb.tensor({ shape: [8] }), seed: 8 }))
    t.equal(e.path, direct.path, 'async functions replay the same counterexample as sync ones')
    t.same(Array.from((e.counterexample as Vec).data), Array.from((direct.counterexample as Vec).data))
  }
  await checkStability(async (x: Vec) => stableSoftmax(x), { inputs: arb.tensor({ shape: [8] }), property: [finite, sumsToOne()], seed: 8 })

  const scaled = await failureOf(
    checkStability((x: Vec, s: number) => x.data.map((v) => v / s), { inputs: [arb.tensor({ shape: [2], min: 1, max: 2 }), fc.integer({ min: -3, max: 3 })], seed: 3 }),
  )
  t.same(scaled.counterexample instanceof Array && (scaled.counterexample as unknown[])[1], 0, 'division by a zero scale')
  t.match(scaled.message, /counterexample:\n {4}arg 0: +float32 \[2\] \[[\d.]+, [\d.]+\]\n {4}arg 1: +0\n/)

  const throws = await failureOf(checkStability((x: Vec) => { if (x.data.some((v) => v > 90)) throw new RangeError('value too large'); return 1 }, { inputs, seed: 2 }))
  t.equal(throws.reason, 'fn threw RangeError: value too large')
  t.ok((throws.counterexample as Vec).data.some((v) => v > 90))

  const needle: Vec = { data: Float32Array.of(42, 42, 42, 42), shape: [4], dtype: 'float32' }
  const onlyAt42 = (x: Vec) => (x.data.every((v) => v === 42) ? NaN : 0)
  await checkStability(onlyAt42, { inputs, runs: 50, seed: 2 })
  const found = await failureOf(checkStability(onlyAt42, { inputs, runs: 50, seed: 2, edgeCases: [needle] }))
  t.same(Array.from((found.counterexample as Vec).data), [42, 42, 42, 42], 'edge cases are tried first')
  t.equal(found.runs, 1)

  const inPlace = (x: Vec) => {
    const broken = x.data.some((v) => v > 50)
    x.data.fill(0)
    return broken ? NaN : 0
  }
  const mutated = await failureOf(checkStability(inPlace, { inputs, seed: 2 }))
  t.ok((mutated.counterexample as Vec).data.some((v) => v > 50), 'a function writing into its input does not corrupt the counterexample')
})

t.test('seed and path replay a failure exactly; runs and bad options', async (t) => {
  const seen = (seed: number) => {
    const inputs: number[][] = []
    return checkStability((x: Vec) => { inputs.push(Array.from(x.data)); return 0 }, { inputs: arb.tensor({ shape: [3] }), runs: 20, seed }).then(() => inputs)
  }
  t.same(await seen(77), await seen(77), 'same seed, same inputs')
  t.notSame(await seen(77), await seen(78), 'another seed, other inputs')

  const first = await failureOf(checkStability(naiveSoftmax, { inputs: arb.tensor({ shape: [8] }), seed: 123 }))
  let calls = 0
  const counted = (x: Vec) => { calls++; return naiveSoftmax(x) }
  const replayed = await failureOf(checkStability(counted, { inputs: arb.tensor({ shape: [8] }), seed: 123, path: first.path }))
  t.same(Array.from((replayed.counterexample as Vec).data), Array.from((first.counterexample as Vec).data))
  t.ok(calls < 5, `the replay ran ${calls} call(s), not a whole search`)

  let count = 0
  await checkStability(() => { count++; return 0 }, { inputs: fc.integer(), runs: 13 })
  t.equal(count, 13)

  const inputs = arb.tensor({ shape: [2] })
  await t.rejects(checkStability(() => 0, {} as never), { message: 'checkStability: option "inputs" must be a fast-check arbitrary such as arb.tensor({ shape: [8] }), or a non-empty array of them (one per argument) (got undefined)' })
  await t.rejects(checkStability(() => 0, { inputs: [] as never }), /option "inputs" must be a fast-check arbitrary .* \(got \[\]\)/)
  await t.rejects(checkStability('f' as never, { inputs }), /fn must be the function under test/)
  await t.rejects(checkStability(() => 0, { inputs, runs: 0 }), { message: 'checkStability: option "runs" must be an integer >= 1 (got 0)' })
  await t.rejects(checkStability(() => 0, { inputs, seed: 1.5 }), { message: 'checkStability: option "seed" must be an integer (got 1.5)' })
  await t.rejects(checkStability(() => 0, { inputs, path: 'x' }), { message: 'checkStability: option "path" must be a replay path such as "4:1:0" (copy it from the failure report) (got "x")' })
  await t.rejects(checkStability(() => 0, { inputs, edgeCases: 3 as never }), { message: 'checkStability: option "edgeCases" must be an array (got 3)' })
  await t.rejects(checkStability(() => 0, { inputs, property: monotonic as never }), { message: 'checkStability: property monotonic is not an oracle: it is an oracle factory, call it, e.g. property: monotonic()' })
  await t.rejects(checkStability(() => 0, { inputs, property: [finite, sumsToOne as never] }), /property sumsToOne is not an oracle: it is an oracle factory, call it, e.g. property: sumsToOne\(\)/)
  const makeOracle = () => finite
  await t.rejects(checkStability(() => 0, { inputs, property: makeOracle as never }), /property makeOracle returned an oracle: it is an oracle factory, call it, e.g. property: makeOracle\(\)/, 'a user-written factory too')
  await t.rejects(checkStability(() => 0, { inputs, property: [] }), /property is an empty list/)
})

t.test('formatting: small tensors whole, shrunk ones by their non-zero elements, large ones by range', async (t) => {
  t.equal(formatElement(-0), '-0')
  t.equal(formatElement(88.72283935546875), '88.722839')
  t.equal(formatElement(FLOAT32.minSubnormal), '1.4012985e-45')
  t.equal(formatValue({ data: Float32Array.of(1, 2, 3, 4), shape: [2, 2], dtype: 'float32' }), 'float32 [2, 2] [[1, 2], [3, 4]]')
  const sparse = new Float32Array(64)
  sparse[5] = 88.5
  t.equal(formatValue(sparse), 'float32 [64] [5] = 88.5, the other 63 elements 0')
  const dense = Float64Array.from({ length: 100 }, (_, i) => i - 50)
  dense[3] = NaN
  t.equal(formatValue(dense), 'float64 [100] finite range [-50, 49]; 1 non-finite: [3] = NaN; largest |x|: [0] = -50, [1] = -49, [99] = 49')
  t.equal(formatValue({ loss: 1.5, probs: [0.2, 0.8] }), '.loss: 1.5; .probs: [2] [0.2, 0.8]')
})

const collected = (fullName: string): CollectedTest => ({
  id: 'x', file: '/tmp/model.mltest.ts', suitePath: [], name: fullName, fullName, tags: [], mode: 'run', expectFail: false, exclusive: false,
})

t.test('inside a test: the test seed is the default and the verdict is recorded', async (t) => {
  const running = createRunningTest(collected('softmax (v2) is finite'), 31337, 777, 1, () => undefined, {})
  const error = await runWithTest(running, () => failureOf(checkStability(naiveSoftmax, { inputs: arb.tensor({ shape: [8] }) })))
  t.equal(error.seed, 31337)
  t.match(error.message, /rerun: +mltest run \S*model\.mltest\.ts --seed 777 -t "\^softmax \\\(v2\\\) is finite\$"/)
  await runWithTest(running, () => checkStability(stableSoftmax, { inputs: arb.tensor({ shape: [8] }), runs: 10 }))
  const [{ figures, ...fail }, pass] = running.checks as [CheckRecord, CheckRecord]
  t.same(figures?.map((f) => f.title), ['Counterexample [8] and its output: finite broke'], 'the counterexample figure (its data: test/plugins/figures.test.ts)')
  t.same(fail, {
    check: 'checkStability',
    practice: 'numerical-stability',
    verdict: 'fail',
    metrics: { runs: error.runs, shrinks: error.shrinks, seed: 31337, path: error.path, property: 'finite' },
    summary: `finite broke after ${error.runs} run${error.runs === 1 ? '' : 's'}, ${error.shrinks} shrinks (seed 31337, path "${error.path}")`,
  })
  t.same(pass, { check: 'checkStability', practice: 'numerical-stability', verdict: 'pass', metrics: { runs: 10, shrinks: 0, seed: 31337, path: null, property: 'finite' }, summary: 'finite held on 10 runs (seed 31337)' })
})

t.test('plugin: declares its options, core validates them, and the checks read them in the worker', async (t) => {
  const plugin = stabilityPlugin()
  t.same(registerPlugins([plugin]).map((p) => p.name), ['stability'], 'core accepts the plugin object')
  t.same(optionFields(plugin.options!).map((o) => [o.name, o.kind, o.default]), [['runs', 'integer', 100], ['edgeBias', 'number', 0.1]])
  const resolve = (given: Record<string, unknown>, flags: Record<string, string> = {}) =>
    resolveConfig('/tmp', undefined, { pluginOptions: { stability: given } }, { pluginFlags: flags }).pluginOptions.stability!
  t.throws(() => resolve({ runs: 0 }), /^config pluginOptions\.stability: option "stability\.runs" must be an integer >= 1 \(got 0\)$/)
  t.throws(() => resolve({ edgeBias: 1.5 }), /option "stability\.edgeBias" must be a number <= 1 \(got 1\.5\)/)
  t.throws(() => resolve({}, { 'stability.runs': '-3' }), /^--stability-runs must be an integer >= 1 \(got "-3"\)$/)
  t.same(resolve({ runs: 7 }, { 'stability.edgeBias': '0' }), { runs: 7, edgeBias: 0 })
  t.teardown(() => setPluginOptions({}))
  setPluginOptions({ stability: resolve({ runs: 7, edgeBias: 0 }) })
  let count = 0
  await checkStability(() => { count++; return 0 }, { inputs: fc.integer() })
  t.equal(count, 7, 'runs default from the plugin option')
  const sample = (edgeBias?: number) => fc.sample(arb.tensor({ shape: [8], edgeBias }), { seed: 1, numRuns: 40 }).map((x) => Array.from(x.data))
  t.same(sample(), sample(0), 'edgeBias 0 from the plugin option')
  t.notSame(sample(), sample(0.1), 'differs from the built-in default')
  setPluginOptions({})
  t.same(sample(), sample(0.1), 'the built-in default is 0.1')
})

t.test('end to end: the CLI seed reproduces a failure and the rerun line runs just that test', async (t) => {
  const builtin = builtinPlugins().some((p) => p.name === 'stability')
  const dir = makeProject(t, {
    'mltest.config.ts': `import { stabilityPlugin } from 'mltest/stability'
export default { plugins: ${builtin ? '[]' : '[stabilityPlugin()]'}, pluginOptions: { stability: { runs: 7 } } }
`,
    'softmax.mltest.ts': `import { test } from 'mltest'
import { arb, checkStability } from 'mltest/stability'
const naive = (x) => { const e = x.data.map(Math.exp); const s = e.reduce((a, b) => a + b, 0); return e.map((v) => v / s) }
test('naive softmax (v1)', async () => { await checkStability(naive, { inputs: arb.tensor({ shape: [8] }), runs: 100 }) })
test('stable enough', async () => { await checkStability(() => 0, { inputs: arb.tensor({ shape: [8] }) }) })
`,
  })
  const [a, b] = await Promise.all([
    runCli(dir, ['run', '--seed', '11', '--no-color', '--reporter', 'console', '--reporter', 'json:a.json']),
    runCli(dir, ['run', '--seed', '11', '--no-color']),
  ])
  t.equal(a.code, 1, a.command)
  const report = (out: string) => out.split('\n').filter((l) => /^\s+(counterexample|output|broken|replay|rerun):/.test(l)).join('\n')
  t.match(report(a.stdout), /counterexample: +float32 \[8\]/)
  t.equal(report(a.stdout), report(b.stdout), 'the same --seed gives the same counterexample and replay path')
  t.match(a.stdout, /▸ checkStability \[numerical-stability\] pass — finite held on 7 runs/, 'plugin option runs: 7 from the config')
  const json = JSON.parse((await import('node:fs')).readFileSync(`${dir}/a.json`, 'utf8')) as { files: Array<{ tests: Array<{ fullName: string; checks: CheckRecord[] }> }> }
  const checks = json.files.flatMap((f) => f.tests).find((x) => x.fullName === 'naive softmax (v1)')!.checks
  t.match(checks, [{ check: 'checkStability', practice: 'numerical-stability', verdict: 'fail', metrics: { runs: Number, shrinks: Number, seed: Number, path: String, property: 'finite' } }])

  const rerun = /rerun: +mltest run (\S+) --seed 11 -t "(.+)"$/m.exec(a.stdout)
  t.ok(rerun, 'the report has a rerun line')
  const again = await runCli(dir, ['run', rerun![1]!, '--seed', '11', '-t', rerun![2]!.replace(/\\"/g, '"'), '--no-color'])
  t.match(again.closing, /0 passed, 1 failed/, 'the rerun line selects just the failing test')
  t.equal(report(again.stdout), report(a.stdout), 'and reproduces the same counterexample')
})
