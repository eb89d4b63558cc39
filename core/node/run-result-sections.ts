/**
 * Plugins' named sections of the run result (`runResultSection`), asked after `onRunEnd`
 * in hook order. A section must be plain JSON, because the JSON result keeps it and
 * `mltest report` replays it; a hook that throws or returns something else is a run error.
 */
import type { FileResult } from '../protocol.ts'
import type { JsonValue, RegisteredPlugin, RunSummary } from '../hooks.ts'
import { pluginsFor } from '../plugin-host.ts'

function isJson(value: unknown, depth = 0): value is JsonValue {
  if (depth > 64) return false
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true
  if (typeof value === 'number') return Number.isFinite(value)
  if (Array.isArray(value)) return value.every((v) => isJson(v, depth + 1))
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) return Object.values(value).every((v) => isJson(v, depth + 1))
  return false
}

export async function collectRunResultSections(
  plugins: RegisteredPlugin[],
  files: FileResult[],
  summary: RunSummary,
  runErrors: string[],
): Promise<Record<string, JsonValue>> {
  const sections: Record<string, JsonValue> = {}
  for (const plugin of pluginsFor(plugins, 'runResultSection')) {
    try {
      const section = await plugin.runResultSection!(files, summary)
      if (section === undefined) continue
      if (!isJson(section)) {
        runErrors.push(`plugin "${plugin.name}" failed in runResultSection: the section is not plain JSON (finite numbers, strings, booleans, null, arrays and plain objects only)`)
        continue
      }
      sections[plugin.name] = section
    } catch (error) {
      runErrors.push(`plugin "${plugin.name}" failed in runResultSection: ${error instanceof Error ? error.message : String(error)}`)
    }
  }
  return sections
}
