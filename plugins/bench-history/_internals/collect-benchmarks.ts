/**
 * The benchmarks of one `mltest run`, read from its JSON result (`--reporter json:PATH`):
 * every `BenchmarkRecord` attached to a check of a test that completed. A benchmark of a
 * failed test, a crashed file or with invalid samples is left out with the reason, so
 * nothing bogus reaches the history.
 */
import { readFileSync } from 'node:fs'
import { relative } from 'node:path'
import { z, type AnnotationValue } from 'mltest/plugin'
import { hashOf } from './fingerprint.ts'

const record = z.looseObject({
  name: z.string(),
  batchSize: z.number(),
  // JSON writes NaN and ±Infinity as null: accepted here so the record is refused with the real reason.
  samplesMs: z.array(z.number().nullable()),
  subject: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
  throughputPerSec: z.number().nullable().optional(),
  peakRssMb: z.number().nullable().optional(),
  minEffect: z.number().optional(),
})

const resultFile = z.looseObject({
  rootDir: z.string(),
  startedAt: z.string(),
  files: z.array(
    z.looseObject({
      file: z.string(),
      tests: z.array(
        z.looseObject({
          file: z.string(),
          fullName: z.string(),
          state: z.string(),
          checks: z.array(z.looseObject({ check: z.string(), benchmarks: z.array(z.unknown()).optional() })),
        }),
      ),
    }),
  ),
})

/** One benchmark of a run, as read from the JSON result. */
export interface CollectedBenchmark {
  /** `test full name › benchmark name › b<batch>`: what a later run compares with. */
  identity: string
  testFullName: string
  file: string
  name: string
  batchSize: number
  subject: Record<string, AnnotationValue>
  subjectHash: string
  samplesMs: number[]
  throughputPerSec: number | null
  peakRssMb: number | null
  /** Per-benchmark minimum effect, when the benchmark set one. */
  minEffect: number | null
}

export interface CollectedRun {
  startedAt: string
  benchmarks: CollectedBenchmark[]
  /** Why a test's or a record's benchmarks were left out, one line each. */
  skipped: string[]
}

/** `test full name › benchmark name › b<batch>`: a benchmark's identity across runs. */
export function identityOf(testFullName: string, name: string, batchSize: number): string {
  return `${testFullName} › ${name} › b${batchSize}`
}

/** Why a record cannot be stored, or undefined when it can. */
function invalidity(r: z.infer<typeof record>): string | undefined {
  if (!Number.isInteger(r.batchSize) || r.batchSize < 1) return `batch size ${r.batchSize} is not a positive integer`
  if (r.samplesMs.length === 0) return 'no samples'
  if (r.samplesMs.some((s) => s === null || !Number.isFinite(s) || s < 0)) return 'a sample is negative, NaN or infinite'
  if (r.throughputPerSec !== undefined && !(r.throughputPerSec !== null && Number.isFinite(r.throughputPerSec) && r.throughputPerSec > 0)) return `throughput ${r.throughputPerSec ?? 'NaN'} is not a positive number`
  if (r.peakRssMb !== undefined && !(r.peakRssMb !== null && Number.isFinite(r.peakRssMb) && r.peakRssMb >= 0)) return `peak rss ${r.peakRssMb ?? 'NaN'} is not a number >= 0`
  return undefined
}

/** Parses a run's JSON result; throws with the file name when it is not one. */
export function collectBenchmarks(resultPath: string): CollectedRun {
  let data: unknown
  try {
    data = JSON.parse(readFileSync(resultPath, 'utf8'))
  } catch (error) {
    throw new Error(`cannot read the run's result ${resultPath}: ${(error as Error).message}`)
  }
  const parsed = resultFile.safeParse(data)
  if (!parsed.success) throw new Error(`the run's result ${resultPath} is not an mltest JSON result: ${parsed.error.issues[0]?.message}`)
  const run = parsed.data
  const benchmarks: CollectedBenchmark[] = []
  const skipped: string[] = []
  const seen = new Set<string>()
  for (const file of run.files) {
    for (const test of file.tests) {
      const records = test.checks.flatMap((c) => c.benchmarks ?? [])
      if (records.length === 0) continue
      if (test.state !== 'passed' && test.state !== 'inconclusive') {
        skipped.push(`${test.fullName}: not recorded, the test ${test.state === 'failed' ? 'failed' : `is ${test.state}`}`)
        continue
      }
      for (const raw of records) {
        const parsedRecord = record.safeParse(raw)
        if (!parsedRecord.success) {
          skipped.push(`${test.fullName}: a benchmark record is malformed (${parsedRecord.error.issues[0]?.path.join('.')}: ${parsedRecord.error.issues[0]?.message})`)
          continue
        }
        const r = parsedRecord.data
        const why = invalidity(r)
        const identity = identityOf(test.fullName, r.name, r.batchSize)
        if (why) {
          skipped.push(`${identity}: not recorded, ${why}`)
          continue
        }
        if (seen.has(identity)) {
          skipped.push(`${identity}: recorded twice in one run, only the first is kept — give each benchmark of a test its own name`)
          continue
        }
        seen.add(identity)
        benchmarks.push({
          identity,
          testFullName: test.fullName,
          file: relative(run.rootDir, test.file),
          name: r.name,
          batchSize: r.batchSize,
          subject: r.subject,
          subjectHash: hashOf(r.subject),
          samplesMs: r.samplesMs as number[],
          throughputPerSec: r.throughputPerSec ?? null,
          peakRssMb: r.peakRssMb ?? null,
          minEffect: r.minEffect ?? null,
        })
      }
    }
  }
  return { startedAt: run.startedAt, benchmarks, skipped }
}
