#!/usr/bin/env node
/**
 * Overhead of `checkStability` over raw fast-check running the same property (goal: within 10%).
 *
 * Each workload runs the same function on the same generator (`arb.tensor`) with the same
 * seed and run count, two ways:
 *   - checkStability(fn, { inputs, property, runs, seed })
 *   - fc.check(fc.property(inputs, (x) => <the same property, inlined>), { seed, numRuns })
 * Rounds alternate the order (ABBA) because the machine is noisy; after warm-up rounds it
 * prints each arm's median time per check, the ratio checkStability / raw, the machine and
 * the command. The failing workload includes shrinking and, for checkStability, the report.
 *
 * Run:  node bench/stability-overhead.mjs [--rounds 40] [--runs 200] [--warmup 5]
 */
import os from 'node:os'
import { parseArgs } from 'node:util'
import { register } from 'tsx/esm/api'

register()
const fc = (await import('fast-check')).default
const { arb, checkStability, finite, sumsToOne } = await import('../plugins/stability/index.ts')

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '40' },
    runs: { type: 'string', default: '200' },
    warmup: { type: 'string', default: '5' },
  },
})
const rounds = Number(args.rounds)
const runs = Number(args.runs)
const warmup = Number(args.warmup)

/** Softmax along the last axis of a [rows, cols] (or [cols]) tensor value, in float32. */
function softmax({ data, shape }) {
  const cols = shape.at(-1)
  const out = new Float32Array(data.length)
  for (let r = 0; r < data.length / cols; r++) {
    let max = -Infinity
    for (let j = 0; j < cols; j++) max = Math.max(max, data[r * cols + j])
    let sum = 0
    for (let j = 0; j < cols; j++) sum += out[r * cols + j] = Math.exp(data[r * cols + j] - max)
    for (let j = 0; j < cols; j++) out[r * cols + j] /= sum
  }
  return out
}

function naiveSoftmax({ data }) {
  const exps = data.map(Math.exp)
  const sum = exps.reduce((a, b) => a + b, 0)
  return exps.map((e) => e / sum)
}

const allFinite = (y) => y.every(Number.isFinite)
const rowsSumToOne = (y, cols) => {
  for (let r = 0; r < y.length / cols; r++) {
    let sum = 0
    for (let j = 0; j < cols; j++) sum += y[r * cols + j]
    if (!(Math.abs(sum - 1) <= 1e-5)) return false
  }
  return true
}

const workloads = [
  {
    name: 'stable softmax [64], finite',
    inputs: arb.tensor({ shape: [64] }),
    fn: softmax,
    property: finite,
    raw: (x) => allFinite(softmax(x)),
  },
  {
    name: 'stable softmax [16, 64], finite & sumsToOne',
    inputs: arb.tensor({ shape: [16, 64] }),
    fn: (x) => ({ data: softmax(x), shape: x.shape, dtype: 'float32' }),
    property: [finite, sumsToOne()],
    raw: (x) => {
      const y = softmax(x)
      return allFinite(y) && rowsSumToOne(y, 64)
    },
  },
  {
    name: 'naive softmax [64], finite (fails, shrinks)',
    inputs: arb.tensor({ shape: [64] }),
    fn: naiveSoftmax,
    property: finite,
    raw: (x) => allFinite(naiveSoftmax(x)),
  },
]

const now = () => performance.now()
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const h = (s.length - 1) / 2
  return (s[Math.floor(h)] + s[Math.ceil(h)]) / 2
}
/** Distribution-free 95% interval for a median: order statistics n/2 ∓ 1.96·√n/2 (binomial, normal approximation). */
const medianInterval = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const half = 1.96 * Math.sqrt(s.length) / 2
  const lo = Math.max(0, Math.floor(s.length / 2 - half))
  const hi = Math.min(s.length - 1, Math.ceil(s.length / 2 + half) - 1)
  return [s[lo], s[hi]]
}

async function timeCheck(w, seed) {
  const t0 = now()
  await checkStability(w.fn, { inputs: w.inputs, property: w.property, runs, seed }).catch((e) => {
    if (e.name !== 'AssertionError') throw e
  })
  return now() - t0
}

function timeRaw(w, seed) {
  const t0 = now()
  fc.check(fc.property(w.inputs, w.raw), { seed, numRuns: runs })
  return now() - t0
}

console.log(`checkStability vs raw fast-check — ${rounds} rounds (ABBA) after ${warmup} warm-up, ${runs} runs per check`)
console.log(`machine: ${os.cpus()[0]?.model ?? 'unknown cpu'} ×${os.cpus().length}, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}, node ${process.version}, fast-check ${fc.__version}`)
console.log('')
const rows = []
for (const w of workloads) {
  const checkTimes = []
  const rawTimes = []
  for (let r = 0; r < warmup + rounds; r++) {
    const seed = 1000 + r
    let a
    let b
    if (r % 2 === 0) {
      a = await timeCheck(w, seed)
      b = timeRaw(w, seed)
    } else {
      b = timeRaw(w, seed)
      a = await timeCheck(w, seed)
    }
    if (r >= warmup) {
      checkTimes.push(a)
      rawTimes.push(b)
    }
  }
  const ratios = checkTimes.map((a, i) => a / rawTimes[i])
  rows.push({ name: w.name, check: median(checkTimes), raw: median(rawTimes), ratio: median(ratios), interval: medianInterval(ratios) })
}
const pad = (s, n) => String(s).padEnd(n)
console.log(`${pad('workload', 46)}${pad('checkStability', 16)}${pad('raw fast-check', 16)}ratio: median of ${rounds} per-round ratios [95% CI]`)
for (const r of rows) {
  const [lo, hi] = r.interval
  console.log(`${pad(r.name, 46)}${pad(`${r.check.toFixed(2)} ms`, 16)}${pad(`${r.raw.toFixed(2)} ms`, 16)}${r.ratio.toFixed(3)} (${((r.ratio - 1) * 100).toFixed(1)}%) [${lo.toFixed(3)}, ${hi.toFixed(3)}]`)
}
console.log('')
console.log(`goal: median ratio <= 1.10 on the passing workloads — ${rows.slice(0, 2).every((r) => r.ratio <= 1.1) ? 'met' : 'NOT met'}`)
console.log(`command: node bench/stability-overhead.mjs --rounds ${rounds} --runs ${runs} --warmup ${warmup}`)
