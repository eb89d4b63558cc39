/**
 * A history file mltest cannot use: missing, not SQLite, another program's database, written
 * by a newer mltest, corrupt, or locked. One line naming the file, the problem and the fix;
 * the CLI prints it and exits 2. The file itself is never touched on the way to this error.
 */
import { UsageError } from 'mltest/plugin'

export class HistoryFileError extends UsageError {
  constructor(
    readonly path: string,
    problem: string,
    fix: string,
  ) {
    super(`benchmark history ${path}: ${problem} — ${fix}`)
  }
}

const LEFT_ALONE = 'the file was left untouched'

export const historyErrors = {
  missing: (path: string) => new HistoryFileError(path, 'no such file', 'run "mltest bench" to start a history, or pass --history PATH'),
  notSqlite: (path: string) => new HistoryFileError(path, 'not an SQLite database (wrong file header)', `pass another --history path, or move it away to start a new history; ${LEFT_ALONE}`),
  foreign: (path: string, tables: string[]) =>
    new HistoryFileError(path, `an SQLite database but not an mltest benchmark history (tables: ${tables.join(', ') || 'none'})`, `pass another --history path; ${LEFT_ALONE}`),
  newer: (path: string, version: number, latest: number) =>
    new HistoryFileError(path, `written by a newer mltest (schema version ${version}, this mltest reads up to ${latest})`, `upgrade mltest, or pass another --history path; ${LEFT_ALONE}`),
  corrupt: (path: string, detail: string) =>
    new HistoryFileError(path, `corrupt (${detail})`, `restore it from your CI artifact or a backup (or "sqlite3 ${path} .recover"), or move it away to start a new history; ${LEFT_ALONE}`),
  locked: (path: string, seconds: number) => new HistoryFileError(path, `still locked by another process after ${seconds} s`, 'wait for the other mltest bench to finish, or pass another --history path'),
  unopenable: (path: string, detail: string) => new HistoryFileError(path, `cannot be opened (${detail})`, 'check the path and its permissions, or pass another --history path'),
}

/** SQLite error codes that mean the file itself is damaged or not a database. */
export function isCorruption(error: unknown): boolean {
  const code = (error as { code?: string })?.code ?? ''
  return code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB'
}

export function isBusy(error: unknown): boolean {
  const code = (error as { code?: string })?.code ?? ''
  return code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')
}
