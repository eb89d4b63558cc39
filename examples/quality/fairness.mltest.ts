/**
 * Inclusion checks for a decision made about penguins of either sex: a tfjs classifier
 * (out-of-fold predictions) flags the two smaller species, Adelie and Chinstrap, for a
 * (fictional) ringing programme. The flag must not depend on sex: equal selection rates
 * (demographic parity, the four-fifths rule), equal error rates (equalized odds), no
 * feature standing in for sex, and no decision that changes when only the sex does.
 * The planted fault: a downstream rule that skips light birds, which are mostly female.
 */
import { describe, expect, test } from 'mltest'
import { checkFairness, checkInvariance, checkProxyFeatures } from 'mltest/quality'
import { loadPenguins, outOfFold, type Penguin } from './penguins-data.ts'

const penguins = loadPenguins()
const isSmallSpecies = (p: Penguin) => (p.species === 'Gentoo' ? 'no' : 'yes')
const labels = penguins.map(isSmallSpecies)
const sex = penguins.map((p) => p.sex)
const model = await outOfFold(penguins, isSmallSpecies)

/** The decision service as deployed: the model's flag. */
const decide = (rows: readonly Penguin[]) => model.predict(rows)
/** The same service with a rule added later: birds under 3,500 g are skipped (fewer tags lost, it was said). */
const decideSkippingLightBirds = (rows: readonly Penguin[]) => model.predict(rows).map((flag, i) => (rows[i]!.bodyMass < 3500 ? 'no' : flag))
/** The sex of a penguin swapped, nothing else: what a sex-blind decision must not notice. */
const swapSex = (p: Penguin): Penguin => ({ ...p, sex: p.sex === 'MALE' ? 'FEMALE' : 'MALE' })
/** A service that (wrongly) reads the sex: females need to weigh 3,500 g to be flagged. */
const decideBySex = (rows: readonly Penguin[]) => model.predict(rows).map((flag, i) => (rows[i]!.sex === 'FEMALE' && rows[i]!.bodyMass < 3500 ? 'no' : flag))

// About 165 penguins per sex bound a selection-rate difference to about ±0.1 at 95%, so the
// thresholds ask what this sample can show: a difference of at most 0.15, the four-fifths rule.
const thresholds = { demographicParityDifference: 0.15, disparateImpact: 0.8, equalizedOddsDifference: 0.1 }

describe('fairness by sex', () => {
  test('selection and error rates do not differ between the sexes', () => {
    const result = checkFairness({ predictions: decide(penguins), labels, group: sex, posLabel: 'yes', thresholds })
    expect(result.groups.map((g) => g.group)).toEqual(['FEMALE', 'MALE'])
  })

  test.fails('skipping light birds fails the four-fifths rule and equalized odds', () => {
    checkFairness({ predictions: decideSkippingLightBirds(penguins), labels, group: sex, posLabel: 'yes', thresholds })
  }, { error: /disparateImpact.*fail: CI wholly below threshold/ })
})

describe('proxies for sex', () => {
  test('island and species carry no information about sex', () => {
    checkProxyFeatures({ data: penguins, protected: 'sex', features: ['island', 'species'], threshold: 0.3 })
  })

  test.fails('body mass is a proxy for sex', () => {
    checkProxyFeatures({ data: penguins, protected: 'sex', features: ['island', 'species', 'bodyMass'], threshold: 0.3 })
  }, { error: 'bodyMass is a proxy for "sex"' })
})

describe('invariance to sex', () => {
  test('swapping only the sex changes no decision', async () => {
    await checkInvariance({ predict: decide, records: penguins, perturb: swapSex })
  })

  test.fails('a decision that reads the sex is caught, with the flipped penguins listed', async () => {
    await checkInvariance({ predict: decideBySex, records: penguins, perturb: swapSex })
  }, { error: /predictions changed when only the group attribute did[\s\S]*sex: "(MALE|FEMALE)" → "(FEMALE|MALE)"/ })
})
