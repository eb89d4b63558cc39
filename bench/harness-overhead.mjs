#!/usr/bin/env node
// How much does benchOnnx's own harness distort what it reports?
//
// 1. Latency: on one session with one feed, alternate (ABBA order) benchOnnx with a bare
//    `t0 = hrtime; await session.run(feeds); t1 = hrtime` loop of the same length, and compare
//    the median benchOnnx reports with the bare loop's median, round by round (goal: within
//    3%). Also compares throughput with a bare loop timed as a whole.
// 2. Memory: run benchOnnx alone in a child process under `/usr/bin/time -v` and compare the
//    peak rss it reports (and its samples-only peak) with time's "Maximum resident set size"
//    of that same process (goal: within 10%). The parent writes the model file, so the child
//    does nothing but load and benchmark it.
//
//   node bench/harness-overhead.mjs [--rounds 60] [--small-iterations 300] [--large-iterations 15]
//                                   [--models small,large] [--skip-rss]
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { register } from 'tsx/esm/api'

register()
const { benchOnnx } = await import('../plugins/onnx/index.ts')
const { quantileInterval } = await import('../plugins/onnx/_internals/quantile-interval.ts')
const { LARGE_MLP, SMALL_MLP, writeMlp } = await import('../examples/onnx/mlp-model.ts')
const ort = (await import('onnxruntime-node')).default

const self = fileURLToPath(import.meta.url)
const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '60' },
    'small-iterations': { type: 'string', default: '300' },
    'large-iterations': { type: 'string', default: '15' },
    models: { type: 'string', default: 'small,large' },
    'skip-rss': { type: 'boolean', default: false },
    'child-rss': { type: 'string' },
  },
})

/** One model's session options: one intra-op thread keeps both arms off a shared thread pool's scheduling noise. */
const SESSION_OPTIONS = { intraOpNumThreads: 1, logSeverityLevel: 3 }

if (args['child-rss']) {
  // Child mode: benchmark the model and print what benchOnnx reports, nothing else.
  const result = await benchOnnx(args['child-rss'], { batchSizes: [1, 32], minTimeMs: 500, sessionOptions: SESSION_OPTIONS, log: false, release: false })
  process.stdout.write(JSON.stringify(result.memory) + '\n')
  process.exit(0)
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const h = (s.length - 1) / 2
  return s[Math.floor(h)] + (h - Math.floor(h)) * (s[Math.ceil(h)] - s[Math.floor(h)])
}
const hrtime = process.hrtime.bigint

async function bareLoop(session, feeds, n) {
  const samples = new Array(n)
  const start = hrtime()
  for (let i = 0; i < n; i++) {
    const t0 = hrtime()
    await session.run(feeds)
    samples[i] = Number(hrtime() - t0) / 1e6
  }
  return { p50: median(samples), samples, wallMs: Number(hrtime() - start) / 1e6 }
}

async function bareWholeLoop(session, feeds, n) {
  const start = hrtime()
  for (let i = 0; i < n; i++) await session.run(feeds)
  return Number(hrtime() - start) / 1e6
}

async function compareLatency(name, path, batch, n, rounds) {
  const session = await ort.InferenceSession.create(path, SESSION_OPTIONS)
  const input = session.inputMetadata[0]
  const dims = [batch, input.shape[1]]
  const data = Float32Array.from({ length: dims[0] * dims[1] }, (_, i) => Math.sin(i))
  const feeds = { [input.name]: new ort.Tensor('float32', data, dims) }
  const fixed = { inputs: feeds, warmup: 0, minIterations: n, maxIterations: n, minTimeMs: 0, maxTimeMs: 600_000, bootstrapResamples: 200, log: false }
  for (let i = 0; i < Math.min(n, 50); i++) await session.run(feeds) // warm-up shared by both arms
  const ratios = []
  const tputRatios = []
  const pooled = { bench: [], bare: [] }
  const rows = []
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? ['bench', 'bare'] : ['bare', 'bench']
    const got = {}
    for (const arm of order) {
      if (arm === 'bench') got.bench = (await benchOnnx(session, fixed)).batches[0]
      else got.bare = await bareLoop(session, feeds, n)
    }
    pooled.bench.push(...got.bench.samplesMs)
    pooled.bare.push(...got.bare.samples)
    const wholeMs = await bareWholeLoop(session, feeds, n)
    ratios.push(got.bench.p50Ms / got.bare.p50)
    tputRatios.push(got.bench.throughput / ((batch * n * 1000) / wholeMs))
    rows.push([r + 1, got.bench.p50Ms.toFixed(4), got.bare.p50.toFixed(4), ((ratios.at(-1) - 1) * 100).toFixed(2) + '%'])
  }
  await session.release()
  console.log(`\n${name}: batch ${batch}, ${n} runs per arm per round, ${rounds} rounds (ABBA order)`)
  console.log('round  benchOnnx p50 ms  bare p50 ms  difference')
  for (const row of rows) console.log(`${String(row[0]).padStart(5)}  ${row[1].padStart(16)}  ${row[2].padStart(11)}  ${row[3].padStart(10)}`)
  const overhead = (median(ratios) - 1) * 100
  const tput = (median(tputRatios) - 1) * 100
  // 95% order-statistic CI of the median ratio over rounds (rounds are the unit of pairing).
  const ci = quantileInterval(Float64Array.from(ratios).sort(), 0.5)
  const pct = (x) => `${((x - 1) * 100).toFixed(2)}%`
  console.log(`median over rounds of (benchOnnx p50 / bare p50) - 1: ${overhead.toFixed(2)}% (95% CI ${pct(ci.low)} to ${pct(ci.high)})  (goal: within ±3%) ${Math.abs(overhead) <= 3 ? 'MET' : 'MISSED'}`)
  const pooledDiff = (median(pooled.bench) / median(pooled.bare) - 1) * 100
  console.log(`pooled: benchOnnx median ${median(pooled.bench).toFixed(4)} ms vs bare median ${median(pooled.bare).toFixed(4)} ms over ${pooled.bare.length} runs each: ${pooledDiff.toFixed(2)}%`)
  console.log(`median over rounds of (benchOnnx throughput / bare whole-loop throughput) - 1: ${tput.toFixed(2)}%`)
  return overhead
}

function compareRss(path) {
  const time = '/usr/bin/time'
  if (!existsSync(time)) {
    console.log(`\nrss: ${time} is missing — install GNU time (apt-get install -y time) to compare peak rss`)
    return
  }
  const command = [time, '-v', process.execPath, self, '--child-rss', path]
  console.log(`\nrss: ${command.join(' ')}`)
  const child = spawnSync(command[0], command.slice(1), { encoding: 'utf8' })
  if (child.status !== 0) throw new Error(`child failed (${child.status}): ${child.stderr}`)
  const reported = JSON.parse(child.stdout.trim().split('\n').at(-1))
  const kb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(child.stderr)?.[1])
  const maxRss = kb / 1024
  const diff = (x) => `${(((x - maxRss) / maxRss) * 100).toFixed(2)}%`
  console.log(`/usr/bin/time -v maximum resident set size: ${maxRss.toFixed(1)} MiB`)
  const met = Math.abs(reported.rssPeakMb / maxRss - 1) <= 0.1 ? 'MET' : 'MISSED'
  console.log(`benchOnnx memory.rssPeakMb:                 ${reported.rssPeakMb.toFixed(1)} MiB  (${diff(reported.rssPeakMb)}; from the ${reported.rssPeakSource}; goal within ±10%) ${met}`)
  console.log(`benchOnnx memory.rssSampledPeakMb:          ${reported.rssSampledPeakMb.toFixed(1)} MiB  (${diff(reported.rssSampledPeakMb)}; samples between runs only)`)
}

const dir = mkdtempSync(join(tmpdir(), 'mltest-harness-'))
try {
  const small = writeMlp(join(dir, 'mlp-small.onnx'), SMALL_MLP)
  const large = writeMlp(join(dir, 'mlp-large.onnx'), LARGE_MLP)
  const rounds = Number(args.rounds)
  const models = args.models.split(',')
  console.log(`command: node bench/harness-overhead.mjs --rounds ${rounds} --small-iterations ${args['small-iterations']} --large-iterations ${args['large-iterations']} --models ${args.models}${args['skip-rss'] ? ' --skip-rss' : ''}`)
  console.log(`node ${process.version}, onnxruntime-node ${ort.env.versions?.node}, ${execFileSync('nproc').toString().trim()} CPUs, load average ${(await import('node:os')).loadavg().map((x) => x.toFixed(2)).join(' ')}`)
  if (models.includes('small')) await compareLatency('small MLP', small, 1, Number(args['small-iterations']), rounds)
  if (models.includes('large')) await compareLatency('large MLP', large, 8, Number(args['large-iterations']), rounds)
  if (!args['skip-rss']) compareRss(large)
} finally {
  rmSync(dir, { recursive: true, force: true })
}
