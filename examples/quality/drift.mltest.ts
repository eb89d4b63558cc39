/**
 * Drift as the online proxy for model quality: while labels arrive late, watch the inputs.
 * Seattle's weather (vega-datasets seattle-weather.csv, one row per day 2012-2015): the
 * even and odd days of one year are two samples of the same weather and do not drift; 2015,
 * a warm year with a different mix of recorded weather, drifted from 2012; and a feed that
 * starts sending Fahrenheit is caught at once.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { describe, expect, test } from 'mltest'
import { checkDrift } from 'mltest/quality'

interface Day { date: string; precipitation: number; temp_max: number; temp_min: number; wind: number; weather: string }

/** vega-datasets exports only its JS entry, so the data folder is found next to it. */
const dataDir = join(dirname(createRequire(import.meta.url).resolve('vega-datasets')), '..', 'data')
const days: Day[] = readFileSync(join(dataDir, 'seattle-weather.csv'), 'utf8').trim().split('\n').slice(1).map((line) => {
  const [date, precipitation, tempMax, tempMin, wind, weather] = line.split(',')
  return { date: date!, precipitation: +precipitation!, temp_max: +tempMax!, temp_min: +tempMin!, wind: +wind!, weather: weather! }
})
const year = (y: string) => days.filter((d) => d.date.startsWith(y))
const features = ['precipitation', 'temp_max', 'temp_min', 'wind', 'weather']

const days2014 = year('2014')
const evenDays = days2014.filter((_, i) => i % 2 === 0)
const oddDays = days2014.filter((_, i) => i % 2 === 1)

describe('input drift', () => {
  test('even and odd days of 2014 do not drift (KS per number, chi-squared for weather, Benjamini-Hochberg)', () => {
    const summary = checkDrift({ reference: evenDays, current: oddDays, features })
    expect(summary.verdict).toBe('pass')
    // What 'auto' picked, per feature: KS with an exact p-value at these sizes, chi-squared for the category.
    expect(summary.features.map((f) => f.method)).toEqual(['ks', 'ks', 'ks', 'ks', 'chi-squared'])
  })

  test.fails('2015 drifted from 2012: warmer days, a different weather mix', () => {
    checkDrift({ reference: year('2012'), current: year('2015'), features })
  }, { error: '3 of 5 features drifted' })

  test.fails('a feed that switches temp_max to Fahrenheit is caught', () => {
    const fahrenheit = oddDays.map((d) => ({ ...d, temp_max: d.temp_max * 1.8 + 32 }))
    checkDrift({ reference: evenDays, current: fahrenheit, features })
  }, { error: /✗ temp_max: KS D 0\.\d+/ })
})

describe('calibrated thresholds instead of a guessed PSI cut-off', () => {
  test('PSI thresholds from bootstrap pairs of the reference: same-year halves pass', () => {
    const summary = checkDrift({ reference: evenDays, current: oddDays, features: ['temp_max', 'wind'], method: 'psi', calibrate: true })
    expect(summary.verdict).toBe('pass')
    // Each feature's threshold is the 95th percentile of PSI between two samples of the reference.
    for (const f of summary.features) expect(f.threshold).toBeGreaterThan(f.statistic)
  })

  test.fails('5 °C warmer current days are beyond the calibrated threshold', () => {
    const warmer = oddDays.map((d) => ({ ...d, temp_max: d.temp_max + 5 }))
    checkDrift({ reference: evenDays, current: warmer, features: ['temp_max', 'wind'], method: 'psi', calibrate: true })
  }, { error: '1 of 2 features drifted' })
})

describe('prediction drift', () => {
  // A stand-in "model": tomorrow is rainy when today's precipitation is over 1 mm. Its
  // predictions are watched like any feature, with no labels needed.
  const predictRain = (d: Day) => (d.precipitation > 1 ? 'rain' : 'dry')

  test('the predicted share of rainy days is stable between halves of 2014', () => {
    expect(checkDrift({ reference: evenDays.map(predictRain), current: oddDays.map(predictRain) }).verdict).toBe('pass')
  })

  test.fails('a model fed millimetres as centimetres predicts rain far less often', () => {
    const broken = (d: Day) => (d.precipitation / 10 > 1 ? 'rain' : 'dry')
    checkDrift({ reference: evenDays.map(predictRain), current: oddDays.map(broken) })
  }, { error: '✗ prediction: chi-squared' })
})
