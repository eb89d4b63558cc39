/**
 * Dependency changes are tracked: `checkDependencies` compares what a model depends on now —
 * the packages and versions the lockfile pins, the content of listed data and upstream schema
 * files — with a baseline a person accepted, lists every change, and fails until the changes
 * are acknowledged with `mltest release accept --reason "..."` (or `acceptDependencies`),
 * which records who accepted them, when and why. An upstream library or data source that
 * changes under a model is then a reviewed decision, not a surprise.
 */
import { userInfo } from 'node:os'
import { dirname, isAbsolute, relative } from 'node:path'
import { CheckFailure, formatTable, parseCheckOptions, recordCheck, z, type AnnotationValue } from 'mltest/plugin'
import { countByKind, describeChange, diffDependencies, type DependencyChange } from './_internals/dependency-diff.ts'
import { changesFigure } from './_internals/dependency-figure.ts'
import { currentState, pathOf, readBaseline, type Acceptance, type Baseline } from './_internals/dependency-state.ts'
import { gitUser } from './_internals/git.ts'
import { writeJsonAtomic } from './_internals/json-file.ts'
import { baseDir, resolveFrom } from './_internals/project-paths.ts'

export type { DependencyChange, ChangeKind } from './_internals/dependency-diff.ts'
export type { Acceptance, Baseline } from './_internals/dependency-state.ts'

export interface CheckDependenciesOptions {
  /** The baseline file (relative paths start at the test file's folder); commit it with the code. */
  baseline: string
  /** Data and upstream schema files whose content the model depends on. */
  files?: string[]
  /** The npm lockfile (default: the one the baseline names, else the nearest package-lock.json above the baseline). */
  lockfile?: string
  /** Packages not tracked: exact names or prefixes ending in `*`, e.g. ['@types/*', 'eslint']. */
  ignore?: string[]
}

const optionsSchema = z.object({
  baseline: z.string().min(1),
  files: z.array(z.string().min(1)).optional(),
  lockfile: z.string().min(1).optional(),
  ignore: z.array(z.string().min(1)).optional(),
} satisfies Record<keyof CheckDependenciesOptions, z.ZodType>)

export interface DependenciesResult {
  verdict: 'pass' | 'fail'
  baselinePath: string
  changes: DependencyChange[]
  packages: number
  files: number
  lastAcceptance?: Acceptance
}

/** A path as a user would type it in the current folder. */
function shownPath(path: string): string {
  const rel = relative(process.cwd(), path)
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? path : rel
}

function quote(arg: string): string {
  return /^[\w./@:+-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`
}

/** The `mltest release accept` line that acknowledges what the check saw. */
function acceptCommand(baselinePath: string, files: string[], listChanged: boolean, lockfile: string | undefined, reason: string): string {
  const parts = ['npx mltest release accept', '--baseline', quote(shownPath(baselinePath))]
  if (lockfile) parts.push('--lockfile', quote(shownPath(lockfile)))
  if (listChanged) for (const file of files) parts.push('--file', quote(shownPath(file)))
  parts.push('--reason', `"${reason}"`)
  return parts.join(' ')
}

/**
 * Compares the current dependency set with the baseline; throws a CheckFailure listing every
 * change (and the command that acknowledges them) when anything changed or there is no baseline.
 */
export function checkDependencies(options: CheckDependenciesOptions): DependenciesResult {
  const check = 'checkDependencies'
  const parsed = parseCheckOptions(check, optionsSchema, options)
  const base = baseDir()
  const baselinePath = resolveFrom(parsed.baseline, base)
  const files = (parsed.files ?? []).map((f) => resolveFrom(f, base))
  const baseline = readBaseline(baselinePath)
  const lockfileOption = parsed.lockfile ? resolveFrom(parsed.lockfile, base) : undefined
  const lockfile = lockfileOption ?? (baseline?.lockfile ? pathOf(baseline.lockfile, dirname(baselinePath)) : undefined)
  const now = currentState({ baselinePath, lockfile, files, ignore: parsed.ignore })
  const packages = Object.keys(now.packages).length
  if (!baseline) {
    const command = acceptCommand(baselinePath, files, true, lockfileOption, 'first baseline')
    recordCheck({ check, practice: 'dependency-changes', verdict: 'fail', metrics: { baseline: baselinePath, packages, files: files.length }, summary: 'no dependency baseline yet' })
    throw new CheckFailure(
      `${check}: no dependency baseline at ${baselinePath}\n` +
        `  Nothing records which dependencies this model was accepted with. Record the current ones (${packages} locked package(s)${now.lockfile ? ` from ${now.lockfile}` : ', no lockfile found'}, ${files.length} tracked file(s)) and commit the file:\n` +
        `    ${command}`,
    )
  }
  const changes = diffDependencies(baseline, now, parsed.ignore)
  const counts = countByKind(changes)
  const last = baseline.acceptances[baseline.acceptances.length - 1]
  const acceptedText = last ? `accepted ${last.at} by ${last.by}: "${last.reason}"` : 'never accepted'
  const metrics: Record<string, AnnotationValue> = {
    baseline: baselinePath,
    packages,
    files: files.length,
    changes: changes.length,
    ...counts,
    lastAcceptedAt: last?.at ?? null,
    lastAcceptedBy: last?.by ?? null,
  }
  if (changes.length === 0) {
    const summary = `${packages} locked package(s) and ${files.length} tracked file(s) unchanged since the baseline (${acceptedText})`
    recordCheck({ check, practice: 'dependency-changes', verdict: 'pass', metrics, summary })
    return { verdict: 'pass', baselinePath, changes, packages, files: files.length, ...(last ? { lastAcceptance: last } : {}) }
  }
  const fileListChanged = Object.keys(baseline.files).sort().join('\n') !== Object.keys(now.files).sort().join('\n')
  const byKind = Object.entries(counts).filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k}`).join(', ')
  const shown = changes.slice(0, 40)
  const table = formatTable([['change', 'source', 'name', 'baseline', 'now', 'note'], ...shown.map((c) => [c.kind, c.source, c.name, c.before ?? '—', c.after ?? '—', c.note ?? ''])], { indent: '  ' })
  const more = changes.length > shown.length ? `\n  … and ${changes.length - shown.length} more (every change is listed in the baseline when accepted)` : ''
  const summary = `${changes.length} unacknowledged dependency change(s): ${byKind}`
  recordCheck({ check, practice: 'dependency-changes', verdict: 'fail', metrics, summary, figures: [changesFigure(changes)] })
  throw new CheckFailure(
    `${check}: ${summary}\n  since the baseline ${baselinePath} (${acceptedText})\n${table}${more}\n` +
      `  Review them; when they are intended, acknowledge them (the baseline records who, when and why):\n` +
      `    ${acceptCommand(baselinePath, files, fileListChanged, lockfileOption, 'why these changes are safe')}`,
  )
}

export interface AcceptDependenciesOptions {
  /** The baseline file to create or update (relative paths start at the current folder). */
  baseline: string
  /** Why the changes are safe: recorded in the baseline with who and when. */
  reason: string
  /** Tracked files (default: the ones the baseline already tracks). */
  files?: string[]
  /** The npm lockfile (default: the one the baseline names, else the nearest package-lock.json above it). */
  lockfile?: string
  /** Who accepts (default: git's user.name <user.email>, else the login name). */
  by?: string
  /** Folder relative paths start at (default: the current folder). */
  cwd?: string
}

export interface AcceptResult {
  baselinePath: string
  created: boolean
  changes: DependencyChange[]
  acceptance: Acceptance | null
}

/**
 * Records the current dependency set as the baseline, with the reason, who and when. A corrupt
 * baseline is a ReleaseFileError and is not overwritten; with no change, the file is left as it is.
 */
export function acceptDependencies(options: AcceptDependenciesOptions): AcceptResult {
  const cwd = options.cwd ?? process.cwd()
  const reason = options.reason?.trim()
  if (!reason) throw new TypeError('accepting dependency changes needs a reason (e.g. --reason "onnxruntime 1.30: same outputs on the golden set")')
  const baselinePath = resolveFrom(options.baseline, cwd)
  const existing = readBaseline(baselinePath)
  const dir = dirname(baselinePath)
  const files = options.files ? options.files.map((f) => resolveFrom(f, cwd)) : Object.keys(existing?.files ?? {}).map((key) => pathOf(key, dir))
  const lockfile = options.lockfile ? resolveFrom(options.lockfile, cwd) : existing?.lockfile ? pathOf(existing.lockfile, dir) : undefined
  const now = currentState({ baselinePath, lockfile, files })
  const missing = Object.entries(now.files).filter(([, hash]) => hash === null).map(([key]) => key)
  if (missing.length > 0) throw new TypeError(`cannot track files that do not exist: ${missing.join(', ')} (drop them from --file, or restore them)`)
  const empty: Baseline = { schema: 'mltest-dependencies', schemaVersion: 1, lockfile: null, packages: {}, files: {}, acceptances: [] }
  const changes = diffDependencies(existing ?? empty, now)
  if (existing && changes.length === 0 && existing.lockfile === now.lockfile) return { baselinePath, created: false, changes, acceptance: null }
  const lines = changes.map(describeChange)
  const acceptance: Acceptance = {
    at: new Date().toISOString(),
    by: options.by?.trim() || gitUser(dir) || userInfo().username,
    reason,
    changes: existing ? (lines.length > 200 ? [...lines.slice(0, 200), `… and ${lines.length - 200} more`] : lines) : [`first baseline: ${Object.keys(now.packages).length} package(s), ${files.length} file(s)`],
  }
  const baseline: Baseline = {
    schema: 'mltest-dependencies',
    schemaVersion: 1,
    lockfile: now.lockfile,
    packages: now.packages,
    files: now.files as Baseline['files'],
    acceptances: [...(existing?.acceptances ?? []), acceptance],
  }
  writeJsonAtomic(baselinePath, baseline)
  return { baselinePath, created: !existing, changes, acceptance }
}
