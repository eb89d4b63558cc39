#!/usr/bin/env node
/**
 * mltest/quality's checks: what they cost and how often they call a boundary case wrong.
 *
 * 1. Cost: the median wall time of each check (of 5 calls, after one warm-up) at the default
 *    2000 resamples, on the 333 vega-datasets penguins with a two-rule species "model", and on
 *    20,000 rows drawn from them with replacement.
 * 2. Calibration of checkSlices: many samples of 333 rows drawn with replacement from the
 *    penguins (the population), each judged by island. The threshold is set to the
 *    population's own metric on the Dream slice, so the slice truly sits at the threshold:
 *    every "fail" of Dream there is a false failure (goal: at most (1 - confidence)/2 = 2.5%).
 *    With the threshold 0.1 below the truth, the share of passes is the power. For accuracy
 *    (Wilson interval) and macro F1 (percentile bootstrap).
 * 3. Calibration of checkFairness: the same samples with the sex shuffled (no disparity by
 *    construction), four-fifths rule and demographic parity difference <= 0.1: every fail is a
 *    false alarm; inconclusive shows what 333 rows cannot tell.
 * 4. checkFairness at the boundary: groups assigned at random, then flags raised in one group
 *    until the population's demographic parity difference is 0.15; with that as threshold,
 *    every fail is a false failure (goal 2.5%); 0.1 above it, the share of passes.
 *
 * Rates come with exact (Clopper-Pearson) 95% intervals. Samples derive from --seed.
 *
 *   node bench/quality-checks.mjs [--trials 200] [--seed 1] [--skip-cost]
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import os from 'node:os'
import { dirname, join } from 'node:path'
import { parseArgs } from 'node:util'
import betaQuantile from '@stdlib/stats-base-dists-beta-quantile'
import { register } from 'tsx/esm/api'

register()
const q = await import('../plugins/quality/index.ts')
const { createRng, deriveSeed } = await import('../core/plugin.ts')

const { values: flags } = parseArgs({
  options: { trials: { type: 'string', default: '200' }, seed: { type: 'string', default: '1' }, 'skip-cost': { type: 'boolean', default: false } },
})
const trials = Number(flags.trials)
const runSeed = Number(flags.seed)
const command = `node bench/quality-checks.mjs --trials ${trials} --seed ${runSeed}${flags['skip-cost'] ? ' --skip-cost' : ''}`

const file = join(dirname(createRequire(import.meta.url).resolve('vega-datasets')), '..', 'data', 'penguins.json')
const penguins = JSON.parse(readFileSync(file, 'utf8'))
  .filter((r) => (r.Sex === 'MALE' || r.Sex === 'FEMALE') && r['Beak Length (mm)'] != null)
  .map((r) => ({ species: r.Species, island: r.Island, sex: r.Sex, beakLength: r['Beak Length (mm)'], beakDepth: r['Beak Depth (mm)'], flipperLength: r['Flipper Length (mm)'], bodyMass: r['Body Mass (g)'] }))
const byRules = (rows) => rows.map((p) => (p.flipperLength > 206 ? 'Gentoo' : p.beakLength > 44 ? 'Chinstrap' : 'Adelie'))
const small = (s) => (s === 'Gentoo' ? 'no' : 'yes')

function sample(rows, n, rng) {
  return Array.from({ length: n }, () => rows[rng.int(0, rows.length - 1)])
}

function clopperPearson(k, n) {
  return [k === 0 ? 0 : betaQuantile(0.025, k, n - k + 1), k === n ? 1 : betaQuantile(0.975, k + 1, n - k)]
}
const pct = (x) => `${(100 * x).toFixed(1)}%`
const rate = (k, n) => { const [lo, hi] = clopperPearson(k, n); return `${pct(k / n)} [${pct(lo)}, ${pct(hi)}] (${k}/${n})` }

async function median(fn) {
  await fn()
  const times = []
  for (let i = 0; i < 5; i++) {
    const start = performance.now()
    await fn()
    times.push(performance.now() - start)
  }
  return times.sort((a, b) => a - b)[2]
}

console.log(`mltest/quality checks · ${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length} · node ${process.version}`)
console.log(`command: ${command}\n`)

if (!flags['skip-cost']) {
  console.log('1. Cost (median of 5 calls, default 2000 resamples)')
  for (const [label, rows] of [['333 penguins', penguins], ['20,000 rows', sample(penguins, 20000, createRng(runSeed))]]) {
    const species = rows.map((p) => p.species)
    const predictions = byRules(rows)
    const flags = predictions.map(small)
    const truth = species.map(small)
    const sex = rows.map((p) => p.sex)
    const costs = {
      'checkSlices accuracy by island (Wilson)': () => q.checkSlices({ predictions, data: rows, labels: species, sliceBy: 'island', metric: 'accuracy', threshold: 0.5, seed: 1 }),
      'checkSlices f1Macro by island (bootstrap)': () => q.checkSlices({ predictions, data: rows, labels: species, sliceBy: 'island', metric: 'f1Macro', threshold: 0.3, seed: 1 }),
      'checkFairness (3 disparities)': () => q.checkFairness({ predictions: flags, labels: truth, group: sex, posLabel: 'yes', thresholds: { demographicParityDifference: 0.9, equalizedOddsDifference: 0.9, disparateImpact: 0.01 }, seed: 1 }),
      'checkProxyFeatures (6 features)': () => q.checkProxyFeatures({ data: rows, protected: 'sex', threshold: 0.99, seed: 1 }),
      'checkInvariance (rules, swap sex)': () => q.checkInvariance({ predict: byRules, records: rows, perturb: (p) => ({ ...p, sex: p.sex === 'MALE' ? 'FEMALE' : 'MALE' }) }),
    }
    for (const [name, fn] of Object.entries(costs)) console.log(`  ${label.padEnd(13)} ${name.padEnd(44)} ${(await median(fn)).toFixed(1)} ms`)
  }
  console.log()
}

function dreamTruth(metric) {
  const idx = penguins.flatMap((p, i) => (p.island === 'Dream' ? [i] : []))
  const predictions = byRules(penguins)
  return q.METRICS[metric].compute(idx.map((i) => penguins[i].species), idx.map((i) => predictions[i]))
}

console.log(`2. checkSlices at the boundary: ${trials} samples of 333 penguins; Dream's verdict`)
for (const metric of ['accuracy', 'f1Macro']) {
  const truth = dreamTruth(metric)
  for (const [what, threshold] of [['threshold = truth', truth], ['threshold = truth - 0.1', truth - 0.1]]) {
    const counts = { pass: 0, fail: 0, inconclusive: 0 }
    for (let t = 0; t < trials; t++) {
      const rows = sample(penguins, 333, createRng(deriveSeed(runSeed, 'slices', String(t))))
      let result
      try {
        result = await q.checkSlices({ predictions: byRules(rows), data: rows, labels: rows.map((p) => p.species), sliceBy: 'island', metric, threshold, seed: deriveSeed(runSeed, 'boot', String(t)) })
      } catch (error) {
        if (error.name !== 'AssertionError') throw error
        result = { slices: [] }
        counts[/island=Dream[^\n]*fail/.test(error.message) ? 'fail' : /island=Dream[^\n]*inconclusive/.test(error.message) ? 'inconclusive' : 'pass']++
        continue
      }
      counts[result.slices.find((s) => s.slice === 'island=Dream').verdict]++
    }
    console.log(`  ${metric.padEnd(9)} truth ${truth.toFixed(4)}, ${what.padEnd(24)} fail ${rate(counts.fail, trials)}  pass ${rate(counts.pass, trials)}  inconclusive ${rate(counts.inconclusive, trials)}`)
  }
}
console.log()

console.log(`3. checkFairness A/A: ${trials} samples of 333 penguins, sex shuffled (no disparity by construction)`)
const fairness = { pass: 0, fail: 0, inconclusive: 0 }
const perMetric = { demographicParityDifference: { fail: 0, inconclusive: 0 }, disparateImpact: { fail: 0, inconclusive: 0 }, equalizedOddsDifference: { fail: 0, inconclusive: 0 } }
for (let t = 0; t < trials; t++) {
  const rng = createRng(deriveSeed(runSeed, 'fairness', String(t)))
  const rows = sample(penguins, 333, rng)
  const sex = rng.shuffle(rows.map((p) => p.sex))
  let result
  try {
    result = q.checkFairness({ predictions: byRules(rows).map(small), labels: rows.map((p) => small(p.species)), group: sex, posLabel: 'yes', seed: deriveSeed(runSeed, 'fboot', String(t)) })
  } catch (error) {
    if (error.name !== 'AssertionError') throw error
    fairness.fail++
    for (const m of Object.keys(perMetric)) if (new RegExp(`${m}[^\\n]*fail:`).test(error.message)) perMetric[m].fail++
    continue
  }
  fairness[result.verdict]++
  for (const m of result.metrics) if (m.verdict === 'inconclusive') perMetric[m.metric].inconclusive++
}
console.log(`  check: fail ${rate(fairness.fail, trials)}  pass ${rate(fairness.pass, trials)}  inconclusive ${rate(fairness.inconclusive, trials)}`)
for (const [m, c] of Object.entries(perMetric)) console.log(`  ${m.padEnd(28)} fail ${rate(c.fail, trials)}  inconclusive (when the check did not fail) ${rate(c.inconclusive, trials)}`)

console.log(`\n4. checkFairness at the boundary: ${trials} samples of 333 penguins; a population demographic parity difference set to the threshold`)
{
  // The population: groups assigned at random once; males' flags raised until their selection rate is 0.15 above the females'.
  const rng = createRng(deriveSeed(runSeed, 'boundary-population'))
  const group = penguins.map(() => (rng.next() < 0.5 ? 'a' : 'b'))
  const flags = byRules(penguins).map(small)
  const rateOf = (g) => flags.filter((f, i) => group[i] === g && f === 'yes').length / group.filter((x) => x === g).length
  for (let i = 0; i < penguins.length && rateOf('b') - rateOf('a') < 0.15; i++) if (group[i] === 'b' && flags[i] === 'no') flags[i] = 'yes'
  const truth = rateOf('b') - rateOf('a')
  const population = penguins.map((p, i) => ({ flag: flags[i], group: group[i] }))
  for (const [what, threshold] of [['threshold = truth', truth], ['threshold = truth + 0.1', truth + 0.1]]) {
    const counts = { pass: 0, fail: 0, inconclusive: 0 }
    for (let t = 0; t < trials; t++) {
      const rows = sample(population, 333, createRng(deriveSeed(runSeed, 'boundary', String(t))))
      try {
        const result = q.checkFairness({ predictions: rows.map((r) => r.flag), group: rows.map((r) => r.group), posLabel: 'yes', metrics: ['demographicParityDifference'], thresholds: { demographicParityDifference: threshold }, seed: deriveSeed(runSeed, 'bboot', String(t)) })
        counts[result.verdict]++
      } catch (error) {
        if (error.name !== 'AssertionError') throw error
        counts.fail++
      }
    }
    console.log(`  population difference ${truth.toFixed(4)}, ${what.padEnd(24)} fail ${rate(counts.fail, trials)}  pass ${rate(counts.pass, trials)}  inconclusive ${rate(counts.inconclusive, trials)}`)
  }
}
