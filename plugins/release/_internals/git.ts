/**
 * The few git questions provenance asks, through the real `git` binary: the commit and dirty
 * state a model was produced from, and whether a recorded commit is an ancestor of HEAD. Every
 * answer says why when git cannot give one (not installed, not a repository, no commits yet).
 */
import { execFileSync } from 'node:child_process'

export type GitAnswer<T> = { ok: true; value: T } | { ok: false; reason: string }

interface GitRun {
  status: number
  stdout: string
  stderr: string
}

function git(cwd: string, args: string[]): GitRun | { missing: true } {
  try {
    const stdout = execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 })
    return { status: 0, stdout, stderr: '' }
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { status?: number | null; stdout?: string; stderr?: string }
    if (e.code === 'ENOENT' && e.status === undefined) return { missing: true }
    return { status: e.status ?? 1, stdout: String(e.stdout ?? ''), stderr: String(e.stderr ?? '') }
  }
}

export interface GitState {
  /** The repository's top folder. */
  root: string
  commit: string
  branch: string | null
  /** True when tracked files differ from the commit (staged or not); untracked files are counted apart. */
  dirty: boolean
  changedFiles: number
  untrackedFiles: number
}

/** The repository `cwd` is in, or why there is none. */
export function gitRoot(cwd: string): GitAnswer<string> {
  const run = git(cwd, ['rev-parse', '--show-toplevel'])
  if ('missing' in run) return { ok: false, reason: 'git is not installed (no git on PATH)' }
  if (run.status !== 0) return { ok: false, reason: `${cwd} is not inside a git repository` }
  return { ok: true, value: run.stdout.trim() }
}

export function gitState(cwd: string): GitAnswer<GitState> {
  const root = gitRoot(cwd)
  if (!root.ok) return root
  const head = git(cwd, ['rev-parse', '--verify', '--quiet', 'HEAD'])
  if ('missing' in head || head.status !== 0) return { ok: false, reason: `the git repository at ${root.value} has no commits yet` }
  const branch = git(cwd, ['symbolic-ref', '--quiet', '--short', 'HEAD'])
  const status = git(cwd, ['status', '--porcelain=v1', '--untracked-files=normal'])
  const lines = 'missing' in status ? [] : status.stdout.split('\n').filter(Boolean)
  const untracked = lines.filter((line) => line.startsWith('??')).length
  return {
    ok: true,
    value: {
      root: root.value,
      commit: head.stdout.trim(),
      branch: 'missing' in branch || branch.status !== 0 ? null : branch.stdout.trim(),
      dirty: lines.length - untracked > 0,
      changedFiles: lines.length - untracked,
      untrackedFiles: untracked,
    },
  }
}

export type Ancestry = { kind: 'ancestor'; head: string } | { kind: 'not-ancestor'; head: string } | { kind: 'unknown-commit'; head: string }

/** Whether `commit` is HEAD or an ancestor of it (`git merge-base --is-ancestor`). */
export function isAncestorOfHead(cwd: string, commit: string): GitAnswer<Ancestry> {
  const state = gitState(cwd)
  if (!state.ok) return state
  const head = state.value.commit
  const exists = git(cwd, ['cat-file', '-e', `${commit}^{commit}`])
  if ('missing' in exists || exists.status !== 0) return { ok: true, value: { kind: 'unknown-commit', head } }
  const run = git(cwd, ['merge-base', '--is-ancestor', commit, 'HEAD'])
  if ('missing' in run) return { ok: false, reason: 'git is not installed (no git on PATH)' }
  if (run.status === 0) return { ok: true, value: { kind: 'ancestor', head } }
  if (run.status === 1) return { ok: true, value: { kind: 'not-ancestor', head } }
  return { ok: false, reason: `git merge-base failed: ${run.stderr.trim().split('\n')[0]}` }
}

/** `git config user.name <user.email>`, or undefined. */
export function gitUser(cwd: string): string | undefined {
  const name = git(cwd, ['config', 'user.name'])
  if ('missing' in name || name.status !== 0 || !name.stdout.trim()) return undefined
  const email = git(cwd, ['config', 'user.email'])
  const mail = 'missing' in email || email.status !== 0 ? '' : email.stdout.trim()
  return mail ? `${name.stdout.trim()} <${mail}>` : name.stdout.trim()
}
