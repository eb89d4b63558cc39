/**
 * The `release` plugin: the `mltest release accept` command, which acknowledges dependency
 * changes by recording the current dependency set in the baseline with a reason, who and when.
 * Registered in every run, so its module imports nothing heavy: the command loads when run.
 */
import type { Plugin } from 'mltest/plugin'

export function releasePlugin(): Plugin {
  return {
    name: 'release',
    commands: [
      {
        name: 'release',
        description:
          'release safety. accept: record the current dependency set (lockfile packages, tracked files) as the baseline checkDependencies compares with, ' +
          'with a reason and who/when. Usage: accept --baseline FILE --reason TEXT [--file PATH...] [--lockfile FILE] [--by NAME]',
        arguments: ['[subcommand]'],
        options: [
          { flags: '--baseline <file>', description: '(accept) the dependency baseline file to create or update (commit it with the code)' },
          { flags: '--reason <text>', description: '(accept) why the changes are safe; recorded in the baseline' },
          { flags: '--file <paths...>', description: '(accept) data and upstream schema files to track by content (default: the ones the baseline tracks)' },
          { flags: '--lockfile <file>', description: '(accept) the npm lockfile (default: the one the baseline names, else the nearest package-lock.json)' },
          { flags: '--by <name>', description: "(accept) who accepts (default: git's user.name <user.email>)" },
        ],
        async run(args, flags, context) {
          const { releaseCommand } = await import('./_internals/release-command.ts')
          return releaseCommand(args, flags, context)
        },
      },
    ],
  }
}
