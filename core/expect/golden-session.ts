/**
 * The golden and snapshot files of the test file a worker runs, and how they may be written:
 * `mltest run -u` rewrites entries that do not match and removes obsolete ones; on CI (`CI`
 * set, as every CI service does) a missing entry is a failure, never written silently; in a
 * developer's run a missing entry is written. The worker opens a session per test file
 * (`startGoldenFile`) and closes it when the file's tests are done (`finishGoldenFile`),
 * which finds obsolete entries and returns the lines to show for the file.
 *
 * The state lives on `globalThis`, like the running test, so the runner and a test file's
 * `expect` share it even when they load two copies of this module (a linked install).
 */
import { existsSync } from 'node:fs'
import { basename, dirname, join, relative } from 'node:path'
import type { CollectedTest } from '../protocol.ts'
import { running } from '../running-test.ts'
import { GoldenFile, type GoldenFileFormat } from './golden-file.ts'
import { goldenEntryText } from './golden-values.ts'
import { snapshotText } from './snapshot-values.ts'

/** The two kinds of pinned file: `toMatchGolden` (numeric, with tolerance) and `toMatchSnapshot` (plain values, exact). */
export type GoldenKind = 'golden' | 'snapshot'

const FORMATS: Record<GoldenKind, GoldenFileFormat> = {
  golden: { name: 'mltest-golden', version: 1, writeEntry: goldenEntryText as GoldenFileFormat['writeEntry'] },
  snapshot: { name: 'mltest-snapshot', version: 1, writeEntry: snapshotText },
}

/** Where a test file's pinned values live: beside it, in `__golden__/` and `__snapshots__/`. */
export function goldenPathOf(kind: GoldenKind, testFile: string): string {
  return kind === 'golden'
    ? join(dirname(testFile), '__golden__', `${basename(testFile)}.golden.json`)
    : join(dirname(testFile), '__snapshots__', `${basename(testFile)}.snap.json`)
}

/** Whether the environment says this is a CI run: `CI` set to anything but empty, `0` or `false`. */
export function isCI(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env.CI?.trim().toLowerCase()
  return value !== undefined && value !== '' && value !== '0' && value !== 'false'
}

export interface GoldenSessionOptions {
  testFile: string
  rootDir: string
  /** `mltest run -u`: rewrite what does not match, remove what is obsolete. */
  update: boolean
  /** Default: `isCI()`. */
  ci?: boolean
}

interface Session {
  testFile: string
  rootDir: string
  update: boolean
  ci: boolean
  files: Map<string, GoldenFile>
  /** Attempt last seen per test key: a new attempt starts its checks and counters afresh. */
  attempts: Map<string, number>
}

const KEY = Symbol.for('mltest.golden-session')
const store = globalThis as unknown as Record<symbol, Session | undefined>

function session(): Session {
  return (store[KEY] ??= {
    testFile: '', rootDir: process.cwd(), update: false, ci: isCI(), files: new Map(), attempts: new Map(),
  })
}

/** Opens the session of one test file (any earlier session is dropped). */
export function startGoldenFile(options: GoldenSessionOptions): void {
  store[KEY] = {
    testFile: options.testFile, rootDir: options.rootDir, update: options.update, ci: options.ci ?? isCI(), files: new Map(), attempts: new Map(),
  }
}

/** A test's key in golden files: its full name, with ` (2)` for a second test of the same name (as in its id). */
export function goldenTestKey(test: Pick<CollectedTest, 'id' | 'fullName'>): string {
  const at = test.id.lastIndexOf(`::${test.fullName}`)
  return at === -1 ? test.fullName : test.id.slice(at + 2)
}

/** What a matcher needs to read and write pinned values for the running test. */
export interface GoldenAccess {
  file: GoldenFile
  /** The golden file's path relative to the root, for messages. */
  shownPath: string
  testKey: string
  /** The test's full name, for messages. */
  testName: string
  update: boolean
  ci: boolean
}

/** The pinned file of `kind` for the running test; throws outside a test. */
export function goldenAccess(kind: GoldenKind, matcher: string): GoldenAccess {
  const test = running()
  if (!test) throw new Error(`${matcher} must be called inside a test: it stores values per test`)
  const s = session()
  const path = goldenPathOf(kind, test.test.file)
  let file = s.files.get(path)
  if (!file) {
    file = new GoldenFile(path, FORMATS[kind])
    s.files.set(path, file)
  }
  const testKey = goldenTestKey(test.test)
  const attempt = test.context.attempt
  if (s.attempts.get(testKey) !== attempt) {
    s.attempts.set(testKey, attempt)
    for (const open of s.files.values()) open.resetChecks(testKey)
  }
  return { file, shownPath: relative(s.rootDir, path) || path, testKey, testName: test.test.fullName, update: s.update, ci: s.ci }
}

/** `1 golden entry`, `2 new snapshots`: a count of entries of `kind`, with an optional adjective. */
function entries(n: number, kind: GoldenKind, adjective = ''): string {
  const noun = kind === 'golden' ? (n === 1 ? 'golden entry' : 'golden entries') : n === 1 ? 'snapshot' : 'snapshots'
  return `${n} ${adjective ? `${adjective} ` : ''}${noun}`
}

/**
 * Closes the session after the file's tests: finds obsolete entries (see `GoldenFile.obsolete`),
 * removes them under `-u`, and returns one line per pinned file that changed or holds obsolete
 * entries, e.g. `golden: 1 obsolete entry in __golden__/m.mltest.ts.golden.json ...`.
 * `tests` are all the file's tests, run or not; `completed` the ids of those that ran to the end.
 */
export function finishGoldenFile(tests: CollectedTest[], completed: ReadonlySet<string>): string[] {
  const s = session()
  const lines: string[] = []
  const testKeys = new Set(tests.map(goldenTestKey))
  const completedKeys = new Set(tests.filter((t) => completed.has(t.id)).map(goldenTestKey))
  for (const kind of ['golden', 'snapshot'] as const) {
    const path = goldenPathOf(kind, s.testFile)
    let file = s.files.get(path)
    // A file no test opened this run may hold nothing but obsolete entries.
    if (!file && s.testFile && existsSync(path)) {
      try {
        file = new GoldenFile(path, FORMATS[kind])
      } catch (error) {
        lines.push(`${kind}: ${(error as Error).message}`)
      }
    }
    if (!file) continue
    const shown = relative(s.rootDir, path) || path
    if (file.written > 0) lines.push(`${kind}: wrote ${entries(file.written, kind, 'new')} to ${shown}`)
    if (file.updated > 0) lines.push(`${kind}: updated ${entries(file.updated, kind)} in ${shown}`)
    const obsolete = file.obsolete(testKeys, completedKeys)
    if (obsolete.length === 0) continue
    const listed = obsolete.slice(0, 5).map(([test, name]) => `"${test}" › ${JSON.stringify(name)}`).join(', ')
    const more = obsolete.length > 5 ? `, and ${obsolete.length - 5} more` : ''
    if (s.update) {
      file.remove(obsolete)
      lines.push(`${kind}: removed ${entries(obsolete.length, kind, 'obsolete')} from ${shown}: ${listed}${more}`)
    } else {
      lines.push(`${kind}: ${entries(obsolete.length, kind)} obsolete in ${shown}: ${listed}${more} (mltest run -u removes ${obsolete.length === 1 ? 'it' : 'them'})`)
    }
  }
  store[KEY] = undefined
  return lines
}
