/**
 * `mltest bench [paths] [-- run flags]`: runs the bench-tagged tests, compares every
 * benchmark with its baseline, stores the run with its verdicts in one transaction, prints
 * the table, and returns the exit code: 1 on a regression (or an inconclusive verdict with
 * --fail-on-inconclusive, or a failed benchmark test), 2 on bad input, else 0.
 */
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { UsageError, type CommandContext } from 'mltest/plugin'
import { runAb, type AbFlags } from './ab-mode.ts'
import { resolveBenchOptions } from './bench-options.ts'
import { collectBenchmarks, type CollectedRun } from './collect-benchmarks.ts'
import { worstChange } from './compare.ts'
import { gitState, hashOf, machineFingerprint } from './fingerprint.ts'
import { comparisonTable, methodLine } from './format-report.ts'
import { openHistory, type RunEntry, type VerdictEntry } from './history-store.ts'
import { changesOf, judgeBenchmark, type BenchmarkJudgement } from './judge-run.ts'
import { mltestVersion, runBenchmarkTests } from './run-benchmark-tests.ts'

export interface BenchFlags {
  baseline?: string
  saveBaseline?: string
  allowFingerprintMismatch?: boolean
  failOnInconclusive?: boolean
}

/** The history file: a flag is relative to the current folder, the config value to the project root. */
export function historyPath(context: CommandContext, flags: Record<string, unknown>): { path: string; options: ReturnType<typeof resolveBenchOptions> } {
  const options = resolveBenchOptions(context.options, flags)
  return { path: resolve(options.historyFromFlag ? context.cwd : context.rootDir, options.history), options }
}

/** Paths come first; the first argument that starts with `-` (after `--`) begins the flags for `mltest run`. */
export function splitArgs(args: readonly string[]): { paths: string[]; passThrough: string[] } {
  const at = args.findIndex((a) => a.startsWith('-'))
  return at === -1 ? { paths: [...args], passThrough: [] } : { paths: args.slice(0, at), passThrough: args.slice(at) }
}

function verdictEntries(j: BenchmarkJudgement): VerdictEntry[] {
  return j.rows.map((r) => ({ metric: r.metric, verdict: r.verdict, baselineValue: r.baseline, currentValue: r.current, ratio: r.ratio, ratioLow: r.ratioLow, ratioHigh: r.ratioHigh, p: r.p, reason: r.reason, baseline: j.baseline }))
}

export async function runAndCompare(args: string[], flags: Record<string, unknown> & BenchFlags & AbFlags, context: CommandContext): Promise<number> {
  const { path, options } = historyPath(context, flags)
  const { paths, passThrough } = splitArgs(args)
  if (flags.ab !== undefined || flags.abModel !== undefined) return runAb(paths, passThrough, flags, options, context)
  if (flags.abRounds !== undefined) throw new UsageError('--ab-rounds applies to A/B mode only: add --ab REF or --ab-model OLD.onnx')
  // Validate the history (and the named baseline) before spending minutes on benchmarks.
  const store = await openHistory(path, { mode: 'create' })
  try {
    const saved = flags.baseline === undefined ? undefined : store.baseline(flags.baseline)
    if (flags.baseline !== undefined && !saved) {
      const names = store.baselines().map((b) => b.name)
      throw new UsageError(`no baseline named "${flags.baseline}" in ${path} (saved: ${names.join(', ') || 'none'}) — save one with --save-baseline ${flags.baseline}`)
    }
    const scratch = mkdtempSync(join(tmpdir(), 'mltest-bench-'))
    let collected: CollectedRun
    let runCode: number
    try {
      const resultPath = join(scratch, 'result.json')
      const child = await runBenchmarkTests({ cwd: context.cwd, configFile: context.configFile, paths, passThrough, resultPath, stdout: context.stdout, stderr: context.stderr })
      if (child.code === 2) return 2 // the run refused its arguments and said why
      try {
        collected = collectBenchmarks(resultPath)
      } catch (error) {
        context.stderr(`mltest bench: the benchmark run ended (${child.signal ? `signal ${child.signal}` : `exit code ${child.code}`}) without a usable result, nothing was stored: ${(error as Error).message}\n`)
        return 1
      }
      runCode = child.code ?? 1
    } finally {
      rmSync(scratch, { recursive: true, force: true })
    }
    context.stdout('\n')
    for (const line of collected.skipped) context.stdout(`mltest bench: ${line}\n`)
    if (collected.benchmarks.length === 0) {
      context.stderr(`mltest bench: no benchmark was recorded${runCode === 0 ? ' — tag benchmark tests { tags: [\'bench\'] } and measure them with bench() or benchOnnx()' : ', and the run failed'}; nothing stored in ${path}\n`)
      return runCode === 0 ? 2 : runCode
    }
    const git = gitState(context.rootDir)
    const version = mltestVersion()
    const fingerprint = machineFingerprint(context.rootDir, version)
    const fingerprintHash = hashOf(fingerprint)
    const judgements = collected.benchmarks.map((benchmark) =>
      judgeBenchmark(benchmark, {
        store,
        options,
        fingerprint,
        fingerprintHash,
        branch: git.branch,
        baselineRunUid: saved?.runUid,
        baselineName: saved?.name,
        allowFingerprintMismatch: flags.allowFingerprintMismatch === true,
      }),
    )
    const run: RunEntry = {
      uid: randomUUID(),
      startedAt: collected.startedAt,
      recordedAt: new Date().toISOString(),
      git,
      fingerprint,
      fingerprintHash,
      mltestVersion: version,
      runExitCode: runCode,
      benchmarks: judgements.map((j) => ({ ...j.benchmark, verdicts: verdictEntries(j) })),
    }
    store.recordRun(run)
    if (flags.saveBaseline !== undefined) store.saveBaseline(flags.saveBaseline, run.uid, run.recordedAt)

    const where = git.commit ? ` · ${git.branch ?? 'detached'}@${git.commit.slice(0, 7)}${git.dirty ? ' (dirty)' : ''}` : ''
    context.stdout(`mltest bench · ${path}${where} · fingerprint ${fingerprintHash.slice(0, 8)}\n`)
    context.stdout(`${comparisonTable(judgements, options)}\n`)
    for (const j of judgements) for (const note of j.notes.filter((n) => j.status !== 'new' || n !== j.notes[0])) context.stdout(`  ${j.benchmark.identity}: ${note}\n`)
    const compared = judgements.filter((j) => j.status !== 'new')
    if (compared.length > 0) {
      const branch = git.branch === null ? 'outside git' : `on branch ${git.branch}`
      const described = flags.baseline !== undefined ? `baseline "${flags.baseline}"` : `up to the last ${options.baselineRuns} runs of each benchmark with the same fingerprint ${branch}`
      context.stdout(`baseline: ${described}; ${compared.map((j) => j.baselineRuns).join('/')} run(s) used\n`)
      if (flags.allowFingerprintMismatch) context.stdout('--allow-fingerprint-mismatch: baselines from another machine fingerprint were compared\n')
      context.stdout(`statistics: ${methodLine(options)}\n`)
    }
    const { gated, outside } = changesOf(judgements, options.gate)
    const count = (c: string) => gated.filter((x) => x === c).length
    const fresh = judgements.filter((j) => j.status === 'new').length
    const failedRun = runCode !== 0 ? ` · the benchmark run failed (exit ${runCode}): see above` : ''
    if (compared.length === 0) {
      context.stdout(`mltest bench: no baseline yet — ${fresh} benchmark(s) stored as the first run in ${path}; the next run compares with it${failedRun}\n`)
    } else {
      const beyond = ['regressed', 'improved', 'inconclusive'].map((c) => [c, outside.filter((x) => x === c).length] as const).filter(([, n]) => n > 0)
      const outsideText = beyond.length ? ` · outside the gate: ${beyond.map(([c, n]) => `${n} ${c}`).join(', ')}` : ''
      context.stdout(
        `mltest bench: ${judgements.length} benchmark(s) · ${count('regressed')} regressed · ${count('improved')} improved · ${count('unchanged')} unchanged · ${count('inconclusive')} inconclusive · ${fresh} new (gate: ${options.gate.join(', ')})${outsideText}${flags.saveBaseline !== undefined ? ` · saved as baseline "${flags.saveBaseline}"` : ''}${failedRun}\n`,
      )
    }
    const worst = worstChange(gated)
    if (runCode !== 0) return 1
    if (worst === 'regressed') return 1
    if (gated.includes('inconclusive') && flags.failOnInconclusive) return 1
    return 0
  } finally {
    store.close()
  }
}
