// End-to-end: the CLI keeps its promises about exit codes and output (issue 11): a plugin
// option of the wrong kind is a config error before any worker starts (exit 2),
// --pass-with-no-tests covers a glob that matches nothing, output piped into `head` ends
// quietly, and --list shows `fails` as a mode.
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { cleanEnv, CLI, makeProject, runCli } from './run-cli.ts'

// A setup file and a test file that leave a mark when a worker runs them.
const MARKING = {
  'setup.ts': "import { writeFileSync } from 'node:fs'\nwriteFileSync(new URL('./setup-ran', import.meta.url), '')\n",
  'a.mltest.ts': "import { writeFileSync } from 'node:fs'\nimport { test } from 'mltest'\nwriteFileSync(new URL('./file-imported', import.meta.url), '')\ntest('a', () => {})\n",
}

t.test('a plugin option of the wrong kind is a config error: exit 2, one line, no worker started', async (t) => {
  const flags = makeProject(t, { ...MARKING, 'mltest.config.ts': "import { defineConfig } from 'mltest/config'\nexport default defineConfig({ setupFiles: ['./setup.ts'] })\n" })
  const config = makeProject(t, {
    ...MARKING,
    'mltest.config.ts': "import { defineConfig } from 'mltest/config'\nexport default defineConfig({ setupFiles: ['./setup.ts'], pluginOptions: { stability: { runs: -3 } } })\n",
  })
  const [fractional, negative, fromConfig] = await Promise.all([
    runCli(flags, ['run', '--no-color', '--onnx-min-iterations', '2.5']),
    runCli(flags, ['run', '--no-color', '--onnx-warmup', '-1']),
    runCli(config, ['run', '--no-color']),
  ])
  const cases: Array<[typeof fractional, string]> = [
    [fractional, 'mltest: --onnx-min-iterations must be an integer (got "2.5")\n'],
    [negative, 'mltest: --onnx-warmup must be an integer >= 0 (got "-1")\n'],
    [fromConfig, 'mltest: config pluginOptions.stability: option "stability.runs" must be an integer >= 1 (got -3)\n'],
  ]
  for (const [r, stderr] of cases) {
    t.equal(r.code, 2, `${r.command} exits 2`, { stdout: r.stdout, stderr: r.stderr })
    t.equal(r.stderr, stderr, 'one line naming the option and the rule')
    t.equal(r.stdout, '', 'nothing ran')
  }
  for (const dir of [flags, config]) {
    t.notOk(existsSync(join(dir, 'setup-ran')), 'no worker ran the setup file')
    t.notOk(existsSync(join(dir, 'file-imported')), 'no worker imported a test file')
  }
})

t.test('--pass-with-no-tests also covers a glob that matches nothing (as jest and vitest do)', async (t) => {
  const dir = makeProject(t, { 'a.mltest.ts': "import { test } from 'mltest'\ntest('a', () => {})\n" })
  const [passing, strict, typo, partly] = await Promise.all([
    runCli(dir, ['run', '--no-color', 'nothing/**/*.mltest.ts', '--pass-with-no-tests']),
    runCli(dir, ['run', '--no-color', 'nothing/**/*.mltest.ts']),
    runCli(dir, ['run', '--no-color', 'no-such-file.mltest.ts', '--pass-with-no-tests']),
    runCli(dir, ['run', '--no-color', 'nothing/*.mltest.ts', 'a.mltest.ts', '--pass-with-no-tests']),
  ])
  t.equal(passing.code, 0, `${passing.command} exits 0`, { stdout: passing.stdout, stderr: passing.stderr })
  t.equal(passing.stderr, 'mltest: no test files match the glob "nothing/**/*.mltest.ts" (--pass-with-no-tests)\n', 'says what matched nothing')
  t.equal(passing.closing, 'mltest: 0 passed, 0 failed, 0 skipped')
  t.equal(strict.code, 2, 'without the flag it stays a usage error')
  t.equal(strict.stderr, 'mltest: no test files match the glob "nothing/**/*.mltest.ts" — check the pattern (quote it so the shell does not expand it)\n')
  t.equal(typo.code, 2, 'a path that does not exist is still a usage error: it is a typo, not an empty selection')
  t.equal(typo.stderr, 'mltest: path not found: no-such-file.mltest.ts — pass an existing file, folder or glob\n')
  t.equal(partly.code, 0, 'the other paths still run')
  t.equal(partly.closing, 'mltest: 1 passed, 0 failed, 0 skipped')
})

/** Runs `mltest <args> | head -<lines>` in bash; mltest's own exit code and stderr. */
function pipedIntoHead(cwd: string, args: string[], lines: number): Promise<{ code: number; stdout: string; stderr: string }> {
  const quoted = [process.execPath, CLI, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ')
  const script = `${quoted} 2>mltest.err | head -${lines}; echo "\${PIPESTATUS[0]}" > mltest.code`
  return new Promise((resolve, reject) => {
    execFile('bash', ['-c', script], { cwd, env: cleanEnv({}), timeout: 60_000 }, async (error, stdout) => {
      if (error) return reject(error)
      const { readFileSync } = await import('node:fs')
      resolve({ code: Number(readFileSync(join(cwd, 'mltest.code'), 'utf8')), stdout, stderr: readFileSync(join(cwd, 'mltest.err'), 'utf8') })
    })
  })
}

t.test('output piped into head ends quietly, without an EPIPE stack trace', async (t) => {
  // Far more output than a pipe buffers (64 KiB), so mltest is still writing when head exits.
  const many = "import { test } from 'mltest'\nfor (let i = 0; i < 3000; i++) test(`test number ${i} with a name long enough to fill the pipe`, () => {})\n"
  const dir = makeProject(t, { 'many.mltest.ts': many })
  const written = await runCli(dir, ['run', '--no-color', '--reporter', 'json:r.json'])
  t.equal(written.code, 0, 'the result to replay was written')

  const list = await pipedIntoHead(dir, ['run', '--list', '--no-color'], 2)
  t.equal(list.stdout, 'many.mltest.ts > test number 0 with a name long enough to fill the pipe\nmany.mltest.ts > test number 1 with a name long enough to fill the pipe\n')
  t.equal(list.stderr, '', 'no EPIPE stack trace')
  t.equal(list.code, 0, 'mltest run --list | head -2: the exit code of the listing')

  const tap = await pipedIntoHead(dir, ['report', 'r.json', '--reporter', 'tap'], 3)
  t.equal(tap.stdout.split('\n')[0], 'TAP version 14')
  t.equal(tap.stderr, '', 'no EPIPE stack trace')
  t.equal(tap.code, 0, 'mltest report r.json --reporter tap | head: the exit code of the report')

  const console = await pipedIntoHead(dir, ['run', '--no-color', '--reporter', 'tap', '--reporter', 'json:again.json'], 1)
  t.equal(console.stderr, '', 'a live run piped into head: no stack trace either')
  t.equal(console.code, 0)
  t.ok(existsSync(join(dir, 'again.json')), 'file reporters still write after stdout closed')
})

t.test('--list shows test.fails as a mode', async (t) => {
  const dir = makeProject(t, {
    'modes.mltest.ts': [
      "import { describe, expect, test } from 'mltest'",
      "test('plain', () => {})",
      "test.fails('expected to fail', () => { expect(1).toBe(2) })",
      "test.skip('skipped', () => {})",
      "test.todo('to do')",
      "describe.skip('off', () => { test.fails('skipped expected failure', () => {}) })",
      '',
    ].join('\n'),
  })
  const r = await runCli(dir, ['run', '--list', '--no-color'])
  t.equal(r.code, 0, r.command, { stderr: r.stderr })
  t.equal(
    r.stdout,
    [
      'modes.mltest.ts > plain',
      'modes.mltest.ts > expected to fail (fails)',
      'modes.mltest.ts > skipped (skip)',
      'modes.mltest.ts > to do (todo)',
      'modes.mltest.ts > off > skipped expected failure (skip, fails)',
      'mltest: 5 tests collected',
      '',
    ].join('\n'),
  )
})
