/**
 * mltest/quality, complexity tax: the baselines the check trains (multinomial logistic
 * regression by Newton's method, least squares, majority class) against scipy / numpy
 * solutions of the same objectives on cars.json; the taxed-gain formula worked by hand; the
 * check failing on a complex model that does not pay for itself, passing on one that does, and
 * inconclusive when the interval straddles zero; errors naming the field.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import t, { type Test } from 'tap'
import { checkComplexity, type ComplexityModel } from '../../../plugins/quality/complexity.ts'
import { fitLinear, fitLogistic, logisticObjective, majorityClass, solve, standardiser } from '../../../plugins/quality/_internals/complexity-baselines.ts'
import { inTestOf } from '../../in-test.ts'

function close(t: Test, actual: number, expected: number, rel: number, what: string) {
  t.ok(Math.abs(actual - expected) <= rel * Math.abs(expected), `${what}: ${actual} vs ${expected} (rel ${rel})`)
}

const inTest = inTestOf(import.meta.filename, { seed: 1234, name: 'complexity' })

interface Car { Miles_per_Gallon: number | null; Horsepower: number | null; Weight_in_lbs: number; Acceleration: number; Displacement: number; Cylinders: number; Origin: string }
const data = join(dirname(createRequire(import.meta.url).resolve('vega-datasets')), '..', 'data')
const cars = (JSON.parse(readFileSync(join(data, 'cars.json'), 'utf8')) as Car[])
  .filter((c) => [c.Miles_per_Gallon, c.Horsepower, c.Weight_in_lbs, c.Acceleration, c.Displacement, c.Cylinders].every((v) => v !== null))
const first120 = cars.slice(0, 120)

t.test('logistic regression: the optimum of Σ -log p(y|x) + ½||W||² matches scipy BFGS on cars (origin from weight, horsepower, acceleration)', async (t) => {
  t.equal(cars.length, 392)
  const x = first120.map((c) => [c.Weight_in_lbs, c.Horsepower!, c.Acceleration])
  const y = first120.map((c) => c.Origin)
  const m = fitLogistic(x, y)
  t.same(m.classes, ['Europe', 'Japan', 'USA'])
  t.equal(m.parameters, 12, '3 classes x (3 weights + intercept)')
  // scipy.optimize.minimize(f, zeros(12), jac=g, method='BFGS', options={'gtol': 1e-11}) on the
  // same objective over features standardised with numpy's mean and std (ddof 0): fun 57.765725102436534.
  const s = standardiser(x)
  const classIndex = y.map((v) => m.classes.indexOf(v))
  close(t, logisticObjective(m.weights, x.map(s.apply), classIndex), 57.765725102436534, 1e-9, 'objective at the optimum')
  // scipy's probabilities of rows 0..2 at its optimum:
  const expected = [
    [0.02796178428544674, 0.020522723373820058, 0.9515154923407332],
    [0.008892717040100107, 0.011208765898174575, 0.9798985170617254],
    [0.019127763609802458, 0.028253402649970883, 0.9526188337402267],
  ]
  const p = m.probabilities(x.slice(0, 3))
  expected.forEach((row, i) => row.forEach((e, k) => close(t, p[i]![k]!, e, 1e-6, `p(row ${i}, ${m.classes[k]})`)))
  t.ok(m.iterations < 30, `Newton converged in ${m.iterations} iterations`)
  t.throws(() => fitLogistic([[1], [2]], ['a', 'a']), /labels hold one class only \(a\); a classifier needs two/)
})

t.test('least squares matches numpy.linalg.lstsq; majority class breaks ties as scikit-learn; solve', async (t) => {
  const x = first120.map((c) => [c.Weight_in_lbs, c.Horsepower!])
  const y = first120.map((c) => c.Miles_per_Gallon!)
  const m = fitLinear(x, y)
  // numpy.linalg.lstsq([1, weight, horsepower], mpg) on the first 120 complete cars:
  const beta = [35.679840708968726, -0.004882234935548479, -0.008844136414495418]
  beta.forEach((b, i) => close(t, m.coefficients[i]!, b, 1e-9, `beta ${i}`))
  t.equal(m.parameters, 3)
  // Collinear columns (the second twice the first) still fit: the ridge fallback.
  const collinear = fitLinear([[1, 2], [2, 4], [3, 6]], [1, 2, 3])
  t.ok(collinear.predict([[4, 8]])[0]! > 3.99 && collinear.predict([[4, 8]])[0]! < 4.01, 'collinear fit predicts the line')
  t.same(majorityClass(['b', 'a', 'b', 'a', 'c']), { label: 'a', share: 0.4 }, 'tie between a and b goes to the smallest label')
  t.same(solve([[2, 1], [1, 3]], [3, 5]), [0.8, 1.4], '2x + y = 3, x + 3y = 5')
})

/** A fixed-prediction model: what `predictions` says, whatever the rows. */
const fixed = (predictions: unknown[], parameters: number, name: string): ComplexityModel => ({ name, parameters, predict: () => predictions as number[] })

t.test('the taxed gain, worked by hand: gain − tax × log2(parameters ratio)', async (t) => {
  // 40 rows, labels 0/1 alternating; the candidate is right on all, the baseline on rows 0..19 only.
  const labels = Array.from({ length: 40 }, (_, i) => i % 2)
  const rows = labels.map((_, i) => [i])
  const baselinePreds = labels.map((l, i) => (i < 20 ? l : 1 - l))
  // accuracy 1 vs 0.5: gain 0.5; parameters 8192 vs 8: log2(1024) = 10 doublings; tax 0.02 -> 0.5 - 0.2 = 0.3.
  const r = await inTest(() => checkComplexity({ candidate: fixed(labels, 8192, 'mlp'), baseline: fixed(baselinePreds, 8, 'small'), data: rows, labels, metric: 'accuracy', tax: 0.02 }))
  const s = r.result!
  t.equal(s.gain.estimate, 0.5)
  t.equal(s.relativeCost, 10)
  close(t, s.taxedGain.estimate, 0.3, 1e-12, 'taxed gain')
  close(t, s.taxedGain.lower, s.gain.lower - 0.2, 1e-12, 'the interval moves by the same tax')
  t.equal(s.verdict, 'pass')
  t.match(s.text, 'taxed gain = gain − tax × relative cost, relative cost = max(0, log2(parameters 8192 / 8)) = 10 doublings; tax 0.02: 0.3')
  // The same gain with tax 0.09 (0.9 over 10 doublings): the whole interval below zero -> fail.
  const taxed = await inTest(() => checkComplexity({ candidate: fixed(labels, 8192, 'mlp'), baseline: fixed(baselinePreds, 8, 'small'), data: rows, labels, metric: 'accuracy', tax: 0.09 }))
  t.match(taxed.error?.message, 'checkComplexity: mlp does not pay for its complexity: taxed accuracy gain -0.4')
  t.equal(taxed.checks[0]!.verdict, 'fail')
  t.equal(taxed.checks[0]!.practice, 'complexity-tax')
  // A candidate smaller than the baseline pays no negative tax: relative cost is clamped at 0.
  const smaller = await inTest(() => checkComplexity({ candidate: fixed(labels, 4, 'tiny'), baseline: fixed(baselinePreds, 8, 'small'), data: rows, labels, metric: 'accuracy', tax: 1 }))
  t.equal(smaller.result?.relativeCost, 0)
  // cost: 'latency' charges for measured time per prediction instead (no timed assertion: the
  // relative cost is checked against the latencies the check reports).
  const slow = await inTest(() => checkComplexity({ candidate: fixed(labels, 8192, 'mlp'), baseline: fixed(baselinePreds, 8, 'small'), data: rows, labels, metric: 'accuracy', tax: 0.02, cost: 'latency' }))
  const l = slow.result!
  t.equal(l.relativeCost, Math.max(0, Math.log2(l.candidate.latencyMs / l.baseline.latencyMs)))
  t.match(l.text, 'relative cost = max(0, log2(ms per prediction ')
  t.equal(slow.checks[0]!.metrics.cost, 'latency')
})

t.test('checkComplexity on cars: a complex model that only adds parameters fails, a better one passes, a near tie is inconclusive', async (t) => {
  const rows = cars.map((c) => [c.Weight_in_lbs, c.Horsepower!, c.Displacement, c.Acceleration])
  const labels = cars.map((c) => (c.Miles_per_Gallon! >= 25 ? 1 : 0))
  // Bad: a "complex" model (5,000 parameters) that predicts the majority class: logistic regression, cross-fitted, beats it.
  const majority = labels.filter((l) => l === 0).length >= labels.length / 2 ? 0 : 1
  const bad = await inTest(() => checkComplexity({ candidate: fixed(rows.map(() => majority), 5000, 'overgrown'), data: rows, labels, metric: 'accuracy', tax: 0.001 }))
  t.match(bad.error?.message, 'overgrown does not pay for its complexity')
  t.match(bad.error?.message, 'baseline: logistic regression trained by the check, cross-fitted: 5 folds')
  t.match(bad.error?.message, /paired percentile bootstrap, 2000 resamples, seed \d+/)
  t.ok(bad.checks[0]!.figures!.length === 1)
  // Good: the logistic regression itself as the candidate against the majority baseline.
  const logistic = fitLogistic(rows, labels)
  const good = await inTest(() => checkComplexity({ candidate: { name: 'logistic', parameters: logistic.parameters, predict: (r) => logistic.predict(r) }, baseline: 'majority', data: rows, labels, metric: 'accuracy', tax: 0.01 }))
  t.equal(good.result?.verdict, 'pass')
  t.match(good.result!.text, 'majority class trained by the check, cross-fitted')
  t.ok(good.result!.candidate.latencyMs > 0 && good.result!.baseline.latencyMs > 0, 'latency per prediction measured for both')
  // Inconclusive: two models that differ on a handful of rows, no tax.
  const flipped = labels.map((l, i) => (i % 97 === 0 ? 1 - l : l))
  const tie = await inTest(() => checkComplexity({ candidate: fixed(flipped, 10, 'a'), baseline: fixed(labels.map((l, i) => (i % 89 === 0 ? 1 - l : l)), 10, 'b'), data: rows, labels, metric: 'accuracy' }))
  t.equal(tie.result?.verdict, 'inconclusive')
  t.equal(tie.checks[0]!.verdict, 'inconclusive')
  t.match(tie.checks[0]!.reason, /straddles zero: 392 rows cannot tell whether a pays for its cost/)
  // Regression: rmse (lower is better) against the check's least squares, trained on given rows.
  const mpg = cars.map((c) => c.Miles_per_Gallon!)
  const ols = fitLinear(rows.slice(0, 300), mpg.slice(0, 300))
  const reg = await inTest(() => checkComplexity({
    candidate: { name: 'ols-copy', parameters: 5000, predict: (r) => ols.predict(r).map((v) => v - 5) }, data: rows.slice(300), labels: mpg.slice(300), metric: 'rmse',
    train: { data: rows.slice(0, 300), labels: mpg.slice(0, 300) },
  }))
  t.match(reg.error?.message, 'metric: rmse (lower is better) on 92 rows')
  t.match(reg.error?.message, 'linear regression trained by the check on 300 train rows')
})

t.test('a real tfjs model as the candidate: a trained network passes against the majority class, a diverged one fails', async (t) => {
  const tf = await import('@tensorflow/tfjs')
  await tf.setBackend('cpu')
  const raw = cars.map((c) => [c.Weight_in_lbs, c.Horsepower!, c.Displacement, c.Acceleration])
  const scale = standardiser(raw.filter((_, i) => i % 2 === 1))
  const rows = raw.map(scale.apply)
  const labels = cars.map((c) => (c.Miles_per_Gallon! >= 25 ? 1 : 0))
  const train = rows.filter((_, i) => i % 2 === 1)
  const evaluation = { data: rows.filter((_, i) => i % 2 === 0), labels: labels.filter((_, i) => i % 2 === 0) }
  async function trained(learningRate: number): Promise<ComplexityModel> {
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [4], units: 8, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
        tf.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
      ],
    })
    model.compile({ optimizer: tf.train.sgd(learningRate), loss: 'binaryCrossentropy' })
    const x = tf.tensor2d(train)
    const y = tf.tensor2d(labels.filter((_, i) => i % 2 === 1), [train.length, 1])
    await model.fit(x, y, { epochs: 30, batchSize: 32, shuffle: false, verbose: 0 })
    tf.dispose([x, y])
    return {
      name: `tfjs 4-8-1, sgd ${learningRate}`,
      parameters: model.countParams(),
      predict: (batch) => tf.tidy(() => Array.from((model.predict(tf.tensor2d(batch)) as import('@tensorflow/tfjs').Tensor).dataSync(), (p) => (p >= 0.5 ? 1 : 0))),
    }
  }
  const good = await inTest(async () => checkComplexity({ candidate: await trained(0.1), baseline: 'majority', ...evaluation, metric: 'accuracy', tax: 0.01 }))
  t.equal(good.error, undefined, String(good.error?.message))
  t.equal(good.result?.candidate.parameters, 4 * 8 + 8 + 8 + 1, 'countParams of the real model')
  t.equal(good.result?.verdict, 'pass', 'a trained network beats the majority class')
  // A learning rate of 1000 throws the weights far out: the network collapses to one class or worse.
  const diverged = await inTest(async () => checkComplexity({ candidate: await trained(1000), baseline: 'majority', ...evaluation, metric: 'accuracy', tax: 0.01 }))
  t.match(diverged.error?.message, 'tfjs 4-8-1, sgd 1000 does not pay for its complexity')
})

t.test('errors name the field', async (t) => {
  const rows = [[1, 2], [3, 4], [5, 6]]
  const model = fixed([0, 1, 0], 10, 'm')
  await t.rejects(checkComplexity({ candidate: model, data: rows, labels: [0, 1], metric: 'accuracy' }), /checkComplexity: data has 3 rows but labels has 2; pass one label per row/)
  await t.rejects(checkComplexity({ candidate: model, data: [[1, 2], [3, NaN], [5, 6]], labels: [0, 1, 0], metric: 'accuracy' }), /checkComplexity: data\[1\]\[1\] is NaN; every feature must be a finite number/)
  await t.rejects(checkComplexity({ candidate: fixed([0, 1], 10, 'm'), baseline: 'majority', data: rows, labels: [0, 1, 0], metric: 'accuracy' }), /candidate.predict returned 2 predictions for 3 rows/)
  await t.rejects(checkComplexity({ candidate: model, data: rows, labels: [0, 1, 0], metric: 'acuracy' as never }), /unknown metric "acuracy"/)
  await t.rejects(checkComplexity({ candidate: model, data: rows, labels: [0, 1, 0], metric: 'accuracy', taks: 1 } as never), /unknown option "taks" — did you mean "tax"\?/)
  await t.rejects(checkComplexity({ candidate: { predict: () => [] } as never, data: rows, labels: [0, 1, 0], metric: 'accuracy' }), /option "candidate" must be \{ predict\(rows\), parameters/)
  await t.rejects(checkComplexity({ candidate: model, baseline: 'linear', data: rows, labels: [0, 1, 0], metric: 'accuracy' }), /baseline 'linear' predicts numbers, but metric accuracy scores labels/)
})
