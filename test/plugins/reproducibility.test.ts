// mltest/reproducibility in-process: float32 ULP arithmetic, the comparison and its report on
// plain-JS models (backend 'none'), real tfjs training in this thread (cpu, wasm),
// seedEverything, and checkTrainingStep on good and broken models.
import * as tf from '@tensorflow/tfjs'
import t from 'tap'
import {
  checkReproducible, checkTrainingStep, diffArrays, reproducibilityPlugin, seedEverything, ulpDistance,
  type ModelAdapter, type ReproducibilityResult, type TrainContext,
} from '../../plugins/reproducibility/index.ts'
import { buildPenguinModel, penguinTensors, trainPenguins, trainPenguinsCarelessly } from '../../examples/reproducibility/penguin-model.ts'

/** The check's failure, or a tap failure when it unexpectedly passed. */
async function failureOf(p: Promise<unknown>): Promise<Error & { result: ReproducibilityResult }> {
  try {
    await p
  } catch (error) {
    return error as Error & { result: ReproducibilityResult }
  }
  throw new Error('expected the check to fail, it passed')
}

/** A plain-JS "model": two named weight tensors and a linear predict. */
function adapter(first: number[], second: number[]): ModelAdapter {
  return {
    namedWeights: () => [
      { name: 'layer1/w', shape: [first.length], values: Float32Array.from(first) },
      { name: 'layer2/w', shape: [second.length], values: Float32Array.from(second) },
    ],
    predict: (probe) => ({ shape: [probe.shape[0]!], values: Float32Array.from({ length: probe.shape[0]! }, (_, i) => probe.values[i]! * second[0]!) }),
  }
}

t.test('ulpDistance matches known float32 spacings', async (t) => {
  t.equal(ulpDistance(1, 1 + 2 ** -23), 1, 'next float after 1')
  t.equal(ulpDistance(1, 1 - 2 ** -24), 1, 'previous float before 1 (finer spacing below 1)')
  t.equal(ulpDistance(0, -0), 0, '+0 and -0')
  t.equal(ulpDistance(0, 2 ** -149), 1, 'smallest subnormal')
  t.equal(ulpDistance(-(2 ** -149), 2 ** -149), 2, 'across zero')
  t.equal(ulpDistance(1, -1), 2 * 0x3f800000, 'sign flip of 1')
  t.equal(ulpDistance(NaN, NaN), 0)
  t.equal(ulpDistance(NaN, 1), Infinity)
  t.equal(ulpDistance(1, 1 + 1e-9), 0, 'doubles that round to the same float32')
})

t.test('diffArrays: counts, maxima, first violation and tolerances', async (t) => {
  const a = [1, 2, 3, 4]
  const b = [1, 2 + 2 ** -22, 3, 4.5]
  const d = diffArrays(a, b)
  t.same({ identical: d.identical, differing: d.differing, violating: d.violating, firstViolation: d.firstViolation }, { identical: false, differing: 2, violating: 2, firstViolation: 1 })
  t.equal(d.maxAbsDiff, 0.5)
  t.equal(d.maxUlp, ulpDistance(4, 4.5))
  t.equal(diffArrays(a, b, { ulps: 1 }).violating, 1, 'one ULP at 2 is allowed, 4 → 4.5 is not')
  t.equal(diffArrays(a, b, { atol: 0.5 }).violating, 0)
  t.equal(diffArrays(a, b, { rtol: 0.1 }).violating, 1, 'relative to the reference: 0.5 > 0.1 * 4')
  t.equal(diffArrays(a, b, { rtol: 0.125 }).violating, 0, '0.5 <= 0.125 * 4')
  t.ok(diffArrays([1, NaN], [1, NaN]).identical, 'NaN equals NaN for reproducibility')
  t.throws(() => diffArrays([1], [1, 2]), /different lengths/)
})

t.test('checkReproducible on a deterministic plain-JS model passes (backend none)', async (t) => {
  const train = () => ({ model: adapter([1, 2], [3]), metrics: { loss: 0.25 } })
  const result = await checkReproducible(train, { isolation: 'same-worker', backend: 'none', runs: 3, probe: [[1], [2]] })
  t.ok(result.reproducible)
  const [group] = result.groups
  t.equal(group!.comparisons.length, 2, 'runs 2 and 3 are each compared with run 1')
  t.equal(new Set(group!.runs.map((r) => r.weightsSha256)).size, 1, 'one SHA-256 for all runs')
  t.same(group!.runs[0]!.predictions!.values, Float32Array.from([3, 6]))
  t.match(result.report, /training is reproducible/)
})

t.test('checkReproducible names the first divergent tensor and Math.random as the source', async (t) => {
  const train = () => adapter([1, 2], [3, Math.random()])
  const error = await failureOf(checkReproducible(train, { isolation: 'same-worker', backend: 'none' }))
  t.equal(error.name, 'AssertionError')
  const c = error.result.groups[0]!.comparisons[0]!
  t.equal(c.firstDivergentTensor?.name, 'layer2/w', 'layer1 is identical, layer2 differs')
  t.ok(c.tensors[0]!.diff.identical)
  t.equal(c.tensors[1]!.diff.differing, 1)
  t.equal(c.tensors[1]!.diff.total, 2)
  t.match(error.message, /first divergent tensor: layer2\/w \(tensor 2 of 2/)
  t.match(error.message, /Math\.random was called during training without a seed \(run 1: 1, run 2: 1\)/)
  t.match(error.message, /replay: checkReproducible\(train, \{ seed: \d+, backend: 'none', isolation: 'same-worker', runs: 2 \}\)/)
  t.not(error.result.groups[0]!.runs[0]!.weightsSha256, error.result.groups[0]!.runs[1]!.weightsSha256)
})

t.test('tolerance and compare decide what counts as reproducible', async (t) => {
  // Run 2 is one float32 step away from run 1 in one weight; metrics drift slightly.
  const train = ({ run }: TrainContext) => ({ model: adapter([1, run === 1 ? 1 : 1 + 2 ** -23], [3]), metrics: { loss: 0.5 + run * 1e-4 } })
  const strict = await failureOf(checkReproducible(train, { isolation: 'same-worker', backend: 'none' }))
  t.equal(strict.result.groups[0]!.comparisons[0]!.tensors[0]!.diff.maxUlp, 1)
  t.match(strict.message, /metrics: loss 0\.5001 vs 0\.5002/)
  const weightsOnly = await checkReproducible(train, { isolation: 'same-worker', backend: 'none', tolerance: { ulps: 1 }, compare: ['weights'] })
  t.ok(weightsOnly.reproducible, '1 ULP allowed and metrics not compared')
  const metricsTooStrict = await failureOf(checkReproducible(train, { isolation: 'same-worker', backend: 'none', tolerance: { ulps: 1 } }))
  t.ok(metricsTooStrict.result.groups[0]!.comparisons[0]!.metrics.some((m) => !m.within), 'the metric drift still fails')
})

t.test('checkReproducible rejects bad input with one clear line', async (t) => {
  const train = () => adapter([1], [1])
  await t.rejects(checkReproducible(train), /a function cannot cross into another worker thread — export it and pass \{ module: import\.meta\.url, export: 'train' \}/)
  await t.rejects(checkReproducible(train, { runs: 1, isolation: 'same-worker' }), /runs must be an integer >= 2/)
  await t.rejects(checkReproducible(train, { isolation: 'same-worker', compare: ['loss' as never] }), /compare takes a non-empty list/)
  await t.rejects(checkReproducible(train, { isolation: 'same-worker', tolerance: { atol: -1 } }), /tolerance\.atol must be a number >= 0/)
  await t.rejects(checkReproducible({ module: 'relative/train.ts', export: 'x' }), /must be a file URL or an absolute path/)
  await t.rejects(checkReproducible(() => ({}) as never, { isolation: 'same-worker', backend: 'none' }), /must return a tfjs LayersModel, a ModelAdapter/)
  await t.rejects(checkReproducible(train, { isolation: 'same-worker', backend: 'nope' }), /unknown tfjs backend "nope"/)
})

t.test('tfjs: seeded penguin training is bit-identical in one thread, on cpu and wasm', async (t) => {
  const before = tf.getBackend()
  const result = await checkReproducible(trainPenguins, { isolation: 'same-worker', backend: ['cpu', 'wasm'] })
  t.same(result.groups.map((g) => g.runs.map((r) => r.backend)), [['cpu', 'cpu'], ['wasm', 'wasm']])
  t.ok(result.groups.every((g) => g.reproducible))
  const cpu = result.groups[0]!.runs[0]!
  t.equal(cpu.checkpoints[0]!.label, 'before training')
  t.equal(cpu.checkpoints.length, 1 + 3 * (11 + 1), 'start + 11 batches and 1 epoch end per epoch, 3 epochs of 334 rows')
  t.same(cpu.diagnostics.fitCalls, [{ shuffle: false, shuffleExplicit: true, epochs: 3 }])
  t.equal(cpu.diagnostics.unseededRandomCalls, 0)
  t.same(cpu.diagnostics.unseededInitializers, [], 'glorotUniform({ seed }) on both kernels')
  t.ok(cpu.metrics.acc! > 0.8, `accuracy ${cpu.metrics.acc}`)
  t.equal(result.crossBackend.length, 1)
  t.notOk(result.crossBackend[0]!.identical, 'cpu and wasm give different bits')
  t.equal(tf.getBackend(), before, 'the previous backend is restored')
})

t.test('tfjs: an unseeded initializer and shuffle: true are caught and named', async (t) => {
  const error = await failureOf(checkReproducible(trainPenguinsCarelessly, { isolation: 'same-worker', backend: 'cpu' }))
  const c = error.result.groups[0]!.comparisons[0]!
  t.match(c.firstDivergentTensor?.name, /^dense_Dense\d+\/kernel$/, 'the first layer\'s kernel (tfjs numbers layers per process)')
  t.equal(c.firstDivergentTensor?.index, 0)
  t.equal(c.firstDivergentCheckpoint?.label, 'before training', 'the initial weights already differ')
  t.match(error.message, /unseeded initializer: dense_Dense\d+\.kernelInitializer \(VarianceScaling\) has no seed/)
  t.match(error.message, /model\.fit call 1 used shuffle: true without a seed/)
  t.ok(error.result.groups[0]!.runs[0]!.diagnostics.unseededRandomCalls >= 2 + 3, 'two initializers and one shuffle per epoch')
})

t.test('tfjs: shuffling alone diverges at the first batch, not before training', async (t) => {
  const shuffled = async ({ seed }: TrainContext) => {
    const { x, y } = penguinTensors()
    const model = buildPenguinModel(seed)
    await model.fit(x, y, { epochs: 1, batchSize: 64, verbose: 0 })
    return model
  }
  const error = await failureOf(checkReproducible(shuffled, { isolation: 'same-worker', backend: 'cpu' }))
  const c = error.result.groups[0]!.comparisons[0]!
  t.equal(c.firstDivergentCheckpoint?.label, 'epoch 1, batch 1')
  t.match(error.message, /shuffle: true \(the tfjs default\)/)
  t.notMatch(error.message, /unseeded initializer:/)
  const perEpoch = await failureOf(checkReproducible(shuffled, { isolation: 'same-worker', backend: 'cpu', checkpoints: 'epoch' }))
  t.same(perEpoch.result.groups[0]!.runs[0]!.checkpoints.map((cp) => cp.label), ['before training', 'epoch 1 end'])
  t.equal(perEpoch.result.groups[0]!.comparisons[0]!.firstDivergentCheckpoint?.label, 'epoch 1 end')
})

t.test('a custom training loop records checkpoints by hand', async (t) => {
  const loop = async ({ seed, checkpoint }: TrainContext) => {
    const model = buildPenguinModel(seed)
    const { x, y } = penguinTensors()
    const optimizer = tf.train.sgd(0.1)
    for (let step = 1; step <= 4; step++) {
      // The bug: step 3 jitters the learning rate with an unseeded random number.
      optimizer.setLearningRate(step === 3 ? 0.1 + 0.01 * Math.random() : 0.1)
      optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar)
      checkpoint(model, `step ${step}`)
    }
    tf.dispose([x, y])
    return model
  }
  const error = await failureOf(checkReproducible(loop, { isolation: 'same-worker', backend: 'cpu' }))
  t.same(error.result.groups[0]!.runs[0]!.checkpoints.map((cp) => cp.label), ['step 1', 'step 2', 'step 3', 'step 4'])
  t.equal(error.result.groups[0]!.comparisons[0]!.firstDivergentCheckpoint?.label, 'step 3')
  t.same(error.result.groups[0]!.runs[0]!.metrics, {}, 'no fit call, no metrics returned')
})

t.test('seedEverything: repeatable Math.random, restore, and it fixes careless tfjs training', async (t) => {
  const original = Math.random
  const first = seedEverything(123)
  const a = [Math.random(), Math.random(), first.nextSeed()]
  first.restore()
  t.equal(Math.random, original, 'restored')
  using second = seedEverything(123)
  t.same([Math.random(), Math.random(), second.nextSeed()], a, 'same seed, same numbers')
  t.not(second.nextSeed(), 0)
  second.restore()
  t.throws(() => seedEverything(), /seed must be an integer, got undefined — outside a test there is no t\.seed/)

  const seeded = async (ctx: TrainContext) => {
    using _ = seedEverything(ctx.seed)
    return await trainPenguinsCarelessly()
  }
  const result = await checkReproducible(seeded, { isolation: 'same-worker', backend: 'cpu' })
  t.ok(result.reproducible)
  const d = result.groups[0]!.runs[0]!.diagnostics
  t.ok(d.randomCalls > 0, `${d.randomCalls} Math.random calls, all seeded`)
  t.equal(d.unseededRandomCalls, 0)
  t.equal(Math.random, original)
})

t.test('the reproducibility plugin restores a forgotten seeding after the test', async (t) => {
  const original = Math.random
  const plugin = reproducibilityPlugin()
  t.equal(plugin.name, 'reproducibility')
  let inside: () => number = original
  await plugin.wrapTest!(async () => {
    seedEverything(11)
    inside = Math.random
  }, { test: {} as never, attempt: 1 })
  t.not(inside, original, 'seeded during the test')
  t.equal(Math.random, original, 'restored right after it')
})

/** A custom layer with a bias it forgets to add: the bias never reaches the loss. */
class ForgetfulDense extends tf.layers.Layer {
  static className = 'ForgetfulDense'
  private kernel!: tf.LayerVariable
  private bias!: tf.LayerVariable
  constructor() {
    super({ name: 'forgetful' })
  }
  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const inputs = (inputShape as number[]).at(-1)!
    this.kernel = this.addWeight('kernel', [inputs, 3], 'float32', tf.initializers.glorotUniform({ seed: 1 }))
    this.bias = this.addWeight('bias', [3], 'float32', tf.initializers.zeros())
  }
  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return [(inputShape as tf.Shape)[0]!, 3]
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => tf.softmax(tf.matMul(Array.isArray(inputs) ? inputs[0]! : inputs, this.kernel.read())))
  }
}

t.test('checkTrainingStep passes a model that trains', async (t) => {
  const result = await checkTrainingStep(buildPenguinModel(5), { seed: 9, steps: 2 })
  t.ok(result.passed)
  t.equal(result.variables.length, 4)
  t.ok(result.variables.every((v) => v.moved && v.gradient.received && v.gradient.finite))
  t.not(result.lossAfter, result.lossBefore)
  t.match(result.report, /replay: checkTrainingStep\(model, \{ seed: 9, steps: 2, batchSize: 8 \}\) on backend/)
})

t.test('checkTrainingStep names a variable that is not connected to the loss', async (t) => {
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 8, inputShape: [4], activation: 'relu' }), new ForgetfulDense()] })
  model.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy' })
  const error = (await checkTrainingStep(model, { seed: 1 }).catch((e) => e)) as Error & { result: { variables: Array<{ name: string; moved: boolean }> } }
  t.equal(error.name, 'AssertionError')
  t.same(error.result.variables.filter((v) => !v.moved).map((v) => v.name), ['forgetful/bias'])
  t.match(error.message, /1 of 4 trainable variables did not move/)
  t.match(error.message, /forgetful\/bias \[3\]: no gradient — its output is not connected to the loss/)
})

t.test('checkTrainingStep catches a NaN loss, dead units and a frozen layer', async (t) => {
  await tf.setBackend('cpu')
  const { x, y } = penguinTensors({ dropMissing: false })
  const nan = (await checkTrainingStep(buildPenguinModel(5), { inputs: x, targets: y }).catch((e) => e)) as Error
  t.match(nan.message, /6 of 1032 model outputs are not finite/, '2 unmeasured penguins x 3 species')
  t.match(nan.message, /loss before the step is NaN/)
  t.match(nan.message, /4 gradient\(s\) not finite/)
  // On wasm the fused dense+relu kernel turns NaN into 0, so outputs and loss stay finite;
  // the NaN gradients still fail the check.
  await tf.setBackend('wasm')
  const wasm = (await checkTrainingStep(buildPenguinModel(5), { inputs: x.clone(), targets: y.clone() }).catch((e) => e)) as Error
  t.notMatch(wasm.message, /loss before the step is NaN/)
  t.match(wasm.message, /4 gradient\(s\) not finite/)
  t.match(wasm.message, /on backend wasm/)
  await tf.setBackend('cpu')

  const dead = tf.sequential({
    layers: [
      tf.layers.dense({ units: 4, inputShape: [4], activation: 'relu', biasInitializer: tf.initializers.constant({ value: -100 }) }),
      tf.layers.dense({ units: 3, activation: 'softmax' }),
    ],
  })
  dead.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' })
  const deadError = (await checkTrainingStep(dead, { seed: 2 }).catch((e) => e)) as Error
  t.match(deadError.message, /dense_Dense\d+\/kernel \[4,4\]: gradient is all zeros/)

  const frozen = buildPenguinModel(5)
  frozen.layers[0]!.trainable = false
  frozen.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' })
  const name = frozen.layers[0]!.name
  await t.rejects(checkTrainingStep(frozen, { seed: 3 }), new RegExp(`frozen layer\\(s\\) not listed in \\{ frozen \\}: ${name}`))
  t.ok((await checkTrainingStep(frozen, { seed: 3, frozen: [name] })).passed, 'passes once the freeze is declared')

  const uncompiled = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2] })] })
  await t.rejects(checkTrainingStep(uncompiled), /the model is not compiled — call model\.compile/)
  tf.dispose([x, y])
})
