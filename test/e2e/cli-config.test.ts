// End-to-end: the command line and the config file — --version, --help, usage errors (exit 2
// with a one-line message), config validation, and user plugins from the config (wrapTest,
// options as flags, matchers, context fields, unknown hooks, plugins that throw).
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { type CliResult, failureBlock, makeProject, REPO, runCli } from './run-cli.ts'

const VERSION = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version

const COUNTER_PLUGIN = `
import { appendFileSync } from 'node:fs'
import { pluginOptions, z, type Plugin } from 'mltest/plugin'
const counterOptions = z.object({
  label: z.string().default('calls').describe('label written with each call'),
  maxCalls: z.number().default(100).describe('calls allowed per worker'),
})
/** Counts wrapTest calls into calls.log, labelled with its options; adds a run-result section and a command. */
export function counter(): Plugin {
  let results = 0
  return {
    name: 'counter',
    options: counterOptions,
    async wrapTest(next, info) {
      const { label, maxCalls } = pluginOptions('counter', counterOptions)
      appendFileSync(new URL('./calls.log', import.meta.url), label + ' ' + maxCalls + ' ' + info.test.fullName + ' #' + info.attempt + '\\n')
      await next()
    },
    onTestResult() {
      results += 1
    },
    runResultSection: () => ({ results, label: pluginOptions('counter', counterOptions).label }),
    commands: [
      {
        name: 'greet',
        description: 'greets someone',
        arguments: ['<who>'],
        options: [{ flags: '--shout', description: 'in capitals' }],
        run([who], options, context) {
          if (who === 'nobody') throw Object.assign(new Error('greet needs a name — pass one'), { name: 'UsageError' })
          context.stdout((options.shout ? 'HELLO ' + who!.toUpperCase() : 'hello ' + who) + ' (' + String(context.options.label) + ')\\n')
          return who === 'fail' ? 3 : 0
        },
      },
    ],
    extendContext: () => ({ counted: true }),
    matchers: {
      toBeEven(received: number) {
        const pass = received % 2 === 0
        return { pass, message: () => 'expected ' + received + (pass ? ' not' : '') + ' to be even' }
      },
    },
  }
}
`

const PLUGIN_TESTS = `import { expect, test } from 'mltest'
test('one', (t) => { expect(t.counted).toBe(true) })
test('two', () => { (expect(4) as any).toBeEven() })
test.fails('an odd number is not even', () => { (expect(3) as any).toBeEven() })
test('flaky', (t) => { if (t.attempt === 1) throw new Error('first attempt fails') }, { retries: 1 })
test.skip('skipped', () => {})
test.todo('later')
`

const plugins = makeProject(t, {
  'plugin.ts': COUNTER_PLUGIN,
  'mltest.config.ts': `import { defineConfig } from 'mltest/config'
import { counter } from './plugin.ts'
export default defineConfig({ plugins: [counter()], pluginOptions: { counter: { label: 'from-config' } } })
`,
  'plugin.mltest.ts': PLUGIN_TESTS,
})

const broken = makeProject(t, {
  'a.mltest.ts': `import { test } from 'mltest'\ntest('a', () => {})\n`,
  'unknown-key.config.ts': `export default { timeot: 1000 }\n`,
  'wrong-type.config.ts': `export default { timeout: '30s' }\n`,
  'syntax.config.ts': `export default { timeout: 100,, }\n`,
  'no-default.config.ts': `export const timeout = 100\n`,
  'unknown-hook.config.ts': `export default { plugins: [{ name: 'counter', wrapTst: async (next) => next() }] }\n`,
  'unknown-option.config.ts': `import { z } from 'mltest/plugin'\nexport default { plugins: [{ name: 'counter', options: z.object({ label: z.string().optional() }) }], pluginOptions: { counter: { lable: 'x' } } }\n`,
  'array-options.config.ts': `export default { plugins: [{ name: 'old', options: [{ name: 'label', type: 'string', description: 'x' }] }] }\n`,
  'taken-command.config.ts': `export default { plugins: [{ name: 'clash', commands: [{ name: 'run', description: 'x', run() {} }] }] }\n`,
  'my-reporter.ts': `import { writeFileSync } from 'node:fs'
export default (options) => ({ onRunEnd(run) { writeFileSync(options.outputFile, run.summary.passed + ' passed, section ' + JSON.stringify(run.sections ?? {})) } })
`,
  'throwing-reporter.ts': `export default () => ({ onTestResult() { throw new Error('reporter exploded') } })\n`,
  'no-reporter.ts': `export const nothing = 1\n`,
})

const throwing = makeProject(t, {
  'a.mltest.ts': `import { test } from 'mltest'
test('one', () => {})
test('two', () => {})
test('three', () => {})
`,
  'wrap.config.ts': `export default { plugins: [
  { name: 'boomwrap', async wrapTest(next, info) { if (info.test.name === 'two') throw new Error('wrap exploded'); await next() } },
] }
`,
  'notify.config.ts': `export default { plugins: [
  { name: 'boomresult', onTestResult(r) { if (r.name === 'one') throw new Error('result exploded') } },
  { name: 'boomend', onRunEnd() { throw new Error('end exploded') } },
] }
`,
  'context.config.ts': `export default { plugins: [{ name: 'boomctx', extendContext() { throw new Error('context exploded') } }] }\n`,
})

const runs = {
  version: runCli(plugins, ['--version']),
  runHelp: runCli(plugins, ['run', '--help']),
  noArgs: runCli(plugins, []),
  unknownOption: runCli(broken, ['run', '--no-color', '--bogus']),
  missingPath: runCli(broken, ['run', '--no-color', 'no-such-folder']),
  badTag: runCli(broken, ['run', '--no-color', '--tag', 'slow and']),
  badGrep: runCli(broken, ['run', '--no-color', '-t', '(']),
  unknownReporter: runCli(broken, ['run', '--no-color', '--reporter', 'nope']),
  badWorkers: runCli(broken, ['run', '--no-color', '--workers', '0']),
  missingConfig: runCli(broken, ['run', '--no-color', '--config', 'missing.config.ts']),
  unknownKey: runCli(broken, ['run', '--no-color', '--config', 'unknown-key.config.ts']),
  wrongType: runCli(broken, ['run', '--no-color', '--config', 'wrong-type.config.ts']),
  syntax: runCli(broken, ['run', '--no-color', '--config', 'syntax.config.ts']),
  noDefault: runCli(broken, ['run', '--no-color', '--config', 'no-default.config.ts']),
  unknownHook: runCli(broken, ['run', '--no-color', '--config', 'unknown-hook.config.ts']),
  unknownPluginOption: runCli(broken, ['run', '--no-color', '--config', 'unknown-option.config.ts']),
  pluginRun: runCli(plugins, ['run', '--no-color', '--workers', '1']),
  badPluginFlag: runCli(plugins, ['run', '--no-color', '--counter-max-calls', 'many']),
  arrayOptions: runCli(broken, ['run', '--no-color', '--config', 'array-options.config.ts']),
  takenCommand: runCli(broken, ['run', '--no-color', '--config', 'taken-command.config.ts']),
  moduleReporter: runCli(broken, ['run', '--no-color', '--reporter', './my-reporter.ts:summary.txt', '--reporter', './throwing-reporter.ts', '--reporter', 'json:out/result.json', '--reporter', 'console']),
  missingReporter: runCli(broken, ['run', '--no-color', '--reporter', './missing-reporter.ts']),
  noReporter: runCli(broken, ['run', '--no-color', '--reporter', './no-reporter.ts']),
  command: runCli(plugins, ['greet', 'Ada']),
  commandShout: runCli(plugins, ['greet', 'Ada', '--shout']),
  commandExit: runCli(plugins, ['greet', 'fail']),
  commandUsage: runCli(plugins, ['greet', 'nobody']),
  throwWrap: runCli(throwing, ['run', '--no-color', '--workers', '1', '--config', 'wrap.config.ts']),
  throwNotify: runCli(throwing, ['run', '--no-color', '--workers', '1', '--config', 'notify.config.ts']),
  throwContext: runCli(throwing, ['run', '--no-color', '--workers', '1', '--config', 'context.config.ts']),
}
// The flag run reads calls.log, so it starts after the run that writes it with config values.
const pluginFlagRun = runs.pluginRun.then(() => runCli(plugins, ['run', '--no-color', '--workers', '1', '--counter-label', 'from-cli', '--counter-max-calls', '7']))
const sectionRun = pluginFlagRun.then(() => runCli(plugins, ['run', '--no-color', '--workers', '1', '--reporter', 'json:section.json', '--counter-label', 'json-run']))

t.test('mltest --version prints the package version', async (t) => {
  const r = await runs.version
  t.equal(r.code, 0)
  t.equal(r.stdout.trim(), VERSION)
})

t.test('mltest with no arguments prints the help and exits 2', async (t) => {
  const r = await runs.noArgs
  t.equal(r.code, 2, 'no command is a usage error')
  t.match(r.stdout, /Usage: mltest/)
  t.match(r.stdout, /\brun\b.*discover/, 'lists the run command')
})

t.test('mltest run --help lists every option, plugin options included', async (t) => {
  const r = await runs.runHelp
  t.equal(r.code, 0)
  for (const option of [
    '--workers <n>', '-t, --grep <pattern>', '--tag <expr>', '--bail [n]', '--timeout <ms>', '--retries <n>', '--seed <n>',
    '--shuffle', '--reporter <name[:path]>', '--config <path>', '--list', '--pass-with-no-tests', '--no-color', '--isolate <mode>',
    '--worker-memory-limit <mb>', '--worker-heap-limit <mb>', '--inconclusive <as>', '-h, --help',
  ]) {
    t.ok(r.stdout.includes(option), `lists ${option}`)
  }
  // Help text wraps at the terminal width; compare with whitespace collapsed.
  const flat = r.stdout.replace(/\s+/g, ' ')
  t.match(flat, /--counter-label <value> \[plugin counter\] label written with each call \(default: calls\)/)
  t.match(flat, /--counter-max-calls <value> \[plugin counter\] calls allowed per worker \(default: 100\)/, 'camelCase options become kebab-case flags')
})

/** Exit 2 and one line on stderr that matches `pattern`. */
async function usageError(t: Test, run: Promise<CliResult>, pattern: RegExp, lines = 1) {
  const r = await run
  t.equal(r.code, 2, `${r.command} exits 2`)
  t.match(r.stderr, pattern)
  t.equal(r.stderr.trim().split('\n').length, lines, `${lines === 1 ? 'one line' : `${lines} lines`}: ${r.stderr.trim()}`)
  t.equal(r.stdout, '', 'nothing ran')
}

t.test('usage errors exit 2 with a message naming the problem', async (t) => {
  await usageError(t, runs.unknownOption, /unknown option '--bogus'/, 2)
  await usageError(t, runs.missingPath, /^mltest: path not found: no-such-folder — pass an existing file, folder or glob$/m)
  await usageError(t, runs.badTag, /^mltest: invalid --tag expression "slow and": .* — use tag names with and, or, not/m)
  await usageError(t, runs.badGrep, /^mltest: invalid --grep pattern "\(": not a valid regular expression/m)
  await usageError(t, runs.unknownReporter, /^mltest: reporter "nope" could not be loaded \(.*\) — use a built-in name \(console, junit, json, tap, github, html\), a path to a module, or an installed package$/m)
  await usageError(t, runs.missingReporter, /^mltest: reporter "\.\/missing-reporter\.ts" could not be loaded/m)
  await usageError(t, runs.noReporter, /^mltest: reporter "\.\/no-reporter\.ts" exports no reporter — export default a factory/m)
  await usageError(t, runs.badWorkers, /^mltest: --workers must be an integer >= 1 \(got "0"\)$/m)
  await usageError(t, runs.missingConfig, /^mltest: config file not found: .*missing\.config\.ts — check the --config path$/m)
})

t.test('config errors exit 2 with one line naming the key', async (t) => {
  await usageError(t, runs.unknownKey, /^mltest: unknown-key\.config\.ts: unknown key "timeot" — did you mean "timeout"\? \(known: include, exclude, workers, .*\) — fix it in /m)
  await usageError(t, runs.wrongType, /^mltest: wrong-type\.config\.ts: key "timeout" must be an integer \(got "30s"\) — fix it in /m)
  await usageError(t, runs.syntax, /^mltest: could not load syntax\.config\.ts: .* — fix the error in .*syntax\.config\.ts$/m)
  await usageError(t, runs.noDefault, /^mltest: no-default\.config\.ts has no default export object — write: export default defineConfig/m)
  await usageError(t, runs.unknownPluginOption, /^mltest: config pluginOptions\.counter: unknown option "counter\.lable" — did you mean "label"\? \(known: label\)$/m)
  await usageError(t, runs.badPluginFlag, /^mltest: --counter-max-calls must be a number \(got "many"\)$/m)
  await usageError(t, runs.arrayOptions, /^mltest: plugin "old": options must be a zod object schema, e\.g\. options: z\.object/m)
  await usageError(t, runs.takenCommand, /^mltest: plugin "clash" adds a command "run", which mltest already has — rename the plugin's command$/m)
})

t.test('a syntax error in the config says where it is', async (t) => {
  const r = await runs.syntax
  t.equal(r.code, 2)
  t.match(r.stderr, /syntax\.config\.ts:1:\d+/)
})

t.test('a plugin with an unknown hook is rejected, naming the plugin', async (t) => {
  await usageError(t, runs.unknownHook, /^mltest: plugin "counter" has an unknown hook "wrapTst" — known hooks: .*wrapTest/m)
})

t.test('a config plugin wraps every test attempt, with options from config and flags', async (t) => {
  const r = await runs.pluginRun
  t.equal(r.code, 0, r.stdout + r.stderr)
  t.equal(r.closing, 'mltest: 4 passed, 0 failed, 1 skipped, 1 todo', 'extendContext fields and matchers work; the matcher fails on bad input')
  const calls = readFileSync(join(plugins, 'calls.log'), 'utf8').trim().split('\n')
  t.same(calls, [
    'from-config 100 one #1',
    'from-config 100 two #1',
    'from-config 100 an odd number is not even #1',
    'from-config 100 flaky #1',
    'from-config 100 flaky #2',
  ], 'one call per attempt; none for skipped or todo tests; option from config, default for the other')
  const withFlags = await pluginFlagRun
  t.equal(withFlags.code, 0)
  const after = readFileSync(join(plugins, 'calls.log'), 'utf8').trim().split('\n').slice(5)
  t.same(after, ['from-cli 7 one #1', 'from-cli 7 two #1', 'from-cli 7 an odd number is not even #1', 'from-cli 7 flaky #1', 'from-cli 7 flaky #2'], 'flags override the config')
})

t.test('a plugin wrapTest that throws fails that test, naming the plugin', async (t) => {
  const r = await runs.throwWrap
  t.equal(r.code, 1)
  t.match(failureBlock(r.stdout, 'a.mltest.ts > two'), /PluginError: plugin "boomwrap" failed in wrapTest: wrap exploded/)
  t.equal(r.closing, 'mltest: 2 passed, 1 failed, 0 skipped')
})

t.test('plugin notify hooks that throw are run errors and exit 1', async (t) => {
  const r = await runs.throwNotify
  t.equal(r.code, 1, 'exit 1 although every test passed')
  t.match(r.stdout, /run error: plugin "boomresult" failed in onTestResult: result exploded/)
  t.match(r.stdout, /run error: plugin "boomend" failed in onRunEnd: end exploded/)
  t.equal(r.closing, 'mltest: 3 passed, 0 failed, 0 skipped')
})

t.test('a plugin extendContext that throws fails each test, naming the plugin', async (t) => {
  const r = await runs.throwContext
  t.equal(r.code, 1)
  for (const name of ['one', 'two', 'three']) {
    t.match(failureBlock(r.stdout, `a.mltest.ts > ${name}`), /PluginError: plugin "boomctx" failed in extendContext: context exploded/)
  }
  t.equal(r.closing, 'mltest: 0 passed, 3 failed, 0 skipped')
})

t.test('a reporter loaded by path gets every event; a throwing one is a run error recorded in the JSON result', async (t) => {
  const r = await runs.moduleReporter
  t.equal(r.code, 1, 'a reporter failure fails the run')
  t.equal(readFileSync(join(broken, 'summary.txt'), 'utf8'), '1 passed, section {}')
  const result = JSON.parse(readFileSync(join(broken, 'out/result.json'), 'utf8')) as { runErrors: string[] }
  t.match(result.runErrors, [/reporter "\.\/throwing-reporter\.ts" failed in onTestResult: reporter exploded/], 'the JSON result records the failure')
  t.match(r.stdout, /run error: reporter "\.\/throwing-reporter\.ts" failed in onTestResult: reporter exploded/)
})

t.test('a plugin command runs with its arguments, options and the plugin options', async (t) => {
  const hello = await runs.command
  t.equal(hello.code, 0, hello.stderr)
  t.equal(hello.stdout, 'hello Ada (from-config)\n')
  t.equal((await runs.commandShout).stdout, 'HELLO ADA (from-config)\n')
  t.equal((await runs.commandExit).code, 3, 'the command decides the exit code')
  const usage = await runs.commandUsage
  t.equal(usage.code, 2)
  t.equal(usage.stderr, 'mltest: greet: greet needs a name — pass one\n')
  t.match((await runs.runHelp).stdout, /--counter-label <value>/)
})

t.test("a plugin's run-result section is kept in the JSON result and replayed by mltest report", async (t) => {
  const r = await sectionRun
  t.equal(r.code, 0, r.stdout + r.stderr)
  const result = JSON.parse(readFileSync(join(plugins, 'section.json'), 'utf8')) as { sections?: Record<string, unknown> }
  t.same(result.sections, { counter: { results: 6, label: 'json-run' } }, 'six results (one per test, retries folded), options from the flag')
  writeFileSync(join(plugins, 'show-section.ts'), `import { writeFileSync } from 'node:fs'\nexport default (o) => ({ onRunEnd(run) { writeFileSync(o.outputFile, JSON.stringify(run.sections)) } })\n`)
  const replay = await runCli(plugins, ['report', 'section.json', '--reporter', './show-section.ts:replayed.json'])
  t.equal(replay.code, 0, replay.stderr)
  t.same(JSON.parse(readFileSync(join(plugins, 'replayed.json'), 'utf8')), { counter: { results: 6, label: 'json-run' } })
})
