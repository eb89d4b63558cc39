/**
 * The only shapes that cross the thread (or process) boundary between the main thread
 * (`core/node`) and a worker (`core/worker`). Everything here must survive structured
 * clone: no functions, no class instances, no raw Error objects.
 */

/** What a test's outcome is. Results are unions keyed on it. */
export type TestState = 'passed' | 'failed' | 'skipped' | 'todo' | 'inconclusive'

/** How an error came about; JUnit tells `failure` (assertion) from `error` (the rest). */
export type ErrorKind = 'assertion' | 'error' | 'timeout' | 'crash'

export interface SerializedError {
  kind: ErrorKind
  name: string
  message: string
  /** Stack with node internals and mltest's own frames removed. */
  stack?: string
  /** A readable expected/received diff for failed equality assertions. */
  diff?: string
  /** First user frame, for code frames and CI annotations. */
  location?: SourceLocation
  cause?: SerializedError
}

export interface SourceLocation {
  file: string
  line: number
  column: number
}

/** A figure a test or a check attaches; it reaches every reporter. */
export type AnnotationValue = string | number | boolean | null

export interface Annotation {
  key: string
  value: AnnotationValue
}

export type Verdict = 'pass' | 'fail' | 'inconclusive'

/** What a check function (checkStability, benchOnnx, ...) records on the running test. */
export interface CheckRecord {
  /** The check's name, e.g. `checkStability`. */
  check: string
  /** The production-ML practice it exercises, e.g. `numerical-stability`. */
  practice: string
  verdict: Verdict
  /** Figures: threshold, observed value, sample size, p-value, ... */
  metrics: Record<string, AnnotationValue>
  /** One readable line, e.g. `p99 12.3 ms <= 20 ms budget`. */
  summary?: string
  /**
   * Why the verdict is inconclusive, one sentence, e.g. `p99 needs at least 368 runs for an
   * upper bound; 120 ran`; reporters show it as the test's reason.
   */
  reason?: string
  /** Raw measurements of a benchmark check, one per benchmark and batch size: the benchmark history reads them. */
  benchmarks?: BenchmarkRecord[]
  /**
   * Figures the HTML report draws beside the verdict (a latency histogram, per-slice
   * intervals, ...). Built with `figure()` from `mltest/plugin`, which caps their size.
   */
  figures?: CheckFigure[]
}

/** A JSON value: what a figure spec is made of (survives structured clone and JSON). */
export type FigureJson = string | number | boolean | null | FigureJson[] | { [key: string]: FigureJson }

/**
 * One figure of a check: a Vega-Lite (v5) spec with its data inline, no URLs, so a saved
 * JSON result redraws it offline. The check decides what to draw; reporters only render it.
 */
export interface CheckFigure {
  /** Short title, e.g. `Latency per run, batch 8`. */
  title: string
  /** A Vega-Lite spec whose data is inline (`data: { values: [...] }`). */
  spec: { [key: string]: FigureJson }
  /** Shown under the figure, e.g. `2,000 of 100,000 samples shown, evenly spaced`. */
  note?: string
}

/** One benchmark's raw measurements (from `benchOnnx` or `bench`), kept so later runs can be compared with it. */
export interface BenchmarkRecord {
  /** Benchmark name within its test, e.g. the model file name or `bench(name, ...)`'s name. */
  name: string
  batchSize: number
  /** Latency of each timed run in ms, in measurement order. */
  samplesMs: number[]
  /** What was measured: model SHA-256, options that change the work, runtime settings. */
  subject: Record<string, AnnotationValue>
  /** Items per second over the timed runs. */
  throughputPerSec?: number
  /** Peak resident memory during the timed runs, in MB. */
  peakRssMb?: number
  /** This benchmark's smallest relative change that counts (wins over the history's `minEffect`/`minEffects`). */
  minEffect?: number
}

export interface LogEntry {
  stream: 'stdout' | 'stderr'
  text: string
}

/** A test as collected, before it runs (also what `--list` prints). */
export interface CollectedTest {
  id: string
  file: string
  /** Titles of enclosing describe blocks, outermost first. */
  suitePath: string[]
  name: string
  /** `suitePath` and `name` joined with ` > `. */
  fullName: string
  tags: string[]
  mode: 'run' | 'skip' | 'todo'
  expectFail: boolean
  /** Runs alone: no other test runs on any worker meanwhile (benchmarks; tag `bench`). */
  exclusive: boolean
  location?: SourceLocation
}

interface TestResultBase {
  id: string
  file: string
  suitePath: string[]
  name: string
  fullName: string
  tags: string[]
  durationMs: number
  /** Attempts made: 1 when no retry was needed. */
  attempts: number
  /** `test.fails`: the body was expected to throw. */
  expectFail: boolean
  seed: number
  annotations: Annotation[]
  checks: CheckRecord[]
  logs: LogEntry[]
  location?: SourceLocation
}

export type TestResult =
  /** `flaky`: true when it passed only on a retry (`attempts` > 1); absent when the first attempt passed. */
  | (TestResultBase & { state: 'passed'; flaky?: boolean })
  | (TestResultBase & { state: 'failed'; error: SerializedError })
  | (TestResultBase & { state: 'skipped'; reason?: string })
  | (TestResultBase & { state: 'todo' })
  | (TestResultBase & { state: 'inconclusive'; reason: string })

export interface FileResult {
  file: string
  durationMs: number
  /** An error that belongs to the file rather than a test: import failure, crash, afterAll. */
  errors: SerializedError[]
  tests: TestResult[]
}

/** Everything a worker needs to run one file. */
export interface FileTask {
  /** Absolute path of the test file. */
  file: string
  rootDir: string
  configFile?: string
  setupFiles: string[]
  seed: number
  shuffle: boolean
  timeoutMs: number
  retries: number
  grep?: string
  tagExpr?: string
  /** Collect only; run nothing (`--list`). */
  listOnly: boolean
  /** `-u, --update`: rewrite golden and snapshot entries that do not match, remove obsolete ones. */
  update?: boolean
  /** Test ids already reported by an earlier attempt at this file (resume after a crash). */
  skipIds: string[]
  /** `--failed-first`: full names of tests to run before the file's others (their describes move first too). */
  runFirst?: string[]
  /**
   * `--bail N`: `left` failed tests this file may still have before it skips the rest (the
   * run's budget when the task started; other files may spend it meanwhile). Absent without
   * `--bail`.
   */
  bail?: { limit: number; left: number }
  /** Resolved options per plugin name. */
  pluginOptions: Record<string, Record<string, unknown>>
  color: boolean
}

/** Worker → main, batched in `{ events }` messages. Tuples keep messages small. */
export type WorkerEvent =
  | ['collected', CollectedTest[]]
  | ['test-start', id: string, timeoutMs: number]
  /**
   * Code outside a test starts (worker set-up, import, beforeAll, afterAll): the watchdog
   * ends the worker after `deadlineMs`. `guards` lists the tests that cannot run if it
   * fails (a beforeAll's tests); `resumable` says whether the file's other tests can run on
   * a fresh worker afterwards.
   */
  | ['phase-start', label: string, deadlineMs: number, guards: string[], resumable: boolean]
  | ['phase-end']
  | ['test-end', TestResult]
  | ['log', id: string | null, entry: LogEntry]
  | ['file-error', SerializedError]
  /**
   * Code a finished file left running (a stray timer or promise) threw; the message names
   * that file. The main thread reports it as a run error.
   */
  | ['stray-error', SerializedError]
  /** An exclusive test wants to start; the worker waits for `grant`. */
  | ['exclusive-request', id: string]
  /** The worker honoured `pause` and waits for `resume` before its next test. */
  | ['paused', epoch: number]

export interface WorkerBatch {
  events: WorkerEvent[]
  /** The last batch of a task: everything the worker sent has arrived. */
  final?: boolean
}

/** Main → worker over the task's port. */
export type ControlMessage =
  | { type: 'cancel'; reason: string }
  /** Finish the current test, then wait: an exclusive test is about to run elsewhere. */
  | { type: 'pause'; epoch: number }
  | { type: 'resume' }
  /** The exclusive test asked for may start now. */
  | { type: 'grant' }

/** What a worker returns when it finishes a file. */
export interface FileTaskReturn {
  durationMs: number
  /** The worker's V8 heap after the file (per thread). */
  heapUsedBytes: number
  /** The process's resident set size after the file (the whole process for threads). */
  rssBytes: number
}
