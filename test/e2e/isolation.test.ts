// End-to-end: what a misbehaving test file does to a run — timeouts (async and a synchronous
// infinite loop), process.exit, heap exhaustion, import-time errors, a native crash under
// --isolate process — and --bail. Each failure stays with its test or file; the rest runs.
import t from 'tap'
import { countLines, failureBlock, linesWith, makeProject, runCli } from './run-cli.ts'

const CRASHES: Record<string, string> = {
  'a-timeouts.mltest.ts': `import { test } from 'mltest'
test('async past its timeout', async (t) => {
  t.signal.addEventListener('abort', () => console.log('SIGNAL aborted=' + t.signal.aborted))
  await new Promise((resolve) => setTimeout(resolve, 5000))
}, { timeout: 300 })
test('sync infinite loop', () => { for (;;) {} }, { timeout: 300 })
test('after the loop', () => { console.log('RAN after the loop') })
`,
  'b-exit.mltest.ts': `import { test } from 'mltest'
test('before exit', () => { console.log('RAN before exit') })
test('calls process.exit', () => { process.exit(3) })
test('after exit', () => { console.log('RAN after exit') })
`,
  'c-heap.mltest.ts': `import { test } from 'mltest'
test('exhausts the heap', () => {
  const keep: number[][] = []
  for (;;) keep.push(new Array(1e6).fill(Math.random()))
})
test('after the heap', () => { console.log('RAN after the heap') })
`,
  'd-syntax.mltest.ts': `import { test } from 'mltest'
test('never collected', () => {
`,
  'e-throws-on-import.mltest.ts': `import { test } from 'mltest'
test('never runs', () => {})
throw new Error('cannot load the weights file')
`,
  'f-healthy.mltest.ts': `import { test } from 'mltest'
test('healthy', () => { console.log('RAN healthy') })
`,
}

const threads = makeProject(t, CRASHES)
// A native crash would take the whole runner down with worker threads; only the process
// pool gets this file.
const processes = makeProject(t, {
  ...CRASHES,
  'g-native-crash.mltest.ts': `import { test } from 'mltest'
test('segfaults', () => { process.kill(process.pid, 'SIGSEGV') })
test('after the segfault', () => { console.log('RAN after the segfault') })
`,
})
const common = ['run', '--no-color', '--workers', '2', '--worker-heap-limit', '128', '--seed', '1']
const threadRun = runCli(threads, common)
const processRun = runCli(processes, [...common, '--isolate', 'process'])

const bail = makeProject(t, {
  'a-fails.mltest.ts': `import { test } from 'mltest'\ntest('fails first', () => { throw new Error('first failure') })\n`,
  'b-passes.mltest.ts': `import { test } from 'mltest'\ntest('b passes', () => { console.log('RAN b') })\n`,
  'c-passes.mltest.ts': `import { test } from 'mltest'\ntest('c passes', () => { console.log('RAN c') })\n`,
  'd-passes.mltest.ts': `import { test } from 'mltest'\ntest('d passes', () => { console.log('RAN d') })\n`,
})
const bailRun = runCli(bail, ['run', '--no-color', '--workers', '1', '--bail', '1'])
const noBailRun = runCli(bail, ['run', '--no-color', '--workers', '1'])

for (const [mode, run] of [['worker threads', threadRun], ['--isolate process', processRun]] as const) {
  t.test(`${mode}: timeouts`, async (t) => {
    const r = await run
    const slow = failureBlock(r.stdout, 'a-timeouts.mltest.ts > async past its timeout')
    t.match(slow, /TimeoutError: test "async past its timeout" timed out after 300 ms/)
    t.same(linesWith(r.stdout, 'SIGNAL '), ['aborted=true'], 't.signal is aborted on timeout')
    const loop = failureBlock(r.stdout, 'a-timeouts.mltest.ts > sync infinite loop')
    t.match(loop, /timed out after 300 ms/, 'a blocked worker is reported as a timeout of that test')
    t.match(loop, /blocked its worker/)
    t.equal(countLines(r.stdout, 'RAN after the loop'), 1, 'the rest of the file runs on a fresh worker')
  })

  t.test(`${mode}: process.exit in a test`, async (t) => {
    const r = await run
    t.match(failureBlock(r.stdout, 'b-exit.mltest.ts > calls process.exit'), /exited with code 3 \(process\.exit\(\) called/)
    t.equal(countLines(r.stdout, 'RAN before exit'), 1)
    t.equal(countLines(r.stdout, 'RAN after exit'), 1, 'the next test in the file still runs')
  })

  t.test(`${mode}: a heap-exhausting test with --worker-heap-limit 128`, async (t) => {
    const r = await run
    t.match(failureBlock(r.stdout, 'c-heap.mltest.ts > exhausts the heap'), /out of memory/)
    t.equal(countLines(r.stdout, 'RAN after the heap'), 1, 'the next test in the file still runs')
  })

  t.test(`${mode}: import-time errors are file errors`, async (t) => {
    const r = await run
    t.match(r.stdout, /ERROR\s+d-syntax\.mltest\.ts\n.*failed to load the test file/)
    t.match(r.stdout, /d-syntax\.mltest\.ts:3:0: ERROR: Unexpected end of file/, 'the syntax error names its place')
    t.match(r.stdout, /ERROR\s+e-throws-on-import\.mltest\.ts\n.*failed to load the test file: cannot load the weights file/)
    t.match(r.stdout, /Files with errors:\n {2}! d-syntax\.mltest\.ts\n {2}! e-throws-on-import\.mltest\.ts\n/)
    t.equal(countLines(r.stdout, 'RAN healthy'), 1, 'other files still run')
  })

  t.test(`${mode}: exit code and closing line`, async (t) => {
    const r = await run
    t.equal(r.code, 1)
    const crashes = mode === '--isolate process' ? { passed: 6, failed: 5 } : { passed: 5, failed: 4 }
    t.equal(r.closing, `mltest: ${crashes.passed} passed, ${crashes.failed} failed, 0 skipped, 2 file errors`)
  })
}

t.test('--isolate process: a native crash fails only its test', async (t) => {
  const r = await processRun
  t.match(r.stdout, /isolate process/)
  t.match(failureBlock(r.stdout, 'g-native-crash.mltest.ts > segfaults'), /killed by SIGSEGV/)
  t.equal(countLines(r.stdout, 'RAN after the segfault'), 1)
})

t.test('--bail 1 stops after the first failure and reports the files not run', async (t) => {
  const r = await bailRun
  t.equal(r.code, 1)
  t.match(r.stdout, /not run \(bail\): 3 files/)
  t.equal(linesWith(r.stdout, 'RAN ').length, 0, 'no later file ran')
  t.equal(r.closing, 'mltest: 0 passed, 1 failed, 0 skipped')
  const all = await noBailRun
  t.equal(all.code, 1)
  t.same(linesWith(all.stdout, 'RAN ').sort(), ['b', 'c', 'd'], 'without --bail every file runs')
  t.equal(all.closing, 'mltest: 3 passed, 1 failed, 0 skipped')
})
