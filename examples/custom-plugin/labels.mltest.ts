// The custom `labels` plugin at work on real data (penguins from vega-datasets): a check
// written against mltest/plugin passes on a random split and fails on a shifted sample.
import { createRequire } from 'node:module'
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { describe, expect, test } from 'mltest'
import { createRng } from 'mltest/plugin'
import { checkLabelDistribution } from './check-label-distribution.ts'

const dataFile = join(dirname(createRequire(import.meta.url).resolve('vega-datasets')), '..', 'data', 'penguins.json')
const species = (JSON.parse(readFileSync(dataFile, 'utf8')) as Array<{ Species: string }>).map((row) => row.Species)

/** The full dataset's class mix is the reference: 152 Adelie, 68 Chinstrap, 124 Gentoo. */
const expected = { Adelie: 0, Chinstrap: 0, Gentoo: 0 } as Record<string, number>
for (const s of species) expected[s]! += 1

describe('training split of penguins', () => {
  test('a random half keeps the class mix', () => {
    // A fixed seed: the split is part of the data, not of the run.
    const half = createRng(2026).shuffle(species).slice(0, species.length / 2)
    const result = checkLabelDistribution(half, { expected })
    expect(result.verdict).toBe('pass')
    expect(result.n).toBe(172)
  })

  test.fails('the first 150 rows are nearly all Adelie: the check fails', () => {
    checkLabelDistribution(species.slice(0, 150), { expected })
  }, { error: /label distribution shifted: chi-square .* p=.* < alpha 0\.01, n=150/ })

  test('t.expectLabels comes from the plugin (extendContext)', (t) => {
    const everyThird = species.filter((_, i) => i % 3 === 0)
    expect(t.expectLabels(everyThird, expected).pValue).toBeGreaterThan(0.01)
  })

  test('a misspelled option is an error, not a silently weaker check', () => {
    expect(() => checkLabelDistribution(species, { expected, alpah: 0.05 } as never)).toThrow('checkLabelDistribution: unknown option "alpah" — did you mean "alpha"?')
  })
})
