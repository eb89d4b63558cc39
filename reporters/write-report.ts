/**
 * How file reporters write: create the folder, write the whole file at once, and turn a
 * failure into one clear line naming the reporter, the path and the fix. The reporter host
 * records the thrown error, so the run exits non-zero while the other reporters still write.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'

export class ReportWriteError extends Error {
  override name = 'ReportWriteError'
}

export function writeReport(reporter: string, path: string, text: string): void {
  try {
    mkdirSync(dirname(path), { recursive: true })
    writeFileSync(path, text)
  } catch (error) {
    const e = error as NodeJS.ErrnoException
    throw new ReportWriteError(`cannot write ${path} (${e.code ?? e.message}) — pass a writable path: --reporter ${reporter}:PATH`)
  }
}

/** Writes to `path` when given, else to stdout. */
export function writeReportOrStdout(reporter: string, path: string | undefined, text: string): void {
  if (path) writeReport(reporter, path, text)
  else process.stdout.write(text)
}
