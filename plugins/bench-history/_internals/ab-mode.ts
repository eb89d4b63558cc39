/**
 * A/B mode: `mltest bench --ab REF [paths]` measures the code at a git ref (A) against the
 * working tree (B); `mltest bench --ab-model OLD.onnx` measures an older model file (A) against
 * the current one (B) with the same code. Both arms run the bench-tagged tests in alternating
 * child runs — A B, B A, A B, ... for `--ab-rounds` rounds — and every benchmark found in both
 * is judged by `compareAb` (within-run tests on the pooled samples, and a paired test over the
 * rounds). Nothing is stored in the history: A/B verdicts compare two versions now, not a
 * version with the past.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, isAbsolute, join, relative, resolve } from 'node:path'
import { deriveSeed, UsageError, type CommandContext } from 'mltest/plugin'
import { compareAb, AB_MIN_ROUNDS, pooledRounds } from './ab-compare.ts'
import { AB_MODEL_ENV, type ModelSwap } from './ab-model-swap.ts'
import type { BenchOptions } from './bench-options.ts'
import { collectBenchmarks, type CollectedBenchmark } from './collect-benchmarks.ts'
import { worstChange } from './compare.ts'
import { comparisonTable } from './format-report.ts'
import { changesOf, minEffectFor, type BenchmarkJudgement } from './judge-run.ts'
import { runBenchmarkTests } from './run-benchmark-tests.ts'

export const AB_DEFAULT_ROUNDS = 5
const AB_MAX_ROUNDS = 50

export interface AbFlags {
  ab?: string
  abModel?: string
  abRounds?: string
}

function parseRounds(text: string | undefined): number {
  if (text === undefined) return AB_DEFAULT_ROUNDS
  const rounds = Number(text)
  if (!Number.isInteger(rounds) || rounds < AB_MIN_ROUNDS || rounds > AB_MAX_ROUNDS) {
    throw new UsageError(`--ab-rounds must be an integer from ${AB_MIN_ROUNDS} to ${AB_MAX_ROUNDS} (got "${text}"): the paired test over the rounds needs at least ${AB_MIN_ROUNDS}`)
  }
  return rounds
}

interface Arm {
  label: string
  /** `--ab-model`: the older model file (copied), to check the swap happened. */
  oldModel?: string
  oldModelSha?: string
  cwd: string
  configFile?: string
  env?: Record<string, string>
}

function git(cwd: string, args: string[]): string | null {
  const out = spawnSync('git', args, { cwd, encoding: 'utf8' })
  return out.status === 0 ? out.stdout.trim() : null
}

/** The code at `ref`, unpacked from git into `scratch` with the project's node_modules linked in. */
function checkoutArm(ref: string, context: CommandContext, scratch: string): { arm: Arm; describe: string } {
  const top = git(context.rootDir, ['rev-parse', '--show-toplevel'])
  if (top === null) throw new UsageError(`--ab ${ref}: ${context.rootDir} is not in a git work tree — use --ab-model OLD.onnx to compare model files, or run inside the repository`)
  const sha = git(top, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`])
  if (sha === null) throw new UsageError(`--ab ${ref}: not a commit in ${top} — give a branch, tag or commit (e.g. --ab main or --ab HEAD~1)`)
  const tree = join(scratch, 'a')
  mkdirSync(tree)
  // git archive: the tracked files at that commit, without touching the repository's worktrees.
  const archive = execFileSync('git', ['archive', '--format=tar', sha], { cwd: top, maxBuffer: 1 << 30 })
  execFileSync('tar', ['-x', '-C', tree], { input: archive })
  const inTree = (path: string) => {
    const rel = relative(top, path)
    return rel.startsWith('..') || isAbsolute(rel) ? path : join(tree, rel)
  }
  // Dependencies: the A arm uses the installed node_modules (its lockfile may differ: said in the header).
  for (const dir of new Set([top, context.rootDir])) {
    const modules = join(dir, 'node_modules')
    const target = inTree(modules)
    if (existsSync(modules) && !existsSync(target)) symlinkSync(modules, target, 'dir')
  }
  const dirty = git(top, ['status', '--porcelain', '--untracked-files=no'])
  const cwd = inTree(context.cwd)
  if (!existsSync(cwd)) throw new UsageError(`--ab ${ref}: the folder ${relative(top, context.cwd) || '.'} does not exist at ${sha.slice(0, 7)}`)
  const configFile = context.configFile ? inTree(context.configFile) : undefined
  if (configFile && !existsSync(configFile)) throw new UsageError(`--ab ${ref}: the config ${relative(top, context.configFile!)} does not exist at ${sha.slice(0, 7)}`)
  return {
    arm: { label: `A (${ref} @ ${sha.slice(0, 7)})`, cwd, configFile },
    describe: `A = ${ref} (${sha.slice(0, 7)}), B = the working tree${dirty ? ' (with uncommitted changes)' : ''}; both use the installed node_modules`,
  }
}

function modelArm(spec: string, context: CommandContext, scratch: string): { arm: Arm; describe: string } {
  const at = spec.indexOf('=')
  const target = at === -1 ? undefined : resolve(context.cwd, spec.slice(0, at))
  const oldGiven = at === -1 ? spec : spec.slice(at + 1)
  const old = resolve(context.cwd, oldGiven)
  if (!existsSync(old) || !statSync(old).isFile()) throw new UsageError(`--ab-model: ${old} is not a file — give the older model, e.g. --ab-model models/v1/model.onnx (or CURRENT.onnx=OLD.onnx)`)
  const name = basename(target ?? old)
  // The old model is copied under the current one's file name, so both arms name the benchmark alike.
  mkdirSync(join(scratch, 'model'))
  const copy = join(scratch, 'model', name)
  copyFileSync(old, copy)
  const swap: ModelSwap = { target, name, old: copy }
  return {
    arm: { label: `A (${oldGiven})`, oldModel: copy, oldModelSha: createHash('sha256').update(readFileSync(copy)).digest('hex'), cwd: context.cwd, configFile: context.configFile, env: { [AB_MODEL_ENV]: JSON.stringify(swap) } },
    describe: `A = ${oldGiven} standing in for ${target ? relative(context.cwd, target) : `every benchmarked model named ${name}`}, B = the current model; same code`,
  }
}

export async function runAb(paths: string[], passThrough: string[], flags: Record<string, unknown> & AbFlags, options: BenchOptions, context: CommandContext): Promise<number> {
  if (flags.ab !== undefined && flags.abModel !== undefined) throw new UsageError('--ab and --ab-model are two A/B modes: give one (a git ref, or an older model file)')
  for (const [key, flag] of [['baseline', '--baseline'], ['saveBaseline', '--save-baseline'], ['allowFingerprintMismatch', '--allow-fingerprint-mismatch']] as const) {
    if (flags[key] !== undefined) throw new UsageError(`${flag} does not apply to A/B mode: --ab compares two versions measured now and stores nothing in the history`)
  }
  const rounds = parseRounds(flags.abRounds)
  const scratch = mkdtempSync(join(tmpdir(), 'mltest-ab-'))
  try {
    const { arm: a, describe } = flags.ab !== undefined ? checkoutArm(flags.ab, context, scratch) : modelArm(flags.abModel!, context, scratch)
    const b: Arm = { label: 'B (current)', cwd: context.cwd, configFile: context.configFile }
    context.stdout(`mltest bench A/B: ${describe}; ${rounds} rounds, alternating (A B, B A, ...); nothing is stored in the history\n`)
    const measured: Record<'A' | 'B', Array<Map<string, CollectedBenchmark>>> = { A: [], B: [] }
    const skippedLines = new Set<string>()
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? (['A', 'B'] as const) : (['B', 'A'] as const)
      for (const side of order) {
        const arm = side === 'A' ? a : b
        const resultPath = join(scratch, `result-${round}-${side}.json`)
        const output: string[] = []
        const started = Date.now()
        const child = await runBenchmarkTests({ cwd: arm.cwd, configFile: arm.configFile, paths, passThrough, resultPath, env: arm.env, stdout: (t) => output.push(t), stderr: (t) => output.push(t) })
        if (child.code !== 0) {
          context.stderr(output.join(''))
          if (child.code === 2) return 2
          context.stderr(`mltest bench A/B: the run of ${arm.label} in round ${round + 1} failed (${child.signal ? `signal ${child.signal}` : `exit code ${child.code}`}), see its output above; no verdict\n`)
          return 1
        }
        const collected = collectBenchmarks(resultPath)
        if (side === 'A' && a.oldModel !== undefined && measured.A.length === 0 && !collected.benchmarks.some((x) => x.subject.sha256 === a.oldModelSha)) {
          context.stderr(`mltest bench A/B: --ab-model ${flags.abModel} replaced no benchmarked model (the first A run did not measure it) — benchOnnx must be given the model's path (not a session) with the same file name, or name the model it replaces: --ab-model CURRENT.onnx=OLD.onnx\n`)
          return 2
        }
        for (const line of collected.skipped) skippedLines.add(`${side}: ${line}`)
        measured[side].push(new Map(collected.benchmarks.map((x) => [x.identity, x])))
        context.stdout(`  round ${round + 1}/${rounds} · ${arm.label}: ${collected.benchmarks.length} benchmark(s) in ${((Date.now() - started) / 1000).toFixed(1)} s\n`)
      }
    }
    for (const line of skippedLines) context.stdout(`mltest bench: ${line}\n`)
    const identities = [...new Set(measured.B.flatMap((m) => [...m.keys()]))]
    const judgements: BenchmarkJudgement[] = []
    const onlyOne: string[] = []
    for (const identity of identities) {
      const aRounds = measured.A.map((m) => m.get(identity))
      const bRounds = measured.B.map((m) => m.get(identity))
      if (aRounds.some((x) => !x) || bRounds.some((x) => !x)) {
        onlyOne.push(identity)
        continue
      }
      const aList = aRounds as CollectedBenchmark[]
      const bList = bRounds as CollectedBenchmark[]
      const current = pooledRounds(bList)
      const minEffect = minEffectFor(current, options)
      const rows = compareAb(aList, bList, { alpha: options.alpha, minEffect, floorMs: options.floorUs / 1000, seed: deriveSeed(0, identity) })
      const notes = aList[0]!.subjectHash === current.subjectHash ? [] : [`A measured ${subjectText(aList[0]!)}; B ${subjectText(current)}`]
      judgements.push({ benchmark: current, status: 'compared', rows, baseline: 'A', baselineRuns: rounds, minEffect, notes })
    }
    for (const identity of measured.A.flatMap((m) => [...m.keys()])) if (!identities.includes(identity) && !onlyOne.includes(identity)) onlyOne.push(identity)
    if (judgements.length === 0) {
      context.stderr(`mltest bench A/B: no benchmark was measured in every run of both arms${onlyOne.length ? ` (only in some runs: ${onlyOne.join(', ')})` : ''} — tag benchmark tests { tags: ['bench'] } and measure them with bench() or benchOnnx()\n`)
      return 2
    }
    context.stdout(`\n${comparisonTable(judgements, options)}\n`)
    for (const j of judgements) for (const note of j.notes) context.stdout(`  ${j.benchmark.identity}: ${note}\n`)
    for (const identity of onlyOne) context.stdout(`  ${identity}: not measured in every run of both arms, not compared\n`)
    context.stdout(
      `statistics: within the runs, A's pooled samples against B's (Mann-Whitney U + Hodges-Lehmann for p50, percentile bootstrap for p99 and throughput); ` +
        `between the runs, a paired Student-t over the ${rounds} rounds on the log ratio of each round's statistic; the larger p and the wider interval count (peak rss: the paired test alone, 1 MiB floor). ` +
        `A change counts when p < ${options.alpha}, the interval excludes 1, the estimate is at least the min effect and at least ${options.floorUs} µs.\n`,
    )
    const { gated, outside } = changesOf(judgements, options.gate)
    const count = (c: string) => gated.filter((x) => x === c).length
    const beyond = ['regressed', 'improved', 'inconclusive'].map((c) => [c, outside.filter((x) => x === c).length] as const).filter(([, n]) => n > 0)
    context.stdout(
      `mltest bench A/B: ${judgements.length} benchmark(s), B against A · ${count('regressed')} regressed · ${count('improved')} improved · ${count('unchanged')} unchanged · ${count('inconclusive')} inconclusive (gate: ${options.gate.join(', ')})${beyond.length ? ` · outside the gate: ${beyond.map(([c, n]) => `${n} ${c}`).join(', ')}` : ''}\n`,
    )
    const worst = worstChange(gated)
    if (worst === 'regressed') return 1
    if (gated.includes('inconclusive') && flags.failOnInconclusive) return 1
    return 0
  } finally {
    rmSync(scratch, { recursive: true, force: true })
  }
}

function subjectText(b: CollectedBenchmark): string {
  const sha = b.subject.modelSha256 ?? b.subject.sha256
  return typeof sha === 'string' ? `model sha256 ${sha.slice(0, 12)}` : `subject ${b.subjectHash.slice(0, 12)}`
}
