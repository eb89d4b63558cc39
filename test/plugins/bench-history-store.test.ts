// The benchmark history store on real SQLite files: schema migrations, refusal of corrupt,
// foreign and newer files without touching them, exact sample round trips, two processes
// writing one file at once, and a writer killed with SIGKILL in the middle of a transaction.
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import t, { type Test } from 'tap'
import { HistoryFileError } from '../../plugins/bench-history/_internals/history-file-error.ts'
import { decodeSamples, encodeSamples, openHistory, type RunEntry } from '../../plugins/bench-history/_internals/history-store.ts'
import { LATEST_VERSION, MIGRATIONS, type Migration } from '../../plugins/bench-history/_internals/schema.ts'

const REPO = fileURLToPath(new URL('../../', import.meta.url))
const STORE_MODULE = join(REPO, 'plugins/bench-history/_internals/history-store.ts')

function tempDir(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'mltest-bench-store-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex')

/** A run with `benchmarks` benchmarks of `samples` deterministic samples each. */
function makeRun(uid: string, benchmarks = 2, samples = 50, startedAt = new Date().toISOString()): RunEntry {
  return {
    uid,
    startedAt,
    recordedAt: startedAt,
    git: { commit: 'abc', dirty: false, branch: 'main' },
    fingerprint: { cpuModel: 'test cpu', cpuCount: 2 },
    fingerprintHash: 'f1',
    mltestVersion: '0.1.0',
    runExitCode: 0,
    benchmarks: Array.from({ length: benchmarks }, (_, b) => ({
      identity: `t › b${b} › b1`,
      testFullName: 't',
      file: 'x.mltest.ts',
      name: `b${b}`,
      batchSize: 1,
      subject: { sha256: 'aa' },
      subjectHash: 's1',
      samplesMs: Array.from({ length: samples }, (_, i) => 1 + b + i / samples),
      throughputPerSec: null,
      peakRssMb: 100,
      minEffect: null,
      verdicts: [{ metric: 'p50', verdict: 'unchanged', baselineValue: 1, currentValue: 1, ratio: 1, ratioLow: 0.99, ratioHigh: Infinity, p: 0.5, reason: 'r', baseline: 'b' }],
    })),
  }
}

t.test('a new history: schema at the latest version, WAL journal, marked as ours', async (t) => {
  const path = join(tempDir(t), 'nested', 'history.db')
  const store = await openHistory(path, { mode: 'create' })
  t.equal(store.connection.pragma('user_version', { simple: true }), LATEST_VERSION)
  t.equal(store.connection.pragma('journal_mode', { simple: true }), 'wal')
  t.ok((store.connection.pragma('busy_timeout', { simple: true }) as number) >= 1000, 'busy timeout set')
  t.equal(store.recordRun(makeRun('r1')), true)
  t.equal(store.recordRun(makeRun('r1')), false, 'a run uid is stored once')
  store.close()
  const again = await openHistory(path, { mode: 'existing' })
  t.equal(again.recentRuns(10).length, 1)
  again.close()
  await t.rejects(openHistory(join(tempDir(t), 'missing.db'), { mode: 'existing' }), /missing\.db: no such file — run "mltest bench" to start a history/)
})

t.test('samples round-trip bit for bit through the blob; summaries and verdicts are kept', async (t) => {
  const special = [0, 5e-324, 1e-300, 0.1 + 0.2, 1 / 3, 12345.678, 1.7976931348623157e308]
  t.same(Array.from(decodeSamples(encodeSamples(special))), special)
  const odd = Buffer.concat([Buffer.from([7]), encodeSamples(special)]).subarray(1)
  t.same(Array.from(decodeSamples(odd)), special, 'a blob at an unaligned offset decodes too')
  const store = await openHistory(join(tempDir(t), 'h.db'), { mode: 'create' })
  t.teardown(() => store.close())
  store.recordRun(makeRun('r1', 1, 101))
  const [stored] = store.recentMeasurements('t › b0 › b1', { branch: 'main', fingerprintHash: 'f1', limit: 5 })
  t.same(Array.from(stored!.samplesMs), makeRun('x', 1, 101).benchmarks[0]!.samplesMs)
  t.equal(stored!.summary.n, 101)
  t.equal(stored!.summary.p50Ms, 1 + 50 / 101)
  const [withVerdicts] = store.benchmarksOfRun(stored!.run.id)
  t.equal(withVerdicts!.verdicts[0]!.ratioHigh, Infinity, 'an unbounded interval end stays unbounded')
  t.equal(store.recentMeasurements('t › b0 › b1', { branch: 'other', limit: 5 }).length, 0, 'another branch is not a baseline')
  t.equal(store.recentMeasurements('t › b0 › b1', { branch: 'main', fingerprintHash: 'f2', limit: 5 }).length, 0, 'nor another fingerprint')
})

t.test('migrations: pending ones apply in order with their version; a failing one changes nothing', async (t) => {
  const path = join(tempDir(t), 'h.db')
  const v1 = await openHistory(path, { mode: 'create', migrations: MIGRATIONS.slice(0, 1) })
  v1.recordRun(makeRun('r1'))
  v1.close()
  const v2: Migration = { version: LATEST_VERSION + 1, description: 'test: a note per run', sql: 'ALTER TABLE runs ADD COLUMN note TEXT; UPDATE runs SET note = \'migrated\';' }
  const broken: Migration = { version: LATEST_VERSION + 2, description: 'test: fails half-way', sql: 'CREATE TABLE half (x INTEGER); INSERT INTO nowhere VALUES (1);' }
  await t.rejects(openHistory(path, { mode: 'create', migrations: [...MIGRATIONS, v2, broken] }), /no such table: nowhere/)
  const check = new Database(path, { readonly: true })
  t.equal(check.pragma('user_version', { simple: true }), LATEST_VERSION + 1, 'v2 committed, the broken v3 rolled back')
  t.equal((check.prepare('SELECT note FROM runs').get() as { note: string }).note, 'migrated', 'data kept through the migration')
  t.equal(check.prepare(`SELECT count(*) AS n FROM sqlite_master WHERE name = 'half'`).get() && (check.prepare(`SELECT count(*) AS n FROM sqlite_master WHERE name = 'half'`).get() as { n: number }).n, 0, 'no half-applied table')
  check.close()
  const reopened = await openHistory(path, { mode: 'existing', migrations: [...MIGRATIONS, v2] })
  t.equal(reopened.recentRuns(5)[0]!.uid, 'r1')
  reopened.close()
})

t.test('corrupt, foreign, newer and non-SQLite files are refused with one line, untouched', async (t) => {
  const dir = tempDir(t)
  const oneLine = async (path: string, pattern: RegExp) => {
    const before = sha(path)
    const error = (await openHistory(path, { mode: 'create' }).then(
      () => undefined,
      (e: unknown) => e,
    )) as Error
    t.ok(error instanceof HistoryFileError, `${path}: a HistoryFileError`)
    t.match(error.message, pattern)
    t.notOk(error.message.includes('\n'), 'one line')
    t.match(error.message, new RegExp(`^benchmark history ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `), 'names the file')
    t.equal(sha(path), before, 'the file is byte-identical afterwards')
  }

  const text = join(dir, 'notes.db')
  writeFileSync(text, 'these are my notes, not a database\n'.repeat(200))
  await oneLine(text, /not an SQLite database \(wrong file header\) — pass another --history path, or move it away/)

  const foreign = join(dir, 'foreign.db')
  const other = new Database(foreign)
  other.exec('CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO customers (name) VALUES (\'ada\')')
  other.close()
  await oneLine(foreign, /an SQLite database but not an mltest benchmark history \(tables: customers\)/)

  const newer = join(dir, 'newer.db')
  const store = await openHistory(newer, { mode: 'create' })
  store.close()
  const bump = new Database(newer)
  bump.pragma(`user_version = ${LATEST_VERSION + 5}`)
  bump.close()
  await oneLine(newer, new RegExp(`written by a newer mltest \\(schema version ${LATEST_VERSION + 5}, this mltest reads up to ${LATEST_VERSION}\\) — upgrade mltest`))

  // Damage the pages of a real history (header kept): integrity check or read fails.
  const damaged = join(dir, 'damaged.db')
  const full = await openHistory(damaged, { mode: 'create' })
  for (let i = 0; i < 20; i++) full.recordRun(makeRun(`r${i}`, 3, 2000))
  full.close()
  t.notOk(existsSync(`${damaged}-wal`), 'closed cleanly: the WAL is checkpointed away')
  const bytes = readFileSync(damaged)
  t.ok(bytes.length > 64 * 1024)
  for (let offset = 8192; offset < bytes.length; offset += 8192) bytes.fill(0xa5, offset, offset + 512)
  writeFileSync(damaged, bytes)
  await oneLine(damaged, /corrupt \(.*\) — restore it from your CI artifact or a backup .* the file was left untouched/)

  const truncated = join(dir, 'truncated.db')
  writeFileSync(truncated, readFileSync(damaged).subarray(0, 0))
  const good = await openHistory(join(dir, 'good.db'), { mode: 'create' })
  for (let i = 0; i < 20; i++) good.recordRun(makeRun(`r${i}`, 3, 2000))
  good.close()
  writeFileSync(truncated, readFileSync(join(dir, 'good.db')))
  truncateSync(truncated, Math.floor(readFileSync(truncated).length / 3))
  await oneLine(truncated, /corrupt/)
})

/** A child process that writes runs through the store; prints `begin i` / `commit i`. */
function writerScript(dir: string): string {
  const file = join(dir, 'writer.mts')
  writeFileSync(
    file,
    `import { openHistory } from ${JSON.stringify(STORE_MODULE)}
const [path, prefix, count, benchmarks, samples] = process.argv.slice(2)
const store = await openHistory(path, { mode: 'create' })
for (let r = 0; r < Number(count); r++) {
  const uid = prefix + '-' + r
  const run = {
    uid, startedAt: new Date().toISOString(), recordedAt: new Date().toISOString(),
    git: { commit: null, dirty: null, branch: null }, fingerprint: { w: prefix }, fingerprintHash: prefix,
    mltestVersion: '0', runExitCode: 0,
    benchmarks: Array.from({ length: Number(benchmarks) }, (_, b) => ({
      identity: 'bench ' + b, testFullName: 't', file: 'f', name: 'b' + b, batchSize: 1, subject: { run: r }, subjectHash: 'h',
      samplesMs: Float64Array.from({ length: Number(samples) }, (_, i) => r * 1e6 + b * 1e3 + i),
      throughputPerSec: null, peakRssMb: null, minEffect: null, verdicts: [],
    })),
  }
  process.stdout.write('begin ' + r + '\\n')
  store.recordRun(run)
  process.stdout.write('commit ' + r + '\\n')
}
store.close()
`,
  )
  return file
}

function startWriter(script: string, args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  const lines: Array<(text: string) => void> = []
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d
    for (const l of lines) l(stdout)
  })
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })))
  const waitFor = (pattern: RegExp) =>
    new Promise<void>((resolve) => {
      if (pattern.test(stdout)) return resolve()
      lines.push((text) => pattern.test(text) && resolve())
    })
  return { child, exit, waitFor, output: () => ({ stdout, stderr }) }
}

/** Every stored run has all its benchmarks, each with the samples its writer wrote. */
function assertConsistent(t: Test, path: string): Map<string, number> {
  const db = new Database(path, { readonly: true })
  t.equal(db.pragma('quick_check', { simple: true }), 'ok', 'integrity check passes')
  const runs = db.prepare('SELECT r.id, r.uid, r.benchmark_count, count(b.id) AS stored FROM runs r LEFT JOIN benchmarks b ON b.run_id = r.id GROUP BY r.id').all() as Array<{ id: number; uid: string; benchmark_count: number; stored: number }>
  const byWriter = new Map<string, number>()
  let complete = true
  for (const run of runs) {
    if (run.stored !== run.benchmark_count) complete = false
    const [prefix, index] = run.uid.split('-')
    byWriter.set(prefix!, (byWriter.get(prefix!) ?? 0) + 1)
    const blobs = db.prepare('SELECT name, samples FROM benchmarks WHERE run_id = ?').all(run.id) as Array<{ name: string; samples: Buffer }>
    for (const { name, samples } of blobs) {
      const values = decodeSamples(samples)
      const b = Number(name.slice(1))
      if (values.some((v, i) => v !== Number(index) * 1e6 + b * 1e3 + i)) complete = false
    }
  }
  db.close()
  t.ok(complete, `all ${runs.length} runs complete: every benchmark row present, every sample intact`)
  return byWriter
}

t.test('two processes writing one history at once: every run of both lands', async (t) => {
  const dir = tempDir(t)
  const path = join(dir, 'shared.db')
  const script = writerScript(dir)
  // Both start on a file that does not exist yet: they also race to create and migrate it.
  const writers = ['a', 'b', 'c'].map((prefix) => startWriter(script, [path, prefix, '25', '4', '3000']))
  const exits = await Promise.all(writers.map((w) => w.exit))
  exits.forEach((e, i) => t.equal(e.code, 0, `writer ${i} exits 0 ${writers[i]!.output().stderr}`))
  const byWriter = assertConsistent(t, path)
  t.same(Object.fromEntries(byWriter), { a: 25, b: 25, c: 25 })
})

t.test('a writer killed with SIGKILL mid-transaction leaves a consistent history', async (t) => {
  const dir = tempDir(t)
  const path = join(dir, 'killed.db')
  const script = writerScript(dir)
  let expected = 0
  for (const [round, killAfter] of [
    [0, 2],
    [1, 1],
    [2, 3],
  ] as const) {
    // 16 benchmarks × 100,000 samples: 12.8 MB per run, so a run's transaction takes a while.
    const writer = startWriter(script, [path, `k${round}`, '100', '16', '100000'])
    await writer.waitFor(new RegExp(`begin ${killAfter}\\n`))
    writer.child.kill('SIGKILL')
    const exit = await writer.exit
    t.equal(exit.signal, 'SIGKILL')
    const committed = (writer.output().stdout.match(/^commit /gm) ?? []).length
    t.equal(committed, killAfter, `round ${round}: killed while writing run ${killAfter}`)
    expected += committed
    const byWriter = assertConsistent(t, path)
    t.equal(byWriter.get(`k${round}`) ?? 0, committed, 'exactly the committed runs, not the one in flight')
    // And the history still opens and takes writes through the store.
    const store = await openHistory(path, { mode: 'existing' })
    t.equal(store.recentRuns(1000).length, expected)
    store.close()
  }
})
