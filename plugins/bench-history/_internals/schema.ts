/**
 * The history's schema, versioned with `PRAGMA user_version` and migrated in order. A
 * migration runs inside one `BEGIN IMMEDIATE` transaction together with the version bump, so
 * a process killed mid-migration leaves the previous version intact, and two processes
 * opening a new file at once migrate it once. Add a migration at the end; never edit one that
 * has shipped.
 */
export interface Migration {
  version: number
  description: string
  sql: string
}

/** The value of `meta.application` that marks a file as ours. */
export const APPLICATION_ID = 'mltest-bench-history'

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'runs, benchmarks with raw samples, verdicts, named baselines',
    sql: `
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
      INSERT INTO meta (key, value) VALUES ('application', '${APPLICATION_ID}');
      CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        uid TEXT NOT NULL UNIQUE,
        started_at TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        git_commit TEXT,
        git_dirty INTEGER,
        git_branch TEXT,
        fingerprint_hash TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        mltest_version TEXT NOT NULL,
        run_exit_code INTEGER NOT NULL,
        benchmark_count INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX runs_by_machine ON runs (fingerprint_hash, git_branch, started_at);
      CREATE TABLE benchmarks (
        id INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        identity TEXT NOT NULL,
        test_full_name TEXT NOT NULL,
        file TEXT NOT NULL,
        name TEXT NOT NULL,
        batch_size INTEGER NOT NULL,
        subject TEXT NOT NULL,
        subject_hash TEXT NOT NULL,
        samples BLOB NOT NULL,
        n INTEGER NOT NULL,
        p50_ms REAL NOT NULL,
        p99_ms REAL NOT NULL,
        mean_ms REAL NOT NULL,
        throughput_per_sec REAL,
        peak_rss_mb REAL,
        min_effect REAL,
        UNIQUE (run_id, identity)
      ) STRICT;
      CREATE INDEX benchmarks_by_identity ON benchmarks (identity, run_id);
      CREATE TABLE verdicts (
        benchmark_id INTEGER NOT NULL REFERENCES benchmarks (id) ON DELETE CASCADE,
        metric TEXT NOT NULL,
        verdict TEXT NOT NULL,
        baseline_value REAL,
        current_value REAL,
        ratio REAL,
        ratio_low REAL,
        ratio_high REAL,
        p REAL,
        reason TEXT NOT NULL,
        baseline TEXT NOT NULL,
        PRIMARY KEY (benchmark_id, metric)
      ) STRICT;
      CREATE TABLE baselines (
        name TEXT PRIMARY KEY,
        run_uid TEXT NOT NULL REFERENCES runs (uid),
        saved_at TEXT NOT NULL
      ) STRICT;
    `,
  },
]

export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version
