/**
 * The JSON result's text form, side-neutral so the JSON reporter (and any third-party one)
 * writes exactly what `mltest report` and `mltest merge` read back (`core/node/result-json.ts`).
 */
import type { RunResult } from './reporter.ts'

export const RESULT_SCHEMA_VERSION = 1

/** The JSON result file's text: `schemaVersion` first, then the whole run result. */
export function toResultJson(run: RunResult): string {
  return JSON.stringify({ schemaVersion: RESULT_SCHEMA_VERSION, ...run }, null, 2) + '\n'
}
