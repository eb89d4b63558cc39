// `mltest run --changed [REF]` and the import graph behind it (shared with watch mode):
// a change selects the test files that import the changed module, transitively; untracked
// files count; shared files (config, setup files, package.json) select everything.
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { changedFilesSince, selectAffected } from '../../core/node/changed.ts'
import { ImportGraph, resolveRelativeSpecifier, scanImportSpecifiers } from '../../core/node/import-graph.ts'
import { cli } from '../reporters/_project.ts'

const core = JSON.stringify(new URL('../../core/index.ts', import.meta.url).pathname)

function tempDir(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'mltest-changed-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

t.test('import specifiers: every syntax, comments ignored', async (t) => {
  const source = `import a from './a.js'
import { b,
  c } from "./b"
import type { T } from './types.ts'
export * from './reexport'
export { x } from './x.mjs'
import './side-effect'
const lazy = await import('./lazy.ts')
const cjs = require('./cjs.cjs')
// import './commented'
/* import './block-commented' */
const url = 'http://example.com/a' // import './trailing'
import fs from 'node:fs'
const notImport = obj.import('./method-call')
`
  t.same(scanImportSpecifiers(source).sort(), ['./a.js', './b', './cjs.cjs', './lazy.ts', './reexport', './side-effect', './types.ts', './x.mjs', 'node:fs'].sort())
})

t.test('relative specifiers resolve like TypeScript and Node do', async (t) => {
  const dir = tempDir(t)
  mkdirSync(join(dir, 'lib'))
  for (const f of ['helper.ts', 'lib/index.ts', 'data.json', 'plain.mjs']) writeFileSync(join(dir, f), '')
  const from = join(dir, 'x.mltest.ts')
  t.equal(resolveRelativeSpecifier(from, './helper.js'), join(dir, 'helper.ts'), '.js names the .ts source')
  t.equal(resolveRelativeSpecifier(from, './helper'), join(dir, 'helper.ts'), 'extension implied')
  t.equal(resolveRelativeSpecifier(from, './lib'), join(dir, 'lib/index.ts'), 'folder index')
  t.equal(resolveRelativeSpecifier(from, './data.json'), join(dir, 'data.json'))
  t.equal(resolveRelativeSpecifier(from, './plain.mjs'), join(dir, 'plain.mjs'))
  t.equal(resolveRelativeSpecifier(from, './gone.ts'), join(dir, 'gone.ts'), 'a deleted module keeps its path')
  t.equal(resolveRelativeSpecifier(from, 'lodash'), undefined, 'packages are not followed')
})

t.test('affected test files are found transitively', async (t) => {
  const dir = tempDir(t)
  const w = (name: string, text: string) => writeFileSync(join(dir, name), text)
  w('deep.ts', 'export const k = 1\n')
  w('mid.ts', "export { k } from './deep.ts'\n")
  w('one.mltest.ts', "import { k } from './mid.js'\n")
  w('two.mltest.ts', "import './other.ts'\n")
  w('other.ts', '')
  const p = (name: string) => join(dir, name)
  const tests = [p('one.mltest.ts'), p('two.mltest.ts')]
  const graph = new ImportGraph()
  graph.add(tests)
  t.same(graph.affected([p('deep.ts')], tests), [p('one.mltest.ts')])
  t.same(graph.affected([p('other.ts')], tests), [p('two.mltest.ts')])
  t.same(graph.affected([p('two.mltest.ts')], tests), [p('two.mltest.ts')], 'a changed test file is itself affected')
  t.same(graph.affected([p('unrelated.ts')], tests), [])
  w('two.mltest.ts', "import './deep.ts'\n")
  graph.refresh([p('two.mltest.ts')])
  t.same(graph.affected([p('deep.ts')], tests), tests, 'a refreshed file\'s new imports count')
  t.same(graph.affected([p('other.ts')], tests), [], 'and its old ones no longer do')

  const shared = { rootDir: dir, setupFiles: [p('other.ts')] }
  t.same(selectAffected(tests, [p('other.ts')], shared), { files: tests, everything: p('other.ts') }, 'a setup file change selects all')
  t.same(selectAffected(tests, [p('package.json')], { rootDir: dir, setupFiles: [] }).files, tests, 'package.json selects all')
  t.same(selectAffected(tests, [p('sub/package.json')], { rootDir: dir, setupFiles: [] }).files, [], 'a nested package.json does not')
})

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

  const outside = tempDir(t)
  t.throws(() => changedFilesSince('HEAD', outside), { name: 'UsageError', message: /--changed needs a git repository/ })
})
