/**
 * One golden or snapshot file: entries by test (its full name) and by name within the test.
 * It is read once per run of its test file and written atomically (a temporary file renamed
 * over the old one) after every change, so a worker that crashes or hangs mid-file never
 * leaves a torn file and keeps what it wrote. Each file belongs to one test file, and one
 * test file runs in one worker at a time, so no two writers meet.
 *
 * Tests and entries are written sorted, so the text depends only on the entries, never on
 * the order tests ran in: a diff of the file shows exactly what changed.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { threadId } from 'node:worker_threads'

/** Writes one entry as JSON text; lines after the first start with `indent`. */
export type EntryWriter = (entry: unknown, indent: string) => string

export interface GoldenFileFormat {
  /** The file's `format` field, e.g. `mltest-golden`. */
  name: string
  version: number
  writeEntry: EntryWriter
}

const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

export class GoldenFile {
  private readonly tests = new Map<string, Map<string, unknown>>()
  private readonly checked = new Map<string, Set<string>>()
  /** Entries written this run that did not exist before, and entries rewritten (`-u`). */
  written = 0
  updated = 0

  constructor(
    readonly path: string,
    private readonly format: GoldenFileFormat,
  ) {
    if (!existsSync(path)) return
    let parsed: unknown
    try {
      parsed = JSON.parse(readFileSync(path, 'utf8'))
    } catch (error) {
      throw new Error(`${path} is not valid JSON (${(error as Error).message}); fix it, or delete it and run mltest to write it afresh`)
    }
    const file = parsed as { format?: unknown; version?: unknown; tests?: unknown }
    if (file?.format !== format.name || file.version !== format.version || typeof file.tests !== 'object' || file.tests === null) {
      throw new Error(`${path} is not a ${format.name} file of version ${format.version} (it needs "format": "${format.name}", "version": ${format.version} and "tests")`)
    }
    for (const [test, entries] of Object.entries(file.tests as Record<string, unknown>)) {
      if (typeof entries !== 'object' || entries === null) throw new Error(`${path}: the entries of test "${test}" are not an object`)
      this.tests.set(test, new Map(Object.entries(entries)))
    }
  }

  get(test: string, name: string): unknown {
    return this.tests.get(test)?.get(name)
  }

  /** Marks an entry as used by this run; false when it was already used (a name used twice in one test). */
  check(test: string, name: string): boolean {
    const names = this.checked.get(test) ?? new Set<string>()
    this.checked.set(test, names)
    if (names.has(name)) return false
    names.add(name)
    return true
  }

  /** Forgets what a test used, for its next attempt (a retry checks its entries afresh). */
  resetChecks(test: string): void {
    this.checked.delete(test)
  }

  /** Stores an entry and writes the file. */
  set(test: string, name: string, entry: unknown): void {
    const entries = this.tests.get(test) ?? new Map<string, unknown>()
    this.tests.set(test, entries)
    if (entries.has(name)) this.updated++
    else this.written++
    entries.set(name, entry)
    this.save()
  }

  /**
   * Entries no test uses any more: their test is gone from the file (`testKeys` holds every
   * test of the file, run or not), or it ran to the end (`completed`) without using them.
   * Entries of tests that were filtered out, skipped or failed are kept.
   */
  obsolete(testKeys: ReadonlySet<string>, completed: ReadonlySet<string>): Array<[test: string, name: string]> {
    const out: Array<[string, string]> = []
    for (const [test, entries] of this.tests) {
      const gone = !testKeys.has(test)
      if (!gone && !completed.has(test)) continue
      for (const name of entries.keys()) if (gone || !this.checked.get(test)?.has(name)) out.push([test, name])
    }
    return out
  }

  /** Removes entries and writes the file (or deletes it, and its folder when empty, if nothing is left). */
  remove(entries: Array<[test: string, name: string]>): void {
    for (const [test, name] of entries) {
      const names = this.tests.get(test)
      names?.delete(name)
      if (names?.size === 0) this.tests.delete(test)
    }
    this.save()
  }

  private save(): void {
    if (this.tests.size === 0) {
      rmSync(this.path, { force: true })
      try {
        rmdirSync(dirname(this.path))
      } catch {
        // Not empty (other test files' goldens) or already gone.
      }
      return
    }
    const testLines = [...this.tests.keys()].sort(byCodeUnit).map((test) => {
      const entries = this.tests.get(test)!
      const lines = [...entries.keys()].sort(byCodeUnit).map((name) => `      ${JSON.stringify(name)}: ${this.format.writeEntry(entries.get(name), '      ')}`)
      return `    ${JSON.stringify(test)}: {\n${lines.join(',\n')}\n    }`
    })
    const text = `{\n  "format": ${JSON.stringify(this.format.name)},\n  "version": ${this.format.version},\n  "tests": {\n${testLines.join(',\n')}\n  }\n}\n`
    mkdirSync(dirname(this.path), { recursive: true })
    const temporary = `${this.path}.${process.pid}-${threadId}.tmp`
    writeFileSync(temporary, text)
    renameSync(temporary, this.path)
  }
}
