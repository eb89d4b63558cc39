/**
 * Reporters beyond the built-in names: `--reporter ./my-reporter.ts[:PATH]` or
 * `--reporter some-package[:PATH]` loads a module whose default export is a reporter
 * factory `(options) => Reporter` (or a reporter object), as vitest does. Loaded before the
 * run starts, so a missing module or a module without a reporter is a usage error (exit 2)
 * and nothing runs.
 */
import { createRequire } from 'node:module'
import { isAbsolute, join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Reporter, ReporterFactory } from '../reporter.ts'
import type { ReporterSpec } from './reporter-host.ts'
import { UsageError } from './usage-error.ts'

/** Whether a reporter name is a module to load rather than a built-in name. */
export function isModuleReporter(name: string, builtins: Record<string, ReporterFactory>): boolean {
  return !(name in builtins) && (name.startsWith('.') || isAbsolute(name) || /^(@[\w.-]+\/)?[\w.-]+(\/[\w./-]+)?$/.test(name))
}

function moduleUrlOf(name: string, baseDir: string): string {
  if (name.startsWith('.') || isAbsolute(name)) return pathToFileURL(resolve(baseDir, name)).href
  try {
    return pathToFileURL(createRequire(join(baseDir, 'package.json')).resolve(name)).href
  } catch {
    // ESM-only packages have no `require` condition; let the import resolve it.
    return name
  }
}

function factoryOf(name: string, mod: Record<string, unknown>): ReporterFactory {
  const exported = mod.default ?? mod.reporter
  if (typeof exported === 'function') return exported as ReporterFactory
  if (exported !== null && typeof exported === 'object') return () => exported as Reporter
  throw new UsageError(
    `reporter "${name}" exports no reporter — export default a factory, e.g. export default (options) => ({ onRunEnd(run) { ... } })`,
  )
}

/**
 * The registry for this run: the built-ins plus every module named by `specs`, loaded now.
 * `baseDir` resolves relative paths and packages (the working directory for `--reporter`).
 */
export async function loadReporterRegistry(
  specs: Array<ReporterSpec | Reporter>,
  builtins: Record<string, ReporterFactory>,
  baseDir: string,
): Promise<Record<string, ReporterFactory>> {
  const registry = { ...builtins }
  for (const spec of specs) {
    const name = (spec as { name?: unknown }).name
    if (typeof name !== 'string' || name in registry) continue
    if (!isModuleReporter(name, builtins)) continue
    let mod: Record<string, unknown>
    try {
      mod = (await import(moduleUrlOf(name, baseDir))) as Record<string, unknown>
    } catch (error) {
      const detail = error instanceof Error ? error.message.split('\n')[0] : String(error)
      throw new UsageError(`reporter "${name}" could not be loaded (${detail}) — use a built-in name (${Object.keys(builtins).join(', ')}), a path to a module, or an installed package`)
    }
    registry[name] = factoryOf(name, mod)
  }
  return registry
}
