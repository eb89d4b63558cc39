/**
 * The `mltest` command line (commander): `run`, `watch`, `report`, `merge` and the commands
 * plugins add. Flags come from the option table and from plugin option schemas, so the
 * config is found and its plugins loaded before parsing. Bad input exits 2 with one line
 * naming the problem and the fix.
 */
import { dirname } from 'node:path'
import { Command, CommanderError } from 'commander'
import type { UserConfig } from '../config.ts'
import type { CommandContext, RegisteredPlugin } from '../hooks.ts'
import { setPluginOptions } from '../plugin-options.ts'
import { addOptionFlags, overridesOf } from './cli-options.ts'
import { dropOutputToClosedPipes } from './closed-output.ts'
import { findConfigFile, loadConfigFile } from './load-config.ts'
import { pluginsOf, resolveConfig } from './resolve-config.ts'
import { MLTEST_VERSION } from './run-info.ts'
import { parseShard } from './shard.ts'
import { UsageError } from './usage-error.ts'
import { MAX_READINESS_SCORE } from '../readiness.ts'

/** `--config PATH` read before commander runs, because plugins add flags. */
function configArg(argv: string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--config') return argv[i + 1]
    if (argv[i]!.startsWith('--config=')) return argv[i]!.slice('--config='.length)
  }
  return undefined
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value]
}

type Action = (command: 'run' | 'watch' | 'typecheck', paths: string[], opts: Record<string, unknown>) => Promise<void>

/** Options shared by `run` and `watch`: the option table's flags and every plugin's. */
function addRunOptions(command: Command, name: 'run' | 'watch', plugins: RegisteredPlugin[]): Command {
  command.option('--config <path>', 'config file (default: mltest.config.{ts,mts,js,mjs} in the current folder)').exitOverride()
  addOptionFlags(command, name, plugins)
  return command
}

const BUILTIN_COMMANDS = new Set(['run', 'watch', 'typecheck', 'report', 'merge', 'help'])

/** Adds each plugin's commands; a name taken by core or another plugin is a config error. */
function addPluginCommands(program: Command, plugins: RegisteredPlugin[], context: Omit<CommandContext, 'options'> & { pluginOptions(name: string): Record<string, unknown> }, setExit: (code: number) => void): void {
  const owners = new Map<string, string>()
  for (const plugin of plugins) {
    for (const command of plugin.commands ?? []) {
      if (BUILTIN_COMMANDS.has(command.name)) throw new UsageError(`plugin "${plugin.name}" adds a command "${command.name}", which mltest already has — rename the plugin's command`)
      const owner = owners.get(command.name)
      if (owner) throw new UsageError(`plugins "${owner}" and "${plugin.name}" both add a command "${command.name}" — rename one of them`)
      owners.set(command.name, plugin.name)
      const sub = program.command(command.name).description(`${command.description} [plugin ${plugin.name}]`).exitOverride()
      for (const argument of command.arguments ?? []) sub.argument(argument)
      for (const option of command.options ?? []) sub.option(option.flags, option.description, option.default)
      sub.action(async (...received: unknown[]) => {
        // commander passes each declared argument, then the options object, then the command.
        const opts = received[received.length - 2] as Record<string, unknown>
        const args = received.slice(0, received.length - 2).flatMap((a) => (Array.isArray(a) ? a.map(String) : a === undefined ? [] : [String(a)]))
        try {
          const code = await command.run(args, opts, { ...context, options: context.pluginOptions(plugin.name) })
          setExit(typeof code === 'number' ? code : 0)
        } catch (error) {
          if (error instanceof UsageError || (error as Error)?.name === 'UsageError') throw new UsageError(`${command.name}: ${(error as Error).message}`)
          process.stderr.write(`mltest ${command.name}: ${error instanceof Error ? error.message : String(error)}\n`)
          setExit(1)
        }
      })
    }
  }
}

function buildProgram(plugins: RegisteredPlugin[], onRun: Action, cwd: string, setExit: (code: number) => void): Command {
  const program = new Command('mltest')
    .description('A test framework for machine-learning systems')
    .version(MLTEST_VERSION, '-v, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()

  const run = program
    .command('run')
    .description('discover *.mltest.ts files and run them on a pool of workers')
    .argument('[paths...]', 'files, folders or globs (default: the config include, else the current folder)')
    .option('--shard <i/n>', 'run the i-th of n deterministic parts of the test files (CI machines)')
    .option('--shard-durations <results.json>', 'balance --shard by the file durations recorded in a JSON result')
    .option('--changed [ref]', 'run only test files affected by files changed since a git ref (default HEAD: uncommitted changes)')
  addRunOptions(run, 'run', plugins).action(async (paths: string[], opts: Record<string, unknown>) => onRun('run', paths, opts))

  const watch = program
    .command('watch')
    .description('run the tests, then rerun those affected by each file change (keys: a all, f failed, q quit)')
    .argument('[paths...]', 'files, folders or globs (default: the config include, else the current folder)')
  addRunOptions(watch, 'watch', plugins).action(async (paths: string[], opts: Record<string, unknown>) => onRun('watch', paths, opts))

  const typecheck = program
    .command('typecheck')
    .description('type-check the test files and what they import with the project\'s TypeScript and tsconfig (tsc --noEmit), without running them')
    .argument('[paths...]', 'files, folders or globs (default: the config include, else the current folder)')
  addRunOptions(typecheck, 'run', plugins).action(async (paths: string[], opts: Record<string, unknown>) => onRun('typecheck', paths, opts))

  const reportOptions = (opts: Record<string, unknown>) => ({
    reporters: (opts.reporter as string[] | undefined) ?? ['console'],
    color: opts.color === false ? false : process.env.NO_COLOR ? false : process.env.FORCE_COLOR ? process.env.FORCE_COLOR !== '0' : Boolean(process.stdout.isTTY),
    cwd,
    readiness: opts.readiness === true,
    ...(opts.minReadiness !== undefined ? { minReadiness: parseMinReadiness(String(opts.minReadiness)) } : {}),
  })
  program
    .command('report')
    .description('render reporters from a JSON result (--reporter json:PATH) without running tests, or the benchmark history with --history')
    .argument('[results.json]', 'a result written by --reporter json:PATH (or by mltest merge)')
    .option('--reporter <name[:path]>', 'reporter, repeatable (default: console)', collect)
    .option('--no-color', 'plain output without colours')
    .option('--readiness', 'print the readiness ledger of the result')
    .option('--min-readiness <n>', 'exit 1 when the readiness score is below n')
    .option('--history <path>', 'report the benchmark history (e.g. .mltest/history.db) instead: per benchmark, p50/p99/throughput/rss over the runs (--reporter html:trends.html)')
    .option('--limit <n>', '(with --history) how many of the latest runs to show (default: 100)')
    .exitOverride()
    .action(async (file: string | undefined, opts: Record<string, unknown>) => {
      const commands = await import('./report-command.ts')
      if (opts.history === undefined) {
        if (opts.limit !== undefined) throw new UsageError('--limit belongs to mltest report --history')
        if (file === undefined) throw new UsageError('mltest report needs a results.json (written by --reporter json:PATH), or --history PATH for the benchmark history')
        return setExit(await commands.reportCommand(file, reportOptions(opts)))
      }
      if (file !== undefined) throw new UsageError(`mltest report takes either a results.json or --history, not both (got ${file} and --history ${String(opts.history)})`)
      const limit = opts.limit === undefined ? undefined : Number(opts.limit)
      if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) throw new UsageError(`--limit must be a positive integer (got "${String(opts.limit)}")`)
      setExit(await commands.historyReportCommand(String(opts.history), { ...reportOptions(opts), limit }))
    })
  program
    .command('merge')
    .description('merge JSON results of shards into one report with correct totals')
    .argument('<results.json...>', 'results written by --reporter json:PATH, e.g. shard-*.json')
    .option('--reporter <name[:path]>', 'reporter, repeatable (default: console)', collect)
    .option('--no-color', 'plain output without colours')
    .option('--readiness', 'print the readiness ledger of the merged result')
    .option('--min-readiness <n>', 'exit 1 when the merged readiness score is below n')
    .exitOverride()
    .action(async (files: string[], opts: Record<string, unknown>) => setExit(await (await import('./report-command.ts')).mergeCommand(files, reportOptions(opts))))
  return program
}

/** `--min-readiness` of `report` and `merge`, validated like `run`'s (the option table's schema). */
function parseMinReadiness(text: string): number {
  const n = text.trim() === '' ? NaN : Number(text)
  if (!Number.isInteger(n) || n < 0 || n > MAX_READINESS_SCORE) {
    throw new UsageError(`--min-readiness must be a whole number from 0 to ${MAX_READINESS_SCORE} (the most automated practices the smallest stage has), got "${text}"`)
  }
  return n
}

/** Runs the CLI; resolves to the process exit code. */
export async function main(argv: string[], cwd = process.cwd()): Promise<number> {
  let exitCode = 0
  dropOutputToClosedPipes()
  try {
    const configFile = findConfigFile(cwd, configArg(argv))
    const userConfig: UserConfig | undefined = configFile ? await loadConfigFile(configFile) : undefined
    const plugins = pluginsOf(userConfig)
    const program = buildProgram(
      plugins,
      async (command, paths, opts) => {
        const config = resolveConfig(cwd, configFile, userConfig, overridesOf(opts, plugins))
        setPluginOptions(config.pluginOptions)
        const { builtinReporters } = await import('../../reporters/index.ts')
        const { loadReporterRegistry } = await import('./load-reporters.ts')
        // Reporter modules named in the config resolve from its folder, those on the command line from cwd.
        config.reporterRegistry = await loadReporterRegistry(config.reporters, builtinReporters, opts.reporter ? cwd : config.rootDir)
        if (command === 'watch') {
          exitCode = await (await import('./watch.ts')).watchTests(config, paths, cwd)
          return
        }
        const changed = opts.changed === true ? 'HEAD' : (opts.changed as string | undefined)
        const shard = opts.shard === undefined ? undefined : parseShard(String(opts.shard))
        // The run graph (piscina, reporters) loads only when a command needs it: --help,
        // --version and usage errors stay fast.
        const { runCommand } = await import('./run-command.ts')
        exitCode = await runCommand(config, paths, cwd, { shard, shardDurations: opts.shardDurations as string | undefined, changed, typecheckOnly: command === 'typecheck' })
      },
      cwd,
      (code) => (exitCode = code),
    )
    const pluginOptionsOf = (name: string) => {
      const all = resolveConfig(cwd, configFile, userConfig, {}).pluginOptions
      setPluginOptions(all)
      return all[name] ?? {}
    }
    const io = { stdout: (text: string) => void process.stdout.write(text), stderr: (text: string) => void process.stderr.write(text) }
    addPluginCommands(program, plugins, { cwd, rootDir: configFile ? dirname(configFile) : cwd, configFile, ...io, pluginOptions: pluginOptionsOf }, (code) => (exitCode = code))
    if (argv.length === 0) {
      program.outputHelp()
      return 2
    }
    await program.parseAsync(argv, { from: 'user' })
    return exitCode
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version exit 0; commander has printed the problem for the rest.
      return error.exitCode === 0 ? 0 : 2
    }
    if (error instanceof UsageError) {
      process.stderr.write(`mltest: ${error.message}\n`)
      return 2
    }
    process.stderr.write(`mltest: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
    return 2
  }
}
