// A throwaway git repository for the release tests: real `git init`, commits and branches in
// a temp folder, with an author set through the environment (the machine's config may have none).
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'

const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Release Test',
  GIT_AUTHOR_EMAIL: 'release@test.invalid',
  GIT_COMMITTER_NAME: 'Release Test',
  GIT_COMMITTER_EMAIL: 'release@test.invalid',
  GIT_CONFIG_NOSYSTEM: '1',
}

export function tempDir(t: { teardown(fn: () => void): void }, prefix = 'mltest-release-'): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), prefix)))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

export function git(dir: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: dir, env: GIT_ENV, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim()
}

export function write(dir: string, path: string, content: string | Uint8Array): string {
  const full = join(dir, path)
  mkdirSync(dirname(full), { recursive: true })
  writeFileSync(full, content)
  return full
}

/** A git repository with one commit of `files`, on branch main. */
export function gitProject(t: { teardown(fn: () => void): void }, files: Record<string, string>): string {
  const dir = tempDir(t)
  git(dir, 'init', '--quiet', '--initial-branch=main')
  for (const [path, content] of Object.entries(files)) write(dir, path, content)
  git(dir, 'add', '.')
  git(dir, 'commit', '--quiet', '-m', 'initial')
  return dir
}
