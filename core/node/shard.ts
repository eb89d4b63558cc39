/**
 * `--shard i/n`: which test files this CI machine runs. The choice depends only on the
 * file paths relative to the root (and, with `--shard-durations`, on a previous result), so
 * every machine computes the same partition and the n shards together run every file
 * exactly once.
 *
 * Without durations, files sorted by path are dealt round robin. With durations, files go
 * longest first to the least loaded shard (greedy longest-processing-time), which keeps the
 * slowest shard within 4/3 of the best possible split; files the previous run did not have
 * count as the median known duration.
 */
import { relative } from 'node:path'
import type { ShardSpec } from '../reporter.ts'
import { readResultFile } from './result-json.ts'
import { UsageError } from './usage-error.ts'

export function parseShard(text: string): ShardSpec {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim())
  const index = match ? Number(match[1]) : NaN
  const count = match ? Number(match[2]) : NaN
  if (!match || count < 1 || index < 1 || index > count) {
    throw new UsageError(`invalid --shard "${text}" — use INDEX/COUNT with 1 <= INDEX <= COUNT, e.g. --shard 1/4`)
  }
  return { index, count }
}

function keyOf(rootDir: string, file: string): string {
  return relative(rootDir, file).split('\\').join('/')
}

/** Recorded duration per file (relative posix path → ms) from a result file. */
export function readShardDurations(path: string, source = path): Map<string, number> {
  const run = readResultFile(path, `--shard-durations ${source}`)
  const durations = new Map<string, number>()
  for (const file of run.files) durations.set(keyOf(run.rootDir, file.file), file.durationMs)
  return durations
}

function median(values: number[]): number {
  if (values.length === 0) return 0
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/** Assigns every file a shard number (1-based); the same inputs give the same answer. */
export function partitionFiles(files: string[], count: number, rootDir: string, durations?: Map<string, number>): Map<string, number> {
  const keyed = files.map((file) => ({ file, key: keyOf(rootDir, file) })).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
  const assignment = new Map<string, number>()
  if (!durations || durations.size === 0) {
    keyed.forEach((entry, i) => assignment.set(entry.file, (i % count) + 1))
    return assignment
  }
  const known = keyed.map((e) => durations.get(e.key)).filter((d): d is number => d !== undefined)
  const fallback = median(known)
  const weighted = keyed
    .map((e) => ({ ...e, weight: durations.get(e.key) ?? fallback }))
    .sort((a, b) => b.weight - a.weight || (a.key < b.key ? -1 : 1))
  const loads = new Array<number>(count).fill(0)
  for (const entry of weighted) {
    let lightest = 0
    for (let s = 1; s < count; s++) if (loads[s]! < loads[lightest]!) lightest = s
    loads[lightest]! += entry.weight
    assignment.set(entry.file, lightest + 1)
  }
  return assignment
}

/** The files of shard `shard.index`, in their original order. */
export function selectShard(files: string[], shard: ShardSpec, rootDir: string, durations?: Map<string, number>): string[] {
  const assignment = partitionFiles(files, shard.count, rootDir, durations)
  return files.filter((file) => assignment.get(file) === shard.index)
}
