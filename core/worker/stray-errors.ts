/**
 * Errors thrown outside any awaited promise (a stray timer, an unawaited rejection) cannot
 * be caught where they happen. The worker routes them by the file whose code started the
 * timer or promise: each file runs in its own scope (AsyncLocalStorage, which timers and
 * promises inherit). An error of the file being run goes to one listener at a time: the
 * test attempt in progress, else the file. An error of a file that has finished (its timer
 * fired while the worker runs another file, or sits idle between files) is a late error:
 * the file run in progress reports it as a run error naming the file that left it behind;
 * one that fires while the worker is idle waits for the worker's next file. None of them
 * ends the worker, which runs other files.
 */
import { AsyncLocalStorage } from 'node:async_hooks'
import type { SerializedError } from '../protocol.ts'
import { relativeTestFile } from '../test-result.ts'
import { serializeError } from './serialize-error.ts'

type StrayErrorListener = (error: unknown) => void

/** An error thrown by code a file left running after it finished. */
export interface LateStrayError {
  error: unknown
  /** The file (absolute path) whose code started the timer or promise, when known. */
  file?: string
}

/** One run of one file: an object, so a file run twice in one worker (watch) is two scopes. */
interface FileScope {
  readonly file: string
}

const scopes = new AsyncLocalStorage<FileScope>()
let listener: StrayErrorListener | undefined
let active: { scope: FileScope; reportLate(late: LateStrayError): void } | undefined
const heldWhileIdle: LateStrayError[] = []

function route(error: unknown): void {
  const owner = scopes.getStore()
  // Unknown origin (e.g. a microtask): the running test or file is the best guess.
  if (listener && (owner === undefined || owner === active?.scope)) return listener(error)
  const late = { error, file: owner?.file }
  if (active) active.reportLate(late)
  else heldWhileIdle.push(late)
}
process.on('uncaughtException', route)
process.on('unhandledRejection', route)

/** Sends stray errors of the running file to `to` until the returned function puts the previous listener back. */
export function listenForStrayErrors(to: StrayErrorListener): () => void {
  const previous = listener
  listener = to
  return () => {
    listener = previous
  }
}

export interface FileStrayErrors {
  /** Runs `fn` as the file's code: timers and promises it starts belong to the file. */
  run<T>(fn: () => T): T
  /** The file is done: its stray errors from now on are late errors. */
  stop(): void
}

/**
 * Starts a file's run: late errors of other files, including any that fired while the
 * worker was idle, go to `reportLate` until `stop`.
 */
export function startFileScope(file: string, reportLate: (late: LateStrayError) => void): FileStrayErrors {
  const scope: FileScope = { file }
  active = { scope, reportLate }
  for (const late of heldWhileIdle.splice(0)) reportLate(late)
  return {
    run: (fn) => scopes.run(scope, fn),
    stop() {
      if (active?.scope === scope) active = undefined
    },
  }
}

/** A late error as the run error the main thread reports: the message names the file that left it and where it was thrown. */
export function lateStrayErrorOf(late: LateStrayError, rootDir: string): SerializedError {
  const error = serializeError(late.error)
  const where = error.location ? ` (${relativeTestFile(rootDir, error.location.file)}:${error.location.line}:${error.location.column})` : ''
  const who = late.file
    ? `${relativeTestFile(rootDir, late.file)}: a timer or promise the file left running threw after the file had finished`
    : 'a timer or promise of an unknown test file threw between files'
  return { ...error, message: `${who}: ${error.name}: ${error.message}${where}` }
}
