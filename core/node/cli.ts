/**
 * The `mltest` command line (commander): `run`, `watch`, `report` and `merge`. Plugin
 * options become flags named `--<plugin>-<option>`, so the config is found and its plugins
 * loaded before parsing. Bad input exits 2 with one line naming the problem and the fix.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander'
import type { UserConfig } from '../config.ts'
import type { Plugin } from '../hooks.ts'
import { findConfigFile, loadConfigFile } from './load-config.ts'
import { pluginsOf, resolveConfig, type CliOverrides } from './resolve-config.ts'
import { MLTEST_VERSION } from './run-info.ts'
import { parseShard } from './shard.ts'
import { UsageError } from './usage-error.ts'

function intOption(name: string, min: number) {
  return (value: string) => {
    const n = Number(value)
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be an integer >= ${min} (got "${value}")`)
    return n
  }
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value]
}

/** `--config PATH` read before commander runs, because plugins add flags. */
function configArg(argv: string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--config') return argv[i + 1]
    if (argv[i]!.startsWith('--config=')) return argv[i]!.slice('--config='.length)
  }
  return undefined
}

function flagName(plugin: string, option: string): string {
  return `${plugin}-${option}`.replace(/[A-Z]/g, (ch) => `-${ch.toLowerCase()}`)
}

type Action = (command: 'run' | 'watch', paths: string[], opts: Record<string, unknown>) => Promise<void>

/** Options shared by `run` and `watch`, plugin flags included. */
function addRunOptions(command: Command, plugins: Plugin[]): Command {
  command
    .option('--workers <n>', 'worker threads (default: available parallelism)', intOption('--workers', 1))
    .option('-t, --grep <pattern>', 'run tests whose full name matches this regular expression')
    .option('--tag <expr>', 'run tests whose tags match, e.g. "slow and not gpu"')
    .option('--bail [n]', 'stop after n failed tests (default 1 when given)', intOption('--bail', 1))
    .option('--timeout <ms>', 'per-test timeout in ms (default 30000)', intOption('--timeout', 1))
    .option('--retries <n>', 'retry a failing test up to n times', intOption('--retries', 0))
    .option('--seed <n>', 'run seed for t.rng and --shuffle (default: random, always printed)', intOption('--seed', 0))
    .option('--shuffle', 'shuffle file and test order with the run seed')
    .option('--reporter <name[:path]>', 'reporter, repeatable: console, junit, json, tap, github (default: console)', collect)
    .option('--config <path>', 'config file (default: mltest.config.{ts,mts,js,mjs} in the current folder)')
    .option('--pass-with-no-tests', 'exit 0 when no test is found')
    .option('--no-color', 'plain output without colours')
    .addOption(new Option('--isolate <mode>', 'none: long-lived workers share modules; file: a fresh worker per file; process: child processes').choices(['none', 'file', 'process']))
    .option('--worker-memory-limit <mb>', 'recycle a worker between files once its memory passes this (heap for threads, rss for processes)', intOption('--worker-memory-limit', 1))
    .option('--worker-heap-limit <mb>', 'hard V8 heap limit per worker; a file exceeding it fails', intOption('--worker-heap-limit', 1))
    .addOption(new Option('--inconclusive <as>', 'exit code for inconclusive statistical verdicts (default: pass)').choices(['pass', 'fail']))
    .exitOverride()
  for (const plugin of plugins) {
    for (const option of plugin.options ?? []) {
      const flag = flagName(plugin.name, option.name)
      const def = option.default === undefined ? '' : ` (default: ${String(option.default)})`
      command.addOption(new Option(`--${flag} <value>`, `[plugin ${plugin.name}] ${option.description}${def}`))
    }
  }
  return command
}

function buildProgram(plugins: Plugin[], onRun: Action, cwd: string, setExit: (code: number) => void): Command {
  const program = new Command('mltest')
    .description('A test framework for machine-learning systems')
    .version(MLTEST_VERSION, '-v, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()

  const run = program
    .command('run')
    .description('discover *.mltest.ts files and run them on a pool of workers')
    .argument('[paths...]', 'files, folders or globs (default: the config include, else the current folder)')
    .option('--list', 'collect and print the tests with their tags, run nothing')
    .option('--shard <i/n>', 'run the i-th of n deterministic parts of the test files (CI machines)')
    .option('--shard-durations <results.json>', 'balance --shard by the file durations recorded in a JSON result')
    .option('--changed [ref]', 'run only test files affected by files changed since a git ref (default HEAD: uncommitted changes)')
  addRunOptions(run, plugins).action(async (paths: string[], opts: Record<string, unknown>) => onRun('run', paths, opts))

  const watch = program
    .command('watch')
    .description('run the tests, then rerun those affected by each file change (keys: a all, f failed, q quit)')
    .argument('[paths...]', 'files, folders or globs (default: the config include, else the current folder)')
  addRunOptions(watch, plugins).action(async (paths: string[], opts: Record<string, unknown>) => onRun('watch', paths, opts))

  const reportOptions = (opts: Record<string, unknown>) => ({
    reporters: (opts.reporter as string[] | undefined) ?? ['console'],
    color: opts.color === false ? false : process.env.NO_COLOR ? false : process.env.FORCE_COLOR ? process.env.FORCE_COLOR !== '0' : Boolean(process.stdout.isTTY),
    cwd,
  })
  program
    .command('report')
    .description('render reporters from a JSON result (--reporter json:PATH) without running tests')
    .argument('<results.json>', 'a result written by --reporter json:PATH (or by mltest merge)')
    .option('--reporter <name[:path]>', 'reporter, repeatable (default: console)', collect)
    .option('--no-color', 'plain output without colours')
    .exitOverride()
    .action(async (file: string, opts: Record<string, unknown>) => setExit(await (await import('./report-command.ts')).reportCommand(file, reportOptions(opts))))
  program
    .command('merge')
    .description('merge JSON results of shards into one report with correct totals')
    .argument('<results.json...>', 'results written by --reporter json:PATH, e.g. shard-*.json')
    .option('--reporter <name[:path]>', 'reporter, repeatable (default: console)', collect)
    .option('--no-color', 'plain output without colours')
    .exitOverride()
    .action(async (files: string[], opts: Record<string, unknown>) => setExit(await (await import('./report-command.ts')).mergeCommand(files, reportOptions(opts))))
  return program
}

function overridesOf(opts: Record<string, unknown>, plugins: Plugin[]): CliOverrides {
  const pluginFlags: Record<string, string> = {}
  for (const plugin of plugins) {
    for (const option of plugin.options ?? []) {
      const key = flagName(plugin.name, option.name).replace(/-([a-z0-9])/g, (_m, ch: string) => ch.toUpperCase())
      if (opts[key] !== undefined) pluginFlags[`${plugin.name}.${option.name}`] = String(opts[key])
    }
  }
  return {
    workers: opts.workers as number | undefined,
    grep: opts.grep as string | undefined,
    tag: opts.tag as string | undefined,
    bail: opts.bail === true ? 1 : (opts.bail as number | undefined),
    timeout: opts.timeout as number | undefined,
    retries: opts.retries as number | undefined,
    seed: opts.seed as number | undefined,
    shuffle: opts.shuffle as boolean | undefined,
    reporter: opts.reporter as string[] | undefined,
    list: opts.list as boolean | undefined,
    passWithNoTests: opts.passWithNoTests as boolean | undefined,
    color: opts.color === false ? false : undefined,
    isolate: opts.isolate as CliOverrides['isolate'],
    workerMemoryLimit: opts.workerMemoryLimit as number | undefined,
    workerHeapLimit: opts.workerHeapLimit as number | undefined,
    inconclusive: opts.inconclusive as CliOverrides['inconclusive'],
    pluginFlags,
  }
}

/** Runs the CLI; resolves to the process exit code. */
export async function main(argv: string[], cwd = process.cwd()): Promise<number> {
  let exitCode = 0
  try {
    const configFile = findConfigFile(cwd, configArg(argv))
    const userConfig: UserConfig | undefined = configFile ? await loadConfigFile(configFile) : undefined
    const plugins = pluginsOf(userConfig)
    const program = buildProgram(
      plugins,
      async (command, paths, opts) => {
        const config = resolveConfig(cwd, configFile, userConfig, overridesOf(opts, plugins))
        if (command === 'watch') {
          exitCode = await (await import('./watch.ts')).watchTests(config, paths, cwd)
          return
        }
        const changed = opts.changed === true ? 'HEAD' : (opts.changed as string | undefined)
        const shard = opts.shard === undefined ? undefined : parseShard(String(opts.shard))
        // The run graph (piscina, reporters) loads only when a command needs it: --help,
        // --version and usage errors stay fast.
        const { runTests } = await import('./run.ts')
        exitCode = await runTests(config, paths, cwd, { shard, shardDurations: opts.shardDurations as string | undefined, changed })
      },
      cwd,
      (code) => (exitCode = code),
    )
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
