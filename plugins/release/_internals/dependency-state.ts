/**
 * The dependency set a model depends on, as the dependency check and `mltest release accept`
 * see it: the packages and versions a lockfile pins (with their integrity hashes) and the
 * SHA-256 of listed data and upstream schema files; and the baseline file that records an
 * accepted set with who accepted it, when and why.
 */
import { existsSync } from 'node:fs'
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path'
import { z } from 'mltest/plugin'
import { hashIfExists } from './hash-file.ts'
import { readJsonFile } from './json-file.ts'
import { findLockfile, readLockfile, type LockedPackage } from './lockfile.ts'
import { ReleaseFileError } from './release-file-error.ts'

export interface TrackedFile {
  sha256: string
  bytes: number
}

export interface DependencyState {
  /** Relative to the baseline's folder (with `/`), or absolute outside it; null when there is no lockfile. */
  lockfile: string | null
  packages: Record<string, LockedPackage>
  /** Keyed by path relative to the baseline's folder; null when the file does not exist. */
  files: Record<string, TrackedFile | null>
}

export interface Acceptance {
  at: string
  by: string
  reason: string
  /** The changes this acceptance acknowledged, one line each. */
  changes: string[]
}

export interface Baseline extends DependencyState {
  schema: 'mltest-dependencies'
  schemaVersion: 1
  files: Record<string, TrackedFile>
  /** Every acceptance, oldest first. */
  acceptances: Acceptance[]
}

const baselineSchema = z.object({
  schema: z.literal('mltest-dependencies'),
  schemaVersion: z.literal(1),
  lockfile: z.string().nullable(),
  packages: z.record(z.string(), z.object({ version: z.string(), integrity: z.string().optional() })),
  files: z.record(z.string(), z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/), bytes: z.number().int().min(0) })),
  acceptances: z.array(z.object({ at: z.string(), by: z.string(), reason: z.string(), changes: z.array(z.string()) })),
})

export function readBaseline(path: string): Baseline | undefined {
  if (!existsSync(path)) return undefined
  return readJsonFile(path, baselineSchema, {
    what: 'dependency baseline',
    fix: 'restore it from version control (git checkout -- <file>), or move it away and accept the current dependencies anew',
  }) as Baseline
}

/** `path` as a key in the baseline: relative to its folder with `/`, absolute when outside it. */
export function keyFor(path: string, baselineDir: string): string {
  const rel = relative(baselineDir, path)
  if (rel.startsWith('..') || isAbsolute(rel)) return path
  return rel.split(sep).join('/')
}

export function pathOf(key: string, baselineDir: string): string {
  return isAbsolute(key) ? key : resolve(baselineDir, key)
}

/** Whether a package name is ignored: exact names, or prefixes ending in `*` (e.g. `@types/*`). */
export function ignored(name: string, patterns: readonly string[]): boolean {
  const last = name.split(' > ').pop()!
  return patterns.some((p) => (p.endsWith('*') ? last.startsWith(p.slice(0, -1)) : last === p))
}

export interface StateSpec {
  baselinePath: string
  /** Absolute lockfile path; undefined: the nearest package-lock.json above the baseline's folder. */
  lockfile?: string
  /** Absolute paths of tracked files. */
  files: string[]
  ignore?: readonly string[]
}

export function currentState(spec: StateSpec): DependencyState {
  const dir = dirname(spec.baselinePath)
  const lockfile = spec.lockfile ?? findLockfile(dir)
  if (spec.lockfile && !existsSync(spec.lockfile)) throw new ReleaseFileError(spec.lockfile, 'lockfile', 'no such file', 'pass the project\'s package-lock.json')
  const all = lockfile ? readLockfile(lockfile) : {}
  const packages = spec.ignore?.length ? Object.fromEntries(Object.entries(all).filter(([name]) => !ignored(name, spec.ignore!))) : all
  const files: Record<string, TrackedFile | null> = {}
  for (const file of spec.files) {
    const hash = hashIfExists(file)
    files[keyFor(file, dir)] = hash ? { sha256: hash.sha256, bytes: hash.bytes } : null
  }
  return { lockfile: lockfile ? keyFor(lockfile, dir) : null, packages, files }
}
