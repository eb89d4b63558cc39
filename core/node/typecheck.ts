/**
 * `mltest run --typecheck` and `mltest typecheck`: type-checks the selected test files and
 * the project modules they import with the project's own TypeScript and tsconfig (`tsc
 * --noEmit` semantics), and returns each type error as an error on its file, with its line,
 * so every reporter shows it like any file error (console code frame, JUnit, GitHub
 * annotations). Tests run as usual (they run through tsx, which strips types unchecked).
 */
import { createRequire } from 'node:module'
import { join, relative, sep } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { SerializedError } from '../protocol.ts'
import { UsageError } from './usage-error.ts'

type TypeScript = typeof import('typescript')

/** The options used when the project has no tsconfig.json: those of a strict Node ESM TypeScript project. */
const DEFAULT_OPTIONS = { strict: true, target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', allowImportingTsExtensions: true, skipLibCheck: true }

export interface TypecheckOutcome {
  /** Type errors by file (absolute path): test files and the project modules they import. */
  errors: Map<string, SerializedError[]>
  /** The tsconfig used, if any. */
  tsconfig?: string
  /** Files of the project that were checked. */
  checkedFiles: number
  durationMs: number
}

/** The project's TypeScript, or a usage error naming the package to install. */
async function loadTypeScript(rootDir: string): Promise<TypeScript> {
  let resolved: string
  try {
    resolved = createRequire(join(rootDir, 'package.json')).resolve('typescript')
  } catch {
    throw new UsageError(`--typecheck needs the "typescript" package in the project — install it: npm install --save-dev typescript`)
  }
  const mod = (await import(pathToFileURL(resolved).href)) as TypeScript & { default?: TypeScript }
  return mod.default ?? mod
}

/** Type-checks `files` and what they import (within `rootDir`, outside node_modules) with the project's tsconfig. */
export async function typecheckFiles(files: readonly string[], rootDir: string): Promise<TypecheckOutcome> {
  const started = Date.now()
  const ts = await loadTypeScript(rootDir)
  const tsconfig = ts.findConfigFile(rootDir, ts.sys.fileExists, 'tsconfig.json')
  let options: import('typescript').CompilerOptions
  if (tsconfig) {
    const parsed = ts.getParsedCommandLineOfConfigFile(tsconfig, { noEmit: true }, {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new UsageError(`${relative(rootDir, tsconfig) || tsconfig}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`)
      },
    })
    // A tsconfig that is not JSON, or has an unknown option or a bad value, is the user's config
    // error (exit 2), not a type error to run on with default options. TS18003 (no inputs
    // found by its "include") does not matter: the test files are the inputs.
    const bad = parsed!.errors.filter((d) => d.category === ts.DiagnosticCategory.Error && d.code !== 18003)
    if (bad.length > 0) {
      const where = relative(rootDir, tsconfig) || tsconfig
      throw new UsageError(`${where}: ${ts.flattenDiagnosticMessageText(bad[0]!.messageText, ' ')} (TS${bad[0]!.code})${bad.length > 1 ? ` and ${bad.length - 1} more` : ''} — fix the tsconfig, then run again`)
    }
    options = { ...parsed!.options, noEmit: true }
  } else {
    options = { ...ts.convertCompilerOptionsFromJson(DEFAULT_OPTIONS, rootDir).options, noEmit: true }
  }
  const program = ts.createProgram({ rootNames: [...files], options })
  const inProject = (file: string) => {
    const rel = relative(rootDir, file)
    return !rel.startsWith('..') && !rel.split(/[\\/]/).includes('node_modules') && !file.endsWith('.d.ts')
  }
  const errors = new Map<string, SerializedError[]>()
  const add = (file: string, error: SerializedError) => errors.set(file, [...(errors.get(file) ?? []), error])
  const sources = program.getSourceFiles().filter((sf) => inProject(sf.fileName))
  for (const sf of sources) {
    for (const d of [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)]) {
      if (d.category !== ts.DiagnosticCategory.Error) continue
      const at = d.start === undefined ? { line: 0, character: 0 } : sf.getLineAndCharacterOfPosition(d.start)
      const file = sf.fileName.split('/').join(sep)
      add(file, {
        kind: 'error',
        name: `TS${d.code}`,
        message: `type error: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`,
        location: { file, line: at.line + 1, column: at.character + 1 },
      })
    }
  }
  // Errors of the options or of no file (a bad "types" entry, say) belong to the tsconfig.
  for (const d of [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()]) {
    if (d.category !== ts.DiagnosticCategory.Error) continue
    const file = tsconfig ?? join(rootDir, 'tsconfig.json')
    add(file, { kind: 'error', name: `TS${d.code}`, message: `type error: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}` })
  }
  return { errors, tsconfig: tsconfig ?? undefined, checkedFiles: sources.length, durationMs: Date.now() - started }
}

/** The summary line for the console: how many errors in how many files, and the tsconfig. */
export function typecheckSummary(outcome: TypecheckOutcome, rootDir: string): string {
  const count = [...outcome.errors.values()].reduce((n, e) => n + e.length, 0)
  const config = outcome.tsconfig ? relative(rootDir, outcome.tsconfig) || outcome.tsconfig : 'no tsconfig.json: strict defaults'
  const files = `${outcome.checkedFiles} file${outcome.checkedFiles === 1 ? '' : 's'}`
  return count === 0
    ? `typecheck: no type errors in ${files} (${config}, ${(outcome.durationMs / 1000).toFixed(1)} s)`
    : `typecheck: ${count} type error${count === 1 ? '' : 's'} in ${outcome.errors.size} of ${files} (${config})`
}

