// `mltest run --changed [REF]` through the real CLI in a real git repository: a change
// selects the test files that import the changed module, transitively; untracked files
// count; a bad ref is a usage error. The import graph, shared files and git itself are unit
// tested in test/core/node/discovery.test.ts.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { cli } from '../reporters/_project.ts'

const core = JSON.stringify(new URL('../../core/index.ts', import.meta.url).pathname)

function tempDir(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'mltest-changed-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

t.test('run --changed against a real git repository', async (t) => {
  const dir = tempDir(t)
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.email=ci@example.com', '-c', 'user.name=ci', ...args], { cwd: dir, encoding: 'utf8' })
  const w = (name: string, text: string) => writeFileSync(join(dir, name), text)
  const ran = (file: string) => (JSON.parse(readFileSync(join(dir, file), 'utf8')) as { files: Array<{ file: string }> }).files.map((f) => f.file.slice(dir.length + 1)).sort()
  w('package.json', '{"type":"module"}')
  w('deep.ts', 'export const scale = 2\n')
  w('math.ts', "import { scale } from './deep.ts'\nexport const double = (x: number) => x * scale\n")
  w('uses-math.mltest.ts', `import { test, expect } from ${core}\nimport { double } from './math.ts'\ntest('doubles', () => expect(double(2)).toBe(4))\n`)
  w('other.mltest.ts', `import { test } from ${core}\ntest('other', () => {})\n`)
  git('init', '-q')
  git('add', '.')
  git('commit', '-qm', 'start')

  const none = cli(['run', '--changed'], dir)
  t.equal(none.status, 0, 'nothing changed is not a failure')
  t.match(none.stderr, 'no test file is affected by changes since HEAD')

  w('deep.ts', 'export const scale = 3\n')
  w('new.mltest.ts', `import { test } from ${core}\ntest('new', () => {})\n`)
  const changed = cli(['run', '--changed', '--reporter', 'json:out/changed.json'], dir)
  t.equal(changed.status, 1, 'the affected test now fails: scale is 3')
  t.same(ran('out/changed.json'), ['new.mltest.ts', 'uses-math.mltest.ts'], 'the importer of the changed module and the untracked test, not other.mltest.ts')

  git('add', 'deep.ts', 'new.mltest.ts')
  git('commit', '-qm', 'change')
  const sinceRef = cli(['run', '--changed=HEAD~1', '--reporter', 'json:out/ref.json'], dir)
  t.equal(sinceRef.status, 1)
  t.same(ran('out/ref.json'), ['new.mltest.ts', 'uses-math.mltest.ts'], 'changes since a ref')

  const badRef = cli(['run', '--changed', 'no-such-branch'], dir)
  t.equal(badRef.status, 2)
  t.match(badRef.stderr, /^mltest: --changed: git does not know the ref "no-such-branch" — pass a branch, tag or commit/)
})
