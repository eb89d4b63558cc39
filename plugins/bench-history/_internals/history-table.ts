/**
 * `mltest bench history [name]`: the last runs in the history with each benchmark's median
 * and the verdict it got when it was recorded.
 */
import { formatNumber, formatTable, UsageError } from 'mltest/plugin'
import { worstChange, type Change } from './compare.ts'
import type { HistoryStore, StoredBenchmark } from './history-store.ts'

function verdictText(b: StoredBenchmark): string {
  if (b.verdicts.length === 0) return 'new (no baseline)'
  const worst = worstChange(b.verdicts.map((v) => v.verdict as Change))!
  if (worst === 'unchanged') return 'unchanged'
  const which = b.verdicts.filter((v) => v.verdict === worst)
  return `${worst}: ${which.map((v) => (v.ratio !== null ? `${v.metric} ×${formatNumber(v.ratio, 3)}` : v.reason)).join(', ')}`
}

export function historyTable(store: HistoryStore, filter: string | undefined, limit: number): string {
  const rows: string[][] = [['run', 'commit', 'branch', 'benchmark', 'n', 'p50 ms', 'p99 ms', 'verdict']]
  let matched = 0
  for (const run of store.recentRuns(limit)) {
    const benchmarks = store.benchmarksOfRun(run.id).filter((b) => filter === undefined || b.identity.includes(filter))
    for (const b of benchmarks) {
      matched++
      const commit = run.git.commit ? `${run.git.commit.slice(0, 7)}${run.git.dirty ? '*' : ''}` : '—'
      rows.push([run.startedAt.replace('T', ' ').slice(0, 19), commit, run.git.branch ?? '—', b.identity, String(b.summary.n), formatNumber(b.summary.p50Ms), formatNumber(b.summary.p99Ms), verdictText(b)])
    }
  }
  if (matched === 0) {
    if (filter === undefined) return 'the history has no runs yet'
    throw new UsageError(`no benchmark in the last ${limit} runs of ${store.path} matches "${filter}" — run "mltest bench history" to see their names`)
  }
  return formatTable(rows, { align: ['left', 'left', 'left', 'left', 'right', 'right', 'right', 'left'] }) + '\n(* uncommitted changes; newest first)'
}
