/**
 * `mltest release accept`: acknowledges dependency changes. Bad usage (no subcommand, an
 * unknown one, a missing --baseline or --reason, a tracked file that does not exist, a corrupt
 * baseline) is one line and exit 2, before any file is written.
 */
import { relative } from 'node:path'
import { UsageError, type CommandContext } from 'mltest/plugin'
import { acceptDependencies } from '../dependencies.ts'
import { describeChange } from './dependency-diff.ts'

const SUBCOMMANDS = ['accept'] as const
const USAGE = 'mltest release accept --baseline FILE --reason "why" [--file PATH...] [--lockfile FILE] [--by NAME]'

export function releaseCommand(args: string[], flags: Record<string, unknown>, context: CommandContext): number {
  const [subcommand, ...rest] = args
  if (subcommand === undefined) throw new UsageError(`give a subcommand: ${USAGE}`)
  if (!(SUBCOMMANDS as readonly string[]).includes(subcommand)) throw new UsageError(`unknown subcommand "${subcommand}" (known: ${SUBCOMMANDS.join(', ')}); usage: ${USAGE}`)
  if (rest.length > 0) throw new UsageError(`release accept takes no arguments (got ${rest.join(' ')}); give tracked files with --file`)
  if (typeof flags.baseline !== 'string' || flags.baseline === '') throw new UsageError(`release accept needs --baseline FILE (the file checkDependencies({ baseline }) reads); usage: ${USAGE}`)
  if (typeof flags.reason !== 'string' || flags.reason.trim() === '') throw new UsageError(`release accept needs --reason "why the changes are safe": it is recorded in the baseline with who and when`)
  let result
  try {
    result = acceptDependencies({
      baseline: flags.baseline,
      reason: flags.reason,
      cwd: context.cwd,
      ...(Array.isArray(flags.file) ? { files: flags.file.map(String) } : {}),
      ...(typeof flags.lockfile === 'string' ? { lockfile: flags.lockfile } : {}),
      ...(typeof flags.by === 'string' ? { by: flags.by } : {}),
    })
  } catch (error) {
    if (error instanceof TypeError) throw new UsageError(error.message)
    throw error
  }
  const shown = relative(context.cwd, result.baselinePath) || result.baselinePath
  if (!result.acceptance) {
    context.stdout(`${shown}: no dependency change since the baseline; left as it is\n`)
    return 0
  }
  const who = `by ${result.acceptance.by} at ${result.acceptance.at}: "${result.acceptance.reason}"`
  if (result.created) {
    context.stdout(`${shown}: baseline created ${who}\n  ${result.acceptance.changes.join('\n  ')}\n`)
    return 0
  }
  const lines = result.changes.map(describeChange)
  context.stdout(`${shown}: ${result.changes.length} change(s) accepted ${who}\n${lines.map((l) => `  ${l}`).join('\n')}\n`)
  return 0
}
