/**
 * Last failed first (pytest's `--lf` / `--ff`): the tests that failed are remembered in
 * `.mltest/last-failed.json`, next to the benchmark history. `--last-failed` runs only
 * them, `--failed-first` runs them before the rest, and `mltest watch` starts with them.
 * Tests are matched by file and full name, so a `.each` row is one test and a renamed test
 * is a new one; a test that no longer exists is dropped silently. The file is a cache, not
 * a record: a corrupt one is reported in one line and ignored, and rewritten after the run.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { FileResult, TestResult } from '../protocol.ts'
import { relativeTestFile } from '../test-result.ts'

/** Where the failures are kept, relative to the project root. */
export const LAST_FAILED_PATH = '.mltest/last-failed.json'
const VERSION = 1

/** What failed in one file: full test names, and whether the file itself failed (an import error, a crash). */
export interface FileFailures {
  tests: string[]
  fileError: boolean
}

/** Failures by test file, relative to the root (`/`-separated). */
export type LastFailed = Map<string, FileFailures>

interface StoredLastFailed {
  version: typeof VERSION
  files: Record<string, FileFailures>
}

/** The remembered failures; none when there is no file. A corrupt file is reported through `warn` (one line) and read as none. */
export function readLastFailed(rootDir: string, warn: (line: string) => void): LastFailed {
  const path = join(rootDir, LAST_FAILED_PATH)
  if (!existsSync(path)) return new Map()
  let problem: string
  try {
    const stored = JSON.parse(readFileSync(path, 'utf8')) as unknown
    if (isStored(stored)) return new Map(Object.entries(stored.files).map(([file, f]) => [file, { tests: [...f.tests], fileError: f.fileError }]))
    problem = `not a version-${VERSION} last-failed file`
  } catch (error) {
    problem = error instanceof SyntaxError ? `not valid JSON (${error.message})` : String((error as Error).message ?? error)
  }
  warn(`ignoring ${LAST_FAILED_PATH}: ${problem} — running as if nothing failed last time; the file is rewritten after this run`)
  return new Map()
}

function isStored(value: unknown): value is StoredLastFailed {
  if (value === null || typeof value !== 'object') return false
  const { version, files } = value as Partial<StoredLastFailed>
  if (version !== VERSION || files === null || typeof files !== 'object' || Array.isArray(files)) return false
  return Object.values(files).every(
    (f) => f !== null && typeof f === 'object' && Array.isArray(f.tests) && f.tests.every((n) => typeof n === 'string') && typeof f.fileError === 'boolean',
  )
}

/** How the run chose the tests of each file, so a test that is gone can be told from one that was not selected. */
export interface RunCoverage {
  /** `--grep` or `--tag` narrowed every file: a missing test may just be filtered out. */
  filtered: boolean
  /** `--last-failed`: the full names each file was narrowed to (absent: the whole file ran). */
  narrowedTo?: (relFile: string) => readonly string[] | undefined
  /** Inconclusive verdicts count as failures (`--inconclusive fail`). */
  inconclusiveFails: boolean
}

/**
 * The failures after a run: a test that ran takes its new outcome (passed, skipped or todo
 * clear it; failed sets it), a test cancelled by `--bail` or an interruption keeps its old
 * one, a remembered test its file no longer has is dropped, and files that did not run, or
 * no longer exist, keep or lose theirs accordingly.
 */
export function updateLastFailed(previous: LastFailed, files: readonly FileResult[], rootDir: string, coverage: RunCoverage): LastFailed {
  const next: LastFailed = new Map()
  for (const [file, failures] of previous) if (existsSync(join(rootDir, file))) next.set(file, failures)
  for (const result of files) {
    const rel = relativeTestFile(rootDir, result.file)
    const before = next.get(rel) ?? { tests: [], fileError: false }
    // The file itself failed (import, crash, afterAll, a fixture's teardown): the next --last-failed reruns it whole.
    const fileError = result.errors.length > 0
    const ran = new Map(result.tests.map((t) => [t.fullName, t]))
    const narrowed = coverage.narrowedTo?.(rel)
    const kept = before.tests.filter((name) => {
      const test = ran.get(name)
      if (test) return cancelled(test)
      // Not in the file's results although it would have been selected: deleted or renamed.
      const wouldRun = !coverage.filtered && (narrowed === undefined || narrowed.includes(name))
      return fileError || !wouldRun
    })
    const failed = result.tests.filter((t) => t.state === 'failed' || (coverage.inconclusiveFails && t.state === 'inconclusive')).map((t) => t.fullName)
    const tests = [...new Set([...failed, ...kept])]
    if (tests.length > 0 || fileError) next.set(rel, { tests, fileError })
    else next.delete(rel)
  }
  return next
}

/** A test `--bail` or an interruption skipped: it did not run, so what it did last time stands. */
function cancelled(test: TestResult): boolean {
  return test.state === 'skipped' && test.reason !== undefined
}

/** Writes the failures atomically (a temporary file renamed over the old one), so a concurrent reader never sees half a file. */
export function writeLastFailed(rootDir: string, failures: LastFailed): void {
  const path = join(rootDir, LAST_FAILED_PATH)
  // A project where nothing ever failed gets no .mltest folder from this.
  if (failures.size === 0 && !existsSync(path)) return
  mkdirSync(join(rootDir, '.mltest'), { recursive: true })
  const stored: StoredLastFailed = { version: VERSION, files: Object.fromEntries([...failures].sort(([a], [b]) => a.localeCompare(b))) }
  const temporary = `${path}.${process.pid}.tmp`
  writeFileSync(temporary, JSON.stringify(stored, null, 2) + '\n')
  renameSync(temporary, path)
}

/** What `--last-failed` or `--failed-first` makes of the selected files. */
export interface FailedSelection {
  /** The files to run, in order. */
  files: string[]
  /** Per file: the full names to run (`--last-failed`) — undefined runs the whole file. */
  onlyNames(file: string): readonly string[] | undefined
  /** Per file: the full names to run before its other tests (`--failed-first`). */
  firstNames(file: string): readonly string[] | undefined
  /** One line for the user: what was selected, or that nothing failed last time. */
  note: string
  /** `--last-failed` found failures and narrowed the run to them. */
  narrowed: boolean
  /** Nothing was remembered for these files. */
  none: boolean
}

/**
 * `--last-failed` (`only`) narrows `files` (absolute paths) to the files with failures and
 * each file to its failed tests, or keeps everything when nothing failed; `--failed-first`
 * puts those files, and within them those tests, first. `grep` (`--grep`) applies as usual.
 */
export function selectFailed(files: readonly string[], failures: LastFailed, rootDir: string, mode: 'only' | 'first', grep?: string): FailedSelection {
  const pattern = grep === undefined ? undefined : new RegExp(grep)
  const byFile = new Map<string, FileFailures>()
  for (const file of files) {
    const f = failures.get(relativeTestFile(rootDir, file))
    if (!f) continue
    const tests = pattern ? f.tests.filter((n) => pattern.test(n)) : f.tests
    if (tests.length > 0 || f.fileError) byFile.set(file, { tests, fileError: f.fileError })
  }
  const testCount = [...byFile.values()].reduce((n, f) => n + f.tests.length, 0)
  const fileCount = byFile.size
  const flag = mode === 'only' ? '--last-failed' : '--failed-first'
  if (fileCount === 0) {
    return { files: [...files], onlyNames: () => undefined, firstNames: () => undefined, note: `${flag}: no test failed last time — running all tests`, narrowed: false, none: true }
  }
  const whole = [...byFile.values()].filter((f) => f.fileError).length
  const what = [
    ...(testCount > 0 ? [`${testCount} test${testCount === 1 ? '' : 's'} that failed last time`] : []),
    ...(whole > 0 ? [`${whole} file${whole === 1 ? '' : 's'} that failed to run`] : []),
  ].join(' and ')
  const failedFiles = files.filter((f) => byFile.has(f))
  const names = (file: string) => {
    const f = byFile.get(file)
    return f && !f.fileError ? f.tests : undefined
  }
  if (mode === 'only') {
    return { files: failedFiles, onlyNames: names, firstNames: () => undefined, note: `${flag}: running the ${what} (${fileCount} file${fileCount === 1 ? '' : 's'})`, narrowed: true, none: false }
  }
  return {
    files: [...failedFiles, ...files.filter((f) => !byFile.has(f))],
    onlyNames: () => undefined,
    firstNames: names,
    note: `running the ${what} first`,
    narrowed: false,
    none: false,
  }
}

/** A `--grep` pattern matching exactly these full test names. */
export function exactNamesPattern(names: readonly string[]): string {
  return `^(?:${names.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})$`
}

/** The settings `planFailedFirst` reads. */
export interface FailureMemoryConfig {
  rootDir: string
  grep?: string
  tagExpr?: string
  inconclusive: 'pass' | 'fail'
}

/** One pass's use of the remembered failures: what to run, and recording what failed. */
export interface FailedFirstPlan {
  files: string[]
  /** `--last-failed` narrowed the run to remembered failures (so an empty run means they are all gone). */
  narrowed: boolean
  /** Per file: a `--grep` narrowing it to its failed tests (`--last-failed`). */
  grepFor?(file: string): string | undefined
  /** Per file: the tests to run first (`--failed-first`). */
  runFirstFor?(file: string): readonly string[] | undefined
  /**
   * After the pass: the failures to remember (written atomically; a write error is one line
   * through `log`). `narrowedTo` names the tests each file (absolute path) was narrowed to by
   * the caller (watch's "rerun failed"), when this plan did not narrow it.
   */
  record(files: readonly FileResult[], narrowedTo?: (file: string) => readonly string[] | undefined): void
}

/**
 * Reads the remembered failures and applies `mode` to `files`: `only` (`--last-failed`),
 * `first` (`--failed-first`), or none (the failures are only recorded after the pass).
 * `log` gets the one-line notes (what was selected, a corrupt file, a failed write).
 */
export function planFailedFirst(
  config: FailureMemoryConfig,
  files: string[],
  mode: 'only' | 'first' | undefined,
  log: (line: string) => void,
  /** Say nothing when no failure is remembered (watch starting without a flag). */
  { quietWhenNone = false } = {},
): FailedFirstPlan {
  const previous = readLastFailed(config.rootDir, mode ? log : () => {})
  const selection = mode ? selectFailed(files, previous, config.rootDir, mode, config.grep) : undefined
  if (selection && !(selection.none && quietWhenNone)) log(selection.note)
  return {
    files: selection?.files ?? files,
    narrowed: selection?.narrowed ?? false,
    grepFor: selection
      ? (file) => {
          const names = selection.onlyNames(file)
          return names ? exactNamesPattern(names) : undefined
        }
      : undefined,
    runFirstFor: selection?.firstNames,
    record(results, callerNarrowed) {
      const narrowed = callerNarrowed ?? selection?.onlyNames
      // Read again now: another run sharing the root (a parallel shard, watch beside a run) may
      // have written since this one started, and its failures must not be lost.
      const next = updateLastFailed(readLastFailed(config.rootDir, () => {}), results, config.rootDir, {
        filtered: config.grep !== undefined || config.tagExpr !== undefined,
        narrowedTo: narrowed ? (rel) => narrowed(join(config.rootDir, rel)) : undefined,
        inconclusiveFails: config.inconclusive === 'fail',
      })
      try {
        writeLastFailed(config.rootDir, next)
      } catch (error) {
        log(`could not write ${LAST_FAILED_PATH}: ${(error as Error).message} — the next --last-failed will not know this run's failures`)
      }
    },
  }
}
