/**
 * The JSON result file (`--reporter json:PATH`), schema version 1: the complete result tree
 * plus what made it (seed, config summary, environment). It is the input of `mltest report`,
 * `mltest merge` and `--shard-durations`, so it is validated on the way in and a file
 * written by an incompatible mltest is refused with a clear message.
 *
 * Versioning: new optional fields may appear within a version (readers keep unknown keys);
 * a removed or changed field bumps `schemaVersion`.
 */
import { readFileSync } from 'node:fs'
import { z } from 'zod'
import type { RunResult } from '../reporter.ts'
import { UsageError } from './usage-error.ts'

import { RESULT_SCHEMA_VERSION } from '../result-format.ts'

export { RESULT_SCHEMA_VERSION, toResultJson } from '../result-format.ts'

const location = z.looseObject({ file: z.string(), line: z.number(), column: z.number() })
const annotationValue = z.union([z.string(), z.number(), z.boolean(), z.null()])

interface ErrorShape {
  kind: 'assertion' | 'error' | 'timeout' | 'crash'
  name: string
  message: string
  stack?: string
  diff?: string
  location?: z.infer<typeof location>
  cause?: ErrorShape
}
const serializedError: z.ZodType<ErrorShape> = z.lazy(() =>
  z.looseObject({
    kind: z.enum(['assertion', 'error', 'timeout', 'crash']),
    name: z.string(),
    message: z.string(),
    stack: z.string().optional(),
    diff: z.string().optional(),
    location: location.optional(),
    cause: serializedError.optional(),
  }),
)
const logEntry = z.looseObject({ stream: z.enum(['stdout', 'stderr']), text: z.string() })
const check = z.looseObject({
  check: z.string(),
  practice: z.string(),
  verdict: z.enum(['pass', 'fail', 'inconclusive']),
  metrics: z.record(z.string(), annotationValue),
  summary: z.string().optional(),
  reason: z.string().optional(),
  benchmarks: z
    .array(
      z.looseObject({
        name: z.string(),
        batchSize: z.number(),
        samplesMs: z.array(z.number()),
        subject: z.record(z.string(), annotationValue),
        throughputPerSec: z.number().optional(),
        peakRssMb: z.number().optional(),
      }),
    )
    .optional(),
})
const testBase = {
  id: z.string(),
  file: z.string(),
  suitePath: z.array(z.string()),
  name: z.string(),
  fullName: z.string(),
  tags: z.array(z.string()),
  durationMs: z.number(),
  attempts: z.number(),
  expectFail: z.boolean(),
  seed: z.number(),
  annotations: z.array(z.looseObject({ key: z.string(), value: annotationValue })),
  checks: z.array(check),
  logs: z.array(logEntry),
  location: location.optional(),
}
const testResult = z.discriminatedUnion('state', [
  z.looseObject({ ...testBase, state: z.literal('passed'), flaky: z.boolean().optional() }),
  z.looseObject({ ...testBase, state: z.literal('failed'), error: serializedError }),
  z.looseObject({ ...testBase, state: z.literal('skipped'), reason: z.string().optional() }),
  z.looseObject({ ...testBase, state: z.literal('todo') }),
  z.looseObject({ ...testBase, state: z.literal('inconclusive'), reason: z.string() }),
])
const readinessPractice = z.looseObject({
  id: z.string(),
  stage: z.string().nullable(),
  title: z.string(),
  status: z.enum(['automated', 'failing', 'missing']),
  coverage: z.array(z.looseObject({ test: z.string(), check: z.string(), verdict: z.enum(['pass', 'fail', 'inconclusive']) })),
})
const shardSpec = z.looseObject({ index: z.number().int().positive(), count: z.number().int().positive() })
const count = z.number().int().nonnegative()

/** The whole file. `z.infer` of this is the documented shape (see the README, "json"). */
export const resultFileSchema = z.looseObject({
  schemaVersion: z.literal(RESULT_SCHEMA_VERSION),
  rootDir: z.string(),
  seed: z.number(),
  startedAt: z.string(),
  durationMs: z.number(),
  summary: z.looseObject({ passed: count, failed: count, skipped: count, todo: count, inconclusive: count, fileErrors: count, durationMs: z.number() }),
  files: z.array(z.looseObject({ file: z.string(), durationMs: z.number(), errors: z.array(serializedError), tests: z.array(testResult), logs: z.array(logEntry).optional() })),
  notRun: z.array(z.string()),
  interrupted: z.enum(['SIGINT', 'SIGTERM']).optional(),
  runErrors: z.array(z.string()),
  config: z
    .looseObject({
      configFile: z.string().nullable(),
      include: z.array(z.string()),
      exclude: z.array(z.string()),
      workers: z.number(),
      isolate: z.enum(['none', 'file', 'process']),
      timeoutMs: z.number(),
      retries: z.number(),
      bail: z.number(),
      shuffle: z.boolean(),
      grep: z.string().nullable(),
      tagExpr: z.string().nullable(),
      inconclusive: z.enum(['pass', 'fail']),
      reporters: z.array(z.string()),
      plugins: z.array(z.string()),
      pluginOptions: z.record(z.string(), z.record(z.string(), z.unknown())),
    })
    .optional(),
  environment: z
    .looseObject({
      mltestVersion: z.string(),
      node: z.string(),
      runtime: z.string().optional(),
      platform: z.string(),
      arch: z.string(),
      cpuModel: z.string(),
      cpuCount: z.number(),
      totalMemoryMb: z.number(),
      hostname: z.string(),
    })
    .optional(),
  shard: shardSpec.optional(),
  mergedFrom: z
    .array(
      z.looseObject({
        source: z.string(),
        shard: shardSpec.nullable(),
        seed: z.number(),
        startedAt: z.string(),
        durationMs: z.number(),
        hostname: z.string().nullable(),
      }),
    )
    .optional(),
  sections: z.record(z.string(), z.json()).optional(),
  readiness: z
    .looseObject({
      score: count,
      maxScore: count,
      stages: z.array(z.looseObject({ stage: z.string(), automated: count, failing: count, practices: count })),
      practices: z.array(readinessPractice),
      other: z.array(readinessPractice),
      checks: count,
    })
    .optional(),
})

/** The text the json reporter writes. */
/** Parses and validates a result file's text; `source` names it in errors. */
export function parseResultJson(text: string, source: string): RunResult {
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (error) {
    throw new UsageError(`${source} is not JSON (${(error as Error).message}) — pass a file written by --reporter json:PATH`)
  }
  const version = (data as { schemaVersion?: unknown } | null)?.schemaVersion
  if (typeof data !== 'object' || data === null || version === undefined) {
    throw new UsageError(`${source} has no schemaVersion, so it is not an mltest result — pass a file written by --reporter json:PATH`)
  }
  if (version !== RESULT_SCHEMA_VERSION) {
    throw new UsageError(`${source} has schemaVersion ${JSON.stringify(version)}, this mltest reads ${RESULT_SCHEMA_VERSION} — render it with the mltest version that wrote it`)
  }
  const parsed = resultFileSchema.safeParse(data)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    throw new UsageError(`${source} is not a valid mltest result: "${issue.path.join('.')}" ${issue.message.toLowerCase()} — the file may be truncated or edited; write it again with --reporter json:PATH`)
  }
  const { schemaVersion: _version, ...run } = parsed.data
  return run as unknown as RunResult
}

/** Reads and validates a result file; `source` (default: the path) names it in errors. */
export function readResultFile(path: string, source = path): RunResult {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new UsageError(`cannot read result file ${source} (${code ?? (error as Error).message}) — pass a file written by --reporter json:PATH`)
  }
  return parseResultJson(text, source)
}
