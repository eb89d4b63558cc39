// Sharding and merging through the real CLI: the n shards run every file exactly once,
// balanced by recorded durations when given, and `mltest merge` of the shards' JSON equals a
// single run's totals. The partition itself is unit tested in test/core/node/discovery.test.ts,
// merging in test/core/node/results.test.ts.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { mergeResults } from '../../core/node/merge.ts'
import type { RunResult } from '../../core/reporter.ts'
import { cli, writeProject } from '../reporters/_project.ts'
import { validateJunit, xmllintMissing } from '../xsd.ts'

const core = JSON.stringify(new URL('../../core/index.ts', import.meta.url).pathname)

t.test('two shards merged equal one run', async (t) => {
  const project = writeProject()
  t.teardown(project.cleanup)
  for (let i = 0; i < 3; i++) {
    writeFileSync(join(project.dir, `e${i}.mltest.ts`), `import { test, expect } from ${core}\nfor (let k = 0; k <= ${i}; k++) test('e${i} case ' + k, () => expect(k).toBeGreaterThanOrEqual(0))\n`)
  }
  const at = (name: string) => join(project.dir, name)
  const read = (name: string) => JSON.parse(readFileSync(at(name), 'utf8')) as RunResult
  const full = cli(['run', '--seed', '9', '--workers', '2', '--reporter', 'json:full.json', '--reporter', 'console'], project.dir)
  t.equal(full.status, 1)
  const shards = [1, 2].map((i) =>
    cli(['run', '--seed', '9', '--workers', '2', '--shard', `${i}/2`, '--shard-durations', 'full.json', '--reporter', `json:shard-${i}.json`, '--reporter', 'console'], project.dir),
  )
  t.match(shards[0]!.stdout, /· shard 1\/2\n/)
  const files = [1, 2].map((i) => read(`shard-${i}.json`).files.map((f) => f.file))
  t.same([...files[0]!, ...files[1]!].sort(), read('full.json').files.map((f) => f.file).sort(), 'together the shards ran every file exactly once')
  t.ok(files[0]!.length > 0 && files[1]!.length > 0)

  const merged = cli(['merge', 'shard-1.json', 'shard-2.json', '--reporter', 'json:merged.json', '--reporter', 'junit:merged.xml', '--reporter', 'console'], project.dir)
  t.equal(merged.status, 1, 'the merged run failed, as the single run did')
  const one = read('full.json')
  const all = read('merged.json')
  const { durationMs: _a, ...oneCounts } = one.summary
  const { durationMs: _b, ...allCounts } = all.summary
  t.same(allCounts, oneCounts, 'the same totals')
  const states = (r: RunResult) => r.files.flatMap((f) => f.tests.map((x) => `${x.id} ${x.state}`)).sort()
  t.same(states(all), states(one), 'the same tests with the same states')
  t.same(all.mergedFrom!.map((m) => m.shard), [{ index: 1, count: 2 }, { index: 2, count: 2 }])
  t.equal(merged.stdout.trimEnd().split('\n').at(-1), full.stdout.trimEnd().split('\n').at(-1), 'the same closing line')
  if (xmllintMissing) t.comment(`JUnit schema check skipped: ${xmllintMissing}`)
  else {
    const lint = validateJunit(at('merged.xml'))
    t.ok(lint.ok, lint.output)
  }

  t.test('merge refuses a shard given twice and warns about a missing one', async (t) => {
    const s1 = { source: 'shard-1.json', run: read('shard-1.json') }
    t.throws(() => mergeResults([s1, { ...s1, source: 'copy.json' }]), { name: 'UsageError', message: /is in both shard-1\.json and copy\.json — merge each shard's result once/ })
    t.match(mergeResults([s1]).warnings, [/shard 2\/2 missing/])
    const twice = cli(['merge', 'shard-1.json', 'shard-1.json'], project.dir)
    t.equal(twice.status, 2)
    t.match(twice.stderr, /^mltest: .* is in both shard-1\.json and shard-1\.json/)
  })

  t.test('a bad --shard exits 2; a shard with no files passes and still writes its report', async (t) => {
    const bad = cli(['run', '--shard', '3/2'], project.dir)
    t.equal(bad.status, 2)
    t.equal(bad.stderr, 'mltest: invalid --shard "3/2" — use INDEX/COUNT with 1 <= INDEX <= COUNT, e.g. --shard 1/4\n')
    const empty = cli(['run', 'a-pass.mltest.ts', '--shard', '2/2', '--reporter', 'json:empty.json'], project.dir)
    t.equal(empty.status, 0, empty.stderr)
    t.match(empty.stderr, 'shard 2/2 has no test files')
    t.same(read('empty.json').files, [])
  })
})
