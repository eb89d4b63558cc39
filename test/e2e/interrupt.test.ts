// End-to-end: Ctrl-C and CI cancellation (issue 11, item 9). On SIGINT or SIGTERM the real
// CLI stops starting tests, ends the running ones after a short grace, reports them and the
// unstarted ones as cancelled, prints the summary, writes every file reporter marked as
// interrupted, and exits 130 or 143; a second signal exits at once. Watch mode and
// `--isolate process` end too.
import { spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { stripVTControlCharacters } from 'node:util'
import t from 'tap'
import { readResultFile } from '../../core/node/result-json.ts'
import type { RunResult } from '../../core/reporter.ts'
import { validateJunit, xmllintMissing } from '../xsd.ts'
import { cleanEnv, CLI, makeProject, runCli } from './run-cli.ts'

/**
 * A test file whose first test passes, whose second logs `start <name>` and then runs for
 * `slow` (ms of sleep, or `'blocked'`: a synchronous loop that only ending the worker
 * stops), and whose third is quick. Every line goes to progress.log, with the pid.
 */
function testFile(name: string, slow: number | 'blocked'): string {
  const body = slow === 'blocked' ? 'const end = Date.now() + 60_000\n  while (Date.now() < end) {}' : `await new Promise((r) => setTimeout(r, ${slow}))`
  return `import { appendFileSync } from 'node:fs'
import { test } from 'mltest'
const log = (line: string) => appendFileSync(new URL('./progress.log', import.meta.url), line + ' pid=' + process.pid + '\\n')
test('quick', () => log('done ${name} quick'))
test('slow', async () => {
  log('start ${name} slow')
  ${body}
  log('done ${name} slow')
})
test('after', () => log('done ${name} after'))
`
}

/** Twenty files: f01's slow test ends within the grace, f02's blocks its worker, the rest sleep 3 s. */
function twentyFiles(): Record<string, string> {
  const files: Record<string, string> = {}
  for (let i = 1; i <= 20; i++) {
    const name = `f${String(i).padStart(2, '0')}`
    files[`${name}.mltest.ts`] = testFile(name, i === 1 ? 500 : i === 2 ? 'blocked' : 3000)
  }
  return files
}

interface Spawned {
  /** Resolves when progress.log has every line in `lines`. */
  started(...lines: string[]): Promise<void>
  signal(name: NodeJS.Signals): number
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number; stdout: string; stderr: string }>
}

/** Starts `mltest <args>` in `dir`; `group`: in its own process group, so a signal can reach it and its children as Ctrl-C does. */
function startCli(t: { teardown(fn: () => void): void }, dir: string, args: string[], options: { group?: boolean } = {}): Spawned {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: dir, env: cleanEnv({}), stdio: ['pipe', 'pipe', 'pipe'], detached: options.group })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  const exited = new Promise<Awaited<Spawned['exited']>>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, at: Date.now(), stdout: stripVTControlCharacters(stdout), stderr: stripVTControlCharacters(stderr) })),
  )
  const killer = setTimeout(() => child.kill('SIGKILL'), 90_000)
  t.teardown(() => {
    clearTimeout(killer)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  })
  return {
    async started(...lines) {
      const log = join(dir, 'progress.log')
      const deadline = Date.now() + 60_000
      for (;;) {
        const text = existsSync(log) ? readFileSync(log, 'utf8') : ''
        if (lines.every((line) => text.includes(`${line} pid=`))) return
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`never saw ${lines.join(', ')}; progress:\n${text}\nstdout:\n${stdout}\nstderr:\n${stderr}`)
        await new Promise((r) => setTimeout(r, 20))
      }
    },
    signal(name) {
      if (options.group) process.kill(-child.pid!, name)
      else child.kill(name)
      return Date.now()
    },
    exited,
  }
}

const stateOf = (run: RunResult, file: string, name: string) => {
  const test = run.files.find((f) => f.file.endsWith(`${file}.mltest.ts`))?.tests.find((x) => x.name === name)
  return test ? `${test.state}${test.state === 'skipped' ? ` (${test.reason})` : ''}` : 'absent'
}
const pidsOf = (dir: string) => [...new Set([...readFileSync(join(dir, 'progress.log'), 'utf8').matchAll(/pid=(\d+)/g)].map((m) => Number(m[1])))]
const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

t.test('SIGINT during a 20-file run: summary, JUnit and JSON written and marked, exit 130', async (t) => {
  const dir = makeProject(t, twentyFiles())
  const cli = startCli(t, dir, ['run', '--no-color', '--workers', '2', '--reporter', 'junit:out.xml', '--reporter', 'json:out.json', '--reporter', 'console'])
  await cli.started('start f01 slow', 'start f02 slow')
  const sentAt = cli.signal('SIGINT')
  const r = await cli.exited
  t.equal(r.code, 130, 'exit 130', { stdout: r.stdout, stderr: r.stderr })
  t.ok(r.at - sentAt < 10_000, `ended ${r.at - sentAt} ms after the signal: the blocked worker was ended after the grace`)

  const run = readResultFile(join(dir, 'out.json'))
  t.equal(run.interrupted, 'SIGINT', 'the JSON result is marked interrupted')
  t.equal(stateOf(run, 'f01', 'quick'), 'passed', 'a test that ended before the signal keeps its result')
  t.equal(stateOf(run, 'f01', 'slow'), 'passed', 'a test that ends within the grace keeps its result')
  t.equal(stateOf(run, 'f02', 'slow'), 'skipped (cancelled (SIGINT))', 'a running test that cannot end is cancelled')
  t.equal(stateOf(run, 'f02', 'after'), 'skipped (cancelled (SIGINT))', 'a test never started is cancelled')
  const tests = run.files.flatMap((f) => f.tests)
  for (const test of tests) t.ok(test.state === 'passed' || (test.state === 'skipped' && test.reason === 'cancelled (SIGINT)'), `${test.id}: passed or cancelled`)
  t.ok(run.notRun.length >= 16, `${run.notRun.length} files never started are listed as not run`)
  t.equal(run.files.length + run.notRun.length, 20, 'every file is accounted for')
  t.equal(run.summary.failed, 0, 'nothing was reported as failed')
  t.equal(r.stdout.trim().split('\n').at(-1), `mltest: ${run.summary.passed} passed, 0 failed, ${run.summary.skipped} skipped`, 'the console printed the summary')
  t.match(r.stdout, `not run (interrupted by SIGINT): ${run.notRun.length} files`)
  t.match(r.stderr, /^\nmltest: SIGINT — stopping/)
  t.match(r.stderr, `mltest: interrupted by SIGINT: ${run.summary.skipped} tests cancelled, ${run.notRun.length} files not started\n`)

  const xml = readFileSync(join(dir, 'out.xml'), 'utf8')
  t.equal(xml.split('<property name="mltest.interrupted" value="SIGINT"/>').length - 1, 20, 'every JUnit suite is marked interrupted')
  t.match(xml, 'message="not run: the run was interrupted (SIGINT) first"')
  t.match(xml, 'message="cancelled (SIGINT)"')
  if (!xmllintMissing) {
    const valid = validateJunit(join(dir, 'out.xml'))
    t.ok(valid.ok, 'valid against the strict JUnit schema', { output: valid.output })
  }

  // The result replays: the interrupted run renders again and is never a pass.
  const replay = await runCli(dir, ['report', 'out.json', '--no-color', '--reporter', 'junit:replay.xml', '--reporter', 'console'])
  t.equal(replay.code, 1, 'mltest report of an interrupted run exits 1', { stderr: replay.stderr })
  t.equal(readFileSync(join(dir, 'replay.xml'), 'utf8').split('<property name="mltest.interrupted" value="SIGINT"/>').length - 1, 20)
  t.equal(replay.closing, `mltest: ${run.summary.passed} passed, 0 failed, ${run.summary.skipped} skipped`)
})

t.test('SIGTERM (CI cancellation) with --isolate process: exit 143, reports written, no worker process left', async (t) => {
  const files = Object.fromEntries(Object.entries(twentyFiles()).slice(0, 6))
  const dir = makeProject(t, files)
  const cli = startCli(t, dir, ['run', '--no-color', '--isolate', 'process', '--workers', '2', '--reporter', 'junit:out.xml', '--reporter', 'json:out.json'])
  await cli.started('start f01 slow', 'start f02 slow')
  cli.signal('SIGTERM')
  const r = await cli.exited
  t.equal(r.code, 143, 'exit 143', { stdout: r.stdout, stderr: r.stderr })
  const run = readResultFile(join(dir, 'out.json'))
  t.equal(run.interrupted, 'SIGTERM')
  t.equal(stateOf(run, 'f02', 'slow'), 'skipped (cancelled (SIGTERM))')
  t.equal(run.summary.failed, 0)
  t.equal(r.stdout, `mltest: ${run.summary.passed} passed, 0 failed, ${run.summary.skipped} skipped\n`, 'with only file reporters, the closing line is printed')
  t.match(readFileSync(join(dir, 'out.xml'), 'utf8'), '<property name="mltest.interrupted" value="SIGTERM"/>')
  const workers = pidsOf(dir)
  t.equal(workers.length, 2, 'the tests ran in two worker processes')
  t.same(workers.filter(alive), [], 'no worker process outlives the run')
})

t.test('Ctrl-C reaches the worker processes too (--isolate process): they are cancelled, not crashed', async (t) => {
  const files = Object.fromEntries(Object.entries(twentyFiles()).slice(0, 4))
  const dir = makeProject(t, files)
  const cli = startCli(t, dir, ['run', '--no-color', '--isolate', 'process', '--workers', '2', '--reporter', 'json:out.json'], { group: true })
  await cli.started('start f01 slow', 'start f02 slow')
  cli.signal('SIGINT')
  const r = await cli.exited
  t.equal(r.code, 130, { stdout: r.stdout, stderr: r.stderr })
  const run = readResultFile(join(dir, 'out.json'))
  t.equal(run.summary.failed, 0, 'no test failed as a crash')
  t.equal(run.summary.fileErrors, 0)
  t.equal(stateOf(run, 'f02', 'slow'), 'skipped (cancelled (SIGINT))')
  t.same(pidsOf(dir).filter(alive), [])
})

t.test('a second SIGINT exits at once, without waiting for the grace or writing reports', async (t) => {
  const dir = makeProject(t, { 'f02.mltest.ts': testFile('f02', 'blocked') })
  const cli = startCli(t, dir, ['run', '--no-color', '--reporter', 'json:out.json'])
  await cli.started('start f02 slow')
  cli.signal('SIGINT')
  await new Promise((r) => setTimeout(r, 150))
  cli.signal('SIGINT')
  const r = await cli.exited
  t.equal(r.code, 130)
  t.match(r.stderr, 'mltest: SIGINT again — exiting at once, without reports')
  // The blocked test holds the graceful stop for the whole grace; only exiting at once skips the reports.
  t.notOk(existsSync(join(dir, 'out.json')), 'exited before the graceful stop could write its reports')
})

t.test('watch mode ends on SIGINT during a run, also with --isolate process', async (t) => {
  for (const isolate of ['none', 'process']) {
    const dir = makeProject(t, { 'f02.mltest.ts': testFile('f02', isolate === 'none' ? 'blocked' : 3000) })
    const cli = startCli(t, dir, ['watch', '--no-color', '--isolate', isolate])
    await cli.started('start f02 slow')
    const sentAt = cli.signal('SIGINT')
    const r = await cli.exited
    t.ok(r.code !== null, `--isolate ${isolate}: exited with code ${r.code}`, { stdout: r.stdout, stderr: r.stderr })
    t.ok(r.at - sentAt < 8000, `--isolate ${isolate}: ended ${r.at - sentAt} ms after the signal`)
    t.same(pidsOf(dir).filter(alive), [], 'no worker process left')
  }
})
