#!/usr/bin/env node
// How often does `mltest bench` call a regression that is not there, and how often does it
// catch one that is? Measured on this machine, with the verdict code `mltest bench` uses.
//
// A "run" is one child process that times `work(n)` (a CPU-bound loop) `--samples` times after
// `--warmup` untimed calls, like one nightly `mltest bench` of one benchmark. Variant B does
// (1 + --slowdown) × n iterations: the same function made 10% slower.
//
// --design nightly (default) replays a nightly history: 20 runs of A fill it, then each trial
// is one night. The night's A run and a B run (what a 10% slower commit would have measured
// that night; order alternating across nights) are each compared with the history as
// `mltest bench` does — level from the last K runs, run-to-run spread from the last 20 — and A
// joins the history. Nights share baseline runs, as real nightly runs do, so the trials are
// not independent and the binomial intervals below are somewhat too narrow.
// --design independent gives every trial its own K + 2 processes (independent trials, exact
// intervals), with the spread estimated from the K baseline runs only, as in a young history.
//
//   A/A: A vs its baseline  → a "regressed" is a false alarm
//   A/B: B vs the same one  → a "regressed" is a detection
//
// A trial counts as a regression when a metric in the gate is regressed, as `mltest bench`
// exits 1: by default the p50 (and rss, which these runs do not record); the report also
// shows every metric gating (--gate p50,p99,throughput,rss) and each metric alone. Rates come
// with exact Clopper–Pearson 95% intervals. The same
// trials are re-judged under other settings (K, spread window, min effect, alpha) to show
// which setting reaches the goals (false alarms <= 1%, detection >= 95%).
//
// Then --ab-trials trials of `mltest bench --ab`'s design: --ab-rounds rounds of separate
// processes A, A' and B in rotating order, judged by `compareAb` (pooled samples + the paired
// t over the rounds); A' vs A is the A/A comparison, B vs A the A/B one.
//
// Then --interleaved-trials trials of the A/B mode's design: one process measures A, A' and B
// in rotating order (A A' B, A' B A, B A A', ...), so drift between processes and over time
// cancels; A' vs A is the A/A comparison, B vs A the A/B one.
//
//   node bench/regression-calibration.mjs [--design nightly|independent] [--trials 400]
//        [--interleaved-trials 300] [--ab-trials 0] [--ab-rounds 5] [--samples 400] [--warmup 30] [--iterations 20000]
//        [--slowdown 0.10] [--baseline-runs 5] [--save runs.json | --load runs.json]
//
// --save keeps the measured runs; --load re-judges saved runs without measuring again.
import { execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

const self = fileURLToPath(import.meta.url)
const { values: args } = parseArgs({
  options: {
    design: { type: 'string', default: 'nightly' },
    trials: { type: 'string', default: '400' },
    'interleaved-trials': { type: 'string', default: '300' },
    'ab-trials': { type: 'string', default: '0' },
    'ab-rounds': { type: 'string', default: '5' },
    samples: { type: 'string', default: '400' },
    warmup: { type: 'string', default: '30' },
    iterations: { type: 'string', default: '20000' },
    slowdown: { type: 'string', default: '0.10' },
    'baseline-runs': { type: 'string', default: '5' },
    save: { type: 'string' },
    load: { type: 'string' },
    child: { type: 'string' },
  },
})

const hrtime = process.hrtime.bigint

/** The benchmarked function: cost linear in n. */
function work(n) {
  let s = 0
  for (let i = 0; i < n; i++) s += Math.sqrt(i + (s % 7))
  return s
}

let sink = 0
function timeOnce(n) {
  const t0 = hrtime()
  sink += work(n)
  return Number(hrtime() - t0) / 1e6
}

const samples = Number(args.samples)
const warmup = Number(args.warmup)
const nA = Number(args.iterations)
const nB = Math.round(nA * (1 + Number(args.slowdown)))

if (args.child) {
  // Child mode: one run. `A` or `B`: that variant alone; `interleaved`: A, A' and B in rotation.
  if (args.child === 'interleaved') {
    const out = { A: [], A2: [], B: [] }
    const plan = [
      ['A', nA],
      ['A2', nA],
      ['B', nB],
    ]
    for (let i = 0; i < warmup; i++) for (const [, n] of plan) sink += work(n)
    for (let i = 0; i < samples; i++) {
      for (let k = 0; k < 3; k++) {
        const [name, n] = plan[(i + k) % 3]
        out[name].push(timeOnce(n))
      }
    }
    process.stdout.write(JSON.stringify(out))
  } else {
    const n = args.child === 'B' ? nB : nA
    for (let i = 0; i < warmup; i++) sink += work(n)
    const out = []
    for (let i = 0; i < samples; i++) out.push(timeOnce(n))
    process.stdout.write(JSON.stringify(out))
  }
  if (sink === -1) process.stderr.write('unreachable\n')
  process.exit(0)
}

const { register } = await import('tsx/esm/api')
register()
const { compareBenchmark, worstChange } = await import('../plugins/bench-history/_internals/compare.ts')
const { compareAb } = await import('../plugins/bench-history/_internals/ab-compare.ts')
const betaQuantile = (await import('@stdlib/stats-base-dists-beta-quantile')).default
const { cpus, loadavg } = await import('node:os')

const trials = Number(args.trials)
const interleavedTrials = Number(args['interleaved-trials'])
const K = Number(args['baseline-runs'])

const child = (mode) => JSON.parse(execFileSync(process.execPath, [self, '--child', mode, '--samples', String(samples), '--warmup', String(warmup), '--iterations', String(nA), '--slowdown', args.slowdown], { encoding: 'utf8', maxBuffer: 64 << 20 }))
const asRun = (samplesMs) => ({ samplesMs, throughputPerSec: (1000 * samplesMs.length) / samplesMs.reduce((a, b) => a + b, 0) })

/** Exact (Clopper–Pearson) 95% interval of a binomial proportion. */
function clopperPearson(x, n) {
  const low = x === 0 ? 0 : betaQuantile(0.025, x, n - x + 1)
  const high = x === n ? 1 : betaQuantile(0.975, x + 1, n - x)
  return [low, high]
}
const pct = (v) => `${(100 * v).toFixed(2)}%`
const rate = (x, n) => {
  const [low, high] = clopperPearson(x, n)
  return `${x}/${n} = ${pct(x / n)} (95% CI ${pct(low)}–${pct(high)})`
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const h = (s.length - 1) / 2
  return s[Math.floor(h)] + (h - Math.floor(h)) * (s[Math.ceil(h)] - s[Math.floor(h)])
}

const design = args.design
if (design !== 'nightly' && design !== 'independent') throw new Error(`--design must be nightly or independent, got ${design}`)
const SPREAD = 20
const abTrials = Number(args['ab-trials'])
const abRounds = Number(args['ab-rounds'])
const command = `node bench/regression-calibration.mjs --design ${design} --trials ${trials} --interleaved-trials ${interleavedTrials} --ab-trials ${abTrials} --ab-rounds ${abRounds} --samples ${samples} --warmup ${warmup} --iterations ${nA} --slowdown ${args.slowdown} --baseline-runs ${K}`
console.log(command)
console.log(`machine: ${cpus()[0]?.model} × ${cpus().length}, node ${process.version}, load average at start ${loadavg().map((v) => v.toFixed(2)).join(' ')}`)

const summaryOf = (run) => {
  const s = [...run.samplesMs].sort((a, b) => a - b)
  const at = (p) => {
    const h = (s.length - 1) * p
    return s[Math.floor(h)] + (h - Math.floor(h)) * (s[Math.ceil(h)] - s[Math.floor(h)])
  }
  return { n: s.length, p50Ms: at(0.5), p99Ms: at(0.99), meanMs: s.reduce((a, b) => a + b, 0) / s.length }
}

// --- Separate processes (what a nightly `mltest bench` compares) -------------------------------
const started = Date.now()
/** Per trial: the history before it (oldest first), and that night's A and B runs. */
let collected = []
const progress = (i) => (i + 1) % 25 === 0 && process.stderr.write(`  ${i + 1}/${trials} trials, ${((Date.now() - started) / 1000).toFixed(0)} s\n`)
if (args.load) {
  collected = JSON.parse(readFileSync(args.load, 'utf8')).collected
  console.log(`(runs loaded from ${args.load}, measured earlier)`)
} else if (design === 'nightly') {
  const history = Array.from({ length: SPREAD }, () => asRun(child('A')))
  for (let trial = 0; trial < trials; trial++) {
    const current = {}
    for (const mode of trial % 2 === 0 ? ['A', 'B'] : ['B', 'A']) current[mode] = asRun(child(mode))
    collected.push({ history: history.slice(-SPREAD), A: current.A, B: current.B })
    history.push(current.A)
    progress(trial)
  }
} else {
  for (let trial = 0; trial < trials; trial++) {
    const history = Array.from({ length: K }, () => asRun(child('A')))
    const current = {}
    for (const mode of trial % 2 === 0 ? ['A', 'B'] : ['B', 'A']) current[mode] = asRun(child(mode))
    collected.push({ history, A: current.A, B: current.B })
    progress(trial)
  }
}
if (args.save) writeFileSync(args.save, JSON.stringify({ command, collected }))

function judge(settings, trial, current, seed) {
  const baseline = trial.history.slice(-settings.K)
  const spread = trial.history.slice(-Math.max(settings.spread, settings.K)).map(summaryOf).reverse()
  const rows = compareBenchmark(baseline, current, 1, { alpha: settings.alpha, minEffect: settings.minEffect, floorMs: settings.floorUs / 1000, seed, interleaved: settings.interleaved }, spread)
  const gated = rows.filter((r) => settings.gate.includes(r.metric === 'peak rss' ? 'rss' : r.metric))
  return { gate: worstChange(gated.map((r) => r.verdict)), all: worstChange(rows.map((r) => r.verdict)), p50: rows[0].verdict, ratio: rows[0].ratio, rows }
}

const METRICS = ['p50', 'p99', 'throughput']
function evaluate(settings) {
  const count = () => ({ regressed: 0, improved: 0, inconclusive: 0 })
  const aa = { gate: count(), all: count(), ...Object.fromEntries(METRICS.map((m) => [m, count()])) }
  const ab = { gate: count(), all: count(), ...Object.fromEntries(METRICS.map((m) => [m, count()])) }
  const aaRatios = []
  const abRatios = []
  const tally = (into, judged) => {
    if (judged.gate in into.gate) into.gate[judged.gate]++
    if (judged.all in into.all) into.all[judged.all]++
    for (const row of judged.rows) if (row.verdict in (into[row.metric] ?? {})) into[row.metric][row.verdict]++
  }
  collected.forEach((trial, i) => {
    const a = judge(settings, trial, trial.A, i)
    const b = judge(settings, trial, trial.B, i)
    aaRatios.push(a.ratio)
    abRatios.push(b.ratio)
    tally(aa, a)
    tally(ab, b)
  })
  return { aa, ab, aaRatios, abRatios }
}

const spreadDefault = design === 'nightly' ? SPREAD : K
// The default gate is p50 and rss; these runs record no rss, so it is the p50 alone.
const defaults = { K, spread: spreadDefault, minEffect: 0.05, alpha: 0.01, floorUs: 2, gate: ['p50', 'rss'] }
const sorted = (xs) => [...xs].sort((a, b) => a - b)
const q = (xs, p) => sorted(xs)[Math.min(xs.length - 1, Math.floor(p * xs.length))]
if (collected.length > 0) {
  const primary = evaluate(defaults)
  const n = collected.length
  const what = design === 'nightly' ? `${n} nights after ${SPREAD} history runs (baseline: last ${K} runs, spread: last ${SPREAD})` : `${n} independent trials (${K} baseline runs each, spread from them)`
  console.log(`\nseparate processes, ${what}, ${samples} samples a run (${((Date.now() - started) / 1000) | 0} s)`)
  console.log(`  p50 ratio (Hodges-Lehmann) A/A: median ${median(primary.aaRatios).toFixed(4)}, 2.5–97.5% of trials ${q(primary.aaRatios, 0.025).toFixed(4)}–${q(primary.aaRatios, 0.975).toFixed(4)}`)
  console.log(`  p50 ratio (Hodges-Lehmann) A/B: median ${median(primary.abRatios).toFixed(4)}, 2.5–97.5% of trials ${q(primary.abRatios, 0.025).toFixed(4)}–${q(primary.abRatios, 0.975).toFixed(4)}`)
  console.log(`  defaults (K ${K}, spread ${spreadDefault} runs, min effect 5%, alpha 0.01, floor 2 µs, gate p50 + rss):`)
  console.log(`    false alarms (A/A regressed in the gate: exit 1): ${rate(primary.aa.gate.regressed, n)}   goal <= 1%`)
  console.log(`    detection (A/B ${pct(Number(args.slowdown))} slower, regressed in the gate): ${rate(primary.ab.gate.regressed, n)}   goal >= 95%`)
  console.log(`    A/A inconclusive in the gate: ${rate(primary.aa.gate.inconclusive, n)}; A/A improved: ${rate(primary.aa.gate.improved, n)}`)
  console.log(`  with --gate p50,p99,throughput,rss (every metric fails the run):`)
  console.log(`    false alarms: ${rate(primary.aa.all.regressed, n)}; detection: ${rate(primary.ab.all.regressed, n)}`)
  console.log('    per metric     A/A regressed                      A/A improved                     A/A inconclusive                     A/B regressed')
  for (const m of METRICS) {
    console.log(`    ${m.padEnd(13)}  ${rate(primary.aa[m].regressed, n).padEnd(34)} ${rate(primary.aa[m].improved, n).padEnd(32)} ${rate(primary.aa[m].inconclusive, n).padEnd(36)} ${rate(primary.ab[m].regressed, n)}`)
  }

  console.log('\n  the same trials under other settings (default gate; every metric):')
  console.log('    K  spread  min effect   false alarms (gate)                 detection (gate)                     false alarms (every metric)         detection (every metric)')
  // A young history: the spread from 3, 5 or 10 runs (before 3, no change is called at all).
  const grid = [
    { K: 1, spread: 3 },
    { K: 3, spread: 3 },
    { K, spread: K },
    ...(design === 'nightly' ? [{ K, spread: 10 }, { K: 1, spread: SPREAD }] : []),
    { K, spread: spreadDefault, minEffect: 0.03 },
    { K, spread: spreadDefault },
    { K, spread: spreadDefault, minEffect: 0.07 },
  ]
  for (const g of grid) {
    const settings = { ...defaults, ...g }
    const r = g.K === K && g.spread === spreadDefault && g.minEffect === undefined ? primary : evaluate(settings)
    console.log(
      `    ${settings.K}  ${String(Math.max(settings.spread, settings.K)).padStart(6)}  ${pct(settings.minEffect).padStart(10)}   ${rate(r.aa.gate.regressed, n).padEnd(34)}  ${rate(r.ab.gate.regressed, n).padEnd(36)} ${rate(r.aa.all.regressed, n).padEnd(34)}  ${rate(r.ab.all.regressed, n)}`,
    )
  }
}

// --- Interleaved in one process (the A/B mode's design) ------------------------------------------
const interleavedStart = Date.now()
let iaFalse = 0
let iaDetect = 0
let iaFalseAll = 0
let iaDetectAll = 0
const iaRatios = []
for (let trial = 0; trial < interleavedTrials; trial++) {
  const run = child('interleaved')
  // Interleaved in one process: run-to-run variation cancels (compareBenchmark's interleaved mode).
  const single = { ...defaults, K: 1, spread: 1, interleaved: true }
  const a = judge(single, { history: [asRun(run.A)] }, asRun(run.A2), trial)
  const b = judge(single, { history: [asRun(run.A)] }, asRun(run.B), trial)
  iaRatios.push(b.ratio)
  if (a.gate === 'regressed') iaFalse++
  if (b.gate === 'regressed') iaDetect++
  if (a.all === 'regressed') iaFalseAll++
  if (b.all === 'regressed') iaDetectAll++
}
if (interleavedTrials > 0) {
  console.log(`\ninterleaved A A' B in one process: ${interleavedTrials} trials, ${samples} samples per variant (${(((Date.now() - interleavedStart) / 1000) | 0)} s)`)
  console.log(`  p50 ratio B/A: median ${median(iaRatios).toFixed(4)}, 2.5–97.5% of trials ${q(iaRatios, 0.025).toFixed(4)}–${q(iaRatios, 0.975).toFixed(4)}`)
  console.log(`  false alarms (A' vs A regressed): ${rate(iaFalse, interleavedTrials)}   goal <= 1%`)
  console.log(`  detection (B vs A regressed): ${rate(iaDetect, interleavedTrials)}   goal >= 95%`)
  console.log(`  every metric gating: false alarms ${rate(iaFalseAll, interleavedTrials)}, detection ${rate(iaDetectAll, interleavedTrials)}`)
}
// --- mltest bench --ab: separate processes in alternating rounds ------------------------------
const abStart = Date.now()
const abCount = { falseAlarms: 0, detections: 0, aaInconclusive: 0, abInconclusive: 0 }
const abRatios = []
const asCollected = (samplesMs) => ({ identity: 'calibration', testFullName: 'calibration', file: '-', name: 'work', batchSize: 1, subject: {}, subjectHash: '-', ...asRun(samplesMs), peakRssMb: null, minEffect: null })
for (let trial = 0; trial < abTrials; trial++) {
  const arms = { A: [], A2: [], B: [] }
  const order = ['A', 'A2', 'B']
  for (let round = 0; round < abRounds; round++) {
    for (let k = 0; k < 3; k++) {
      const arm = order[(round + trial + k) % 3]
      arms[arm].push(asCollected(child(arm === 'B' ? 'B' : 'A')))
    }
  }
  const options = { alpha: defaults.alpha, minEffect: defaults.minEffect, floorMs: defaults.floorUs / 1000, seed: trial }
  const gatedVerdict = (rows) => worstChange(rows.filter((r) => defaults.gate.includes(r.metric === 'peak rss' ? 'rss' : r.metric)).map((r) => r.verdict))
  const aa = compareAb(arms.A, arms.A2, options)
  const ab = compareAb(arms.A, arms.B, options)
  abRatios.push(ab[0].ratio)
  if (gatedVerdict(aa) === 'regressed') abCount.falseAlarms++
  if (gatedVerdict(aa) === 'inconclusive') abCount.aaInconclusive++
  if (gatedVerdict(ab) === 'regressed') abCount.detections++
  if (gatedVerdict(ab) === 'inconclusive') abCount.abInconclusive++
  if ((trial + 1) % 10 === 0) process.stderr.write(`  A/B mode: ${trial + 1}/${abTrials} trials, ${((Date.now() - abStart) / 1000).toFixed(0)} s\n`)
}
if (abTrials > 0) {
  console.log(`\nmltest bench --ab design: ${abTrials} trials of ${abRounds} rounds of separate processes A, A', B (rotating order), ${samples} samples per run, gate ${defaults.gate.join(',')}, min effect ${pct(defaults.minEffect)} (${(((Date.now() - abStart) / 1000) | 0)} s)`)
  console.log(`  p50 ratio B/A: median ${median(abRatios).toFixed(4)}, 2.5–97.5% of trials ${q(abRatios, 0.025).toFixed(4)}–${q(abRatios, 0.975).toFixed(4)}`)
  console.log(`  false alarms (A' vs A regressed): ${rate(abCount.falseAlarms, abTrials)}   goal <= 1%   (inconclusive: ${abCount.aaInconclusive})`)
  console.log(`  detection (B vs A regressed): ${rate(abCount.detections, abTrials)}   goal >= 95%   (inconclusive: ${abCount.abInconclusive})`)
}
console.log(`\nload average at end ${loadavg().map((v) => v.toFixed(2)).join(' ')}`)
