/**
 * What a benchmark's figures depend on besides the code: the machine fingerprint (CPU model
 * and count, memory, OS and kernel, Node, the ML runtimes and mltest installed, thread
 * settings from the environment) and the git state of the project. Runs are compared only
 * with runs of the same fingerprint unless the user says otherwise.
 */
import { createHash } from 'node:crypto'
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { availableParallelism, cpus, release, totalmem } from 'node:os'
import { dirname, join } from 'node:path'
import type { Fingerprint, GitState } from './history-store.ts'

/** Packages whose version changes what a benchmark measures. */
const RUNTIME_PACKAGES = ['onnxruntime-node', 'onnxruntime-web', '@tensorflow/tfjs', '@tensorflow/tfjs-node', '@tensorflow/tfjs-backend-wasm', 'mltest']

/** Environment variables that set thread pools (OpenMP, BLAS, libuv, TensorFlow, ONNX Runtime). */
const THREAD_VARIABLES = ['OMP_NUM_THREADS', 'MKL_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'UV_THREADPOOL_SIZE', 'TF_NUM_INTRAOP_THREADS', 'TF_NUM_INTEROP_THREADS', 'ORT_NUM_THREADS']

/** JSON with sorted keys, so equal objects hash equally. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null'
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`
}

export function hashOf(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex')
}

/** The version of `name` installed for the project at `rootDir` (node_modules, walking up), or null. */
export function installedVersion(name: string, rootDir: string): string | null {
  for (let dir = rootDir; ; dir = dirname(dir)) {
    const file = join(dir, 'node_modules', name, 'package.json')
    if (existsSync(file)) {
      try {
        return String((JSON.parse(readFileSync(file, 'utf8')) as { version?: string }).version ?? null)
      } catch {
        return null
      }
    }
    if (dirname(dir) === dir) return null
  }
}

/** This machine, as far as it changes benchmark figures. */
export function machineFingerprint(rootDir: string, mltestVersion: string, env: NodeJS.ProcessEnv = process.env): Fingerprint {
  const cpu = cpus()
  const fingerprint: Fingerprint = {
    cpuModel: cpu[0]?.model.trim() ?? 'unknown',
    cpuCount: cpu.length,
    availableParallelism: availableParallelism(),
    totalMemoryMb: Math.round(totalmem() / 2 ** 20),
    os: `${process.platform}-${process.arch}`,
    kernel: release(),
    node: process.version,
    mltest: mltestVersion,
  }
  for (const name of RUNTIME_PACKAGES) {
    if (name === 'mltest') continue
    const version = installedVersion(name, rootDir)
    if (version !== null) fingerprint[name] = version
  }
  for (const variable of THREAD_VARIABLES) if (env[variable] !== undefined) fingerprint[variable] = env[variable]!
  return fingerprint
}

/** The keys whose values differ, as `key: a → b` (a missing key shows as —). */
export function fingerprintDifferences(from: Fingerprint, to: Fingerprint): string[] {
  const keys = [...new Set([...Object.keys(from), ...Object.keys(to)])].sort()
  return keys.filter((k) => from[k] !== to[k]).map((k) => `${k}: ${from[k] ?? '—'} → ${to[k] ?? '—'}`)
}

function git(rootDir: string, args: string[]): string | null {
  try {
    return execFileSync('git', args, { cwd: rootDir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 }).trim()
  } catch {
    return null
  }
}

/**
 * Commit, dirty flag and branch of the project, or nulls outside a git work tree. A detached
 * HEAD (GitLab CI, a tag checkout) takes its branch from the CI's variables when set.
 */
export function gitState(rootDir: string, env: NodeJS.ProcessEnv = process.env): GitState {
  const commit = git(rootDir, ['rev-parse', 'HEAD'])
  if (commit === null) return { commit: null, dirty: null, branch: null }
  const status = git(rootDir, ['status', '--porcelain', '--untracked-files=no'])
  let branch = git(rootDir, ['rev-parse', '--abbrev-ref', 'HEAD'])
  if (branch === 'HEAD' || branch === null) branch = env.GITHUB_HEAD_REF || env.GITHUB_REF_NAME || env.CI_COMMIT_REF_NAME || env.BUILDKITE_BRANCH || null
  return { commit, dirty: status === null ? null : status !== '', branch }
}
