/**
 * From a collected tree to the tests to run: options inherited from describes, the
 * effective mode (skip, todo, `.only` within the file), stable ids, `--grep`/`--tag`
 * filters, and `--shuffle`.
 */
import type { CollectedTest, FileTask } from '../protocol.ts'
import type { createRng } from '../seed.ts'
import { parseTagExpression } from '../tag-expression.ts'
import type { SuiteNode, TestNode } from './collect.ts'

export interface Meta {
  collected: CollectedTest
  node: TestNode
  timeoutMs: number
  retries: number
  selected: boolean
  /** Marked `.only`, itself or through a describe. */
  only: boolean
}

/** Walks the tree: inherited options, effective mode, stable ids, filters. */
export function describeTests(root: SuiteNode, task: FileTask, relFile: string): Map<TestNode, Meta> {
  const metas = new Map<TestNode, Meta>()
  const grep = task.grep ? new RegExp(task.grep) : undefined
  const tagFilter = task.tagExpr ? parseTagExpression(task.tagExpr) : undefined
  const ids = new Map<string, number>()
  let hasOnly = false
  const walk = (suite: SuiteNode, path: string[], inherited: { tags: string[]; timeout?: number; retries?: number; exclusive?: boolean; mode: string; only: boolean }) => {
    for (const child of suite.children) {
      const mode = inherited.mode !== 'run' ? inherited.mode : child.mode === 'only' ? 'run' : child.mode
      const only = inherited.only || child.mode === 'only'
      const tags = [...new Set([...inherited.tags, ...(child.options.tags ?? [])])]
      const timeout = child.options.timeout ?? inherited.timeout
      const retries = child.options.retries ?? inherited.retries
      const exclusive = child.options.exclusive ?? inherited.exclusive
      if (child.kind === 'suite') {
        walk(child, [...path, child.name], { tags, timeout, retries, exclusive, mode, only })
        continue
      }
      hasOnly ||= only
      const fullName = [...path, child.name].join(' > ')
      const base = `${relFile}::${fullName}`
      const n = ids.get(base) ?? 0
      ids.set(base, n + 1)
      const collected: CollectedTest = {
        id: n === 0 ? base : `${base} (${n + 1})`,
        file: task.file,
        suitePath: path,
        name: child.name,
        fullName,
        tags,
        mode: mode === 'todo' ? 'todo' : mode === 'skip' ? 'skip' : 'run',
        expectFail: child.expectFail,
        exclusive: exclusive ?? tags.includes('bench'),
        location: child.location,
      }
      const selected = (!grep || grep.test(fullName)) && (!tagFilter || tagFilter(tags))
      metas.set(child, { collected, node: child, timeoutMs: timeout ?? task.timeoutMs, retries: retries ?? task.retries, selected, only })
    }
  }
  walk(root, [], { tags: [], mode: 'run', only: false })
  if (hasOnly) {
    for (const meta of metas.values()) {
      if (!meta.only && meta.collected.mode === 'run') meta.collected.mode = 'skip'
    }
  }
  return metas
}

/** `--failed-first`: moves the tests named (full names), and the describes holding them, before their siblings; the order stands otherwise. */
export function moveFirst(suite: SuiteNode, fullNames: ReadonlySet<string>, path: string[] = []): boolean {
  const first: SuiteNode['children'] = []
  const rest: SuiteNode['children'] = []
  for (const child of suite.children) {
    const hit = child.kind === 'suite' ? moveFirst(child, fullNames, [...path, child.name]) : fullNames.has([...path, child.name].join(' > '))
    ;(hit ? first : rest).push(child)
  }
  suite.children = [...first, ...rest]
  return first.length > 0
}

export function shuffleTree(suite: SuiteNode, rng: ReturnType<typeof createRng>): void {
  suite.children = rng.shuffle(suite.children)
  for (const child of suite.children) if (child.kind === 'suite') shuffleTree(child, rng)
}

