// `mltest report --history`: the benchmark history as trends. A real SQLite history (the
// bench plugin's store) holds 8 runs of two benchmarks whose verdicts are computed by the
// plugin's own comparison (compareBenchmark against the previous runs): one benchmark gets
// 50% slower in the last run, the other stays put; the machine fingerprint changes at run 5.
// The real CLI renders it; Chromium shows a trend figure per benchmark with the regression
// marked red only where there is one, and the fingerprint change as a rule.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import type { Browser } from 'playwright-core'
import { compareBenchmark, openHistory, type VerdictEntry } from 'mltest/bench'
import { createRng, type RunResult } from 'mltest/plugin'
import { cli } from './_project.ts'

const CHROMIUM = process.env.MLTEST_CHROMIUM ?? '/usr/bin/chromium'
const noBrowser = existsSync(CHROMIUM) ? undefined : `no Chromium at ${CHROMIUM} (install Debian's chromium package, as .ci/run does)`

const RUNS = 8
const SAMPLES = 400
/** Median latency of each run: `serve` is 50% slower in the last run, `features` never changes. */
const MEDIAN_MS: Record<string, (run: number) => number> = { serve: (run) => (run === RUNS ? 1.5 : 1), features: () => 0.2 }

function samples(median: number, seed: number): number[] {
  const rng = createRng(seed)
  // Log-normal-ish jitter (5%), as latencies have.
  return Array.from({ length: SAMPLES }, () => median * Math.exp(0.05 * (rng.next() + rng.next() + rng.next() - 1.5)))
}

async function writeHistory(path: string): Promise<void> {
  const store = await openHistory(path, { mode: 'create' })
  const previous: Record<string, Array<{ samplesMs: number[]; peakRssMb: number; throughputPerSec: number }>> = { serve: [], features: [] }
  for (let run = 1; run <= RUNS; run++) {
    const fingerprintHash = run < 5 ? 'aaaa1111' : 'bbbb2222'
    const benchmarks = Object.entries(MEDIAN_MS).map(([name, median]) => {
      const samplesMs = samples(median(run), run * 100 + name.length)
      const current = { samplesMs, peakRssMb: 200 + run, throughputPerSec: 1000 / median(run) }
      const baseline = previous[name]!.slice(-5)
      const verdicts: VerdictEntry[] = baseline.length
        ? compareBenchmark(baseline, current, 1, { alpha: 0.01, minEffect: 0.05, floorMs: 0, seed: run }).map((c) => ({ metric: c.metric, verdict: c.verdict, baselineValue: c.baseline, currentValue: c.current, ratio: c.ratio, ratioLow: c.ratioLow, ratioHigh: c.ratioHigh, p: c.p, reason: c.reason, baseline: `last ${baseline.length} runs` }))
        : []
      previous[name]!.push(current)
      return { identity: `serving › ${name} › b1`, testFullName: 'serving', file: 'serving.mltest.ts', name, batchSize: 1, subject: { name }, subjectHash: name, samplesMs, throughputPerSec: current.throughputPerSec, peakRssMb: current.peakRssMb, minEffect: null, verdicts }
    })
    const startedAt = new Date(Date.UTC(2026, 10, run)).toISOString()
    store.recordRun({ uid: `run-${run}`, startedAt, recordedAt: startedAt, git: { commit: `${run}`.repeat(40), dirty: false, branch: 'main' }, fingerprint: { cpuModel: run < 5 ? 'cpu A' : 'cpu B' }, fingerprintHash, mltestVersion: '0.1.0', runExitCode: 0, benchmarks })
  }
  store.close()
}

let browser: Browser | undefined
t.teardown(async () => {
  await browser?.close()
})

t.test('trends of a real history, in Chromium', async (t) => {
  const dir = t.testdir()
  const history = join(dir, '.mltest/history.db')
  await writeHistory(history)

  const r = cli(['report', '--history', '.mltest/history.db', '--reporter', 'html:trends.html', '--reporter', 'json:trends.json', '--reporter', 'console'], dir)
  t.equal(r.status, 1, 'exit 1: the latest run of one benchmark regressed')
  t.match(r.stdout, /mltest: 1 passed, 1 failed, 0 skipped\s*$/)
  t.match(r.stdout, /benchmarkTrend \[computational-performance\] fail — 8 runs from 2026-11-01 to 2026-11-08; latest p50 1\.\d+ ms/)
  const result = JSON.parse(readFileSync(join(dir, 'trends.json'), 'utf8')) as RunResult
  const tests = result.files.flatMap((f) => f.tests)
  const serve = tests.find((x) => x.name === 'serving › serve › b1')!
  const features = tests.find((x) => x.name === 'serving › features › b1')!
  t.match(serve, { state: 'failed', error: { name: 'BenchmarkRegression', message: /^the latest run \(2026-11-08T00:00:00\.000Z, 8888888\) regressed: p50: / } })
  t.match(serve.checks[0], { check: 'benchmarkTrend', verdict: 'fail', metrics: { runs: 8, runsWithRegression: 1, fingerprints: 2 } })
  t.match(features, { state: 'passed', checks: [{ verdict: 'pass', metrics: { runsWithRegression: 0, fingerprints: 2 } }] })
  t.match(result.sections, { bench: { runs: 8, benchmarks: 2 } })

  const limited = cli(['report', '--history', '.mltest/history.db', '--limit', '3', '--reporter', 'json:limited.json'], dir)
  t.equal(limited.status, 1)
  t.match(JSON.parse(readFileSync(join(dir, 'limited.json'), 'utf8')).files[0].tests[0].checks[0].metrics, { runs: 3 }, '--limit keeps the latest runs')

  if (noBrowser) return t.comment(`browser part skipped: ${noBrowser}`)
  const { chromium } = await import('playwright-core')
  browser = await chromium.launch({ executablePath: CHROMIUM })
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } })
  const errors: string[] = []
  const requests: string[] = []
  page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())))
  page.on('pageerror', (e) => errors.push(e.message))
  await page.route('**/*', (route) => {
    requests.push(route.request().url())
    return route.request().url().startsWith('file://') && route.request().url().endsWith('trends.html') ? route.continue() : route.abort()
  })
  await page.goto(`file://${join(dir, 'trends.html')}`)
  t.same(errors, [])
  t.same(requests, [`file://${join(dir, 'trends.html')}`], 'no request but the file')
  const figures = await page.$$eval('li.test', (items) =>
    items.map((li) => ({
      name: li.querySelector('.name')?.textContent,
      points: li.querySelectorAll('figure svg g.mark-symbol.role-mark path').length,
      red: li.querySelectorAll('figure svg g.mark-symbol.role-mark path[fill="#cf222e"]').length,
      fingerprintRules: li.querySelectorAll('figure svg g.mark-rule:not(.role-axis-grid):not(.role-axis-tick):not(.role-axis-domain) line[stroke="#8250df"]').length,
    })),
  )
  const shown = (name: string) => figures.find((f) => f.name === name)
  t.match(shown('serving › serve › b1'), { points: 32 }, 'serve: a point per run and metric')
  t.ok(shown('serving › serve › b1')!.red >= 1, `serve: the regressed run is red (${shown('serving › serve › b1')!.red} metric points)`)
  t.match(shown('serving › features › b1'), { points: 32, red: 0 }, 'features: nothing red where nothing regressed')
  t.equal(shown('serving › features › b1')!.fingerprintRules, 4, 'the fingerprint change: a rule in each metric row')
  t.notMatch(await page.locator('#summary').innerText(), /Replay/, 'no replay command for a history')
  await page.screenshot({ path: join(dir, 'trends.png'), fullPage: true })
})

t.test('usage errors exit 2 with one line', async (t) => {
  const dir = t.testdir({ 'r.json': '{}' })
  const both = cli(['report', 'r.json', '--history', 'h.db'], dir)
  t.equal(both.status, 2)
  t.match(both.stderr, /either a results\.json or --history, not both/)
  const neither = cli(['report'], dir)
  t.equal(neither.status, 2)
  t.match(neither.stderr, /needs a results\.json .* or --history PATH/)
  const missing = cli(['report', '--history', 'nope.db'], dir)
  t.equal(missing.status, 2)
  t.match(missing.stderr, /benchmark history .*nope\.db: no such file/)
  const limit = cli(['report', '--history', 'nope.db', '--limit', '0'], dir)
  t.equal(limit.status, 2)
  t.match(limit.stderr, /--limit must be a positive integer/)
})

t.test('a long history is drawn downsampled, keeping every regression and fingerprint change', async (t) => {
  const dir = t.testdir()
  const store = await openHistory(join(dir, 'h.db'), { mode: 'create' })
  const RUN_COUNT = 400
  for (let run = 1; run <= RUN_COUNT; run++) {
    const startedAt = new Date(Date.UTC(2025, 0, 1) + run * 86_400_000).toISOString()
    // Verdicts as mltest bench stores them; run 123 regressed, the machine changed at run 250.
    const verdict = run === 123 ? 'regressed' : 'unchanged'
    const verdicts: VerdictEntry[] = run === 1 ? [] : [{ metric: 'p50', verdict, baselineValue: 1, currentValue: verdict === 'regressed' ? 1.3 : 1, ratio: 1, ratioLow: 0.99, ratioHigh: 1.01, p: 0.5, reason: verdict === 'regressed' ? '+30%, significant' : 'not significant', baseline: 'last 5 runs' }]
    store.recordRun({ uid: `r${run}`, startedAt, recordedAt: startedAt, git: { commit: null, dirty: null, branch: null }, fingerprint: {}, fingerprintHash: run < 250 ? 'old' : 'new', mltestVersion: '0.1.0', runExitCode: 0, benchmarks: [{ identity: 't › b › b1', testFullName: 't', file: 'x.mltest.ts', name: 'b', batchSize: 1, subject: {}, subjectHash: 's', samplesMs: [1, 1.1, 0.9, run === 123 ? 1.3 : 1], throughputPerSec: null, peakRssMb: null, minEffect: null, verdicts }] })
  }
  store.close()
  const r = cli(['report', '--history', 'h.db', '--limit', '1000', '--reporter', 'json:h.json'], dir)
  t.equal(r.status, 0, r.stderr)
  const check = (JSON.parse(readFileSync(join(dir, 'h.json'), 'utf8')) as RunResult).files[0]!.tests[0]!.checks[0]!
  t.match(check.metrics, { runs: 400, runsWithRegression: 1, fingerprints: 2 })
  const figure = check.figures![0]!
  const rows = (figure.spec.data as { values: Array<{ run: number; verdict: string; fingerprintChanged: boolean }> }).values
  const runs = [...new Set(rows.map((row) => row.run))]
  t.ok(runs.length <= 150 && runs.length >= 140, `${runs.length} of 400 runs drawn`)
  t.ok(runs.includes(1) && runs.includes(400), 'the first and the last run')
  t.ok(rows.some((row) => row.run === 123 && row.verdict === 'regressed'), 'the regressed run 123 is kept')
  t.ok(rows.some((row) => row.run === 250 && row.fingerprintChanged), 'the fingerprint change at run 250 is kept')
  t.match(figure.note, /\d+ of 400 runs drawn: evenly spaced, plus the last 2 with a regression or a fingerprint change/)
  t.ok(JSON.stringify(figure.spec).length < 256 * 1024)
})
