/**
 * `mltest bench export --out FILE` and `mltest bench import FILE`: the whole history as one
 * JSON file (runs with raw samples and verdicts, named baselines), so CI can carry it as an
 * artifact. Import merges: a run is identified by its uid, so importing the same file twice,
 * or a history that shares runs with this one, adds each run once.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs'
import { UsageError, z } from 'mltest/plugin'
import type { HistoryStore, RunEntry, SavedBaseline } from './history-store.ts'

export const EXPORT_FORMAT = 'mltest-bench-history'
export const EXPORT_VERSION = 1

const nullableNumber = z.number().nullable()
const exportSchema = z.object({
  format: z.literal(EXPORT_FORMAT),
  version: z.literal(EXPORT_VERSION),
  exportedAt: z.string(),
  runs: z.array(
    z.object({
      uid: z.string().min(1),
      startedAt: z.string(),
      recordedAt: z.string(),
      git: z.object({ commit: z.string().nullable(), dirty: z.boolean().nullable(), branch: z.string().nullable() }),
      fingerprint: z.record(z.string(), z.union([z.string(), z.number(), z.null()])),
      fingerprintHash: z.string(),
      mltestVersion: z.string(),
      runExitCode: z.number().int(),
      benchmarks: z.array(
        z.object({
          identity: z.string(),
          testFullName: z.string(),
          file: z.string(),
          name: z.string(),
          batchSize: z.number().int().positive(),
          subject: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
          subjectHash: z.string(),
          samplesMs: z.array(z.number().nonnegative()).min(1),
          throughputPerSec: nullableNumber,
          peakRssMb: nullableNumber,
          minEffect: nullableNumber,
          verdicts: z.array(
            z.object({
              metric: z.string(),
              verdict: z.string(),
              baselineValue: nullableNumber,
              currentValue: nullableNumber,
              ratio: nullableNumber,
              ratioLow: nullableNumber,
              ratioHigh: nullableNumber,
              p: nullableNumber,
              reason: z.string(),
              baseline: z.string(),
            }),
          ),
        }),
      ),
    }),
  ),
  baselines: z.array(z.object({ name: z.string(), runUid: z.string(), savedAt: z.string() })),
})

export type HistoryExport = z.infer<typeof exportSchema>

/** JSON has no ±Infinity: an unbounded interval end travels as null. */
const finite = (v: number | null) => (v !== null && Number.isFinite(v) ? v : null)

export function historyToJson(store: HistoryStore): HistoryExport {
  const runs = store.allRuns().map((run) => ({
    ...run,
    benchmarks: run.benchmarks.map((b) => ({
      ...b,
      samplesMs: Array.from(b.samplesMs),
      verdicts: b.verdicts.map((v) => ({ ...v, baselineValue: finite(v.baselineValue), currentValue: finite(v.currentValue), ratio: finite(v.ratio), ratioLow: finite(v.ratioLow), ratioHigh: finite(v.ratioHigh), p: finite(v.p) })),
    })),
  }))
  return { format: EXPORT_FORMAT, version: EXPORT_VERSION, exportedAt: new Date().toISOString(), runs, baselines: store.baselines() }
}

/** Writes next to the target and renames, so a reader never sees half a file. */
export function writeExport(file: string, data: HistoryExport): void {
  const partial = `${file}.partial-${process.pid}`
  writeFileSync(partial, JSON.stringify(data) + '\n')
  renameSync(partial, file)
}

export function readExport(file: string): HistoryExport {
  let data: unknown
  try {
    data = JSON.parse(readFileSync(file, 'utf8'))
  } catch (error) {
    const code = (error as { code?: string }).code
    throw new UsageError(code === 'ENOENT' ? `no such file: ${file} — pass a file written by "mltest bench export --out FILE"` : `${file} is not JSON (${(error as Error).message}) — pass a file written by "mltest bench export --out FILE"`)
  }
  const format = (data as { format?: unknown })?.format
  const version = (data as { version?: unknown })?.version
  if (format !== EXPORT_FORMAT) throw new UsageError(`${file} is not an mltest benchmark history export (no "format": "${EXPORT_FORMAT}") — pass a file written by "mltest bench export --out FILE"`)
  if (version !== EXPORT_VERSION) throw new UsageError(`${file} is a history export of version ${String(version)}; this mltest reads version ${EXPORT_VERSION} — export it again with this mltest, or upgrade`)
  const parsed = exportSchema.safeParse(data)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    throw new UsageError(`${file} is a damaged history export (at ${issue.path.join('.')}: ${issue.message}) — export it again`)
  }
  return parsed.data
}

export function mergeExport(store: HistoryStore, data: HistoryExport): { added: number; skipped: number; baselinesAdded: number } {
  return store.merge(data.runs as RunEntry[], data.baselines as SavedBaseline[])
}
