// Exclusive tests (tag `bench`): while one runs, no other test runs on any worker. Each
// test appends start/end marks to a shared file; the marks must never overlap an
// exclusive test, in thread and in process mode.
import { spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'

const bin = new URL('../../bin/mltest.mjs', import.meta.url).pathname
const core = new URL('../../core/index.ts', import.meta.url).pathname

function project(dir: string) {
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}')
  for (const name of ['a', 'b', 'c']) {
    writeFileSync(
      join(dir, `${name}.mltest.ts`),
      `import { test } from ${JSON.stringify(core)}
import { appendFileSync } from 'node:fs'
const mark = (what: string) => appendFileSync(${JSON.stringify(join(dir, 'marks.txt'))}, '${name} ' + what + '\\n')
for (let i = 0; i < 4; i++) {
  test('t' + i, async () => {
    mark('start t' + i)
    await new Promise((r) => setTimeout(r, 40))
    mark('end t' + i)
  }, { tags: i === 1 && '${name}' !== 'c' ? ['bench'] : [] })
}
`,
    )
  }
}

/** Replays the marks; returns the violations found. */
function violations(marks: string): string[] {
  const running = new Set<string>()
  let exclusive: string | undefined
  const found: string[] = []
  for (const line of marks.trim().split('\n')) {
    const [file, kind, test] = line.split(' ')
    const key = `${file} ${test}`
    if (kind === 'start') {
      if (exclusive) found.push(`${key} started during exclusive ${exclusive}`)
      if (test === 't1' && file !== 'c') {
        if (running.size > 0) found.push(`exclusive ${key} started while ${[...running].join(', ')} ran`)
        exclusive = key
      }
      running.add(key)
    } else {
      running.delete(key)
      if (exclusive === key) exclusive = undefined
    }
  }
  return found
}

for (const isolate of ['none', 'process']) {
  t.test(`bench-tagged tests run alone (isolate ${isolate})`, async (t) => {
    const dir = t.testdir()
    project(dir)
    const r = spawnSync(process.execPath, [bin, 'run', dir, '--workers', '3', '--no-color', '--isolate', isolate], { encoding: 'utf8' })
    t.equal(r.status, 0, r.stdout + r.stderr)
    t.match(r.stdout.trim().split('\n').at(-1), 'mltest: 12 passed, 0 failed, 0 skipped')
    const marks = readFileSync(join(dir, 'marks.txt'), 'utf8')
    t.equal(marks.trim().split('\n').length, 24, 'every test left its marks')
    t.same(violations(marks), [])
  })
}

t.test('the overlap detector itself catches an overlap', async (t) => {
  t.same(violations('a start t1\nb start t0\nb end t0\na end t1\n'), ['b t0 started during exclusive a t1'])
  t.same(violations('b start t0\na start t1\na end t1\nb end t0\n'), ['exclusive a t1 started while b t0 ran'])
})
