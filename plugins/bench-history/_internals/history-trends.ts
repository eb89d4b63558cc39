/**
 * The benchmark history as a run result, so every reporter can show it
 * (`mltest report --history .mltest/history.db --reporter html:trends.html`): one test per
 * benchmark (its identity), with one `benchmarkTrend` check whose figure draws p50, p99,
 * throughput and peak rss over the runs, each point coloured by the verdict that metric got
 * when the run was recorded (regressions in red), and a rule where the machine fingerprint
 * changed. The test's state is its latest run's: failed on a regression, inconclusive when a
 * verdict was, passed otherwise. Nothing is judged again here: the stored verdicts are shown.
 */
import { evenlySpaced, figure, formatNumber, type CheckFigure, type CheckRecord, type FigureJson, type RunResult, type TestResult } from 'mltest/plugin'
import { worstChange, type Change } from './compare.ts'
import type { HistoryStore, RunHeader, StoredBenchmark } from './history-store.ts'

export interface HistoryTrendsOptions {
  /** How many of the latest runs to show (default 100). */
  limit?: number
  /** Where the report says it was made (file paths are shown relative to it). */
  rootDir: string
}

const METRICS = [
  { metric: 'p50', label: 'p50 latency (ms)', value: (b: StoredBenchmark) => b.summary.p50Ms },
  { metric: 'p99', label: 'p99 latency (ms)', value: (b: StoredBenchmark) => b.summary.p99Ms },
  { metric: 'throughput', label: 'throughput (/s)', value: (b: StoredBenchmark) => b.throughputPerSec },
  { metric: 'peak rss', label: 'peak rss (MB)', value: (b: StoredBenchmark) => b.peakRssMb },
] as const

/** The verdict a point gets: the stored one for its metric, `new` before any baseline, `not judged` when the run judged other metrics only. */
function pointVerdict(b: StoredBenchmark, metric: string): string {
  if (b.verdicts.length === 0) return 'new'
  return b.verdicts.find((v) => v.metric === metric)?.verdict ?? 'not judged'
}

const shortCommit = (run: RunHeader) => (run.git.commit ? `${run.git.commit.slice(0, 7)}${run.git.dirty ? '*' : ''}` : 'no git')

/** Runs drawn per benchmark at most (4 metrics each), so the figure stays under its size cap. */
export const TREND_MAX_RUNS = 150

/**
 * The runs a trend draws: all of them up to `TREND_MAX_RUNS`; beyond, every run with a
 * regression or a fingerprint change plus evenly spaced others, and a note saying so.
 */
function runsToDraw(points: StoredBenchmark[]): { indices: number[]; note?: string } {
  const all = points.map((_, i) => i)
  if (points.length <= TREND_MAX_RUNS) return { indices: all }
  const marked = all.filter((i) => points[i]!.verdicts.some((v) => v.verdict === 'regressed') || (i > 0 && points[i]!.run.fingerprintHash !== points[i - 1]!.run.fingerprintHash)).slice(-Math.floor(TREND_MAX_RUNS / 3))
  const spaced = evenlySpaced(all, TREND_MAX_RUNS - marked.length).values
  const indices = [...new Set([...spaced, ...marked])].sort((a, b) => a - b)
  return { indices, note: `${indices.length} of ${points.length} runs drawn: evenly spaced, plus the last ${marked.length} with a regression or a fingerprint change.` }
}

function trendFigure(points: StoredBenchmark[]): CheckFigure {
  const rows: Array<{ [key: string]: FigureJson }> = []
  const { indices, note } = runsToDraw(points)
  for (const index of indices) {
    const b = points[index]!
    const changed = index > 0 && points[index - 1]!.run.fingerprintHash !== b.run.fingerprintHash
    for (const { metric, label, value } of METRICS) {
      const v = value(b)
      if (v === null || v === undefined || !Number.isFinite(v)) continue
      // Only what the figure draws, plus when and at which commit: the reasons are in the test's message.
      rows.push({ run: index + 1, at: b.run.startedAt, commit: shortCommit(b.run), metric: label, value: v, verdict: pointVerdict(b, metric), fingerprintChanged: changed })
    }
  }
  const x = { field: 'run', type: 'quantitative', title: 'run (oldest first)', scale: { zero: false }, axis: { tickMinStep: 1, format: 'd' } }
  return figure(
    'p50, p99, throughput and peak rss over the runs',
    {
      data: { values: rows },
      facet: { row: { field: 'metric', type: 'nominal', title: null, sort: METRICS.map((m) => m.label) } },
      resolve: { scale: { y: 'independent' } },
      spec: {
        width: 520,
        height: 110,
        layer: [
          { transform: [{ filter: 'datum.fingerprintChanged' }], mark: { type: 'rule', color: '#8250df', strokeDash: [4, 3] }, encoding: { x } },
          { mark: { type: 'line', color: '#888' }, encoding: { x, y: { field: 'value', type: 'quantitative', title: null, scale: { zero: false } } } },
          {
            mark: { type: 'point', filled: true, size: 45 },
            encoding: {
              x,
              y: { field: 'value', type: 'quantitative' },
              color: { field: 'verdict', type: 'nominal', title: 'verdict', scale: { domain: ['regressed', 'improved', 'unchanged', 'inconclusive', 'new', 'not judged'], range: ['#cf222e', '#1a7f37', '#57606a', '#bf8700', '#0969da', '#afb8c1'] } },
            },
          },
        ],
      },
    },
    `Each point is one run, coloured by the verdict the metric got when the run was recorded (red: regressed); a dashed purple rule marks a run whose machine fingerprint differs from the run before.${note ? ` ${note}` : ''}`,
  )
}

function trendTest(identity: string, points: StoredBenchmark[], rootDir: string): TestResult {
  const latest = points[points.length - 1]!
  const latestChange = latest.verdicts.length ? worstChange(latest.verdicts.map((v) => v.verdict as Change)) : undefined
  const regressions = points.filter((b) => b.verdicts.some((v) => v.verdict === 'regressed')).length
  const fingerprints = new Set(points.map((b) => b.run.fingerprintHash)).size
  const verdict = latestChange === 'regressed' ? 'fail' : latestChange === 'inconclusive' ? 'inconclusive' : 'pass'
  const latestReasons = latest.verdicts.filter((v) => v.verdict === latestChange).map((v) => `${v.metric}: ${v.reason}`).join('; ')
  const summary = `${points.length} run${points.length === 1 ? '' : 's'} from ${points[0]!.run.startedAt.slice(0, 10)} to ${latest.run.startedAt.slice(0, 10)}; latest p50 ${formatNumber(latest.summary.p50Ms)} ms, p99 ${formatNumber(latest.summary.p99Ms)} ms (${latestChange ?? 'no baseline yet'}); ${regressions} run${regressions === 1 ? '' : 's'} with a regression; ${fingerprints} machine fingerprint${fingerprints === 1 ? '' : 's'}`
  const check: CheckRecord = {
    check: 'benchmarkTrend',
    practice: 'computational-performance',
    verdict,
    metrics: {
      runs: points.length,
      latestP50Ms: latest.summary.p50Ms,
      latestP99Ms: latest.summary.p99Ms,
      latestThroughputPerSec: latest.throughputPerSec ?? null,
      latestPeakRssMb: latest.peakRssMb ?? null,
      latestSamples: latest.summary.n,
      runsWithRegression: regressions,
      fingerprints,
      latestCommit: shortCommit(latest.run),
    },
    summary,
    ...(verdict === 'inconclusive' ? { reason: `the latest run's verdict was inconclusive (${latestReasons})` } : {}),
    figures: [trendFigure(points)],
  }
  const file = latest.file.startsWith('/') ? latest.file : `${rootDir}/${latest.file}`
  const base = { id: `${latest.file}::${identity}`, file, suitePath: [] as string[], name: identity, fullName: identity, tags: ['bench'], durationMs: 0, attempts: 1, expectFail: false, seed: 0, annotations: [], checks: [check], logs: [] }
  if (verdict === 'fail') return { ...base, state: 'failed', error: { kind: 'assertion' as const, name: 'BenchmarkRegression', message: `the latest run (${latest.run.startedAt}, ${shortCommit(latest.run)}) regressed: ${latestReasons}` } }
  if (verdict === 'inconclusive') return { ...base, state: 'inconclusive', reason: check.reason ?? '' }
  return { ...base, state: 'passed' }
}

/** The last `limit` runs of a history as a run result: one test per benchmark, oldest run first. */
export function historyTrends(store: HistoryStore, options: HistoryTrendsOptions): RunResult {
  const limit = options.limit ?? 100
  const runs = store.recentRuns(limit).reverse()
  const byIdentity = new Map<string, StoredBenchmark[]>()
  for (const run of runs) {
    for (const b of store.benchmarksOfRun(run.id)) {
      const list = byIdentity.get(b.identity) ?? []
      list.push(b)
      byIdentity.set(b.identity, list)
    }
  }
  const byFile = new Map<string, TestResult[]>()
  for (const [identity, points] of [...byIdentity].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const test = trendTest(identity, points, options.rootDir)
    byFile.set(test.file, [...(byFile.get(test.file) ?? []), test])
  }
  const files = [...byFile].map(([file, tests]) => ({ file, durationMs: 0, errors: [], tests }))
  const tests = files.flatMap((f) => f.tests)
  const count = (state: TestResult['state']) => tests.filter((t) => t.state === state).length
  const summary = { passed: count('passed'), failed: count('failed'), skipped: 0, todo: 0, inconclusive: count('inconclusive'), fileErrors: 0, durationMs: 0 }
  return {
    rootDir: options.rootDir,
    seed: 0,
    startedAt: runs.at(-1)?.startedAt ?? new Date(0).toISOString(),
    durationMs: 0,
    files,
    summary,
    notRun: [],
    runErrors: [],
    sections: { bench: { history: store.path, runs: runs.length, benchmarks: tests.length, from: runs[0]?.startedAt ?? null, to: runs.at(-1)?.startedAt ?? null } },
  }
}
