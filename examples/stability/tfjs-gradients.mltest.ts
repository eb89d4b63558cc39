/**
 * A tiny tfjs classifier whose hand-written cross-entropy, -sum(y * log(softmax(logits))),
 * trains fine on small inputs but returns NaN gradients once one input feature is large:
 * softmax underflows to a subnormal or 0 for some class, so d log(p)/dp = 1/p is Infinity
 * (and log(0) * 0 is NaN). `tf.losses.softmaxCrossEntropy` works from the logits (log-softmax) and stays
 * finite. Features are bounded at ±1e4, as after a loose clipping step.
 */
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, test } from 'mltest'
import { arb, checkStability, gradientsFinite, loadTfjs, StabilityError } from 'mltest/stability'

let model: tf.Sequential
let labels: tf.Tensor2D

beforeAll(async () => {
  await loadTfjs() // CPU backend, before any tensor exists
  model = tf.sequential({
    layers: [tf.layers.dense({ units: 3, inputShape: [4], kernelInitializer: tf.initializers.glorotUniform({ seed: 7 }) })],
  })
  labels = tf.oneHot(tf.tensor1d([0, 2], 'int32'), 3) as tf.Tensor2D
})

const naiveLoss = (x: tf.Tensor) =>
  tf.tidy(() => {
    const probs = tf.softmax(model.apply(x) as tf.Tensor2D)
    return tf.neg(tf.mean(tf.sum(tf.mul(labels, tf.log(probs)), -1))) as tf.Scalar
  })

const stableLoss = (x: tf.Tensor) => tf.losses.softmaxCrossEntropy(labels, model.apply(x) as tf.Tensor2D) as tf.Scalar

const features = arb.tfTensor({ shape: [2, 4], min: -1e4, max: 1e4 })

describe('hand-written cross-entropy', () => {
  test.fails('is caught by gradientsFinite', async () => {
    await checkStability(naiveLoss, { inputs: features, property: gradientsFinite({ variables: model }) })
  }, { error: /^checkStability: .+ broke after \d+ runs?/ })

  test('shrinks to one large feature, with non-finite gradients', async () => {
    const error = await checkStability(naiveLoss, { inputs: features, property: gradientsFinite({ variables: model }) }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(StabilityError)
    const { counterexample, reason } = error as StabilityError
    const x = counterexample as tf.Tensor
    // 1/p overflows float32 once p < 2.9e-39, which needs a logit gap above 88.72 - ln 3 ≈ 87.6;
    // with 4 features and glorot weights (|w| <= 0.93) that needs a feature above 87.6 / (4 * 2 * 0.93) ≈ 11.8.
    expect(tf.max(tf.abs(x)).dataSync()[0]).toBeGreaterThan(11.7)
    expect(reason).toMatch(/∂loss\/∂\S+kernel: \d+ of 12 not finite/)
    x.dispose()
  })
})

test('softmaxCrossEntropy on logits keeps gradients and the next weights finite', async () => {
  await checkStability(stableLoss, { inputs: features, property: gradientsFinite({ variables: model }) })
})
