/**
 * The benchmark history: one SQLite file (better-sqlite3, loaded on first use) holding every
 * `mltest bench` run with its git state and machine fingerprint, and per benchmark its
 * identity, subject, raw samples (little-endian Float64 blob), summary and verdicts.
 *
 * Safety: the file is validated before anything writes to it (header, integrity, that it is
 * ours, schema version), so a corrupt or foreign file is refused untouched. WAL journal and a
 * busy timeout let concurrent runs both land; a run is written in one transaction, so a
 * process killed mid-write leaves either the whole run or none of it.
 */
import { closeSync, existsSync, mkdirSync, openSync, readSync, statSync } from 'node:fs'
import { dirname } from 'node:path'
import type BetterSqlite3 from 'better-sqlite3'
import { importOptional, UsageError, type AnnotationValue } from 'mltest/plugin'
import type { CollectedBenchmark } from './collect-benchmarks.ts'
import { historyErrors, HistoryFileError, isBusy, isCorruption } from './history-file-error.ts'
import { quantile, mean } from './quantile.ts'
import { APPLICATION_ID, MIGRATIONS, type Migration } from './schema.ts'

type Database = BetterSqlite3.Database

/** How long a writer waits for another one's lock before giving up. */
export const BUSY_TIMEOUT_MS = 30_000
const SQLITE_HEADER = 'SQLite format 3\u0000'

export interface GitState {
  commit: string | null
  dirty: boolean | null
  branch: string | null
}

export type Fingerprint = Record<string, string | number | null>

export interface VerdictEntry {
  metric: string
  verdict: string
  baselineValue: number | null
  currentValue: number | null
  ratio: number | null
  ratioLow: number | null
  ratioHigh: number | null
  p: number | null
  reason: string
  /** What it was compared with, e.g. `last 5 runs (same fingerprint, branch main)`. */
  baseline: string
}

/** A stored benchmark: what was collected (samples read back as a typed array) and its verdicts. */
export interface BenchmarkEntry extends Omit<CollectedBenchmark, 'samplesMs'> {
  samplesMs: ArrayLike<number>
  verdicts: VerdictEntry[]
}

export interface RunEntry {
  uid: string
  startedAt: string
  recordedAt: string
  git: GitState
  fingerprint: Fingerprint
  fingerprintHash: string
  mltestVersion: string
  /** Exit code of the `mltest run` that measured it (1 when some test failed). */
  runExitCode: number
  benchmarks: BenchmarkEntry[]
}

/** A run without its benchmarks. */
export type RunHeader = Omit<RunEntry, 'benchmarks'> & { id: number; benchmarkCount: number }

export interface BenchmarkSummary {
  n: number
  p50Ms: number
  p99Ms: number
  meanMs: number
}

export interface SavedBaseline {
  name: string
  runUid: string
  savedAt: string
}

export function encodeSamples(samples: ArrayLike<number>): Buffer {
  const buffer = Buffer.alloc(samples.length * 8)
  for (let i = 0; i < samples.length; i++) buffer.writeDoubleLE(samples[i]!, i * 8)
  return buffer
}

export function decodeSamples(blob: Uint8Array): Float64Array {
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength)
  const out = new Float64Array(blob.byteLength / 8)
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat64(i * 8, true)
  return out
}

export function summarize(samples: ArrayLike<number>): BenchmarkSummary {
  return { n: samples.length, p50Ms: quantile(samples, 0.5), p99Ms: quantile(samples, 0.99), meanMs: mean(samples) }
}

/** Reads the first bytes without opening the file for writing. */
function fileHeader(path: string): string {
  const fd = openSync(path, 'r')
  try {
    const bytes = Buffer.alloc(16)
    const read = readSync(fd, bytes, 0, 16, 0)
    return bytes.subarray(0, read).toString('latin1')
  } finally {
    closeSync(fd)
  }
}

let sqlite: typeof BetterSqlite3 | undefined
/** better-sqlite3, on first use; missing or broken, it is a one-line usage error (exit 2). */
async function loadSqlite(): Promise<typeof BetterSqlite3> {
  try {
    sqlite ??= (await importOptional<{ default: typeof BetterSqlite3 }>('better-sqlite3', 'mltest bench (the benchmark history)')).default
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
  return sqlite
}

/** Applies the migrations above the file's version, each with its version bump in one transaction. */
export function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS): number {
  for (const migration of migrations) {
    db.exec('BEGIN IMMEDIATE')
    try {
      // Re-read inside the lock: another process may have migrated meanwhile.
      if ((db.pragma('user_version', { simple: true }) as number) >= migration.version) {
        db.exec('COMMIT')
        continue
      }
      db.exec(migration.sql)
      db.pragma(`user_version = ${migration.version}`)
      db.exec('COMMIT')
    } catch (error) {
      db.exec('ROLLBACK')
      throw error
    }
  }
  return db.pragma('user_version', { simple: true }) as number
}

export interface OpenOptions {
  /** `create`: a missing file becomes a new history; `existing`: a missing file is an error. */
  mode: 'create' | 'existing'
  /** Test seam: the migrations to apply (default: all). */
  migrations?: readonly Migration[]
}

/** Opens (and, in `create` mode, creates) a history, validating the file before any write. */
export async function openHistory(path: string, options: OpenOptions): Promise<HistoryStore> {
  const migrations = options.migrations ?? MIGRATIONS
  const latest = migrations.length ? migrations[migrations.length - 1]!.version : 0
  const exists = existsSync(path)
  if (!exists && options.mode === 'existing') throw historyErrors.missing(path)
  if (exists) {
    const stat = statSync(path)
    if (!stat.isFile()) throw historyErrors.unopenable(path, 'not a regular file')
    if (stat.size > 0 && fileHeader(path) !== SQLITE_HEADER) throw historyErrors.notSqlite(path)
  }
  const Sqlite = await loadSqlite()
  if (!exists) mkdirSync(dirname(path), { recursive: true })
  let db: Database
  try {
    db = new Sqlite(path, { timeout: BUSY_TIMEOUT_MS, fileMustExist: options.mode === 'existing' })
  } catch (error) {
    throw historyErrors.unopenable(path, (error as Error).message)
  }
  try {
    // Read-only checks first: nothing below writes until the file is known to be ours.
    const check = db.pragma('quick_check', { simple: true }) as string
    if (check !== 'ok') throw historyErrors.corrupt(path, `integrity check: ${oneLine(check)}`)
    const version = db.pragma('user_version', { simple: true }) as number
    const tables = (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`).all() as Array<{ name: string }>).map((r) => r.name)
    if (tables.length > 0 || version !== 0) {
      const application = tables.includes('meta') ? (db.prepare(`SELECT value FROM meta WHERE key = 'application'`).get() as { value: string } | undefined)?.value : undefined
      if (application !== APPLICATION_ID) throw historyErrors.foreign(path, tables)
      if (version > latest) throw historyErrors.newer(path, version, latest)
    }
    db.pragma('journal_mode = WAL')
    // WAL with synchronous=NORMAL: a killed process loses nothing committed; a power cut may lose the last run, never consistency.
    db.pragma('synchronous = NORMAL')
    db.pragma('foreign_keys = ON')
    migrate(db, migrations)
    return new HistoryStore(db, path)
  } catch (error) {
    db.close()
    throw translateError(path, error)
  }
}

/** SQLite's multi-line diagnostics as one short line. */
function oneLine(text: string): string {
  const flat = text.replace(/\*\*\* in database main \*\*\*/g, '').trim().replace(/\s*\n\s*/g, '; ')
  return flat.length > 160 ? `${flat.slice(0, 157)}...` : flat
}

/** SQLite failures as one-line history errors (corruption, a lock held too long). */
export function translateError(path: string, error: unknown): unknown {
  if (error instanceof HistoryFileError) return error
  if (isCorruption(error)) return historyErrors.corrupt(path, oneLine((error as Error).message))
  if (isBusy(error)) return historyErrors.locked(path, BUSY_TIMEOUT_MS / 1000)
  return error
}

interface RunRow {
  id: number
  uid: string
  started_at: string
  recorded_at: string
  git_commit: string | null
  git_dirty: number | null
  git_branch: string | null
  fingerprint_hash: string
  fingerprint: string
  mltest_version: string
  run_exit_code: number
  benchmark_count: number
}

interface BenchmarkRow {
  id: number
  run_id: number
  identity: string
  test_full_name: string
  file: string
  name: string
  batch_size: number
  subject: string
  subject_hash: string
  samples?: Buffer
  n: number
  p50_ms: number
  p99_ms: number
  mean_ms: number
  throughput_per_sec: number | null
  peak_rss_mb: number | null
  min_effect: number | null
}

interface VerdictRow {
  benchmark_id: number
  metric: string
  verdict: string
  baseline_value: number | null
  current_value: number | null
  ratio: number | null
  ratio_low: number | null
  ratio_high: number | null
  p: number | null
  reason: string
  baseline: string
}

function headerOf(row: RunRow): RunHeader {
  return {
    id: row.id,
    uid: row.uid,
    startedAt: row.started_at,
    recordedAt: row.recorded_at,
    git: { commit: row.git_commit, dirty: row.git_dirty === null ? null : row.git_dirty === 1, branch: row.git_branch },
    fingerprint: JSON.parse(row.fingerprint) as Fingerprint,
    fingerprintHash: row.fingerprint_hash,
    mltestVersion: row.mltest_version,
    runExitCode: row.run_exit_code,
    benchmarkCount: row.benchmark_count,
  }
}

function verdictOf(row: VerdictRow): VerdictEntry {
  return { metric: row.metric, verdict: row.verdict, baselineValue: row.baseline_value, currentValue: row.current_value, ratio: row.ratio, ratioLow: row.ratio_low, ratioHigh: row.ratio_high, p: row.p, reason: row.reason, baseline: row.baseline }
}

/** A stored benchmark with its run and summary; samples only when asked for. */
export interface StoredBenchmark extends BenchmarkEntry {
  id: number
  run: RunHeader
  summary: BenchmarkSummary
}

const finiteOrNull = (value: number | null | undefined) => (typeof value === 'number' && !Number.isNaN(value) ? value : null)

export class HistoryStore {
  constructor(
    private readonly db: Database,
    readonly path: string,
  ) {}

  close(): void {
    if (this.db.open) this.db.close()
  }

  /** Runs `fn` and turns SQLite's corruption and lock errors into one-line history errors. */
  private guard<T>(fn: () => T): T {
    try {
      return fn()
    } catch (error) {
      throw translateError(this.path, error)
    }
  }

  /** Writes a whole run (and its benchmarks and verdicts) in one transaction; false when its uid is already stored. */
  recordRun(run: RunEntry): boolean {
    return this.guard(() => {
      const insertRun = this.db.prepare(`INSERT INTO runs (uid, started_at, recorded_at, git_commit, git_dirty, git_branch, fingerprint_hash, fingerprint, mltest_version, run_exit_code, benchmark_count)
        VALUES (@uid, @startedAt, @recordedAt, @commit, @dirty, @branch, @fingerprintHash, @fingerprint, @mltestVersion, @runExitCode, @benchmarkCount) ON CONFLICT (uid) DO NOTHING`)
      const insertBenchmark = this.db.prepare(`INSERT INTO benchmarks (run_id, identity, test_full_name, file, name, batch_size, subject, subject_hash, samples, n, p50_ms, p99_ms, mean_ms, throughput_per_sec, peak_rss_mb, min_effect)
        VALUES (@runId, @identity, @testFullName, @file, @name, @batchSize, @subject, @subjectHash, @samples, @n, @p50Ms, @p99Ms, @meanMs, @throughputPerSec, @peakRssMb, @minEffect)`)
      const insertVerdict = this.db.prepare(`INSERT INTO verdicts (benchmark_id, metric, verdict, baseline_value, current_value, ratio, ratio_low, ratio_high, p, reason, baseline)
        VALUES (@benchmarkId, @metric, @verdict, @baselineValue, @currentValue, @ratio, @ratioLow, @ratioHigh, @p, @reason, @baseline)`)
      const write = this.db.transaction((entry: RunEntry) => {
        const result = insertRun.run({
          uid: entry.uid,
          startedAt: entry.startedAt,
          recordedAt: entry.recordedAt,
          commit: entry.git.commit,
          dirty: entry.git.dirty === null ? null : entry.git.dirty ? 1 : 0,
          branch: entry.git.branch,
          fingerprintHash: entry.fingerprintHash,
          fingerprint: JSON.stringify(entry.fingerprint),
          mltestVersion: entry.mltestVersion,
          runExitCode: entry.runExitCode,
          benchmarkCount: entry.benchmarks.length,
        })
        if (result.changes === 0) return false
        const runId = Number(result.lastInsertRowid)
        for (const b of entry.benchmarks) {
          const summary = summarize(b.samplesMs)
          const inserted = insertBenchmark.run({
            runId,
            identity: b.identity,
            testFullName: b.testFullName,
            file: b.file,
            name: b.name,
            batchSize: b.batchSize,
            subject: JSON.stringify(b.subject),
            subjectHash: b.subjectHash,
            samples: encodeSamples(b.samplesMs),
            n: summary.n,
            p50Ms: summary.p50Ms,
            p99Ms: summary.p99Ms,
            meanMs: summary.meanMs,
            throughputPerSec: finiteOrNull(b.throughputPerSec),
            peakRssMb: finiteOrNull(b.peakRssMb),
            minEffect: finiteOrNull(b.minEffect),
          })
          for (const v of b.verdicts) {
            insertVerdict.run({ benchmarkId: Number(inserted.lastInsertRowid), ...v, baselineValue: finiteOrNull(v.baselineValue), currentValue: finiteOrNull(v.currentValue), ratio: finiteOrNull(v.ratio), ratioLow: finiteOrNull(v.ratioLow), ratioHigh: finiteOrNull(v.ratioHigh), p: finiteOrNull(v.p) })
          }
        }
        return true
      })
      return write.immediate(run)
    })
  }

  private benchmarksWhere(where: string, params: unknown[], options: { samples: boolean; verdicts?: boolean; limit?: number }): StoredBenchmark[] {
    const columns = `b.id, b.run_id, b.identity, b.test_full_name, b.file, b.name, b.batch_size, b.subject, b.subject_hash, b.n, b.p50_ms, b.p99_ms, b.mean_ms, b.throughput_per_sec, b.peak_rss_mb, b.min_effect${options.samples ? ', b.samples' : ''}`
    const sql = `SELECT ${columns}, r.id AS r_id FROM benchmarks b JOIN runs r ON r.id = b.run_id WHERE ${where} ORDER BY r.started_at DESC, r.id DESC, b.identity${options.limit !== undefined ? ' LIMIT ?' : ''}`
    return this.guard(() => {
      const rows = this.db.prepare(sql).all(...params, ...(options.limit !== undefined ? [options.limit] : [])) as BenchmarkRow[]
      const runs = new Map<number, RunHeader>()
      const runStatement = this.db.prepare('SELECT * FROM runs WHERE id = ?')
      const verdictStatement = this.db.prepare('SELECT * FROM verdicts WHERE benchmark_id = ? ORDER BY rowid')
      return rows.map((row) => {
        let run = runs.get(row.run_id)
        if (!run) runs.set(row.run_id, (run = headerOf(runStatement.get(row.run_id) as RunRow)))
        return {
          id: row.id,
          run,
          identity: row.identity,
          testFullName: row.test_full_name,
          file: row.file,
          name: row.name,
          batchSize: row.batch_size,
          subject: JSON.parse(row.subject) as Record<string, AnnotationValue>,
          subjectHash: row.subject_hash,
          samplesMs: row.samples ? decodeSamples(row.samples) : new Float64Array(0),
          summary: { n: row.n, p50Ms: row.p50_ms, p99Ms: row.p99_ms, meanMs: row.mean_ms },
          throughputPerSec: row.throughput_per_sec,
          peakRssMb: row.peak_rss_mb,
          minEffect: row.min_effect,
          verdicts: options.verdicts ? (verdictStatement.all(row.id) as VerdictRow[]).map(verdictOf) : [],
        }
      })
    })
  }

  /**
   * The last `limit` stored measurements of `identity` on `branch` (null: outside git), newest
   * first; only from runs with `fingerprintHash` when given.
   */
  recentMeasurements(identity: string, filter: { branch: string | null; fingerprintHash?: string; limit: number; samples?: boolean }): StoredBenchmark[] {
    const conditions = ['b.identity = ?', 'r.git_branch IS ?']
    const params: unknown[] = [identity, filter.branch]
    if (filter.fingerprintHash !== undefined) {
      conditions.push('r.fingerprint_hash = ?')
      params.push(filter.fingerprintHash)
    }
    return this.benchmarksWhere(conditions.join(' AND '), params, { samples: filter.samples ?? true, limit: filter.limit })
  }

  /** The measurement of `identity` in the run `runUid`, if it has one. */
  measurementIn(runUid: string, identity: string): StoredBenchmark | undefined {
    return this.benchmarksWhere('r.uid = ? AND b.identity = ?', [runUid, identity], { samples: true })[0]
  }

  run(uid: string): RunHeader | undefined {
    return this.guard(() => {
      const row = this.db.prepare('SELECT * FROM runs WHERE uid = ?').get(uid) as RunRow | undefined
      return row && headerOf(row)
    })
  }

  /** Newest first. */
  recentRuns(limit: number): RunHeader[] {
    return this.guard(() => (this.db.prepare('SELECT * FROM runs ORDER BY started_at DESC, id DESC LIMIT ?').all(limit) as RunRow[]).map(headerOf))
  }

  /** A run's benchmarks with their verdicts (no samples). */
  benchmarksOfRun(runId: number): StoredBenchmark[] {
    return this.benchmarksWhere('r.id = ?', [runId], { samples: false, verdicts: true })
  }

  saveBaseline(name: string, runUid: string, savedAt: string): void {
    this.guard(() => this.db.prepare('INSERT INTO baselines (name, run_uid, saved_at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET run_uid = excluded.run_uid, saved_at = excluded.saved_at').run(name, runUid, savedAt))
  }

  baseline(name: string): SavedBaseline | undefined {
    return this.guard(() => {
      const row = this.db.prepare('SELECT name, run_uid, saved_at FROM baselines WHERE name = ?').get(name) as { name: string; run_uid: string; saved_at: string } | undefined
      return row && { name: row.name, runUid: row.run_uid, savedAt: row.saved_at }
    })
  }

  baselines(): SavedBaseline[] {
    return this.guard(() => (this.db.prepare('SELECT name, run_uid, saved_at FROM baselines ORDER BY name').all() as Array<{ name: string; run_uid: string; saved_at: string }>).map((r) => ({ name: r.name, runUid: r.run_uid, savedAt: r.saved_at })))
  }

  /** Every run, oldest first, with samples and verdicts: what `mltest bench export` writes. */
  allRuns(): RunEntry[] {
    return this.guard(() => {
      const runs = (this.db.prepare('SELECT * FROM runs ORDER BY started_at, id').all() as RunRow[]).map(headerOf)
      return runs.map(({ id, benchmarkCount: _count, ...run }) => ({
        ...run,
        benchmarks: this.benchmarksWhere('r.id = ?', [id], { samples: true, verdicts: true }).map(({ id: _id, run: _run, summary: _summary, ...b }) => b),
      }))
    })
  }

  /** Merges runs (by uid: a run already stored is skipped) and baselines (a name already saved here keeps its run), in one transaction. */
  merge(runs: readonly RunEntry[], baselines: readonly SavedBaseline[]): { added: number; skipped: number; baselinesAdded: number } {
    return this.guard(() =>
      this.db.transaction(() => {
        let added = 0
        for (const run of runs) if (this.recordRun(run)) added++
        let baselinesAdded = 0
        const insert = this.db.prepare('INSERT INTO baselines (name, run_uid, saved_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING')
        for (const b of baselines) baselinesAdded += insert.run(b.name, b.runUid, b.savedAt).changes
        return { added, skipped: runs.length - added, baselinesAdded }
      }).immediate(),
    )
  }

  /** Test seam: raw SQL on the open connection. */
  get connection(): Database {
    return this.db
  }
}

