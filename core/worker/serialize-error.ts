/**
 * Turns anything a test throws into a `SerializedError`: message, a stack with node
 * internals and mltest's own frames dropped, a diff for failed equality, `cause`, and the
 * first user frame. A raw Error never crosses the thread boundary; huge values (whole
 * tensors) are cut so a failure report stays readable.
 */
import { fileURLToPath } from 'node:url'
import { inspect } from 'node:util'
import { createRequire } from 'node:module'
import type { ErrorKind, SerializedError, SourceLocation } from '../protocol.ts'

// jest-diff (with pretty-format) loads on the first failure that needs a diff, not with the
// test API: a passing suite, and the main thread through the plugin SDK, never pay for it.
const requireFromHere = createRequire(import.meta.url)
let loadedDiff: typeof import('jest-diff').diff | undefined
function jestDiff(): typeof import('jest-diff').diff {
  loadedDiff ??= (requireFromHere('jest-diff') as typeof import('jest-diff')).diff
  return loadedDiff
}

const MLTEST_ROOT = fileURLToPath(new URL('../../', import.meta.url))
const OWN_DIRS = ['core', 'plugins', 'reporters', 'bin'].map((d) => MLTEST_ROOT + d + '/')
const MAX_TEXT = 8000

function truncate(text: string): string {
  if (text.length <= MAX_TEXT) return text
  return `${text.slice(0, MAX_TEXT)}\n… (${text.length - MAX_TEXT} more characters cut)`
}

/** A stack frame's file path, without `file://` and mltest's cache-busting query. */
function framePath(line: string): string | undefined {
  const m = /\(?((?:file:\/\/)?\/[^():]+|[A-Za-z]:\\[^():]+)(?:\?[^:)]*)?:(\d+):(\d+)\)?\s*$/.exec(line)
  if (!m) return undefined
  return m[1]!.startsWith('file://') ? fileURLToPath(m[1]!) : m[1]!
}

function isOwnOrInternal(line: string): boolean {
  // `at <anonymous> (/path/file.ts:1:2)` is a user frame (a file's top level); only a bare
  // `<anonymous>` without a path is internal.
  // `node:` frames are Node's internals, `ext:` frames Deno's.
  if (/\((?:node|ext):|^\s*at (?:node|ext):|\(<anonymous>\)|^\s*at <anonymous>\s*$/.test(line)) return true
  const path = framePath(line)
  if (!path) return false
  return path.includes('/node_modules/') || OWN_DIRS.some((dir) => path.startsWith(dir))
}

/** Drops internal frames and normalises paths (`file://` → path, no `?mltest=` query). */
export function cleanStack(stack: string): string {
  const lines = stack.split('\n')
  const firstFrame = lines.findIndex((l) => /^\s+at /.test(l))
  if (firstFrame === -1) return stack
  const frames = lines
    .slice(firstFrame)
    .filter((l) => !isOwnOrInternal(l))
    .map((l) => l.replace(/file:\/\/(\/[^\s?:)]+)(\?[^:)\s]*)?/g, (_m, p: string) => decodeURIComponent(p)))
  return [...lines.slice(0, firstFrame), ...frames].join('\n')
}

function locationOf(stack: string | undefined): SourceLocation | undefined {
  if (!stack) return undefined
  for (const line of stack.split('\n')) {
    if (!/^\s+at /.test(line) || isOwnOrInternal(line)) continue
    const m = /:(\d+):(\d+)\)?\s*$/.exec(line)
    const file = framePath(line)
    if (m && file) return { file, line: Number(m[1]), column: Number(m[2]) }
  }
  return undefined
}

/** Where the user's code called into mltest (for test locations). */
export function callerLocation(): SourceLocation | undefined {
  return locationOf(new Error().stack)
}

interface MatcherResultLike {
  pass: boolean
  actual?: unknown
  expected?: unknown
}

function diffOf(error: Record<string, unknown>): string | undefined {
  const mr = error.matcherResult as MatcherResultLike | undefined
  const hasPair = mr ? 'expected' in mr && 'actual' in mr : 'expected' in error && 'actual' in error
  if (!hasPair) return undefined
  const expected = mr ? mr.expected : error.expected
  const actual = mr ? mr.actual : error.actual
  if (typeof expected !== 'object' || expected === null || typeof actual !== 'object' || actual === null) return undefined
  const text = jestDiff()(expected, actual, { expand: false, aAnnotation: 'Expected', bAnnotation: 'Received' })
  return text && !text.includes('Compared values have no visual difference') ? truncate(text) : undefined
}

function isAssertion(error: Record<string, unknown>): boolean {
  return 'matcherResult' in error || error.name === 'AssertionError' || error.code === 'ERR_ASSERTION'
}

/** Serialises a thrown value. `kind` overrides the detected kind (timeouts, crashes). */
export function serializeError(thrown: unknown, kind?: ErrorKind, depth = 0): SerializedError {
  if (!(thrown instanceof Error)) {
    const message = typeof thrown === 'string' ? thrown : inspect(thrown, { depth: 3, breakLength: 100 })
    return { kind: kind ?? 'error', name: 'ThrownValue', message: truncate(`a non-Error value was thrown: ${message}`) }
  }
  const record = thrown as unknown as Record<string, unknown>
  let message = thrown.message
  // Jest's matchers and some libraries colour their messages; serialised text stays plain.
  message = message.replace(/\u001b\[[0-9;]*m/g, '')
  const stack = thrown.stack ? cleanStack(thrown.stack.replace(/\u001b\[[0-9;]*m/g, '')) : undefined
  const out: SerializedError = {
    kind: kind ?? (isAssertion(record) ? 'assertion' : 'error'),
    name: thrown.name,
    message: truncate(message),
    stack: stack && truncate(stack),
    location: locationOf(thrown.stack),
  }
  const diff = diffOf(record)
  if (diff) out.diff = diff
  if (thrown.cause !== undefined && depth < 5) out.cause = serializeError(thrown.cause, undefined, depth + 1)
  return out
}
