#!/usr/bin/env node
/**
 * How often does checkDistributionSkew call the same data skewed, and how often does it catch
 * real skew, at its default settings?
 *
 * 1. False alarms (A/A): many random 75/25 splits of one real dataset (cars: 294 / 98 rows,
 *    seattle-weather: 1096 / 365), training vs serving, every feature checked. A split of the
 *    same data has no skew, so every failure is a false alarm. Reported per feature (the share
 *    of splits that name the feature skewed) and per check (the share that fail at all), for
 *    the default (permutation test, Holm correction, alpha 0.05), for the same test without
 *    the correction (`correction: 'none'`), and for the old default (no test: distance over
 *    0.1 is skew). Goal: at most 5% per feature at defaults.
 * 2. Power: the same splits with skew planted in the serving part (unit bugs on one feature,
 *    in every row or in one row in ten, and serving traffic drawn from a shifted subset), the
 *    share of splits in which the check fails and names the planted feature.
 *
 * Rates come with exact (Clopper-Pearson) 95% intervals. Splits and check seeds derive from
 * --seed, so a run is reproducible.
 *
 *   node bench/skew-false-alarms.mjs [--splits 400] [--seed 1] [--datasets cars,seattle] [--skip-power]
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import os from 'node:os'
import { dirname, join } from 'node:path'
import { parseArgs } from 'node:util'
import betaQuantile from '@stdlib/stats-base-dists-beta-quantile'
import { register } from 'tsx/esm/api'

register()
const { checkDistributionSkew } = await import('../plugins/parity/index.ts')
const { createRng, deriveSeed } = await import('../core/plugin.ts')
const { createRunningTest, runWithTest } = await import('../core/worker/context.ts')

const { values: flags } = parseArgs({
  options: {
    splits: { type: 'string', default: '400' },
    seed: { type: 'string', default: '1' },
    datasets: { type: 'string', default: 'cars,seattle' },
    'skip-power': { type: 'boolean', default: false },
  },
})
const splits = Number(flags.splits)
const runSeed = Number(flags.seed)
const command = `node bench/skew-false-alarms.mjs --splits ${splits} --seed ${runSeed} --datasets ${flags.datasets}${flags['skip-power'] ? ' --skip-power' : ''}`

const data = join(dirname(createRequire(import.meta.url).resolve('vega-datasets')), '..', 'data')
const DATASETS = {
  cars: {
    rows: JSON.parse(readFileSync(join(data, 'cars.json'), 'utf8')).filter((r) => Object.values(r).every((v) => v !== null)),
    features: ['Miles_per_Gallon', 'Cylinders', 'Displacement', 'Horsepower', 'Weight_in_lbs', 'Acceleration', 'Origin'],
    planted: [
      { name: 'Weight_in_lbs x1000 in every serving row (unit bug)', feature: 'Weight_in_lbs', plant: (serving) => scale(serving, 'Weight_in_lbs', 1000, 1) },
      { name: 'Weight_in_lbs in kg in 1 serving row of 2', feature: 'Weight_in_lbs', plant: (serving) => scale(serving, 'Weight_in_lbs', 0.4536, 2) },
      { name: 'Weight_in_lbs in kg in 1 serving row of 10', feature: 'Weight_in_lbs', plant: (serving) => scale(serving, 'Weight_in_lbs', 0.4536, 10) },
      { name: 'serving drawn from model years 1980-82 only', feature: 'Miles_per_Gallon', subset: (row) => row.Year >= '1980' },
    ],
  },
  seattle: {
    rows: readCsv(join(data, 'seattle-weather.csv')),
    features: ['precipitation', 'temp_max', 'temp_min', 'wind', 'weather'],
    planted: [
      { name: 'temp_max in °F in every serving row (unit bug)', feature: 'temp_max', plant: (serving) => serving.map((r) => ({ ...r, temp_max: r.temp_max * 1.8 + 32 })) },
      { name: 'wind in km/h instead of m/s in 1 serving row of 10', feature: 'wind', plant: (serving) => scale(serving, 'wind', 3.6, 10) },
      { name: 'serving drawn from June-August only', feature: 'temp_max', subset: (row) => ['06', '07', '08'].includes(row.date.slice(5, 7)) },
      { name: 'serving drawn from 2015 only', feature: 'temp_max', subset: (row) => row.date.startsWith('2015') },
    ],
  },
}

function readCsv(path) {
  const [header, ...lines] = readFileSync(path, 'utf8').trim().split('\n')
  const names = header.split(',')
  return lines.map((line) => Object.fromEntries(line.split(',').map((v, i) => [names[i], i === 0 || names[i] === 'weather' ? v : Number(v)])))
}

/** Multiplies `feature` by `factor` in every `every`-th serving row. */
function scale(serving, feature, factor, every) {
  return serving.map((r, i) => (i % every === 0 ? { ...r, [feature]: r[feature] * factor } : r))
}

/** Runs the check as the body of a running test, to read the verdict and the features it named from what it records. */
async function verdictOf(options) {
  const test = { id: 'bench', file: 'bench', suitePath: [], name: 'bench', fullName: 'bench', tags: [], mode: 'run', expectFail: false, exclusive: false }
  const running = createRunningTest(test, 0, 0, 1, () => {}, {})
  try {
    await runWithTest(running, () => checkDistributionSkew(options))
  } catch (error) {
    if (error.name !== 'AssertionError') throw error
  }
  const record = running.checks[0]
  return { verdict: record.verdict, skewed: new Set(String(record.metrics.skewedFeatures).split(',').filter(Boolean)) }
}

/**
 * A random 75/25 split of `rows`; with `subset`, serving is drawn only from the rows it
 * accepts (half of them at most), and with `servingSize`, a random split with that many
 * serving rows (the same sizes as a subset's, without the shift).
 */
function split(rows, i, dataset, { subset, servingSize } = {}) {
  const shuffled = createRng(deriveSeed(runSeed, dataset, 'split', String(i))).shuffle(rows)
  const trainingSize = rows.length - Math.round(rows.length / 4)
  const size = servingSize ?? Math.round(rows.length / 4)
  if (!subset) return { training: shuffled.slice(size, size + trainingSize), serving: shuffled.slice(0, size) }
  const pool = shuffled.filter(subset)
  const serving = pool.slice(0, Math.min(size, Math.floor(pool.length / 2)))
  const chosen = new Set(serving)
  return { training: shuffled.filter((r) => !chosen.has(r)).slice(0, trainingSize), serving }
}

/** Clopper-Pearson 95% interval of k successes in n trials, in percent. */
function interval(k, n) {
  const low = k === 0 ? 0 : betaQuantile(0.025, k, n - k + 1)
  const high = k === n ? 1 : betaQuantile(0.975, k + 1, n - k)
  return `${pct(k / n)} [${pct(low)}, ${pct(high)}]`
}
const pct = (x) => `${(100 * x).toFixed(1)}%`

const SETTINGS = [
  ['default (permutation test, Holm, alpha 0.05)', {}],
  ["correction: 'none' (alpha 0.05 per test)", { correction: 'none' }],
  ['old default (permutations: 0, no test)', { permutations: 0 }],
]

console.log('checkDistributionSkew: A/A false alarms and power at default settings')
console.log(`command: ${command}`)
console.log(`machine: ${os.cpus()[0]?.model ?? 'unknown cpu'} x${os.availableParallelism()}, node ${process.version}`)
console.log('defaults: thresholds 0.1, missingThresholds 0.05, bins 10, permutations 999 at these sizes, alpha 0.05, Holm correction over the check\'s tests')

for (const name of flags.datasets.split(',')) {
  const dataset = DATASETS[name]
  const started = performance.now()
  const servingSize = Math.round(dataset.rows.length / 4)
  console.log(`\n## ${name}: ${dataset.rows.length} rows, ${splits} random splits, training ${dataset.rows.length - servingSize} / serving ${servingSize} rows, features ${dataset.features.join(', ')}`)
  console.log('\nA/A (the same data on both sides: every failure is a false alarm)')
  const counts = SETTINGS.map(() => ({ fails: 0, inconclusive: 0, perFeature: Object.fromEntries(dataset.features.map((f) => [f, 0])) }))
  for (let i = 0; i < splits; i++) {
    const { training, serving } = split(dataset.rows, i, name)
    for (const [s, [, extra]] of SETTINGS.entries()) {
      const { verdict, skewed } = await verdictOf({ training, serving, features: dataset.features, seed: deriveSeed(runSeed, name, 'check', String(i)), ...extra })
      if (verdict === 'fail') counts[s].fails++
      if (verdict === 'inconclusive') counts[s].inconclusive++
      for (const f of skewed) counts[s].perFeature[f]++
    }
  }
  console.log(`  ${'setting'.padEnd(46)} ${'check fails [95% CI]'.padEnd(24)} ${'worst feature [95% CI]'.padEnd(38)} inconclusive`)
  for (const [s, [label]] of SETTINGS.entries()) {
    const [worst, k] = Object.entries(counts[s].perFeature).sort((a, b) => b[1] - a[1])[0]
    console.log(`  ${label.padEnd(46)} ${interval(counts[s].fails, splits).padEnd(24)} ${`${worst} ${interval(k, splits)}`.padEnd(38)} ${pct(counts[s].inconclusive / splits)}`)
  }
  console.log(`\n  per feature: share of splits naming it skewed (${SETTINGS.map(([label]) => label.split(' (')[0]).join(' | ')})`)
  for (const f of dataset.features) console.log(`  ${f.padEnd(18)} ${counts.map((c) => pct(c.perFeature[f] / splits).padStart(7)).join('  ')}`)

  if (!flags['skip-power']) {
    console.log("\nPower (skew planted in the serving part of each split; 'none' is the default test without the correction; the last column is the old default on a random split of the same sizes, i.e. its false-alarm rate there)")
    console.log(`  ${'planted skew'.padEnd(54)} ${'serving rows'.padEnd(13)} ${'default: names it [95% CI]'.padEnd(38)} ${'default: check fails'.padEnd(21)} ${"'none': names it".padEnd(17)} ${'old default: names it'.padEnd(22)} old default, no skew`)
    for (const planted of dataset.planted) {
      let named = 0
      let fails = 0
      let oldNamed = 0
      let oldNoSkew = 0
      let uncorrected = 0
      let size = 0
      for (let i = 0; i < splits; i++) {
        const parts = split(dataset.rows, i, name, { subset: planted.subset })
        const serving = planted.plant ? planted.plant(parts.serving) : parts.serving
        size = serving.length
        const seed = deriveSeed(runSeed, name, 'check', String(i))
        const options = { training: parts.training, serving, features: dataset.features, seed }
        const now = await verdictOf(options)
        if (now.verdict === 'fail') fails++
        if (now.skewed.has(planted.feature)) named++
        if ((await verdictOf({ ...options, correction: 'none' })).skewed.has(planted.feature)) uncorrected++
        if ((await verdictOf({ ...options, permutations: 0 })).skewed.has(planted.feature)) oldNamed++
        const same = split(dataset.rows, i, name, { servingSize: size })
        if ((await verdictOf({ ...same, features: dataset.features, seed, permutations: 0 })).skewed.has(planted.feature)) oldNoSkew++
      }
      console.log(`  ${planted.name.padEnd(54)} ${String(size).padEnd(13)} ${`${planted.feature} ${interval(named, splits)}`.padEnd(38)} ${pct(fails / splits).padEnd(21)} ${pct(uncorrected / splits).padEnd(17)} ${pct(oldNamed / splits).padEnd(22)} ${pct(oldNoSkew / splits)}`)
    }
  }
  console.log(`\n  (${name}: ${((performance.now() - started) / 1000).toFixed(0)} s)`)
}
