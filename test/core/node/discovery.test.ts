// Which test files a run takes, in-process on real files in temp dirs: discovery (paths,
// folders, globs, include/exclude), sharding (--shard, --shard-durations), and --changed
// (the import graph, shared files, git in a temp repository).
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, realpathSync, rmSync, unlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import t from 'tap'
import { changedFilesSince, selectAffected } from '../../../core/node/changed.ts'
import { DEFAULT_INCLUDE, discoverTestFiles, type DiscoveryOptions } from '../../../core/node/discovery.ts'
import { ImportGraph, resolveRelativeSpecifier, scanImportSpecifiers } from '../../../core/node/import-graph.ts'
import { parseShard, partitionFiles, readShardDurations, selectShard } from '../../../core/node/shard.ts'
import { toResultJson } from '../../../core/result-format.ts'
import type { RunResult } from '../../../core/reporter.ts'

/** A temp dir (real path: macOS /tmp is a symlink) with `files` written, removed when `t` ends. */
function project(t: { teardown(fn: () => void): void }, files: Record<string, string> = {}): { dir: string; p: (name: string) => string; w: (name: string, text?: string) => void } {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'mltest-discovery-')))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const p = (name: string) => join(dir, name)
  const w = (name: string, text = '') => {
    mkdirSync(dirname(p(name)), { recursive: true })
    writeFileSync(p(name), text)
  }
  for (const [name, text] of Object.entries(files)) w(name, text)
  return { dir, p, w }
}

t.test('discoverTestFiles', async (t) => {
  const { dir, p } = project(t, {
    'a.mltest.ts': '',
    'sub/b.mltest.ts': '',
    'sub/deep/c.mltest.ts': '',
    'sub/helper.ts': '',
    'slow/d.mltest.ts': '',
    'node_modules/pkg/e.mltest.ts': '',
    'sub/node_modules/f.mltest.ts': '',
    '.cache/g.mltest.ts': '',
    'other/h.check.ts': '',
  })
  const discover = (options: Partial<DiscoveryOptions>) => discoverTestFiles({ rootDir: dir, cwd: dir, paths: [], include: DEFAULT_INCLUDE, exclude: [], ...options })
  const all = [p('a.mltest.ts'), p('slow/d.mltest.ts'), p('sub/b.mltest.ts'), p('sub/deep/c.mltest.ts')]

  t.test('no paths: the include globs under the root, node_modules and dot-folders skipped, sorted', async (t) => {
    t.same(discover({}), all)
    t.same(discover({ cwd: p('sub') }), all, 'the root decides, not the working directory')
    t.same(discover({ exclude: ['slow/**'] }), all.filter((f) => !f.includes('/slow/')), 'exclude')
    t.same(discover({ include: ['other/*.check.ts'] }), [p('other/h.check.ts')], 'a custom include')
    t.same(discover({ include: ['.cache/*.mltest.ts', 'node_modules/**/*.mltest.ts'] }), [], 'even when an include names them')
  })

  t.test('a folder is searched with the include globs anywhere below it', async (t) => {
    t.same(discover({ paths: ['sub'] }), [p('sub/b.mltest.ts'), p('sub/deep/c.mltest.ts')])
    t.same(discover({ paths: ['.'], cwd: p('sub/deep') }), [p('sub/deep/c.mltest.ts')], 'relative to cwd')
    t.same(discover({ paths: ['other'], include: ['./other/*.check.ts'] }), [p('other/h.check.ts')], 'a folder-bound include applies below the given folder')
    t.same(discover({ paths: ['sub'], exclude: ['**/deep/**'] }), [p('sub/b.mltest.ts')], 'exclude applies too')
  })

  t.test('a file is taken as given; globs; duplicates once', async (t) => {
    t.same(discover({ paths: ['sub/helper.ts'] }), [p('sub/helper.ts')], 'a named file need not match include')
    t.same(discover({ paths: ['sub/*.mltest.ts'] }), [p('sub/b.mltest.ts')], 'a glob, relative to cwd')
    t.same(discover({ paths: [p('sub/**/*.mltest.ts')] }), [p('sub/b.mltest.ts'), p('sub/deep/c.mltest.ts')], 'an absolute glob')
    t.same(discover({ paths: ['sub/b.mltest.ts', 'sub', p('sub/b.mltest.ts')] }), [p('sub/b.mltest.ts'), p('sub/deep/c.mltest.ts')])
    t.same(discover({ paths: ['**/*.mltest.ts'] }), all, 'a glob skips node_modules and dot-folders too')
  })

  t.test('a missing path or an empty glob is a usage error naming it', async (t) => {
    t.throws(() => discover({ paths: ['nope.mltest.ts'] }), { name: 'UsageError', message: 'path not found: nope.mltest.ts — pass an existing file, folder or glob' })
    t.throws(() => discover({ paths: ['sub/*.nothing.ts'] }), {
      name: 'UsageError',
      message: 'no test files match the glob "sub/*.nothing.ts" — check the pattern (quote it so the shell does not expand it)',
    })
    t.throws(() => discover({ paths: ['a.mltest.ts', 'missing/'] }), { message: /^path not found: missing\// }, 'even after a good path')
  })
})

t.test('parseShard accepts i/n and refuses the rest', async (t) => {
  t.same(parseShard('2/5'), { index: 2, count: 5 })
  t.same(parseShard(' 1/1 '), { index: 1, count: 1 }, 'surrounding space is trimmed')
  for (const bad of ['0/2', '3/2', '1/0', '1', 'a/b', '1/2/3', '-1/2', '1.5/2', '']) {
    t.throws(() => parseShard(bad), { name: 'UsageError', message: `invalid --shard "${bad}" — use INDEX/COUNT with 1 <= INDEX <= COUNT, e.g. --shard 1/4` }, bad)
  }
})

t.test('path partition: every file exactly once, even sizes, independent of order and checkout path', async (t) => {
  const names = Array.from({ length: 10 }, (_, i) => `dir${i % 3}/f${i}.mltest.ts`)
  const a = partitionFiles(names.map((n) => `/ci/a/${n}`), 3, '/ci/a')
  const b = partitionFiles([...names].reverse().map((n) => `/other/b/${n}`), 3, '/other/b')
  for (const n of names) t.equal(a.get(`/ci/a/${n}`), b.get(`/other/b/${n}`), n)
  const sizes = [1, 2, 3].map((s) => [...a.values()].filter((v) => v === s).length)
  t.same(sizes.sort(), [3, 3, 4])
  t.equal(a.size, 10)
  t.same([...partitionFiles(['/r/b.ts', '/r/a.ts', '/r/c.ts'], 2, '/r')], [['/r/a.ts', 1], ['/r/b.ts', 2], ['/r/c.ts', 1]], 'sorted by path, dealt round robin')
})

t.test('duration partition: longest first onto the least loaded shard', async (t) => {
  const files = ['a', 'b', 'c', 'd', 'e', 'f'].map((n) => `/r/${n}.ts`)
  const durations = new Map([['a.ts', 10], ['b.ts', 9], ['c.ts', 8], ['d.ts', 7], ['e.ts', 6], ['f.ts', 5]])
  const parts = partitionFiles(files, 2, '/r', durations)
  const load = (s: number) => files.filter((f) => parts.get(f) === s).reduce((sum, f) => sum + durations.get(f.slice(3))!, 0)
  t.same([load(1), load(2)], [23, 22], 'the best split of 45 is 23/22')

  const skewed = new Map([['a.ts', 100], ['b.ts', 1], ['c.ts', 100], ['d.ts', 1]])
  const four = files.slice(0, 4)
  const byPath = partitionFiles(four, 2, '/r')
  const byTime = partitionFiles(four, 2, '/r', skewed)
  const maxLoad = (p: Map<string, number>) => Math.max(...[1, 2].map((s) => four.filter((f) => p.get(f) === s).reduce((sum, f) => sum + skewed.get(f.slice(3))!, 0)))
  t.equal(maxLoad(byPath), 200, 'by path both slow files land on one shard')
  t.equal(maxLoad(byTime), 101, 'by duration they are split')
  t.same(partitionFiles(four, 2, '/r', new Map()), byPath, 'empty durations: by path')
})

t.test('a file the durations do not know weighs the median known duration', async (t) => {
  // Known 5, 3, 3, 2: median 3. Weighted 3 the new file balances the shards 8/8; weighted 0
  // (or the mean, 3.25) it would land on the other shard.
  const files = ['a', 'b', 'c', 'd', 'new'].map((n) => `/r/${n}.ts`)
  const known = new Map([['a.ts', 5], ['b.ts', 3], ['c.ts', 2], ['d.ts', 3]])
  const parts = partitionFiles(files, 2, '/r', known)
  t.equal(parts.get('/r/new.ts'), 1)
  t.same(parts, partitionFiles(files, 2, '/r', new Map([...known, ['new.ts', 3]])), 'the same as if it had taken 3 ms')
  t.not(partitionFiles(files, 2, '/r', new Map([...known, ['new.ts', 0]])).get('/r/new.ts'), 1, 'a weight of 0 would place it elsewhere')
})

t.test('selectShard keeps the given order; the shards cover every file once', async (t) => {
  const files = ['/r/z.ts', '/r/m.ts', '/r/a.ts', '/r/k.ts', '/r/b.ts']
  const shards = [1, 2, 3].map((index) => selectShard(files, { index, count: 3 }, '/r'))
  t.same(shards.flat().sort(), [...files].sort())
  for (const shard of shards) t.same(shard, files.filter((f) => shard.includes(f)), 'original order')
  t.same(selectShard(files, { index: 1, count: 1 }, '/r'), files)
})

t.test('readShardDurations reads per-file durations from a result file, keyed relative to its root', async (t) => {
  const { dir, p, w } = project(t)
  const run: RunResult = {
    rootDir: '/ci/checkout',
    seed: 1,
    startedAt: new Date(0).toISOString(),
    durationMs: 30,
    files: [
      { file: '/ci/checkout/a.mltest.ts', durationMs: 10, errors: [], tests: [] },
      { file: '/ci/checkout/sub/b.mltest.ts', durationMs: 20, errors: [], tests: [] },
    ],
    summary: { passed: 0, failed: 0, skipped: 0, todo: 0, inconclusive: 0, fileErrors: 0, durationMs: 30 },
    notRun: [],
    runErrors: [],
  }
  w('full.json', toResultJson(run))
  t.same(readShardDurations(p('full.json')), new Map([['a.mltest.ts', 10], ['sub/b.mltest.ts', 20]]))
  const here = partitionFiles([join(dir, 'a.mltest.ts'), join(dir, 'sub/b.mltest.ts'), join(dir, 'c.mltest.ts')], 2, dir, readShardDurations(p('full.json')))
  // Another checkout path uses the same keys: b (20) alone, a (10) with c (unknown: the median, 15).
  t.same([1, 2, 3].map((i) => here.get([join(dir, 'a.mltest.ts'), join(dir, 'sub/b.mltest.ts'), join(dir, 'c.mltest.ts')][i - 1]!)), [2, 1, 2])
  t.throws(() => readShardDurations(p('missing.json'), 'missing.json'), { name: 'UsageError', message: /^cannot read result file --shard-durations missing\.json \(ENOENT\)/ })
  w('bad.json', '{')
  t.throws(() => readShardDurations(p('bad.json'), 'bad.json'), { name: 'UsageError', message: /^--shard-durations bad\.json is not JSON/ })
})

t.test('import specifiers: every syntax, comments ignored', async (t) => {
  const source = `import a from './a.js'
import { b,
  c } from "./b"
import { type T } from './types.ts'
export * from './reexport'
export { x } from './x.mjs'
import './side-effect'
const lazy = await import('./lazy.ts')
const tpl = await import(\`./template.ts\`)
const cjs = require('./cjs.cjs')
// import './commented'
/* import './block-commented' */
const url = 'http://example.com/a' // import './trailing'
const text = "not // a comment"; import './after-string'
import fs from 'node:fs'
const notImport = obj.import('./method-call')
`
  t.same(
    scanImportSpecifiers(source).sort(),
    ['./a.js', './after-string', './b', './cjs.cjs', './lazy.ts', './reexport', './side-effect', './template.ts', './types.ts', './x.mjs', 'node:fs'].sort(),
  )
  t.same(scanImportSpecifiers("import './a'\nimport './a'\n"), ['./a'], 'each specifier once')
})

t.test('import specifiers: type-only imports and re-exports are no dependency', async (t) => {
  const source = `export type { Local }
import { value } from './value'
import type { T } from './type-named'
import type Default from './type-default'
import type * as NS from './type-namespace'
import type {
  Multi,
} from './type-multiline'
export type { Y } from './type-reexport'
export type * from './type-star'
import type from './default-named-type'
import { type Z } from './inline-type'
import { type Q, q } from './mixed'
import type { Both } from './both'
import { both } from './both'
`
  t.same(
    scanImportSpecifiers(source).sort(),
    ['./both', './default-named-type', './inline-type', './mixed', './value'],
    '`import { type X }` stays (verbatimModuleSyntax keeps it); a default import named `type` is a value',
  )
})

t.test('relative specifiers resolve like TypeScript and Node do', async (t) => {
  const { dir, p } = project(t, { 'helper.ts': '', 'lib/index.ts': '', 'data.json': '', 'plain.mjs': '', 'comp.tsx': '', 'mod.mts': '' })
  const from = p('x.mltest.ts')
  t.equal(resolveRelativeSpecifier(from, './helper.js'), p('helper.ts'), '.js names the .ts source')
  t.equal(resolveRelativeSpecifier(from, './comp.js'), p('comp.tsx'), '.js names a .tsx source')
  t.equal(resolveRelativeSpecifier(from, './mod.mjs'), p('mod.mts'), '.mjs names the .mts source')
  t.equal(resolveRelativeSpecifier(from, './helper'), p('helper.ts'), 'extension implied')
  t.equal(resolveRelativeSpecifier(from, './helper.ts?raw'), p('helper.ts'), 'query dropped')
  t.equal(resolveRelativeSpecifier(from, './lib'), p('lib/index.ts'), 'folder index')
  t.equal(resolveRelativeSpecifier(p('lib/index.ts'), '..'), dir, '".." without an index file keeps its path')
  t.equal(resolveRelativeSpecifier(from, './data.json'), p('data.json'))
  t.equal(resolveRelativeSpecifier(from, './plain.mjs'), p('plain.mjs'))
  t.equal(resolveRelativeSpecifier(from, './gone.ts'), p('gone.ts'), 'a deleted module keeps its path')
  t.equal(resolveRelativeSpecifier(from, 'lodash'), undefined, 'packages are not followed')
  t.equal(resolveRelativeSpecifier(from, '/abs/path.ts'), undefined, 'nor absolute specifiers')
})

t.test('the import graph: transitive importers, refresh, cycles, deleted modules', async (t) => {
  const { p, w } = project(t, {
    'deep.ts': 'export const k = 1\n',
    'mid.ts': "export { k } from './deep.ts'\n",
    'one.mltest.ts': "import { k } from './mid.js'\n",
    'two.mltest.ts': "import './other.ts'\n",
    'other.ts': '',
    'cycle-a.ts': "import './cycle-b.ts'\nimport './cycle-a.ts'\n",
    'cycle-b.ts': "import './cycle-a.ts'\n",
    'three.mltest.ts': "import './cycle-b.ts'\nimport './gone.ts'\nimport './data.json'\nimport './node_modules/pkg/index.js'\n",
    'data.json': "{ \"import\": \"./not-code.ts\" }\n",
    'node_modules/pkg/index.js': "import '../../deep.ts'\n",
  })
  const tests = [p('one.mltest.ts'), p('two.mltest.ts'), p('three.mltest.ts')]
  const graph = new ImportGraph()
  graph.add(tests)
  t.same(graph.affected([p('deep.ts')], tests), [p('one.mltest.ts')], 'through mid.ts; not through node_modules')
  t.same(graph.affected([p('other.ts')], tests), [p('two.mltest.ts')])
  t.same(graph.affected([p('two.mltest.ts')], tests), [p('two.mltest.ts')], 'a changed test file is itself affected')
  t.same(graph.affected([p('unrelated.ts')], tests), [])
  t.same(graph.affected([p('cycle-a.ts')], tests), [p('three.mltest.ts')], 'a cycle ends')
  t.same(graph.affected([p('gone.ts')], tests), [p('three.mltest.ts')], 'a missing module keeps its importers')
  t.same(graph.affected([p('deep.ts'), p('other.ts')], [...tests].reverse()), [p('two.mltest.ts'), p('one.mltest.ts')], 'in candidates order')
  t.ok(graph.has(p('mid.ts')))
  t.notOk(graph.has(p('unrelated.ts')))
  t.same(graph.dependenciesOf([p('one.mltest.ts')]), new Set([p('one.mltest.ts'), p('mid.ts'), p('deep.ts')]))
  t.notOk(graph.dependenciesOf([p('three.mltest.ts')]).has(p('not-code.ts')), 'a .json file is not scanned for imports')
  t.notOk(graph.dependenciesOf([p('three.mltest.ts')]).has(p('deep.ts')), 'a module under node_modules is not scanned')
  t.same(new Set(graph.modules()), new Set(['one.mltest.ts', 'two.mltest.ts', 'three.mltest.ts', 'mid.ts', 'deep.ts', 'other.ts', 'cycle-a.ts', 'cycle-b.ts', 'gone.ts', 'data.json', 'node_modules/pkg/index.js'].map(p)))

  w('two.mltest.ts', "import './deep.ts'\n")
  graph.refresh([p('two.mltest.ts'), p('never-added.ts')])
  t.same(graph.affected([p('deep.ts')], tests), [p('one.mltest.ts'), p('two.mltest.ts')], "a refreshed file's new imports count")
  t.same(graph.affected([p('other.ts')], tests), [], 'and its old ones no longer do')
  t.notOk(graph.has(p('never-added.ts')), 'refresh does not add modules the graph did not know')
})

t.test('selectAffected: shared files select everything', async (t) => {
  const { dir, p } = project(t, {
    'mltest.config.ts': "import './config-helper.ts'\n",
    'config-helper.ts': '',
    'setup.ts': "import './setup-helper.ts'\n",
    'setup-helper.ts': '',
    'math.ts': '',
    'a.mltest.ts': "import './math.ts'\n",
    'b.mltest.ts': '',
  })
  const tests = [p('a.mltest.ts'), p('b.mltest.ts')]
  const shared = { rootDir: dir, configFile: p('mltest.config.ts'), setupFiles: [p('setup.ts')] }
  t.same(selectAffected(tests, [p('math.ts')], shared), { files: [p('a.mltest.ts')] }, 'a plain module: its importers only')
  t.same(selectAffected(tests, [], shared), { files: [] })
  for (const file of ['mltest.config.ts', 'config-helper.ts', 'setup.ts', 'setup-helper.ts', 'package.json', 'package-lock.json', 'pnpm-lock.yaml', 'yarn.lock']) {
    t.same(selectAffected(tests, [p('math.ts'), p(file)], shared), { files: tests, everything: p(file) }, file)
  }
  t.same(selectAffected(tests, [join(dirname(dir), 'package-lock.json')], shared), { files: tests, everything: join(dirname(dir), 'package-lock.json') }, 'a lockfile in a folder above the root')
  t.same(selectAffected(tests, [p('sub/package.json')], shared).files, [], 'a nested package.json does not')
  t.same(selectAffected(tests, [p('app/package.json')], { ...shared, rootDir: p('app-web') }).files, [], "nor a sibling folder's whose name the root's extends")
  t.same(selectAffected(tests, [p('setup.ts')], { rootDir: dir, setupFiles: [] }).files, [], 'without the setup file registered, setup.ts is a plain module')
})

t.test('changedFilesSince: a real git repository', async (t) => {
  const { dir, p, w } = project(t, { 'tracked.ts': 'a\n', 'kept.ts': 'a\n', 'doomed.ts': 'a\n', 'sub/old-name.ts': 'a\n', '.gitignore': 'ignored.ts\n' })
  // An isolated git: no user or system config, fixed identity, so commits work anywhere.
  const env = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_AUTHOR_NAME: 'ci', GIT_AUTHOR_EMAIL: 'ci@example.com', GIT_COMMITTER_NAME: 'ci', GIT_COMMITTER_EMAIL: 'ci@example.com' }
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
  git('init', '-q')
  git('add', '.')
  git('commit', '-qm', 'first')
  t.same(changedFilesSince('HEAD', dir), [], 'a clean tree: nothing changed')

  w('tracked.ts', 'b\n')
  unlinkSync(p('doomed.ts'))
  git('mv', 'sub/old-name.ts', 'sub/new-name.ts')
  w('untracked.ts')
  w('ignored.ts')
  const changed = changedFilesSince('HEAD', dir)
  t.same([...changed].sort(), [p('doomed.ts'), p('sub/new-name.ts'), p('sub/old-name.ts'), p('tracked.ts'), p('untracked.ts')], 'modified, deleted, both names of a rename, untracked; not ignored')
  t.same([...changedFilesSince('HEAD', p('sub'))].sort(), [...changed].sort(), 'absolute paths from the top level, whatever the working directory')

  git('add', '-A')
  git('commit', '-qm', 'second')
  t.same(changedFilesSince('HEAD', dir), [])
  t.same([...changedFilesSince('HEAD~1', dir)].sort(), [p('doomed.ts'), p('sub/new-name.ts'), p('sub/old-name.ts'), p('tracked.ts'), p('untracked.ts')], 'since an older commit')

  t.throws(() => changedFilesSince('no-such-branch', dir), {
    name: 'UsageError',
    message: /^--changed: git does not know the ref "no-such-branch" — pass a branch, tag or commit, e.g\. --changed origin\/main/,
  })
  const outside = project(t).dir
  t.throws(() => changedFilesSince('HEAD', outside), { name: 'UsageError', message: new RegExp(`^--changed needs a git repository, but ${outside.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not in one \\(not a git repository.*\\) — run without --changed$`) })
})
