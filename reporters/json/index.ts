/**
 * The json reporter: the complete result tree as one JSON file (schema version 1, see
 * `core/node/result-json.ts` and the README, "json"). It is what `mltest report`,
 * `mltest merge` and `--shard-durations` read, so it keeps everything: every test's state,
 * duration, error with stack and diff, annotations, checks and logs, plus the seed, a
 * config summary and the environment.
 */
import { toResultJson, type Reporter, type ReporterOptions, type RunResult } from 'mltest/plugin'
import { inconclusiveReason } from '../inconclusive-reason.ts'
import { writeReportOrStdout } from '../write-report.ts'

export function jsonReporter(options: ReporterOptions): Reporter {
  return {
    onRunEnd(run: RunResult) {
      writeReportOrStdout('json', options.outputFile, toResultJson(withReasons(run)))
    },
  }
}

/** The run with each inconclusive test's `reason` as every reporter states it: its checks' reason sentences. */
function withReasons(run: RunResult): RunResult {
  const files = run.files.map((file) => ({ ...file, tests: file.tests.map((test) => (test.state === 'inconclusive' ? { ...test, reason: inconclusiveReason(test) } : test)) }))
  return { ...run, files }
}
