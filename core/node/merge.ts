/**
 * `mltest merge`: several shard results → one result with correct totals. Totals are
 * recounted from the merged tests, never added up from the shards' summaries, so the merged
 * run reads exactly like one run over all files. A file present in two inputs is refused
 * (the same shard merged twice would double its tests); a missing shard is a warning, since
 * merging what there is still helps. Shards checked out at different paths are rebased onto
 * the first input's root, so relative paths in reports stay right. The merged duration is the
 * sum of the shards' durations.
 */
import { isAbsolute, join, relative } from 'node:path'
import type { SerializedError, TestResult } from '../protocol.ts'
import type { FileReport, RunResult } from '../reporter.ts'
import { summarize } from '../summary.ts'
import { computeReadiness } from '../readiness.ts'
import { UsageError } from './usage-error.ts'

export interface MergeInput {
  source: string
  run: RunResult
}

function rebaser(from: string, to: string): (path: string) => string {
  if (from === to) return (path) => path
  return (path) => {
    const rel = relative(from, path)
    return rel.startsWith('..') || isAbsolute(rel) ? path : join(to, rel)
  }
}

function rebaseError(error: SerializedError, move: (p: string) => string): SerializedError {
  return {
    ...error,
    ...(error.location ? { location: { ...error.location, file: move(error.location.file) } } : {}),
    ...(error.cause ? { cause: rebaseError(error.cause, move) } : {}),
  }
}

function rebaseFile(file: FileReport, move: (p: string) => string): FileReport {
  const tests = file.tests.map((test): TestResult => {
    const moved = { ...test, file: move(test.file), ...(test.location ? { location: { ...test.location, file: move(test.location.file) } } : {}) }
    return moved.state === 'failed' ? { ...moved, error: rebaseError(moved.error, move) } : moved
  })
  return { ...file, file: move(file.file), errors: file.errors.map((e) => rebaseError(e, move)), tests }
}

export function mergeResults(inputs: MergeInput[]): { run: RunResult; warnings: string[] } {
  if (inputs.length === 0) throw new UsageError('mltest merge needs at least one result file — e.g. mltest merge shard-*.json --reporter junit:all.xml')
  const rootDir = inputs[0]!.run.rootDir
  const warnings: string[] = []
  const owner = new Map<string, string>()
  const files: FileReport[] = []
  const notRun: string[] = []
  const runErrors: string[] = []
  for (const { source, run } of inputs) {
    const move = rebaser(run.rootDir, rootDir)
    for (const file of run.files.map((f) => rebaseFile(f, move))) {
      const previous = owner.get(file.file)
      if (previous) throw new UsageError(`${relative(rootDir, file.file)} is in both ${previous} and ${source} — merge each shard's result once`)
      owner.set(file.file, source)
      files.push(file)
    }
    notRun.push(...run.notRun.map(move))
    runErrors.push(...run.runErrors.map((e) => `${source}: ${e}`))
  }
  files.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0))

  const shards = inputs.map((i) => i.run.shard).filter((s) => s !== undefined)
  if (shards.length === inputs.length && shards.length > 0) {
    const count = shards[0]!.count
    const seen = new Set<number>()
    for (const shard of shards) {
      if (shard.count !== count) warnings.push(`shard results of different splits (${shard.index}/${shard.count} and ?/${count}) — their files may overlap or leave gaps`)
      else if (seen.has(shard.index)) throw new UsageError(`shard ${shard.index}/${count} is given twice — merge each shard's result once`)
      seen.add(shard.index)
    }
    const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !seen.has(i))
    if (missing.length) warnings.push(`shard${missing.length === 1 ? '' : 's'} ${missing.map((i) => `${i}/${count}`).join(', ')} missing — the merged report covers only the shards given`)
  }
  const seeds = [...new Set(inputs.map((i) => i.run.seed))]
  if (seeds.length > 1) warnings.push(`the shards ran with different seeds (${seeds.join(', ')}) — pass the same --seed to every shard so the merged run can be replayed as one`)

  const starts = inputs.map((i) => Date.parse(i.run.startedAt)).filter(Number.isFinite)
  const startedAt = starts.length ? Math.min(...starts) : Date.now()
  // The sum of the shards' own durations: the time spent running tests, additive when merged
  // results are merged again. The span from the first start to the last end would count the
  // time shards waited for a CI machine; each shard's own time stays in `mergedFrom`.
  const durationMs = inputs.reduce((sum, i) => sum + (Number.isFinite(i.run.durationMs) ? i.run.durationMs : 0), 0)
  const first = inputs[0]!.run
  // Plugin sections have no generic merge: a section given by one shard only, or the same
  // in every shard, is kept; otherwise each shard's stays in `mergedFrom` and a warning says so.
  const sections: NonNullable<RunResult['sections']> = {}
  const plugins = new Set(inputs.flatMap((i) => Object.keys(i.run.sections ?? {})))
  for (const plugin of plugins) {
    const given = inputs.map((i) => i.run.sections?.[plugin]).filter((v) => v !== undefined)
    if (given.length === 1 || given.every((v) => JSON.stringify(v) === JSON.stringify(given[0]))) sections[plugin] = given[0]!
    else warnings.push(`the shards' "${plugin}" sections differ and cannot be merged — each shard's section is kept in mergedFrom`)
  }
  // One interrupted shard makes the merged run incomplete too.
  const interrupted = inputs.find((i) => i.run.interrupted)?.run.interrupted
  const run: RunResult = {
    rootDir,
    seed: first.seed,
    startedAt: new Date(startedAt).toISOString(),
    durationMs,
    files,
    summary: summarize(files, durationMs),
    notRun,
    ...(interrupted ? { interrupted } : {}),
    runErrors,
    ...(first.config ? { config: first.config } : {}),
    ...(first.environment ? { environment: first.environment } : {}),
    mergedFrom: inputs.flatMap(({ source, run }) =>
      run.mergedFrom ?? [
        {
          source,
          shard: run.shard ?? null,
          seed: run.seed,
          startedAt: run.startedAt,
          durationMs: run.durationMs,
          hostname: run.environment?.hostname ?? null,
          ...(run.sections ? { sections: run.sections } : {}),
        },
      ],
    ),
    ...(Object.keys(sections).length > 0 ? { sections } : {}),
    // Recomputed from every shard's check records: one ledger for the whole merged run.
    readiness: computeReadiness(files, rootDir),
  }
  return { run, warnings }
}
