/**
 * `mltest run --changed [REF]`: only the test files affected by files changed since a git
 * ref (default `HEAD`: uncommitted changes), untracked files included. A change to the
 * config file, a setup file (or a module either imports), or the project's `package.json` or
 * lockfile (in the root or a folder above it) can affect every test, so it selects them all.
 */
import { execFileSync } from 'node:child_process'
import { basename, dirname, resolve, sep } from 'node:path'
import { ImportGraph } from './import-graph.ts'
import { UsageError } from './usage-error.ts'

const EVERYTHING = new Set(['package.json', 'package-lock.json', 'npm-shrinkwrap.json', 'pnpm-lock.yaml', 'yarn.lock', 'bun.lockb'])

function git(args: string[], cwd: string): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
}

function gitMessage(error: unknown): string {
  const stderr = (error as { stderr?: string }).stderr
  return (stderr?.trim().split('\n')[0] ?? (error as Error).message).replace(/^fatal: /, '')
}

/** Absolute paths of files changed since `ref`, plus untracked files. */
export function changedFilesSince(ref: string, cwd: string): string[] {
  let top: string
  try {
    top = git(['rev-parse', '--show-toplevel'], cwd).trim()
  } catch (error) {
    throw new UsageError(`--changed needs a git repository, but ${cwd} is not in one (${gitMessage(error)}) — run without --changed`)
  }
  try {
    git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], cwd)
  } catch {
    throw new UsageError(`--changed: git does not know the ref "${ref}" — pass a branch, tag or commit, e.g. --changed origin/main (a path after --changed is read as the ref: put paths first or write --changed=HEAD)`)
  }
  const diff = git(['diff', '--name-only', '--no-renames', ref, '--'], top)
  const untracked = git(['ls-files', '--others', '--exclude-standard', '--full-name'], top)
  const names = [...diff.split('\n'), ...untracked.split('\n')].filter((line) => line !== '')
  return [...new Set(names.map((name) => resolve(top, name)))]
}

export interface ChangedSelection {
  files: string[]
  /** Why every file was selected, when a shared file changed. */
  everything?: string
}

/** The test files among `testFiles` affected by `changed`. */
export function selectAffected(testFiles: string[], changed: string[], shared: { rootDir: string; configFile?: string; setupFiles: string[] }): ChangedSelection {
  const graph = new ImportGraph()
  graph.add(testFiles)
  const sharedRoots = [shared.configFile, ...shared.setupFiles].filter((f): f is string => f !== undefined)
  graph.add(sharedRoots)
  const sharedModules = graph.dependenciesOf(sharedRoots)
  const isManifest = (file: string) => {
    const dir = dirname(file)
    return EVERYTHING.has(basename(file)) && (shared.rootDir === dir || shared.rootDir.startsWith(dir + sep))
  }
  const changedShared = changed.find((file) => sharedModules.has(file) || isManifest(file))
  if (changedShared) return { files: testFiles, everything: changedShared }
  return { files: graph.affected(changed, testFiles) }
}
