/**
 * `mltest/bench`: the benchmark history behind `mltest bench`. Benchmarks (`benchOnnx`, or any
 * check that records `BenchmarkRecord`s) in tests tagged `bench` are stored with their raw
 * samples in an SQLite history, and each run is compared with its baseline:
 *
 *   npx mltest bench                      # run, store, compare; exit 1 on a regression
 *   npx mltest bench history              # the last runs and their verdicts
 *   npx mltest bench export --out h.json  # carry the history as a CI artifact
 *
 * Importing this module is cheap: better-sqlite3 loads when a history is opened.
 */
export { benchHistoryPlugin } from './plugin.ts'
export { benchOptions } from './_internals/bench-options.ts'
export type { BenchOptions } from './_internals/bench-options.ts'
export { compareBenchmark, judgeChange } from './_internals/compare.ts'
export type { BenchmarkSamples, Change, CompareOptions, MetricComparison, MetricName } from './_internals/compare.ts'
export { mannWhitneyU } from './_internals/mann-whitney.ts'
export type { MannWhitneyResult } from './_internals/mann-whitney.ts'
export { hodgesLehmannShift } from './_internals/hodges-lehmann.ts'
export type { ShiftEstimate } from './_internals/hodges-lehmann.ts'
export { openHistory, HistoryStore } from './_internals/history-store.ts'
export type { BenchmarkEntry, RunEntry, RunHeader, StoredBenchmark, VerdictEntry } from './_internals/history-store.ts'
export { historyTrends } from './_internals/history-trends.ts'
export type { HistoryTrendsOptions } from './_internals/history-trends.ts'
