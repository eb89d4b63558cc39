/**
 * One `mltest run`: discovery → selection (`--changed`, `--shard`) → the pool → reporters →
 * exit code. Exit codes: 0 all passed; 1 a test or file failed, a plugin or reporter failed,
 * or no tests were found (unless passWithNoTests, or a shard or `--changed` selected no
 * file, which is a normal outcome in CI); 2 is raised as a UsageError by the caller; 130 or
 * 143 when SIGINT or SIGTERM stopped the run (`interrupt.ts`), whose reports are still written.
 */
import { existsSync } from 'node:fs'
import { relative, resolve } from 'node:path'
import type { CollectedTest, FileResult } from '../protocol.ts'
import type { ShardSpec } from '../reporter.ts'
import { builtinReporters } from '../../reporters/index.ts'
import { changedFilesSince, selectAffected } from './changed.ts'
import { discoverTestFiles } from './discovery.ts'
import { planFailedFirst } from './last-failed.ts'
import { createPool, executePass, exitCodeOf, reportMinReadiness } from './execute-pass.ts'
import { cancelledReason, INTERRUPT_EXIT_CODES, RunInterruption } from './interrupt.ts'
import { createReporters, ReporterHost } from './reporter-host.ts'
import type { ResolvedConfig } from './resolve-config.ts'
import { readShardDurations, selectShard } from './shard.ts'
import { UsageError } from './usage-error.ts'
import { summaryLine } from '../summary.ts'
import { formatReadiness } from '../readiness.ts'

/** Narrowing of the discovered files, from the command line only. */
export interface RunSelection {
  shard?: ShardSpec
  /** A result file whose recorded durations balance the shards. */
  shardDurations?: string
  /** Only files affected by changes since this git ref. */
  changed?: string
  /** `mltest typecheck`: type-check the selected files, run nothing. */
  typecheckOnly?: boolean
}

export function checkSetupFiles(config: ResolvedConfig): void {
  for (const file of config.setupFiles) {
    if (!existsSync(file)) throw new UsageError(`setup file not found: ${file} — fix setupFiles in ${config.configFile ?? 'the config'}`)
  }
}

/** Applies `--changed` and `--shard`; `note` says why the selection is empty, if it is. */
export function selectFiles(config: ResolvedConfig, all: string[], selection: RunSelection, cwd: string): { files: string[]; note?: string } {
  if (selection.shardDurations && !selection.shard) throw new UsageError('--shard-durations needs --shard i/n — add --shard, or drop --shard-durations')
  let files = all
  let note: string | undefined
  if (selection.changed !== undefined) {
    const changed = changedFilesSince(selection.changed, config.rootDir)
    const picked = selectAffected(files, changed, config)
    files = picked.files
    if (picked.everything) process.stderr.write(`mltest: --changed: ${relative(cwd, picked.everything)} changed, which can affect every test — running all ${files.length} files\n`)
    if (files.length === 0) note = `no test file is affected by changes since ${selection.changed}`
  }
  if (selection.shard) {
    const durations = selection.shardDurations ? readShardDurations(resolve(cwd, selection.shardDurations), selection.shardDurations) : undefined
    files = selectShard(files, selection.shard, config.rootDir, durations)
    if (files.length === 0) note ??= `shard ${selection.shard.index}/${selection.shard.count} has no test files (there are fewer files than shards)`
  }
  return { files, note }
}

/** `mltest run`: resolves to the exit code. */
export async function runCommand(config: ResolvedConfig, paths: string[], cwd: string, selection: RunSelection = {}): Promise<number> {
  checkSetupFiles(config)
  // --pass-with-no-tests covers a glob that matches nothing too (as in jest and vitest).
  const onEmptyGlob = config.passWithNoTests ? (glob: string) => process.stderr.write(`mltest: no test files match the glob "${glob}" (--pass-with-no-tests)\n`) : undefined
  const discovered = discoverTestFiles({ rootDir: config.rootDir, paths, cwd, include: config.include, exclude: config.exclude, onEmptyGlob })
  let { files, note } = selectFiles(config, discovered, selection, cwd)
  if (config.shuffle) {
    const { createRng, deriveSeed } = await import('../seed.ts')
    files = createRng(deriveSeed(config.seed, 'file-order')).shuffle(files)
  }
  // --last-failed / --failed-first, after --changed and --shard so every shard narrows its own files.
  const failures = planFailedFirst(config, files, config.lastFailed ? 'only' : config.failedFirst ? 'first' : undefined, (line) => process.stderr.write(`mltest: ${line}\n`))
  files = failures.files
  // --typecheck (or `mltest typecheck`): type errors become errors on their files, before anything runs.
  const typecheck = config.typecheck || selection.typecheckOnly ? await (await import('./typecheck.ts')).typecheckFiles(files, config.rootDir) : undefined
  if (typecheck) process.stderr.write(`mltest: ${(await import('./typecheck.ts')).typecheckSummary(typecheck, config.rootDir)}\n`)
  if (selection.typecheckOnly) files = []
  const host = new ReporterHost(createReporters(config.list ? [] : config.reporters, config.reporterRegistry ?? builtinReporters, { rootDir: config.rootDir, color: config.color }, cwd))
  const workers = Math.max(1, Math.min(config.workers, files.length || 1))
  // Before the pool: its workers read where to write coverage when they start (core/node/coverage.ts).
  const coverage = files.length > 0 && !config.list && (config.collectCoverage || config.coverage.enabled) ? await (await import('./coverage.ts')).startCoverage(config) : undefined
  const pool = files.length > 0 ? createPool(config, workers) : undefined
  const interruption = new RunInterruption()
  let outcome
  try {
    outcome = await executePass({
      config, files, pool, workers, host, shard: selection.shard, announceConfig: true, interrupt: interruption.abortSignal, grepFor: failures.grepFor, runFirstFor: failures.runFirstFor, fileErrors: typecheck?.errors,
    })
  } finally {
    await pool?.close()
    interruption.dispose()
  }
  if (config.list) {
    const code = printList(outcome.listed, config, outcome.run.files)
    return interruption.signal ? INTERRUPT_EXIT_CODES[interruption.signal] : code
  }

  const { run } = outcome
  if (!selection.typecheckOnly) failures.record(run.files)
  const s = run.summary
  const anyTests = s.passed + s.failed + s.skipped + s.todo + s.inconclusive > 0
  // --last-failed whose remembered tests were all deleted or renamed: they are forgotten now, and that is no error.
  if (!anyTests && failures.narrowed) note ??= '--last-failed: the tests that failed last time no longer exist (deleted or renamed) — forgotten; the next run with --last-failed runs all tests'
  if (note) process.stderr.write(`mltest: ${note}\n`)
  const noTests = !anyTests && s.fileErrors === 0 && run.runErrors.length === 0 && !config.passWithNoTests && note === undefined && !selection.shard && !selection.typecheckOnly
  if (noTests) {
    process.stderr.write(`mltest: no tests found${paths.length ? ` in ${paths.join(' ')}` : ''} — check the paths, --grep/--tag filters or the config's include, or pass --pass-with-no-tests\n`)
  }
  for (const error of host.errors) process.stderr.write(`mltest: ${error}\n`)
  // With only file reporters (e.g. `--reporter junit:out.xml`) or the github reporter (which
  // prints annotations only), stdout is free: the closing line still tells a person or a
  // script what happened, also when no test was found.
  if (config.reporters.every((spec) => writesToFile(spec) || (spec as { name?: unknown }).name === 'github')) {
    for (const error of run.runErrors) process.stderr.write(`mltest: ${error}\n`)
    // No console reporter prints the ledger, so --readiness prints it here.
    if (config.readiness && run.readiness) process.stdout.write(`${formatReadiness(run.readiness)}\n`)
    process.stdout.write(`${summaryLine(s)}\n`)
  }
  reportMinReadiness(run)
  let coverageBreaches: string[] = []
  try {
    coverageBreaches = coverage ? await coverage.report() : []
  } catch (error) {
    // The run's own verdict stands; the reports could not be written.
    process.stderr.write(`mltest: coverage reports could not be written: ${(error as Error).message.split('\n')[0]}\n`)
    coverageBreaches = ['coverage: no reports (see above)']
  }
  for (const line of coverageBreaches) process.stderr.write(`mltest: ${line}\n`)
  if (interruption.signal) {
    const cancelled = run.files.reduce((n, f) => n + f.tests.filter((t) => t.state === 'skipped' && t.reason === cancelledReason(interruption.signal!)).length, 0)
    process.stderr.write(`mltest: interrupted by ${interruption.signal}: ${cancelled} test${cancelled === 1 ? '' : 's'} cancelled, ${run.notRun.length} file${run.notRun.length === 1 ? '' : 's'} not started\n`)
    return INTERRUPT_EXIT_CODES[interruption.signal]
  }
  return noTests || coverageBreaches.length > 0 ? 1 : exitCodeOf(run, host.errors)
}

function writesToFile(spec: ResolvedConfig['reporters'][number]): boolean {
  const named = spec as { name?: unknown; outputFile?: unknown }
  return typeof named.name === 'string' && named.name !== 'console' && typeof named.outputFile === 'string'
}

function printList(listed: Array<[string, CollectedTest[]]>, config: ResolvedConfig, files: FileResult[]): number {
  let count = 0
  for (const [file, tests] of listed.sort((a, b) => a[0].localeCompare(b[0]))) {
    for (const test of tests) {
      count++
      const tags = test.tags.length ? ` [${test.tags.join(', ')}]` : ''
      const modes = [...(test.mode === 'run' ? [] : [test.mode]), ...(test.expectFail ? ['fails'] : [])]
      const mode = modes.length ? ` (${modes.join(', ')})` : ''
      process.stdout.write(`${relative(config.rootDir, file)} > ${test.fullName}${tags}${mode}\n`)
    }
  }
  for (const file of files) {
    for (const error of file.errors) process.stderr.write(`mltest: ${relative(config.rootDir, file.file)}: ${error.message}\n`)
  }
  process.stdout.write(`mltest: ${count} test${count === 1 ? '' : 's'} collected\n`)
  const errors = files.some((f) => f.errors.length > 0)
  return errors || (count === 0 && !config.passWithNoTests) ? 1 : 0
}
