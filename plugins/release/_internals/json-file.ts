/**
 * Reading and writing the plugin's JSON files. Reads validate against a zod schema and turn
 * every problem into a one-line ReleaseFileError naming the file. Writes go to a temp file
 * in the same folder, fsynced, then renamed over the target: rename is atomic on POSIX, so a
 * reader (or a process killed mid-write) sees the old file or the new one, never half of one.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import type { z } from 'mltest/plugin'
import { firstLine, LEFT_ALONE, ReleaseFileError } from './release-file-error.ts'

let counter = 0

/** Writes `text` to `path` atomically (temp file + fsync + rename). */
export function writeFileAtomic(path: string, text: string): void {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now().toString(36)}.${counter++}.tmp`)
  const fd = openSync(temp, 'wx')
  try {
    writeSync(fd, text)
    fsyncSync(fd)
  } catch (error) {
    closeSync(fd)
    rmSync(temp, { force: true })
    throw error
  }
  closeSync(fd)
  try {
    renameSync(temp, path)
  } catch (error) {
    rmSync(temp, { force: true })
    throw error
  }
}

export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`)
}

export interface ReadJsonOptions {
  /** What the file is, for the message: "registry pointer", "provenance manifest", ... */
  what: string
  /** How to fix a corrupt file. */
  fix: string
  /** Message and fix when the file does not exist (default: a generic "no such file"). */
  missing?: { problem: string; fix: string }
}

/** Reads and validates a JSON file; every problem is a one-line ReleaseFileError naming it. */
export function readJsonFile<S extends z.ZodType>(path: string, schema: S, options: ReadJsonOptions): z.output<S> {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') throw new ReleaseFileError(path, options.what, options.missing?.problem ?? 'no such file', options.missing?.fix ?? options.fix)
    throw new ReleaseFileError(path, options.what, `cannot be read (${code ?? firstLine(error)})`, 'check the path and its permissions')
  }
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (error) {
    throw new ReleaseFileError(path, options.what, `not valid JSON (${firstLine(error)})`, `${options.fix}; ${LEFT_ALONE}`)
  }
  const parsed = schema.safeParse(data)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    const where = issue.path.length > 0 ? ` at ${issue.path.join('.')}` : ''
    throw new ReleaseFileError(path, options.what, `not a file mltest wrote (${issue.message}${where})`, `${options.fix}; ${LEFT_ALONE}`)
  }
  return parsed.data
}
