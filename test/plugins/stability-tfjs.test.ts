import t from 'tap'
import fc from 'fast-check'
import type * as TF from '@tensorflow/tfjs'
import { arb, checkStability, finite, gradientsFinite, loadTfjs, StabilityError, sumsToOne } from '../../plugins/stability/index.ts'
import { rejectionOf } from '../failure-of.ts'

const tf = await loadTfjs()

const failureOf = (check: Promise<unknown>) => rejectionOf(check, StabilityError)

t.test('arb.tfTensor: tfjs tensors of the requested shape and range, freed when the check ends', async (t) => {
  t.equal(tf.getBackend(), 'cpu')
  const inputs = arb.tfTensor({ shape: [3, 2], min: -4, max: 4 })
  const before = tf.memory().numTensors
  const seen: Array<{ shape: number[]; dtype: string; values: number[] }> = []
  await checkStability((x: TF.Tensor) => { seen.push({ shape: x.shape, dtype: x.dtype, values: Array.from(x.dataSync()) }); return tf.relu(x) }, { inputs, runs: 20, seed: 1 })
  t.equal(seen.length, 20)
  t.ok(seen.every((s) => s.dtype === 'float32' && s.shape.join() === '3,2' && s.values.every((v) => v >= -4 && v <= 4)))
  t.equal(tf.memory().numTensors, before, 'generated inputs and outputs are disposed')
  const ints = fc.sample(arb.tensor({ shape: [4], dtype: 'int32', min: -3, max: 3 }), { seed: 1, numRuns: 5 })
  t.ok(ints.every((x) => x.data instanceof Int32Array))
  t.throws(() => arb.tfTensor({ shape: [2], dtype: 'float64' as never }), { message: 'arb.tfTensor: option "dtype" must be float32 or int32 (got "float64") — tfjs has no float64 tensors; use arb.tensor for float64' })
  t.throws(() => arb.tfTensor({ shape: [2], edgebias: 0 } as never), { message: 'arb.tfTensor: unknown option "edgebias" — did you mean "edgeBias"? (known: shape, dtype, min, max, edgeBias, nonFinite)' })
  t.throws(() => arb.tfTensor({ shape: '2' } as never), /^arb\.tfTensor: option "shape" must be an array of non-negative integers, or a shape arbitrary .* \(got "2"\)$/)
})

t.test('oracles read tfjs outputs: a naive tf softmax overflows, tf.softmax does not', async (t) => {
  const inputs = arb.tfTensor({ shape: [2, 4] })
  const naive = (x: TF.Tensor) => tf.tidy(() => tf.div(tf.exp(x), tf.sum(tf.exp(x), -1, true)))
  const before = tf.memory().numTensors
  const error = await failureOf(checkStability(naive, { inputs, property: [finite, sumsToOne()], runs: 50, seed: 6 }))
  t.match(error.message, /counterexample: float32 \[2, 4\] \[\[/)
  t.match(error.message, /output: +float32 \[2, 4\] \[\[.*NaN/)
  const x = error.counterexample as TF.Tensor
  t.ok(tf.max(x).dataSync()[0]! > 88.72 || tf.min(tf.max(x, -1)).dataSync()[0]! < -103.97, 'shrunk to an overflowing (or all-underflowing) row')
  tf.dispose([x, error.output as TF.Tensor])
  t.ok(tf.memory().numTensors <= before + 4, 'only the counterexample and output outlive the check')
  await checkStability((x: TF.Tensor) => tf.softmax(x), { inputs, property: [finite, sumsToOne()], runs: 50, seed: 6 })
})

t.test('gradientsFinite: a norm loss has NaN gradients at zero error; an epsilon fixes it', async (t) => {
  const w = tf.variable(tf.tensor2d([[0.5], [-0.25], [1]]), true, 'stability-test/w')
  const normLoss = (x: TF.Tensor) => tf.tidy(() => tf.norm(tf.matMul(x as TF.Tensor2D, w)) as TF.Scalar)
  const smoothLoss = (x: TF.Tensor) => tf.tidy(() => tf.sqrt(tf.add(tf.sum(tf.square(tf.matMul(x as TF.Tensor2D, w))), 1e-12)) as TF.Scalar)
  const inputs = arb.tfTensor({ shape: [2, 3], min: -100, max: 100 })
  const weights = Array.from(w.dataSync())
  const error = await failureOf(checkStability(normLoss, { inputs, property: gradientsFinite({ variables: [w] }), runs: 50, seed: 2 }))
  t.same(Array.from((error.counterexample as TF.Tensor).dataSync()), [0, 0, 0, 0, 0, 0], 'shrunk to the all-zero input')
  t.equal(error.reason, '∂loss/∂stability-test/w: 3 of 3 not finite ([0, 0] = NaN, [1, 0] = NaN, [2, 0] = NaN)')
  t.notMatch(error.message, /output:/, 'no output line: the oracle runs the loss itself')
  await checkStability(smoothLoss, { inputs, property: gradientsFinite({ variables: [w] }), runs: 50, seed: 2 })
  t.same(Array.from(w.dataSync()), weights, 'the weights are not changed by the check')

  const loud = (x: TF.Tensor) => tf.tidy(() => tf.mul(tf.sum(tf.matMul(x as TF.Tensor2D, w)), 1e6) as TF.Scalar)
  await checkStability(loud, { inputs, property: gradientsFinite({ variables: [w] }), runs: 20, seed: 2 })
  const exploding = await failureOf(checkStability(loud, { inputs, property: gradientsFinite({ variables: [w], maxNorm: 1e6 }), runs: 20, seed: 2 }))
  t.match(exploding.reason, /^global gradient norm \S+ > maxNorm 1000000$/)
  const stepped = await failureOf(checkStability(loud, { inputs, property: gradientsFinite({ variables: [w], learningRate: 1e33 }), runs: 20, seed: 2 }))
  t.match(stepped.reason, /^stability-test\/w after one SGD step \(lr 1e\+33\): \d of 3 weights not finite/)
  w.dispose()
})

t.test('gradientsFinite: set-up mistakes are errors, not counterexamples', async (t) => {
  const w = tf.variable(tf.scalar(2), true, 'stability-test/v')
  const inputs = arb.tfTensor({ shape: [2], min: -1, max: 1 })
  const property = gradientsFinite({ variables: [w] })
  await t.rejects(checkStability(async (x: TF.Tensor) => tf.sum(tf.mul(x, w)) as TF.Scalar, { inputs, property, runs: 5 }), /needs a synchronous loss function/)
  await t.rejects(checkStability((x: TF.Tensor) => tf.mul(x, w), { inputs, property, runs: 5 }), /must return a scalar tf.Tensor loss, got a tensor of shape \[2\]/)
  await t.rejects(checkStability((x: TF.Tensor) => tf.sum(x) as TF.Scalar, { inputs, property, runs: 5 }), /gradientsFinite: Cannot find a connection between any variable/)
  t.throws(() => gradientsFinite({ learningRate: 0 }), { message: 'gradientsFinite: option "learningRate" must be a number > 0 (got 0)' })
  t.throws(() => gradientsFinite({ learningrate: 0.1 } as never), { message: 'gradientsFinite: unknown option "learningrate" — did you mean "learningRate"? (known: variables, learningRate, maxNorm)' })
  t.throws(() => gradientsFinite({ maxNorm: '10' } as never), { message: 'gradientsFinite: option "maxNorm" must be a number > 0 (Infinity: no limit) (got "10")' })
  t.equal(gradientsFinite({ maxNorm: Infinity, learningRate: 0.5 }).name, 'gradientsFinite(lr 0.5)', 'Infinity is accepted: no limit')
  w.dispose()
})

t.test('gradientsFinite: a non-finite loss is reported first; an epsilon fixes it', async (t) => {
  const w = tf.variable(tf.tensor1d([0.5, -0.25]), true, 'stability-test/mean-w')
  // Mean absolute prediction relative to the input's size: 0 / 0 at the all-zero input.
  const relative = (x: TF.Tensor) => tf.tidy(() => tf.div(tf.sum(tf.abs(tf.mul(x, w))), tf.sum(tf.abs(x))) as TF.Scalar)
  const inputs = arb.tfTensor({ shape: [2], min: -10, max: 10 })
  const error = await failureOf(checkStability(relative, { inputs, property: gradientsFinite({ variables: [w] }), runs: 50, seed: 3 }))
  t.match(error.reason, /^loss = NaN; ∂loss\/∂stability-test\/mean-w: 2 of 2 not finite/)
  t.same(Array.from((error.counterexample as TF.Tensor).dataSync()), [0, 0])
  const smoothed = (x: TF.Tensor) => tf.tidy(() => tf.div(tf.sum(tf.abs(tf.mul(x, w))), tf.add(tf.sum(tf.abs(x)), 1e-6)) as TF.Scalar)
  await checkStability(smoothed, { inputs, property: gradientsFinite({ variables: [w] }), runs: 50, seed: 3 })
  w.dispose()
})

t.test('gradientsFinite({ variables: model }) differentiates a LayersModel\'s trainable weights', async (t) => {
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [4], kernelInitializer: tf.initializers.glorotUniform({ seed: 7 }), name: 'head' })] })
  const labels = tf.oneHot(tf.tensor1d([0, 2], 'int32'), 3) as TF.Tensor2D
  const naive = (x: TF.Tensor) => tf.tidy(() => tf.neg(tf.mean(tf.sum(tf.mul(labels, tf.log(tf.softmax(model.apply(x) as TF.Tensor2D))), -1))) as TF.Scalar)
  const stable = (x: TF.Tensor) => tf.tidy(() => tf.losses.softmaxCrossEntropy(labels, model.apply(x) as TF.Tensor2D) as TF.Scalar)
  const inputs = arb.tfTensor({ shape: [2, 4], min: -1e4, max: 1e4 })
  const error = await failureOf(checkStability(naive, { inputs, property: gradientsFinite({ variables: model }), runs: 50, seed: 4 }))
  t.match(error.reason, /∂loss\/∂head\/kernel: \d+ of 12 not finite/, 'the model\'s own variable names')
  await checkStability(stable, { inputs, property: gradientsFinite({ variables: model }), runs: 50, seed: 4 })
  t.throws(() => gradientsFinite({ variables: { layers: [] } as never }), { message: 'gradientsFinite: option "variables" must be an array of tf.Variable or a tfjs LayersModel (got {"layers":[]})' })
  labels.dispose()
  model.dispose()
})

t.test('arb.tfTensor: a function that disposes its input does not dispose the counterexample', async (t) => {
  const inputs = arb.tfTensor({ shape: [3], min: -100, max: 100 })
  const before = tf.memory().numTensors
  const consumes = (x: TF.Tensor) => {
    const out = tf.exp(x)
    x.dispose() // the function frees its argument
    return out
  }
  const error = await failureOf(checkStability(consumes, { inputs, runs: 50, seed: 8 }))
  const x = error.counterexample as TF.Tensor
  t.notOk(x.isDisposed, 'the counterexample is still readable')
  t.ok(Math.max(...x.dataSync()) > 88.72, 'exp overflows float32 past 88.72')
  t.match(error.message, /counterexample: float32 \[3\] /)
  tf.dispose([x, error.output as TF.Tensor])
  t.ok(tf.memory().numTensors <= before + 2, 'the clones are freed with the check')
  await checkStability((x: TF.Tensor) => { const out = tf.sigmoid(x); x.dispose(); return out }, { inputs, runs: 50, seed: 8 })
})
