/**
 * The dependency set a lockfile pins: every package (by its install path, so two copies of one
 * package at different versions are two entries) with its version and integrity hash. Reads
 * npm's package-lock.json (lockfileVersion 1, 2 and 3) and npm-shrinkwrap.json.
 */
import { existsSync, readFileSync } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import { z } from 'mltest/plugin'
import { readJsonFile } from './json-file.ts'
import { ReleaseFileError } from './release-file-error.ts'

export interface LockedPackage {
  version: string
  integrity?: string
}

export const LOCKFILE_NAMES = ['package-lock.json', 'npm-shrinkwrap.json'] as const

/** The nearest npm lockfile in `from` or a folder above it, or undefined. */
export function findLockfile(from: string): string | undefined {
  let dir = resolve(from)
  for (;;) {
    for (const name of LOCKFILE_NAMES) {
      const candidate = join(dir, name)
      if (existsSync(candidate)) return candidate
    }
    const parent = dirname(dir)
    if (parent === dir) return undefined
    dir = parent
  }
}

const entrySchema = z.object({ version: z.string().optional(), integrity: z.string().optional(), resolved: z.string().optional(), link: z.boolean().optional() }).loose()
type V1Entry = { version?: string; integrity?: string; dependencies?: Record<string, V1Entry> }
const lockSchema = z
  .object({
    lockfileVersion: z.number().int(),
    packages: z.record(z.string(), entrySchema).optional(),
    dependencies: z.record(z.string(), z.unknown()).optional(),
  })
  .loose()

/** `node_modules/a/node_modules/@s/b` → `a > @s/b`. */
function packageKey(installPath: string): string {
  return installPath.split(/(?:^|\/)node_modules\//).filter(Boolean).join(' > ')
}

export function readLockfile(path: string): Record<string, LockedPackage> {
  const name = basename(path)
  if (name === 'yarn.lock' || name === 'pnpm-lock.yaml' || name === 'bun.lockb' || name === 'bun.lock') {
    throw new ReleaseFileError(path, 'lockfile', `${name} is not read yet (npm's package-lock.json and npm-shrinkwrap.json are)`, 'pass an npm lockfile, or track this file by content with files: [...]')
  }
  if (!readFileSync(path, 'utf8').trimStart().startsWith('{')) {
    throw new ReleaseFileError(path, 'lockfile', 'not a JSON lockfile', "pass npm's package-lock.json")
  }
  const lock = readJsonFile(path, lockSchema, { what: 'lockfile', fix: 'regenerate it with npm install' })
  const packages: Record<string, LockedPackage> = {}
  if (lock.packages) {
    for (const [installPath, entry] of Object.entries(lock.packages)) {
      if (installPath === '') continue
      const version = entry.version ?? (entry.link ? `link:${entry.resolved ?? '?'}` : undefined)
      if (version === undefined) continue
      packages[packageKey(installPath)] = entry.integrity ? { version, integrity: entry.integrity } : { version }
    }
    return sorted(packages)
  }
  const walk = (deps: Record<string, V1Entry>, prefix: string) => {
    for (const [pkg, entry] of Object.entries(deps)) {
      const key = prefix ? `${prefix} > ${pkg}` : pkg
      if (typeof entry?.version === 'string') packages[key] = entry.integrity ? { version: entry.version, integrity: entry.integrity } : { version: entry.version }
      if (entry?.dependencies) walk(entry.dependencies, key)
    }
  }
  walk((lock.dependencies ?? {}) as Record<string, V1Entry>, '')
  return sorted(packages)
}

function sorted<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
}
