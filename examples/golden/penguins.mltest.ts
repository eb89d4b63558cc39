// Golden outputs: pin a model's outputs and metrics between versions. The first run writes
// __golden__/penguins.mltest.ts.golden.json and __snapshots__/penguins.mltest.ts.snap.json;
// later runs compare with them, and `mltest run -u` rewrites what changed on purpose. Both
// files are committed, so CI (where a missing golden fails) checks against them.
import { describe, expect, test } from 'mltest'
import { evaluate, loadPenguins, SPECIES, trainClassifier } from './penguins.ts'

const { train, heldOut } = loadPenguins()
const model = trainClassifier(train)
/** Six held-out penguins across the three species (the data lists them species by species). */
const sample = heldOut.x.filter((_, i) => i % 15 === 0)

describe('penguin species classifier', () => {
  test('class probabilities of six held-out penguins stay put', () => {
    // numpy's allclose tolerance by default (rtol 1e-5, atol 1e-8): rounding noise passes,
    // a retrained or re-preprocessed model does not.
    expect(model.predict(sample)).toMatchGolden('probabilities')
  })

  test('learned weights stay put', () => {
    expect(model.weights).toMatchGolden('weights', { rtol: 1e-6 })
  })

  test('held-out metrics stay put', () => {
    const { accuracy, logLoss } = evaluate(model, heldOut)
    expect(accuracy).toBeGreaterThan(0.95)
    expect({ accuracy, logLoss }).toMatchGolden('held-out metrics')
  })

  test('the confusion matrix and predicted species stay put', () => {
    const { confusion } = evaluate(model, heldOut)
    expect({ species: SPECIES, confusion }).toMatchSnapshot()
    const predicted = model.predict(sample).map((p) => SPECIES[p.indexOf(Math.max(...p))])
    expect(predicted).toMatchSnapshot('species of the six penguins')
  })
})
