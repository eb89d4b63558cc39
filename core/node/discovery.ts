/**
 * Finds test files: each CLI path is a file, a folder (searched for `**\/*.mltest.ts`) or a
 * glob; with no paths, the config's `include` globs under the root. node_modules and
 * dot-folders are always skipped. A path that does not exist is a UsageError.
 */
import { existsSync, statSync } from 'node:fs'
import { isAbsolute, relative, resolve } from 'node:path'
import { globSync, isDynamicPattern } from 'tinyglobby'
import { UsageError } from './usage-error.ts'

export const DEFAULT_INCLUDE = ['**/*.mltest.ts']
const ALWAYS_IGNORED = ['**/node_modules/**', '**/.*/**']

export interface DiscoveryOptions {
  rootDir: string
  /** Paths or globs from the command line, relative to `cwd`. */
  paths: string[]
  cwd: string
  include: string[]
  exclude: string[]
  /** Called for a glob that matches nothing (`--pass-with-no-tests`); without it, that is a UsageError. */
  onEmptyGlob?(glob: string): void
}

function toPosix(path: string): string {
  return path.split('\\').join('/')
}

/** Absolute, sorted, de-duplicated test file paths. */
export function discoverTestFiles(options: DiscoveryOptions): string[] {
  const ignore = [...ALWAYS_IGNORED, ...options.exclude]
  const found = new Set<string>()
  const search = (cwd: string, patterns: string[]) => {
    for (const file of globSync(patterns, { cwd, ignore, absolute: true, dot: false })) found.add(resolve(file))
  }
  if (options.paths.length === 0) {
    search(options.rootDir, options.include)
  }
  for (const given of options.paths) {
    if (isDynamicPattern(toPosix(given))) {
      const before = found.size
      search(options.cwd, [toPosix(isAbsolute(given) ? relative(options.cwd, given) : given)])
      if (found.size === before && options.onEmptyGlob) options.onEmptyGlob(given)
      else if (found.size === before) throw new UsageError(`no test files match the glob "${given}" — check the pattern (quote it so the shell does not expand it)`)
      continue
    }
    const path = resolve(options.cwd, given)
    if (!existsSync(path)) throw new UsageError(`path not found: ${given} — pass an existing file, folder or glob`)
    if (statSync(path).isDirectory()) search(path, options.include.map((p) => p.replace(/^(\.\/)?/, '')).map(anywhere))
    else found.add(path)
  }
  return [...found].sort()
}

/** Under a given folder, the include globs apply anywhere below it. */
function anywhere(pattern: string): string {
  return pattern.startsWith('**/') ? pattern : `**/${pattern.split('/').pop()}`
}
