#!/usr/bin/env node
/**
 * HTML report cost: how long `mltest report RESULTS --reporter html:PATH` takes to draw a saved
 * run (loading vega and vega-lite, compiling and rendering every figure to SVG), and how big
 * the page is next to the JSON it came from. Each repetition is a fresh process, as a user
 * runs it; it prints the median and range of the wall times, the sizes, the figure count, the
 * command and the machine.
 *
 * Run:  node bench/html-report.mjs RESULTS.json [--reps 3]
 *       (RESULTS.json from e.g. `npx mltest run examples --reporter json:/tmp/run.json`)
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import os from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { performance } from 'node:perf_hooks'

const { values, positionals } = parseArgs({ options: { reps: { type: 'string', default: '3' } }, allowPositionals: true })
if (positionals.length !== 1) {
  console.error('usage: node bench/html-report.mjs RESULTS.json [--reps 3]')
  process.exit(2)
}
const results = resolve(positionals[0])
const reps = Number(values.reps)
const cli = fileURLToPath(new URL('../bin/mltest.mjs', import.meta.url))
const out = mkdtempSync(join(os.tmpdir(), 'mltest-html-bench-'))
const page = join(out, 'report.html')

const run = JSON.parse(readFileSync(results, 'utf8'))
const figures = run.files.reduce((n, f) => n + f.tests.reduce((m, t) => m + t.checks.reduce((k, c) => k + (c.figures?.length ?? 0), 0), 0), 0)
const tests = run.files.reduce((n, f) => n + f.tests.length, 0)

const times = []
for (let i = 0; i < reps; i++) {
  const start = performance.now()
  const r = spawnSync(process.execPath, [cli, 'report', results, '--reporter', `html:${page}`], { encoding: 'utf8' })
  times.push(performance.now() - start)
  if (r.status !== 0 && r.status !== 1) {
    console.error(r.stdout, r.stderr)
    process.exit(1)
  }
  if (r.stderr) console.error(`stderr of the report: ${r.stderr.trim()}`)
}
times.sort((a, b) => a - b)
const html = readFileSync(page, 'utf8')
const drawn = (html.match(/<figure class="figure">/g) ?? []).length
const failed = (html.match(/<figure class="figure failed">/g) ?? []).length
const mb = (bytes) => `${(bytes / 1e6).toFixed(2)} MB`

console.log(`command:  node bin/mltest.mjs report ${results} --reporter html:${page}`)
console.log(`input:    ${tests} tests, ${figures} figures, JSON ${mb(statSync(results).size)}`)
console.log(`output:   HTML ${mb(statSync(page).size)}, ${drawn} figures drawn, ${failed} shown as errors`)
console.log(`time:     median ${(times[Math.floor(times.length / 2)] / 1000).toFixed(2)} s over ${reps} runs (min ${(times[0] / 1000).toFixed(2)} s, max ${(times.at(-1) / 1000).toFixed(2)} s), process start included`)
console.log(`machine:  ${os.cpus()[0]?.model} x ${os.availableParallelism()}, Node ${process.version}, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`)
rmSync(out, { recursive: true, force: true })
