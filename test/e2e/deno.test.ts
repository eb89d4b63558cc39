// mltest on Deno (issue 16): the real CLI run with `deno run -A --node-modules-dir=manual`
// gives the same results as on Node for the same suite and seed — counts, states, seed-derived
// values (t.seed, t.rng, a fast-check counterexample, seeded tfjs weights, onnxruntime
// outputs), JUnit, TAP and the github reporter apart from timings — with worker threads and
// with --isolate process (whose children run on Deno too); sharding and merge, exit codes,
// the one-line errors for what Deno cannot do, and watch. Skipped with the reason when no deno binary is installed.
import { execFile, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { stripVTControlCharacters } from 'node:util'
import t from 'tap'
import { CLI, cleanEnv, makeProject, REPO } from './run-cli.ts'

const DENO = join(REPO, 'node_modules', '.bin', 'deno')
const FIXTURE = join(REPO, 'test', 'fixtures', 'deno-parity')
const DENO_RUN = ['run', '-A', '--node-modules-dir=manual']
const NO_PROMPT = ['run', '--no-prompt', '--node-modules-dir=manual']

interface Run {
  code: number | null
  stdout: string
  stderr: string
  closing: string
}

/** The real CLI on Node, or on Deno with -A (or `permissions` instead). */
function run(runtime: 'node' | 'deno', cwd: string, args: string[], permissions?: string[], env: Record<string, string> = {}): Promise<Run> {
  const [command, prefix] = runtime === 'node' ? [process.execPath, [CLI]] : [DENO, permissions ? [...NO_PROMPT, ...permissions, CLI] : [...DENO_RUN, CLI]]
  return new Promise((resolve) => {
    const child = execFile(command, [...prefix, ...args], { cwd, env: cleanEnv(env), timeout: 240_000, maxBuffer: 16 * 1024 * 1024, killSignal: 'SIGKILL' }, (_error, stdout, stderr) => {
      const plain = stripVTControlCharacters(stdout)
      resolve({ code: child.exitCode, stdout: plain, stderr: stripVTControlCharacters(stderr), closing: plain.split('\n').filter((l) => l.trim()).at(-1) ?? '' })
    })
  })
}

interface JsonTest {
  id: string
  state: string
  attempts: number
  seed: number
  annotations: Array<{ key: string; value: unknown }>
  checks: Array<{ check: string; verdict: string; metrics?: Record<string, unknown>; summary?: string }>
  logs?: Array<{ stream: string; text: string }>
  error?: { message: string }
}
interface JsonResult {
  summary: Record<string, number>
  environment?: { runtime?: string }
  files: Array<{ tests: JsonTest[] }>
}

/** Everything about a run's tests that must not depend on the runtime: no times, no runtime annotation. */
function comparable(result: JsonResult): Record<string, unknown> {
  const tests: Record<string, unknown> = {}
  for (const test of result.files.flatMap((f) => f.tests)) {
    tests[test.id] = {
      state: test.state,
      attempts: test.attempts,
      seed: test.seed,
      annotations: test.annotations.filter((a) => a.key !== 'runtime'),
      checks: test.checks.map((c) => ({ check: c.check, verdict: c.verdict, metrics: c.metrics, summary: c.summary })),
      logs: test.logs,
      error: test.error?.message,
    }
  }
  const { durationMs: _ignored, ...summary } = result.summary
  return { summary, tests }
}

function runtimeAnnotation(result: JsonResult): unknown {
  return result.files.flatMap((f) => f.tests).find((x) => x.id.endsWith('reports its runtime'))?.annotations.find((a) => a.key === 'runtime')?.value
}

/** JUnit or TAP text without timings and the runtime annotation. */
function withoutTimings(text: string): string {
  return text
    .replace(/ (time|timestamp|hostname)="[^"]*"/g, '')
    .replace(/# time=[\d.]+m?s/g, '')
    .replace(/duration_ms: [\d.]+/g, '')
    .replace(/(runtime"? (?:value=)?"?)(node|deno)/g, '$1RUNTIME')
    .replace(/runtime = (node|deno)/g, 'runtime = RUNTIME')
}

/** "Deno 2.9.6" as the message names it. */
const d = (text: string) => /Deno [\d.]+/.exec(text)?.[0] ?? 'Deno ?'
const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as JsonResult

if (!existsSync(DENO)) {
  t.plan(0, `deno is not installed (${DENO} is missing): npm install --save-dev deno`)
} else {
  const out = mkdtempSync(join(tmpdir(), 'mltest-deno-'))
  t.teardown(() => rmSync(out, { recursive: true, force: true }))
  // Runs in the fixture remember their failures there (.mltest/last-failed.json).
  t.teardown(() => rmSync(join(FIXTURE, '.mltest'), { recursive: true, force: true }))
  // One worker: files finish in discovery order, so console output is comparable line by line.
  const reporters = (name: string, seed = 7) => ['run', '--seed', String(seed), '--no-color', '--workers', '1', '--reporter', 'console', '--reporter', `json:${join(out, `${name}.json`)}`, '--reporter', `junit:${join(out, `${name}.xml`)}`, '--reporter', `tap:${join(out, `${name}.tap`)}`]
  // The github reporter writes its step summary only inside GitHub Actions.
  const github = (name: string) => ({ GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: join(out, `${name}.md`) })
  const nodeRun = run('node', FIXTURE, [...reporters('node'), '--reporter', 'github'], undefined, github('node'))
  const denoRun = run('deno', FIXTURE, [...reporters('deno'), '--reporter', 'github'], undefined, github('deno'))
  const denoProcessRun = run('deno', FIXTURE, [...reporters('deno-process'), '--isolate', 'process'])
  const otherSeedRun = run('node', FIXTURE, reporters('node-seed-8', 8))

  t.test('the same suite and seed give the same results on Node and Deno', async (t) => {
    const [node, deno, denoProcess] = await Promise.all([nodeRun, denoRun, denoProcessRun])
    t.equal(node.code, 1, 'Node: the fixture has failing tests, exit 1')
    t.equal(deno.code, 1, `Deno: exit 1 (stderr: ${deno.stderr.slice(0, 500)})`)
    t.equal(denoProcess.code, 1, `Deno --isolate process: exit 1 (stderr: ${denoProcess.stderr.slice(0, 500)})`)
    const expected = 'mltest: 9 passed, 3 failed, 1 skipped, 1 todo, 1 inconclusive'
    t.equal(node.closing, expected)
    t.equal(deno.closing, expected)
    t.equal(denoProcess.closing, expected)

    const [n, d, dp] = ['node', 'deno', 'deno-process'].map((name) => readJson(join(out, `${name}.json`)))
    t.same(comparable(d!), comparable(n!), 'Deno (threads): same states, attempts, seeds, annotations, checks, logs, errors')
    t.same(comparable(dp!), comparable(n!), 'Deno (--isolate process): the same')
    t.equal(runtimeAnnotation(n!), 'node')
    t.equal(runtimeAnnotation(d!), 'deno', 'the worker threads ran on Deno')
    t.equal(runtimeAnnotation(dp!), 'deno', 'the child processes of --isolate process ran on Deno')
    t.match(n!.environment?.runtime, /^Node v\d+/)
    t.match(d!.environment?.runtime, /^Deno \d+\.\d+/, 'the result records the runtime')

    for (const ext of ['xml', 'tap']) {
      const base = withoutTimings(readFileSync(join(out, `node.${ext}`), 'utf8'))
      t.equal(withoutTimings(readFileSync(join(out, `deno.${ext}`), 'utf8')), base, `${ext}: identical apart from timings`)
      t.equal(withoutTimings(readFileSync(join(out, `deno-process.${ext}`), 'utf8')), base, `${ext} (--isolate process): identical apart from timings`)
    }
    const summary = (name: string) => readFileSync(join(out, `${name}.md`), 'utf8').replace(/\| [\d.]+ m?s \|/g, '| T |').replace(/Node v[\d.]+|Deno [\d.]+/, 'RUNTIME')
    t.equal(summary('deno'), summary('node'), 'github step summary: identical apart from the duration and the runtime named')
    t.match(readFileSync(join(out, 'deno.md'), 'utf8'), /· Deno [\d.]+ ·/, 'the step summary names Deno')
    // The console's failure reports (messages, diffs, code frames, replay lines) and the github
    // reporter's ::error annotations match too.
    t.match(deno.stdout, /^::error file=states\.mltest\.ts,line=\d+/m)
    const failures = (text: string) => text.split('\n').filter((l) => !/^\s+at |Duration|^✓|^✗|^mltest ·/.test(l) && !/\(\d+ ms\)/.test(l)).join('\n')
    t.equal(failures(withoutTimings(deno.stdout)), failures(withoutTimings(node.stdout)), 'console output matches apart from times and stack frames')
  })

  t.test('the comparison sees seed-derived values: another seed differs', async (t) => {
    const other = await otherSeedRun
    t.equal(other.code, 1)
    const seven = comparable(readJson(join(out, 'node.json'))).tests as Record<string, { seed: number; annotations: unknown }>
    const eight = comparable(readJson(join(out, 'node-seed-8.json'))).tests as Record<string, { seed: number; annotations: unknown }>
    const id = 'states.mltest.ts::seeded values > t.seed and t.rng'
    t.not(eight[id]!.seed, seven[id]!.seed, 't.seed follows the run seed')
    t.notSame(eight[id]!.annotations, seven[id]!.annotations, 't.rng values follow the run seed')
    t.notSame(comparable(readJson(join(out, 'node-seed-8.json'))), comparable(readJson(join(out, 'node.json'))), 'so the parity comparison above would catch a runtime that derived them differently')
  })

  t.test('Deno: shards merge into the same counts; merge and report render any reporter', async (t) => {
    const shard = (i: number) => run('deno', FIXTURE, ['run', '--seed', '7', '--no-color', '--shard', `${i}/2`, '--reporter', `json:${join(out, `shard-${i}.json`)}`])
    const [one, two] = await Promise.all([shard(1), shard(2)])
    t.not(one.closing, two.closing, 'each shard ran a different part')
    const merged = await run('deno', out, ['merge', 'shard-1.json', 'shard-2.json', '--no-color', '--reporter', 'console', '--reporter', `junit:${join(out, 'merged.xml')}`])
    t.equal(merged.code, 1, 'merge exits 1: the merged run has failures')
    t.equal(merged.closing, 'mltest: 9 passed, 3 failed, 1 skipped, 1 todo, 1 inconclusive')
    t.equal(readFileSync(join(out, 'merged.xml'), 'utf8').match(/<testcase /g)?.length, 15, 'the merged JUnit has every test of both shards')
    await nodeRun
    const report = await run('deno', out, ['report', 'node.json', '--no-color', '--reporter', `junit:${join(out, 'reported.xml')}`])
    t.equal(report.code, 1)
    t.equal(withoutTimings(readFileSync(join(out, 'reported.xml'), 'utf8')), withoutTimings(readFileSync(join(out, 'node.xml'), 'utf8')), 'Deno renders a Node result into the same JUnit')
  })

  t.test('Deno: exit codes, and one-line errors for what Deno cannot do', async (t) => {
    const base = ['--allow-read', '--allow-write', '--allow-env', '--allow-sys']
    const [passing, usage, heap, bench, noSys, noRun, granted, noFfi, coverage] = await Promise.all([
      run('deno', FIXTURE, ['run', '--no-color', '-t', 't.seed and t.rng']),
      run('deno', FIXTURE, ['run', '--workers', 'many']),
      run('deno', FIXTURE, ['run', '--worker-heap-limit', '128']),
      run('deno', FIXTURE, ['bench']),
      run('deno', FIXTURE, ['run', '-t', 't.seed and t.rng'], ['--allow-read', '--allow-env']),
      run('deno', FIXTURE, ['run', '--isolate', 'process', '-t', 't.seed and t.rng'], base),
      run('deno', FIXTURE, ['run', '--no-color', 'states.mltest.ts', '-t', 't.seed and t.rng'], base),
      run('deno', FIXTURE, ['run', '--no-color', 'onnx.mltest.ts'], base),
      run('deno', FIXTURE, ['run', '--coverage']),
    ])
    t.equal(passing.code, 0, 'a passing selection exits 0')
    t.equal(passing.closing, 'mltest: 1 passed, 0 failed, 0 skipped')
    t.equal(usage.code, 2, 'a usage error exits 2')
    t.match(usage.stderr, /--workers/)
    t.equal(heap.code, 2, '--worker-heap-limit with threads exits 2 on Deno')
    t.match(heap.stderr.trim(), /^mltest: --worker-heap-limit needs --isolate process on Deno [\d.]+: Deno's worker threads do not apply V8 heap limits/)
    t.equal(heap.stderr.trim().split('\n').length, 1, 'in one line')
    t.equal(bench.code, 2, 'mltest bench exits 2 at once on Deno')
    t.match(bench.stderr.trim(), /better-sqlite3 cannot load on Deno [\d.]+: it is a native addon built on the legacy V8 API \(nan\), and Deno loads only Node-API addons — run mltest bench \(the benchmark history\) on Node/)
    t.equal(bench.stderr.trim().split('\n').length, 1, 'in one line')
    t.equal(noSys.code, 2, 'missing permissions exit 2')
    t.equal(noSys.stderr.trim(), `mltest: ${d(noSys.stderr)} was not given --allow-write --allow-sys (every mltest command needs --allow-read --allow-write --allow-env --allow-sys) — run deno run -A --node-modules-dir=manual ..., or add --allow-write --allow-sys (docs/guide/deno.md lists each plugin's permissions)`)
    t.equal(noRun.code, 2, '--isolate process without --allow-run exits 2')
    t.match(noRun.stderr.trim(), /^mltest: Deno [\d.]+ was not given --allow-run \(--isolate process \(it starts child processes\) needs --allow-run\)/)
    t.equal(granted.code, 0, 'the four base permissions are enough for a plain suite')
    t.equal(granted.closing, 'mltest: 1 passed, 0 failed, 0 skipped')
    t.equal(coverage.code, 2, '--coverage exits 2 on Deno')
    t.match(coverage.stderr.trim(), /^mltest: --coverage is not supported on Deno [\d.]+: .*node:inspector/)
    t.equal(coverage.stderr.trim().split('\n').length, 1, 'in one line')
    t.equal(noFfi.code, 1, 'onnxruntime-node without --allow-ffi: the file fails to load')
    t.match(noFfi.stdout, /failed to load the test file: .*Requires ffi access to ".*onnxruntime_binding\.node", run again with the --allow-ffi flag/)
  })

  t.test('Deno: a child process over its heap limit fails its test as out of memory', async (t) => {
    const dir = makeProject(t, {
      'heap.mltest.ts': `import { test } from 'mltest'\ntest('exhausts the heap', () => {\n  const keep: number[][] = []\n  for (;;) keep.push(new Array(1e6).fill(Math.random()))\n})\ntest('after the heap', () => { console.log('RAN after the heap') })\n`,
    })
    const r = await run('deno', dir, ['run', '--no-color', '--isolate', 'process', '--worker-heap-limit', '128'])
    t.equal(r.code, 1)
    t.match(r.stdout, /FAIL {2}heap\.mltest\.ts > exhausts the heap\n\s+WorkerCrash: the worker process stopped \(SIGTRAP\): V8 stops this way when the heap limit is reached/)
    t.match(r.stdout, /\nRAN after the heap\n/, 'the next test runs in a new child')
    t.equal(r.closing, 'mltest: 1 passed, 1 failed, 0 skipped')
  })

  t.test('Deno: watch reruns a changed file and quits on q', async (t) => {
    const dir = makeProject(t, { 'a.mltest.ts': `import { expect, test } from 'mltest'\ntest('answer', () => expect(42).toBe(42))\n` })
    const child = spawn(DENO, [...DENO_RUN, CLI, 'watch', '--workers', '1', '--no-color'], { cwd: dir, env: cleanEnv({ NO_COLOR: '1' }), stdio: ['pipe', 'pipe', 'pipe'] })
    t.teardown(() => child.kill('SIGKILL'))
    let stdout = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stdout += d.toString()))
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve))
    const prompts = async (n: number) => {
      const deadline = Date.now() + 120_000
      while (stdout.split('mltest watch: waiting for changes').length - 1 < n) {
        if (Date.now() > deadline) throw new Error(`no prompt ${n}; output:\n${stdout}`)
        await new Promise((r) => setTimeout(r, 100))
      }
      return stripVTControlCharacters(stdout)
    }
    t.match(await prompts(1), 'mltest: 1 passed, 0 failed, 0 skipped')
    writeFileSync(join(dir, 'a.mltest.ts'), `import { expect, test } from 'mltest'\ntest('answer', () => expect(41).toBe(42))\n`)
    const second = (await prompts(2)).split('mltest watch: waiting for changes')[1]!
    t.match(second, 'a.mltest.ts changed — rerunning 1 file')
    t.match(second, 'mltest: 0 passed, 1 failed, 0 skipped', 'the edited file ran in its new form')
    child.stdin.write('q\n')
    const quit = await Promise.race([exited, new Promise((resolve) => setTimeout(() => resolve('still running 30 s after q'), 30_000))])
    t.equal(quit, 0, 'q quits with 0')
  })
}
