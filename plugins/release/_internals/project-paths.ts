/**
 * Where relative paths of the release checks start: the folder of the running test's file (so
 * a test means the same files wherever `mltest run` is started), else the current folder.
 * Paths recorded in manifests are relative to the project root (the git repository's top
 * folder, else that folder), so a manifest still resolves in another clone of the project.
 */
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path'
import { currentTest } from 'mltest/plugin'
import { gitRoot } from './git.ts'

/** The folder relative paths given to a check resolve against. */
export function baseDir(): string {
  const file = currentTest()?.file
  return file ? dirname(file) : process.cwd()
}

export function resolveFrom(path: string, from = baseDir()): string {
  return resolve(from, path)
}

/** The project root for `dir`: its git repository's top folder, else `dir` itself. */
export function projectRoot(dir: string): string {
  const root = gitRoot(dir)
  return root.ok ? root.value : resolve(dir)
}

/** `path` as stored in a manifest: relative (with `/`) when inside `root`, else absolute. */
export function storedPath(path: string, root: string): string {
  const rel = relative(root, path)
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return path
  return rel.split(sep).join('/')
}
