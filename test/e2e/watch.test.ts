// `mltest watch` end to end: the real CLI on a temp project, driven by editing files and by
// keys on a piped stdin. A helper change reruns only its importers, on fresh workers (so the
// new helper code is what runs); a test-file change reruns that file on the same warm worker.
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'

const bin = new URL('../../bin/mltest.mjs', import.meta.url).pathname
const core = JSON.stringify(new URL('../../core/index.ts', import.meta.url).pathname)
const PROMPT = 'mltest watch: waiting for changes'

t.test('watch reruns affected files, keeps the pool warm, and answers a, f and q', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mltest-watch-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const w = (name: string, text: string) => writeFileSync(join(dir, name), text)
  w('package.json', '{"type":"module"}')
  w('helper.ts', 'export const answer = () => 42\n')
  w('a.mltest.ts', `import { test, expect } from ${core}\nimport { answer } from './helper.ts'\ntest('answer', () => expect(answer()).toBe(42))\ntest('steady', () => {})\n`)
  const bTest = (n: number) => `import { test } from ${core}\nimport { threadId } from 'node:worker_threads'\nfor (let i = 0; i < ${n}; i++) test('b' + i, () => console.log('thread=' + threadId))\n`
  w('b.mltest.ts', bTest(1))

  const child = spawn(process.execPath, [bin, 'watch', '--workers', '1', '--no-color', '--seed', '1'], { cwd: dir, env: { ...process.env, NO_COLOR: '1' }, stdio: ['pipe', 'pipe', 'pipe'] })
  t.teardown(() => child.kill())
  let out = ''
  let err = ''
  child.stdout.on('data', (d: Buffer) => (out += d.toString()))
  child.stderr.on('data', (d: Buffer) => (err += d.toString()))
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve))

  let seen = 0
  /** Resolves with the output of the next pass, up to and including its prompt. */
  const nextPass = async (): Promise<string> => {
    const deadline = Date.now() + 90_000
    while (out.split(PROMPT).length - 1 <= seen) {
      if (Date.now() > deadline) throw new Error(`no prompt after pass ${seen}; output:\n${out}\nstderr:\n${err}`)
      await new Promise((r) => setTimeout(r, 50))
    }
    const passes = out.split(PROMPT)
    seen++
    return passes[seen - 1]!
  }
  const threads = (text: string) => [...text.matchAll(/thread=(\d+)/g)].map((m) => Number(m[1]))
  const summary = (text: string) => /mltest: \d+ passed.*$/m.exec(text)?.[0]

  const first = await nextPass()
  t.equal(summary(first), 'mltest: 3 passed, 0 failed, 0 skipped', 'the first pass runs everything')
  const [firstThread] = threads(first)

  w('helper.ts', 'export const answer = () => 41\n')
  const helperChange = await nextPass()
  t.match(helperChange, 'helper.ts changed — rerunning 1 file on fresh workers')
  t.equal(summary(helperChange), 'mltest: 1 passed, 1 failed, 0 skipped', 'only a.mltest.ts reran, and it sees the new helper')
  t.match(helperChange, /Expected: 42\n\s+Received: 41/)

  w('b.mltest.ts', bTest(2))
  const testChange = await nextPass()
  t.match(testChange, 'b.mltest.ts changed — rerunning 1 file\n')
  t.equal(summary(testChange), 'mltest: 2 passed, 0 failed, 0 skipped', 'the edited test file ran in its new form')
  const warm = threads(testChange)
  t.equal(warm.length, 2)
  t.not(warm[0], firstThread, 'the helper change replaced the worker')
  t.equal(warm[0], warm[1])

  w('b.mltest.ts', bTest(1))
  const again = await nextPass()
  t.same(threads(again), [warm[0]], 'a test-file change keeps the warm worker')

  child.stdin.write('f\n')
  const failedOnly = await nextPass()
  t.match(failedOnly, 'rerunning the failed tests of 1 file')
  t.equal(summary(failedOnly), 'mltest: 0 passed, 1 failed, 0 skipped', 'f reruns just the failed test')

  w('helper.ts', 'export const answer = () => 42\n')
  t.equal(summary(await nextPass()), 'mltest: 2 passed, 0 failed, 0 skipped', 'fixing the helper fixes the test')

  w('notes.txt', 'not part of any test\n')
  w('c.mltest.ts', `import { test } from ${core}\ntest('c', () => {})\n`)
  const created = await nextPass()
  t.match(created, 'c.mltest.ts changed — rerunning 1 file')
  t.equal(summary(created), 'mltest: 1 passed, 0 failed, 0 skipped', 'a new test file runs; unrelated files are ignored')

  child.stdin.write('a\n')
  const all = await nextPass()
  t.equal(summary(all), 'mltest: 4 passed, 0 failed, 0 skipped', 'a reruns every file')

  child.stdin.write('f\nq\n')
  t.equal(await exited, 0, 'q quits with 0')
  t.match(out.split(PROMPT).at(-1), 'no failed tests to rerun')
  t.equal(err, '')
})

const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0
t.test('on a terminal one key press acts, without Enter', { skip: hasScript ? false : 'needs util-linux script(1) to give the CLI a terminal' }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mltest-watch-tty-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}')
  writeFileSync(join(dir, 'a.mltest.ts'), `import { test } from ${core}\ntest('a', () => {})\n`)
  const command = `${JSON.stringify(process.execPath)} ${JSON.stringify(bin)} watch --workers 1 --no-color`
  const child = spawn('script', ['-qec', command, '/dev/null'], { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] })
  t.teardown(() => child.kill())
  let out = ''
  child.stdout.on('data', (d: Buffer) => (out += d.toString()))
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve))
  const deadline = Date.now() + 90_000
  while (!out.includes(PROMPT) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
  t.match(out, PROMPT)
  child.stdin.write('q')
  t.equal(await exited, 0, 'q alone (raw mode) quits')
})
