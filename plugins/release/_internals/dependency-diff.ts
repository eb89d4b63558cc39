/**
 * Every difference between a baseline's dependency set and the current one: packages added,
 * removed, upgraded or downgraded (semver order), or changed (same version, other integrity
 * hash: other bytes; or versions semver cannot order), and tracked files added, removed
 * (untracked or deleted) or whose content changed.
 */
import semver from 'semver'
import { ignored, type Baseline, type DependencyState } from './dependency-state.ts'

export const CHANGE_KINDS = ['added', 'removed', 'upgraded', 'downgraded', 'changed'] as const
export type ChangeKind = (typeof CHANGE_KINDS)[number]

export interface DependencyChange {
  kind: ChangeKind
  source: 'package' | 'file'
  name: string
  /** The baseline's version or hash; undefined when added. */
  before?: string
  /** The current version or hash; undefined when removed. */
  after?: string
  /** Why, when the kind alone does not say (e.g. `same version, other integrity`). */
  note?: string
}

const short = (sha: string) => `sha256 ${sha.slice(0, 12)}`

export function diffDependencies(baseline: Baseline, now: DependencyState, ignore: readonly string[] = []): DependencyChange[] {
  const changes: DependencyChange[] = []
  const before = Object.fromEntries(Object.entries(baseline.packages).filter(([name]) => !ignored(name, ignore)))
  for (const [name, b] of Object.entries(before)) {
    const a = now.packages[name]
    if (!a) {
      changes.push({ kind: 'removed', source: 'package', name, before: b.version })
      continue
    }
    if (a.version !== b.version) {
      const ordered = semver.valid(a.version) && semver.valid(b.version)
      const kind: ChangeKind = ordered ? (semver.gt(a.version, b.version) ? 'upgraded' : 'downgraded') : 'changed'
      changes.push({ kind, source: 'package', name, before: b.version, after: a.version, ...(ordered ? {} : { note: 'versions semver cannot order' }) })
    } else if (a.integrity && b.integrity && a.integrity !== b.integrity) {
      changes.push({ kind: 'changed', source: 'package', name, before: b.version, after: a.version, note: 'same version, other integrity hash (other bytes)' })
    }
  }
  for (const [name, a] of Object.entries(now.packages)) {
    if (!before[name]) changes.push({ kind: 'added', source: 'package', name, after: a.version })
  }
  for (const [name, b] of Object.entries(baseline.files)) {
    if (!(name in now.files)) changes.push({ kind: 'removed', source: 'file', name, before: short(b.sha256), note: 'no longer tracked' })
    else {
      const a = now.files[name]
      if (a === null) changes.push({ kind: 'removed', source: 'file', name, before: short(b.sha256), note: 'file missing' })
      else if (a!.sha256 !== b.sha256) changes.push({ kind: 'changed', source: 'file', name, before: short(b.sha256), after: short(a!.sha256), note: `content changed (${b.bytes} → ${a!.bytes} bytes)` })
    }
  }
  for (const [name, a] of Object.entries(now.files)) {
    if (!(name in baseline.files)) changes.push({ kind: 'added', source: 'file', name, ...(a ? { after: short(a.sha256) } : { note: 'file missing' }) })
  }
  return changes
}

export function describeChange(change: DependencyChange): string {
  const what = `${change.source} ${change.name}`
  const note = change.note ? ` (${change.note})` : ''
  if (change.kind === 'added') return `added ${what}${change.after ? ` ${change.after}` : ''}${note}`
  if (change.kind === 'removed') return `removed ${what} ${change.before}${note}`
  return `${change.kind} ${what} ${change.before} → ${change.after}${note}`
}

export function countByKind(changes: readonly DependencyChange[]): Record<ChangeKind, number> {
  const counts = Object.fromEntries(CHANGE_KINDS.map((k) => [k, 0])) as Record<ChangeKind, number>
  for (const change of changes) counts[change.kind]++
  return counts
}
