/**
 * `mltest bench` and its subcommands, dispatched on the first argument: `history [name]`,
 * `export --out FILE`, `import FILE`; anything else is `mltest bench [paths] [-- run flags]`.
 * Each flag belongs to some of them; one given to another is a usage error, not ignored.
 */
import { resolve } from 'node:path'
import { UsageError, type CommandContext } from 'mltest/plugin'
import { historyTable } from './history-table.ts'
import { historyToJson, mergeExport, readExport, writeExport } from './history-travel.ts'
import { openHistory } from './history-store.ts'
import { historyPath, runAndCompare } from './run-and-compare.ts'

const SUBCOMMANDS = ['history', 'export', 'import'] as const
type Subcommand = (typeof SUBCOMMANDS)[number] | 'run'

/** Flags only some subcommands take (the history's own options apply to all). */
const FLAG_OWNERS: Record<string, { flag: string; owners: Subcommand[] }> = {
  baseline: { flag: '--baseline', owners: ['run'] },
  saveBaseline: { flag: '--save-baseline', owners: ['run'] },
  allowFingerprintMismatch: { flag: '--allow-fingerprint-mismatch', owners: ['run'] },
  failOnInconclusive: { flag: '--fail-on-inconclusive', owners: ['run'] },
  ab: { flag: '--ab', owners: ['run'] },
  abModel: { flag: '--ab-model', owners: ['run'] },
  abRounds: { flag: '--ab-rounds', owners: ['run'] },
  out: { flag: '--out', owners: ['export'] },
  limit: { flag: '--limit', owners: ['history'] },
}

function checkFlags(subcommand: Subcommand, flags: Record<string, unknown>): void {
  for (const [key, { flag, owners }] of Object.entries(FLAG_OWNERS)) {
    if (flags[key] !== undefined && !owners.includes(subcommand)) {
      throw new UsageError(`${flag} belongs to ${owners.map((o) => (o === 'run' ? 'mltest bench' : `mltest bench ${o}`)).join(', ')}, not to ${subcommand === 'run' ? 'mltest bench' : `mltest bench ${subcommand}`}`)
    }
  }
}

export async function benchCommand(args: string[], flags: Record<string, unknown>, context: CommandContext): Promise<number> {
  const first = args[0]
  const subcommand: Subcommand = (SUBCOMMANDS as readonly string[]).includes(first ?? '') ? (first as Subcommand) : 'run'
  checkFlags(subcommand, flags)
  if (subcommand === 'run') return runAndCompare(args, flags, context)
  const rest = args.slice(1)
  const { path } = historyPath(context, flags)

  if (subcommand === 'history') {
    if (rest.length > 1) throw new UsageError(`bench history takes at most one benchmark name, got ${rest.length}: ${rest.join(' ')}`)
    const limit = flags.limit === undefined ? 10 : Number(flags.limit)
    if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit must be a positive integer (got "${String(flags.limit)}")`)
    const store = await openHistory(path, { mode: 'existing' })
    try {
      context.stdout(`${path}: the last ${limit} runs\n${historyTable(store, rest[0], limit)}\n`)
    } finally {
      store.close()
    }
    return 0
  }

  if (subcommand === 'export') {
    if (rest.length > 0) throw new UsageError(`bench export takes no arguments (got ${rest.join(' ')}); give the file with --out FILE`)
    if (typeof flags.out !== 'string') throw new UsageError('bench export needs --out FILE (e.g. --out history.json)')
    const out = resolve(context.cwd, flags.out)
    const store = await openHistory(path, { mode: 'existing' })
    try {
      const data = historyToJson(store)
      writeExport(out, data)
      const benchmarks = data.runs.reduce((n, r) => n + r.benchmarks.length, 0)
      context.stdout(`exported ${data.runs.length} run(s) with ${benchmarks} benchmark measurement(s) and ${data.baselines.length} named baseline(s) from ${path} to ${out}\n`)
    } finally {
      store.close()
    }
    return 0
  }

  if (rest.length !== 1) throw new UsageError(`bench import takes one file written by "mltest bench export" (got ${rest.length} arguments)`)
  const data = readExport(resolve(context.cwd, rest[0]!))
  const store = await openHistory(path, { mode: 'create' })
  try {
    const { added, skipped, baselinesAdded } = mergeExport(store, data)
    context.stdout(`imported ${added} new run(s) into ${path} (${skipped} already there), ${baselinesAdded} named baseline(s) added\n`)
  } finally {
    store.close()
  }
  return 0
}
