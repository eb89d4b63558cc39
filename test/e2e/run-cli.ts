/**
 * Helpers for the end-to-end tests: write a sample project to a temp dir (with
 * `node_modules/mltest` symlinked to this repo, as an installed package would be) and run
 * the real CLI on it in a child process. A test file starts its runs at once (a few at a
 * time): each run spends about a second starting the CLI and its workers, mostly waiting.
 */
import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { stripVTControlCharacters } from 'node:util'

export const REPO = realpathSync(fileURLToPath(new URL('../../', import.meta.url)))
export const CLI = join(REPO, 'bin', 'mltest.mjs')

export interface CliResult {
  code: number | null
  signal: NodeJS.Signals | null
  /** Raw stdout, as written. */
  rawStdout: string
  /** stdout without ANSI escapes. */
  stdout: string
  stderr: string
  /** The last non-empty stdout line: the `mltest: N passed, ...` summary. */
  closing: string
  /** The command, for assertion messages. */
  command: string
}

/** What tap and the calling shell put in the environment that a real user's run would not have. */
export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env }
  for (const key of Object.keys(env)) {
    if (key === 'NODE_OPTIONS' || key.startsWith('_TAPJS_') || key.startsWith('TAP') || key === 'FORCE_COLOR' || key === 'NO_COLOR' || key === 'CI') {
      delete env[key]
    }
  }
  return { ...env, ...extra }
}

/**
 * Writes `files` (path → content) into a fresh temp dir with a `{"type":"module"}`
 * package.json and `node_modules/mltest` → this repo. Removed when `t` ends.
 */
export function makeProject(t: { teardown(fn: () => void): void }, files: Record<string, string>): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'mltest-e2e-')))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}\n')
  mkdirSync(join(dir, 'node_modules'))
  symlinkSync(REPO, join(dir, 'node_modules', 'mltest'), 'dir')
  for (const [path, content] of Object.entries(files)) {
    const full = join(dir, path)
    mkdirSync(dirname(full), { recursive: true })
    writeFileSync(full, content)
  }
  return dir
}

const MAX_PARALLEL = 3
let active = 0
const waiting: Array<() => void> = []

async function slot<T>(fn: () => Promise<T>): Promise<T> {
  if (active >= MAX_PARALLEL) await new Promise<void>((resolve) => waiting.push(resolve))
  active++
  try {
    return await fn()
  } finally {
    active--
    waiting.shift()?.()
  }
}

/** Runs `node bin/mltest.mjs ...args` in `cwd`; never rejects. */
export function runCli(cwd: string, args: string[], options: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<CliResult> {
  return slot(
    () =>
      new Promise<CliResult>((resolve) => {
        const child = execFile(
          process.execPath,
          [CLI, ...args],
          { cwd, env: cleanEnv(options.env ?? {}), timeout: options.timeoutMs ?? 60_000, maxBuffer: 16 * 1024 * 1024, killSignal: 'SIGKILL' },
          (_error, stdout, stderr) => {
            const plain = stripVTControlCharacters(stdout)
            const lines = plain.split('\n').filter((l) => l.trim() !== '')
            resolve({
              code: child.exitCode,
              signal: child.signalCode,
              rawStdout: stdout,
              stdout: plain,
              stderr: stripVTControlCharacters(stderr),
              closing: lines.at(-1) ?? '',
              command: `mltest ${args.join(' ')}`,
            })
          },
        )
      }),
  )
}

/** How many lines of `text` are exactly `line`. */
export function countLines(text: string, line: string): number {
  return text.split('\n').filter((l) => l === line).length
}

/** Lines of `text` that start with `prefix`, prefix removed, in order. */
export function linesWith(text: string, prefix: string): string[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith(prefix))
    .map((l) => l.slice(prefix.length))
}

/**
 * The console's failure report for `title` (`file > full name`): from its FAIL line to its
 * replay line, or undefined when the console printed no failure for it.
 */
export function failureBlock(stdout: string, title: string): string | undefined {
  const lines = stdout.split('\n')
  const start = lines.findIndex((l) => {
    const m = /^\s*FAIL\s+(.*?)(?: \(after \d+ attempts\))?$/.exec(l)
    return m?.[1] === title
  })
  if (start === -1) return undefined
  const end = lines.findIndex((l, i) => i > start && /^\s+replay: /.test(l))
  return lines.slice(start, end === -1 ? undefined : end + 1).join('\n')
}

/**
 * A config plugin that appends every test result the main thread receives to
 * `results.jsonl`, so tests can assert on the result tree, not only on console text.
 */
export const RECORDER_PLUGIN = `
import { appendFileSync } from 'node:fs'
import { basename } from 'node:path'
const out = new URL('./results.jsonl', import.meta.url)
export function recorder() {
  return {
    name: 'recorder',
    onTestResult(r) {
      const row = { file: basename(r.file), fullName: r.fullName, state: r.state, attempts: r.attempts, annotations: r.annotations, error: r.state === 'failed' ? r.error.message : undefined }
      appendFileSync(out, JSON.stringify(row) + '\\n')
    },
  }
}
`

export interface RecordedResult {
  file: string
  fullName: string
  state: string
  attempts: number
  annotations: Array<{ key: string; value: unknown }>
  error?: string
}

/** `results.jsonl` written by the recorder plugin, keyed `file > fullName`. */
export function readRecorded(dir: string): Map<string, RecordedResult> {
  const rows = readFileSync(join(dir, 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as RecordedResult)
  return new Map(rows.map((r) => [`${r.file} > ${r.fullName}`, r]))
}
