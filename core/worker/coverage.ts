/**
 * V8 coverage of one worker (thread or process) for `mltest run --coverage`. The main thread
 * sets `MLTEST_COVERAGE_DIR` in the workers' environment; a worker then starts V8's precise
 * coverage (call counts, block granularity) through its own inspector session before it
 * loads a test file, and after every file takes the counts (which resets them) and writes
 * them to that folder, one JSON file per take, for `core/node/coverage.ts` to merge.
 *
 * Why the inspector and not `NODE_V8_COVERAGE`: Node writes a worker thread's coverage only
 * when the main process itself was started with that variable, and a child process killed
 * by the pool (SIGTERM) writes nothing; taking it after each file also survives a worker
 * recycled or terminated later (`--isolate file`, memory limits, the pool closing).
 *
 * Only scripts that can be the user's are kept (file: URLs outside node_modules and outside
 * mltest's own core/, plugins/ and reporters/), each with its source as V8 ran it: tsx's
 * output, whose inline source map takes the report back to the TypeScript.
 */
import { Session } from 'node:inspector/promises'
import { renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { threadId } from 'node:worker_threads'

const MLTEST_ROOT = new URL('../../', import.meta.url).href
const OWN_FOLDERS = ['core/', 'plugins/', 'reporters/', 'bin/'].map((folder) => MLTEST_ROOT + folder)

interface ScriptCoverage {
  scriptId: string
  url: string
  functions: unknown[]
}

let session: Session | undefined
let takes = 0
let debuggerEnabled = false
const sources = new Map<string, string>()

function isUserScript(url: string): boolean {
  return url.startsWith('file:') && !url.includes('/node_modules/') && !OWN_FOLDERS.some((folder) => url.startsWith(folder))
}

/** The folder coverage goes to, when this run collects it. */
export function coverageDir(): string | undefined {
  return process.env.MLTEST_COVERAGE_DIR || undefined
}

/** Starts precise coverage in this worker; call before any test file loads. */
export async function startWorkerCoverage(): Promise<void> {
  if (session || !coverageDir()) return
  session = new Session()
  session.connect()
  await session.post('Profiler.enable')
  await session.post('Profiler.startPreciseCoverage', { callCount: true, detailed: true })
}

/** Takes the counts since the last take (V8 resets them) and writes this worker's user scripts. */
export async function writeWorkerCoverage(): Promise<void> {
  const dir = coverageDir()
  if (!session || !dir) return
  const { result } = (await session.post('Profiler.takePreciseCoverage')) as { result: ScriptCoverage[] }
  const entries = []
  for (const script of result) {
    if (!isUserScript(script.url)) continue
    let source = sources.get(script.scriptId)
    if (source === undefined) {
      // The debugger domain only reads sources, so it is enabled at the first take, not before
      // the first file: enabled, it reports every script the worker parses, which measurably
      // slows module loading (bench/runner-overhead.mjs --coverage).
      if (!debuggerEnabled) await session.post('Debugger.enable')
      debuggerEnabled = true
      source = ((await session.post('Debugger.getScriptSource', { scriptId: script.scriptId })) as { scriptSource: string }).scriptSource
      sources.set(script.scriptId, source)
    }
    entries.push({ url: script.url, scriptId: script.scriptId, source, functions: script.functions })
  }
  if (entries.length === 0) return
  // Temp name, then rename: a worker killed mid-write leaves a .tmp the main thread skips, never a torn .json.
  const path = join(dir, `coverage-${process.pid}-${threadId}-${takes++}.json`)
  writeFileSync(`${path}.tmp`, JSON.stringify({ result: entries }))
  renameSync(`${path}.tmp`, path)
}
