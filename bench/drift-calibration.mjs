#!/usr/bin/env node
/**
 * How often does checkDrift call drift where there is none, and how often does it catch a
 * real shift?
 *
 * 1. False alarms (A/A): many random splits of one real dataset (seattle-weather, 1,461 days;
 *    precipitation, temp_max, temp_min, wind and weather), reference vs current. A random split
 *    of the same rows has no drift, so every failing check is a false alarm. Reported per check
 *    (the share of splits that fail at all: goal at most alpha = 0.05) and per feature, for
 *    the default (method 'auto': KS / chi-squared, Benjamini–Hochberg at alpha 0.05), for the
 *    calibrated mode (PSI and Jensen-Shannon, thresholds from bootstrap pairs of the reference),
 *    and for PSI against the usual fixed 0.1.
 * 2. Power: the same splits with temp_max in the current part raised by half its standard
 *    deviation (over all 1,461 days), the share of splits in which the check fails and names
 *    temp_max.
 *
 * Rates come with exact (Clopper-Pearson) 95% intervals; the number of trials is printed with
 * each. Splits and calibration seeds derive from --seed, so a run is reproducible.
 *
 * --shift sets the planted shift in standard deviations (default 0.5); --calibrated-trials 0
 * skips the calibrated settings (each of their trials costs 2 x 5 x 199 statistics).
 *
 *   node bench/drift-calibration.mjs [--trials 1000] [--calibrated-trials 200] [--seed 1] [--current 0.5] [--shift 0.5]
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import os from 'node:os'
import { dirname, join } from 'node:path'
import { parseArgs } from 'node:util'
import betaQuantile from '@stdlib/stats-base-dists-beta-quantile'
import { register } from 'tsx/esm/api'

register()
const { checkDrift } = await import('../plugins/quality/drift.ts')
const { createRng, deriveSeed } = await import('../core/plugin.ts')

const { values: flags } = parseArgs({
  options: {
    trials: { type: 'string', default: '1000' },
    'calibrated-trials': { type: 'string', default: '200' },
    seed: { type: 'string', default: '1' },
    current: { type: 'string', default: '0.5' },
    shift: { type: 'string', default: '0.5' },
  },
})
const trials = Number(flags.trials)
const calibratedTrials = Number(flags['calibrated-trials'])
const runSeed = Number(flags.seed)
const currentShare = Number(flags.current)
const shiftSds = Number(flags.shift)
const command = `node bench/drift-calibration.mjs --trials ${trials} --calibrated-trials ${calibratedTrials} --seed ${runSeed} --current ${currentShare} --shift ${shiftSds}`

const data = join(dirname(createRequire(import.meta.url).resolve('vega-datasets')), '..', 'data')
const rows = readFileSync(join(data, 'seattle-weather.csv'), 'utf8').trim().split('\n').slice(1).map((line) => {
  const [date, precipitation, tempMax, tempMin, wind, weather] = line.split(',')
  return { date, precipitation: +precipitation, temp_max: +tempMax, temp_min: +tempMin, wind: +wind, weather }
})
const FEATURES = ['precipitation', 'temp_max', 'temp_min', 'wind', 'weather']
const SHIFTED = 'temp_max'
const mean = rows.reduce((a, r) => a + r[SHIFTED], 0) / rows.length
const sd = Math.sqrt(rows.reduce((a, r) => a + (r[SHIFTED] - mean) ** 2, 0) / (rows.length - 1))
const shift = shiftSds * sd

/** Exact (Clopper-Pearson) 95% interval of k successes in n trials, as `4.8% [3.6%, 6.3%]`. */
function interval(k, n) {
  const low = k === 0 ? 0 : betaQuantile(0.025, k, n - k + 1)
  const high = k === n ? 1 : betaQuantile(0.975, k + 1, n - k)
  return `${pct(k / n)} [${pct(low)}, ${pct(high)}] (${k}/${n})`
}
const pct = (x) => `${(100 * x).toFixed(1)}%`

/** Split `trial` of the rows: a seeded shuffle, the first share as current. */
function split(trial) {
  const shuffled = createRng(deriveSeed(runSeed, 'split', String(trial))).shuffle(rows)
  const size = Math.round(rows.length * currentShare)
  return { current: shuffled.slice(0, size), reference: shuffled.slice(size) }
}

/** Runs checkDrift, returning its verdict and the drifted features (a failure is a verdict, not an error). */
function verdictOf(options) {
  try {
    const summary = checkDrift(options)
    return { verdict: summary.verdict, drifted: [] }
  } catch (error) {
    if (error.name !== 'AssertionError') throw error
    return { verdict: 'fail', drifted: FEATURES.filter((f) => error.message.includes(`✗ ${f}:`)) }
  }
}

const SETTINGS = [
  { label: "default: method 'auto' (KS exact / chi-squared), BH, alpha 0.05", options: {}, n: trials },
  { label: "calibrate: true, method 'psi' (199 bootstrap pairs), BH", options: { method: 'psi', calibrate: true }, n: calibratedTrials },
  { label: "calibrate: true, method 'jensen-shannon', BH", options: { method: 'jensen-shannon', calibrate: true }, n: calibratedTrials },
  { label: "method 'psi', fixed threshold 0.1 (no test)", options: { method: 'psi' }, n: trials },
]

console.log(`checkDrift: A/A false alarms and power against a shift of ${shiftSds} standard deviations`)
console.log(`command: ${command}`)
console.log(`machine: ${os.cpus()[0]?.model ?? 'unknown cpu'} x${os.availableParallelism()}, node ${process.version}`)
const sizes = split(0)
console.log(`data: seattle-weather.csv, ${rows.length} days; random splits, reference ${sizes.reference.length} / current ${sizes.current.length} rows; features ${FEATURES.join(', ')}`)
console.log(`power: ${SHIFTED} + ${shiftSds} sd = +${shift.toFixed(3)} (sd ${sd.toFixed(3)} over all days) in every current row`)

console.log(`\n  ${'setting'.padEnd(66)} ${'A/A: check fails [95% CI] (k/trials)'.padEnd(40)} ${'worst feature (A/A)'.padEnd(24)} ${'inconclusive'.padEnd(13)} power: names ${SHIFTED} [95% CI]`)
for (const setting of SETTINGS.filter((s) => s.n > 0)) {
  const started = performance.now()
  let fails = 0
  let inconclusive = 0
  let caught = 0
  const perFeature = Object.fromEntries(FEATURES.map((f) => [f, 0]))
  for (let trial = 0; trial < setting.n; trial++) {
    const { reference, current } = split(trial)
    const seed = deriveSeed(runSeed, 'check', String(trial))
    const aa = verdictOf({ reference, current, features: FEATURES, seed, ...setting.options })
    if (aa.verdict === 'fail') fails++
    if (aa.verdict === 'inconclusive') inconclusive++
    for (const f of aa.drifted) perFeature[f]++
    const shifted = current.map((r) => ({ ...r, [SHIFTED]: r[SHIFTED] + shift }))
    const power = verdictOf({ reference, current: shifted, features: FEATURES, seed, ...setting.options })
    if (power.drifted.includes(SHIFTED)) caught++
  }
  const [worst, k] = Object.entries(perFeature).sort((a, b) => b[1] - a[1])[0]
  const seconds = ((performance.now() - started) / 1000).toFixed(1)
  console.log(`  ${setting.label.padEnd(66)} ${interval(fails, setting.n).padEnd(40)} ${`${worst} ${pct(k / setting.n)}`.padEnd(24)} ${pct(inconclusive / setting.n).padEnd(13)} ${interval(caught, setting.n)}   (${seconds} s)`)
  console.log(`    per feature (A/A): ${FEATURES.map((f) => `${f} ${pct(perFeature[f] / setting.n)}`).join(', ')}`)
}
