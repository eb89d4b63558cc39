/**
 * Runs the `bench`-tagged tests with the real CLI in a child process, exactly as a user's
 * `mltest run --tag bench` would (so benchmarks run exclusive, in workers, with the config's
 * plugins), writing the JSON result the history reads. The child's console output streams
 * through.
 */
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

/** bin/mltest.mjs of the installed mltest, found through its package.json (the package's own `bin`). */
export function mltestBin(): string {
  const packageJson = createRequire(import.meta.url).resolve('mltest/package.json')
  const bin = (JSON.parse(readFileSync(packageJson, 'utf8')) as { bin: Record<string, string> }).bin.mltest!
  return join(dirname(packageJson), bin)
}

export function mltestVersion(): string {
  const packageJson = createRequire(import.meta.url).resolve('mltest/package.json')
  return (JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string }).version
}

/** Splits `--tag EXPR` / `--tag=EXPR` out of the pass-through flags: it narrows `bench`, it does not replace it. */
export function benchTagArgs(passThrough: readonly string[]): { tag: string; rest: string[] } {
  const rest: string[] = []
  let extra: string | undefined
  for (let i = 0; i < passThrough.length; i++) {
    const arg = passThrough[i]!
    if (arg === '--tag' && i + 1 < passThrough.length) extra = passThrough[++i]
    else if (arg.startsWith('--tag=')) extra = arg.slice('--tag='.length)
    else rest.push(arg)
  }
  return { tag: extra === undefined ? 'bench' : `bench and (${extra})`, rest }
}

export interface BenchRunOptions {
  cwd: string
  configFile?: string
  paths: string[]
  /** Flags for `mltest run` given after `--`. */
  passThrough: string[]
  resultPath: string
  /** Extra environment for the child (A/B mode's model swap). */
  env?: Record<string, string>
  stdout(text: string): void
  stderr(text: string): void
}

/** Resolves to the child's exit code (null when a signal ended it) and signal. */
export function runBenchmarkTests(options: BenchRunOptions): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  const { tag, rest } = benchTagArgs(options.passThrough)
  const args = [mltestBin(), 'run', '--tag', tag, '--reporter', `json:${options.resultPath}`, '--reporter', 'console']
  if (options.configFile) args.push('--config', options.configFile)
  args.push(...options.paths, ...rest)
  const env = { ...process.env, ...options.env }
  if (process.stdout.isTTY && env.NO_COLOR === undefined && env.FORCE_COLOR === undefined) env.FORCE_COLOR = '1'
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
    child.stdout.setEncoding('utf8').on('data', (text: string) => options.stdout(text))
    child.stderr.setEncoding('utf8').on('data', (text: string) => options.stderr(text))
    child.on('error', reject)
    child.on('close', (code, signal) => resolve({ code, signal }))
  })
}
