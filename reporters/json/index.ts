/**
 * The json reporter: the complete result tree as one JSON file (schema version 1, see
 * `core/node/result-json.ts` and the README, "json"). It is what `mltest report`,
 * `mltest merge` and `--shard-durations` read, so it keeps everything: every test's state,
 * duration, error with stack and diff, annotations, checks and logs, plus the seed, a
 * config summary and the environment.
 */
import type { Reporter, ReporterOptions, RunResult } from '../../core/reporter.ts'
import { toResultJson } from '../../core/node/result-json.ts'
import { writeReportOrStdout } from '../write-report.ts'

export function jsonReporter(options: ReporterOptions): Reporter {
  return {
    onRunEnd(run: RunResult) {
      writeReportOrStdout('json', options.outputFile, toResultJson(run))
    },
  }
}
