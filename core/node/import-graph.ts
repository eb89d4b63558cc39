/**
 * Which test files a change affects: the changed test file itself, and every test file that
 * imports a changed module, directly or through other modules. `mltest watch` and
 * `--changed` share it.
 *
 * Import specifiers are found with a regular expression over the source with comments
 * removed (static `import`/`export ... from`, `import()`, `require()`), which needs no
 * parser and errs on the side of seeing an import. Type-only imports and re-exports
 * (`import type`, `export type ... from`) are erased before the code runs, so they are no
 * dependency; `import { type X }` is kept, as `verbatimModuleSyntax` keeps it. Only
 * relative specifiers are followed: packages change through the lockfile, not through a
 * file in the project.
 */
import { readFileSync, statSync } from 'node:fs'
import { dirname, extname, resolve } from 'node:path'

const CODE_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs']
const RESOLVE_EXTENSIONS = [...CODE_EXTENSIONS, '.json']
/** TypeScript ESM imports `./x.js` for `./x.ts`. */
const TS_FOR_JS: Record<string, string[]> = { '.js': ['.ts', '.tsx'], '.jsx': ['.tsx'], '.mjs': ['.mts'], '.cjs': ['.cts'] }

const COMMENT_OR_STRING = /("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\]|\\.)*`)|\/\*[\s\S]*?\*\/|\/\/[^\n]*/g
// The clause before `from` stops at another import/export, so a match never spans two statements.
const STATIC_IMPORT = /(?<![.\w$])(?:import|export)\s+(?:(?:(?!\b(?:import|export)\b)[^'"`;()])*?\s*from\s*)?(['"])([^'"\n]+)\1/g
/** `import type X from`, `import type { X } from`, `import type * as X from`, `export type { X } from`, `export type * from`; not `import type from './x'` (a default import named `type`). */
const TYPE_ONLY = /^(?:import\s+type\s+(?:[{*]|[\w$]+\s+from\b)|export\s+type\s*[{*])/
const SPECIFIER_PATTERNS = [
  STATIC_IMPORT,
  /(?:^|[^.\w$])import\s*\(\s*(['"`])([^'"`\n]+)\1\s*[,)]/g,
  /(?:^|[^.\w$])require\s*\(\s*(['"])([^'"\n]+)\1\s*\)/g,
]

/** The import specifiers in a module's source, in order of appearance per kind. */
export function scanImportSpecifiers(source: string): string[] {
  const code = source.replace(COMMENT_OR_STRING, (match, str: string | undefined) => str ?? ' ')
  const found: string[] = []
  for (const pattern of SPECIFIER_PATTERNS) {
    for (const m of code.matchAll(pattern)) {
      if (pattern !== STATIC_IMPORT || !TYPE_ONLY.test(m[0])) found.push(m[2]!)
    }
  }
  return [...new Set(found)]
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile()
  } catch {
    return false
  }
}

/**
 * The file a relative specifier names, trying TypeScript's extension mapping, implied
 * extensions and index files. A specifier that names no existing file still resolves to its
 * plain path, so a deleted module keeps the edge to the modules that imported it.
 */
export function resolveRelativeSpecifier(fromFile: string, specifier: string): string | undefined {
  if (!/^\.\.?(\/|$)/.test(specifier)) return undefined
  const base = resolve(dirname(fromFile), specifier.replace(/[?#].*$/, ''))
  const ext = extname(base)
  const candidates = [base]
  for (const alt of TS_FOR_JS[ext] ?? []) candidates.push(base.slice(0, -ext.length) + alt)
  for (const e of RESOLVE_EXTENSIONS) candidates.push(base + e)
  for (const e of RESOLVE_EXTENSIONS) candidates.push(resolve(base, `index${e}`))
  return candidates.find(isFile) ?? base
}

export class ImportGraph {
  private readonly deps = new Map<string, Set<string>>()
  private readonly importers = new Map<string, Set<string>>()

  /** Scans `files` and everything they import, each module once. */
  add(files: Iterable<string>): void {
    const stack = [...files]
    while (stack.length > 0) {
      const file = stack.pop()!
      if (this.deps.has(file)) continue
      const deps = this.scan(file)
      this.deps.set(file, deps)
      for (const dep of deps) {
        if (!this.importers.has(dep)) this.importers.set(dep, new Set())
        this.importers.get(dep)!.add(file)
        stack.push(dep)
      }
    }
  }

  /** Reads changed modules again: their imports may have changed. */
  refresh(files: Iterable<string>): void {
    for (const file of files) {
      const old = this.deps.get(file)
      if (!old) continue
      for (const dep of old) this.importers.get(dep)?.delete(file)
      this.deps.delete(file)
      this.add([file])
    }
  }

  has(file: string): boolean {
    return this.deps.has(file)
  }

  /** Every module the graph knows, test files included. */
  modules(): string[] {
    return [...this.deps.keys()]
  }

  /** `roots` and every module they import, transitively. */
  dependenciesOf(roots: Iterable<string>): Set<string> {
    const seen = new Set<string>()
    const stack = [...roots]
    while (stack.length > 0) {
      const file = stack.pop()!
      if (seen.has(file)) continue
      seen.add(file)
      for (const dep of this.deps.get(file) ?? []) stack.push(dep)
    }
    return seen
  }

  /** The files of `candidates` that are changed or import a changed module, in `candidates` order. */
  affected(changed: Iterable<string>, candidates: string[]): string[] {
    const reached = new Set<string>()
    const stack = [...changed]
    while (stack.length > 0) {
      const file = stack.pop()!
      if (reached.has(file)) continue
      reached.add(file)
      for (const importer of this.importers.get(file) ?? []) stack.push(importer)
    }
    return candidates.filter((file) => reached.has(file))
  }

  private scan(file: string): Set<string> {
    if (!CODE_EXTENSIONS.includes(extname(file)) || file.includes('/node_modules/')) return new Set()
    let source: string
    try {
      source = readFileSync(file, 'utf8')
    } catch {
      return new Set()
    }
    const deps = new Set<string>()
    for (const specifier of scanImportSpecifiers(source)) {
      const resolved = resolveRelativeSpecifier(file, specifier)
      if (resolved && resolved !== file) deps.add(resolved)
    }
    return deps
  }
}
