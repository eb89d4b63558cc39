/**
 * Every public check of mltest/parity validates its options at run time: a misspelled option
 * (with a did-you-mean hint), a wrong type, or a bad nested option (a tolerance, a feature
 * spec) is a one-line error naming the check and the option, never silently ignored.
 */
import tap from 'tap'
import * as tf from '@tensorflow/tfjs'
import { checkDistributionSkew, checkFeatureParity, checkModelParity, checkServingLog, exportToOnnx, type Features } from '../../plugins/parity/index.ts'

const records = [{ x: 1 }, { x: 2 }]
const pipeline = (r: { x: number }): Features => ({ x: r.x })
const base = { records, training: pipeline, serving: pipeline }

/** Asserts `run` fails with exactly `message`, on one line, as the OptionsError parseCheckOptions throws. */
async function refuses(t: Pick<typeof tap, 'equal' | 'ok'>, run: () => unknown, message: string) {
  const error = await Promise.resolve().then(run).then(() => undefined, (e: Error) => e)
  t.equal(error?.message, message)
  t.ok(error instanceof TypeError && !error.message.includes('\n'), 'a one-line TypeError')
}

tap.test('checkFeatureParity: unknown options, wrong types and nested tolerances', async (t) => {
  const known = '(known: records, training, serving, tolerance, features, keyBy, maxExamples)'
  await refuses(t, () => checkFeatureParity({ ...base, tolerence: 1 } as never), `checkFeatureParity: unknown option "tolerence" — did you mean "tolerance"? ${known}`)
  await refuses(t, () => checkFeatureParity({ ...base, tolerance: { atl: 1e-6 } as never }), 'checkFeatureParity: option "tolerance": unknown option "atl" — did you mean "atol"? (known: atol, rtol, ulps)')
  await refuses(t, () => checkFeatureParity({ ...base, tolerance: { '*': 'exact', x: { rtl: 1e-6 } } as never }), 'checkFeatureParity: option "tolerance.x": unknown option "rtl" — did you mean "rtol"? (known: atol, rtol, ulps)')
  await refuses(t, () => checkFeatureParity({ ...base, tolerance: { x: { atol: -1 } } }), 'checkFeatureParity: option "tolerance.x": option "atol" must be a number >= 0 (got -1)')
  await refuses(t, () => checkFeatureParity({ ...base, tolerance: { ulps: 1.5 } }), 'checkFeatureParity: option "tolerance": option "ulps" must be an integer (got 1.5)')
  await refuses(t, () => checkFeatureParity({ ...base, tolerance: { x: 'exactly' } as never }), `checkFeatureParity: option "tolerance.x" must be 'exact' or { atol?, rtol?, ulps? } (got "exactly")`)
  await refuses(t, () => checkFeatureParity({ ...base, tolerance: 3 as never }), `checkFeatureParity: option "tolerance" must be 'exact', { atol?, rtol?, ulps? } or a map { '*': default, feature: tolerance } (got 3)`)
  await refuses(t, () => checkFeatureParity({ ...base, maxExamples: 0 }), 'checkFeatureParity: option "maxExamples" must be an integer >= 1 (got 0)')
  await refuses(t, () => checkFeatureParity({ ...base, keyBy: 3 as never }), 'checkFeatureParity: option "keyBy" must be a field name or a function (record, index) => string (got 3)')
  await refuses(t, () => checkFeatureParity({ ...base, features: 'x' as never }), 'checkFeatureParity: option "features" must be an array (got "x")')
  await refuses(t, () => checkFeatureParity({ ...base, training: undefined as never }), 'checkFeatureParity: option "training" must be a function (record) => features or an object with batch(records) => features[] (got undefined)')
  // Valid forms still pass: Infinity allowances, maps with '*', batch pipelines.
  const ok = await checkFeatureParity({ ...base, serving: { batch: (rs: readonly { x: number }[]) => rs.map(pipeline) }, tolerance: { '*': { atol: Infinity }, x: 'exact' }, keyBy: (_r, i) => `r${i}` })
  t.equal(ok.examples, 2)
})

tap.test('checkServingLog: unknown options, wrong types and nested tolerances', async (t) => {
  const log = records.map((raw) => ({ raw, features: pipeline(raw) }))
  await refuses(t, () => checkServingLog({ log, training: pipeline, batchsize: 10 } as never),
    'checkServingLog: unknown option "batchsize" — did you mean "batchSize"? (known: log, training, keyBy, tolerance, features, maxExamples, batchSize, progressEvery, onProgress)')
  await refuses(t, () => checkServingLog({ log, training: pipeline, progressEvery: -1 }), 'checkServingLog: option "progressEvery" must be an integer >= 1 (got -1)')
  await refuses(t, () => checkServingLog({ log, training: pipeline, onProgress: 'log' as never }), 'checkServingLog: option "onProgress" must be a function (progress) => void (got "log")')
  await refuses(t, () => checkServingLog({ log, training: pipeline, tolerance: { x: { ulp: 2 } } as never }), 'checkServingLog: option "tolerance.x": unknown option "ulp" — did you mean "ulps"? (known: atol, rtol, ulps)')
  await refuses(t, () => checkServingLog({ log: '', training: pipeline }), 'checkServingLog: option "log" must be a JSONL file path, a file URL, or an (async) iterable of { raw, features } records (got "")')
  t.equal((await checkServingLog({ log, training: pipeline, batchSize: 1, onProgress: () => {} })).examples, 2)
})

tap.test('checkDistributionSkew: unknown options, wrong types and nested feature specs', async (t) => {
  const rows = [{ x: 1, c: 'a' }, { x: 2, c: 'b' }]
  const skew = { training: rows, serving: rows, features: ['x', 'c'] }
  const known = '(known: training, serving, features, thresholds, missingThresholds, bins, permutations, alpha, correction, seed)'
  await refuses(t, () => checkDistributionSkew({ ...skew, threshold: 0.5 } as never), `checkDistributionSkew: unknown option "threshold" — did you mean "thresholds"? ${known}`)
  await refuses(t, () => checkDistributionSkew({ ...skew, permutation: 999 } as never), `checkDistributionSkew: unknown option "permutation" — did you mean "permutations"? ${known}`)
  await refuses(t, () => checkDistributionSkew({ ...skew, correction: 'bonferroni' as never }), 'checkDistributionSkew: option "correction" must be one of holm, none (got "bonferroni")')
  await refuses(t, () => checkDistributionSkew({ ...skew, thresholds: { x: 2 } }), 'checkDistributionSkew: option "thresholds.x" must be a number in [0, 1] (got 2)')
  await refuses(t, () => checkDistributionSkew({ ...skew, bins: 1 }), 'checkDistributionSkew: option "bins" must be an integer >= 2 (got 1)')
  await refuses(t, () => checkDistributionSkew({ ...skew, seed: 1.5 }), 'checkDistributionSkew: option "seed" must be an integer (got 1.5)')
  await refuses(t, () => checkDistributionSkew({ ...skew, features: { x: 'num' } as never }), `checkDistributionSkew: option "features.x" must be 'numeric', 'categorical' or { type, bins? } (got "num")`)
  await refuses(t, () => checkDistributionSkew({ ...skew, features: { x: { type: 'numeric', bin: 5 } } as never }), 'checkDistributionSkew: option "features.x": unknown option "bin" — did you mean "bins"? (known: type, bins)')
  await refuses(t, () => checkDistributionSkew({ ...skew, features: { x: { type: 'number' } } as never }), 'checkDistributionSkew: option "features.x": option "type" must be one of numeric, categorical (got "number")')
  await refuses(t, () => checkDistributionSkew({ ...skew, features: ['x', 3] as never }), 'checkDistributionSkew: option "features" must list feature names (got 3 at index 1)')
  await refuses(t, () => checkDistributionSkew({ ...skew, features: [] }), `checkDistributionSkew: option "features" names no feature; pass e.g. ['island', 'body_mass_g']`)
  await refuses(t, () => checkDistributionSkew({ ...skew, serving: 'rows' as never }), 'checkDistributionSkew: option "serving" must be an array of rows (objects with the features as fields) (got "rows")')
  t.equal(checkDistributionSkew({ ...skew, features: { x: { type: 'numeric', bins: 2 }, c: 'categorical' }, thresholds: { '*': 0.2 }, correction: 'none' }).features.length, 2)
})

tap.test('checkModelParity and exportToOnnx: unknown options, wrong types and nested tolerances', async (t) => {
  const inputs = [[1], [2]]
  const model = (rows: number[][]) => rows
  const known = '(known: inputs, tolerance, maxFractionOutOfTolerance, classifier, minTop1Agreement, names, worst, allowNonFinite)'
  await refuses(t, () => checkModelParity(model, model, { inputs, tolerence: { atol: 1 } } as never), `checkModelParity: unknown option "tolerence" — did you mean "tolerance"? ${known}`)
  await refuses(t, () => checkModelParity(model, model, { inputs, tolerance: { atl: 1 } as never }), 'checkModelParity: option "tolerance": unknown option "atl" — did you mean "atol"? (known: atol, rtol, ulps)')
  await refuses(t, () => checkModelParity(model, model, { inputs, tolerance: { output: { atol: 1 } } as never }), 'checkModelParity: option "tolerance": unknown option "output" (known: atol, rtol, ulps)')
  await refuses(t, () => checkModelParity(model, model, { inputs, names: ['tfjs'] as never }), `checkModelParity: option "names" must be two labels [a, b], e.g. ['tfjs', 'onnxruntime'] (got an array of 1)`)
  await refuses(t, () => checkModelParity(model, model, { inputs, worst: 0 }), 'checkModelParity: option "worst" must be an integer >= 1 (got 0)')
  await refuses(t, () => checkModelParity(model, model, { inputs, classifier: 'yes' as never }), 'checkModelParity: option "classifier" must be a boolean (got "yes")')
  await refuses(t, () => checkModelParity(model, model, { inputs, maxFractionOutOfTolerance: 2 }), 'checkModelParity: option "maxFractionOutOfTolerance" must be a number <= 1 (got 2)')
  await refuses(t, () => checkModelParity(model, model, { inputs: [[1], 'x'] as never }), 'checkModelParity: input row #1 is "x"; each input row must be an array or typed array of numbers')
  t.equal((await checkModelParity(model, model, { inputs, tolerance: 'exact', names: ['a', 'b'], worst: 1 })).examples, 2)

  await tf.setBackend('cpu')
  const dense = tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 1, kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) })] })
  await refuses(t, () => exportToOnnx(dense, { inputname: 'x' } as never), 'exportToOnnx: unknown option "inputname" — did you mean "inputName"? (known: path, inputName, outputName, opset)')
  await refuses(t, () => exportToOnnx(dense, { opset: 19 }), 'exportToOnnx: option "opset" must be an integer <= 18 (got 19)')
  await refuses(t, () => exportToOnnx(dense, 'model.onnx' as never), 'exportToOnnx: options must be an object { path?, inputName?, outputName?, opset? } (got "model.onnx")')
  t.ok((await exportToOnnx(dense, { opset: 18 })).length > 0)
})
