// `mltest release accept` and checkDependencies end to end on the real CLI: a project whose
// test checks its dependencies; the first run says how to create the baseline, the command
// creates it, an unacknowledged upgrade fails the run (with the check's record, practice id
// and figure in the JSON result), accepting it with a reason makes the run pass again; bad
// usage and a corrupt baseline exit 2 and leave the file alone.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { makeProject, runCli } from '../../e2e/run-cli.ts'

const lock = (ortVersion: string) =>
  JSON.stringify({ name: 'app', lockfileVersion: 3, packages: { '': { name: 'app' }, 'node_modules/onnxruntime-node': { version: ortVersion, integrity: `sha512-${ortVersion}` }, 'node_modules/zod': { version: '4.6.7' } } })

const TEST_FILE = `
import { test } from 'mltest'
import { checkDependencies } from 'mltest/release'

test('dependencies are the accepted ones', () => {
  checkDependencies({ baseline: 'deps.json', files: ['data.csv'] })
})
`

t.test('first run, accept, an unacknowledged upgrade, accept again', async (t) => {
  const dir = makeProject(t, { 'package-lock.json': lock('1.29.0'), 'data.csv': 'a,b\n1,2\n', 'deps.mltest.ts': TEST_FILE })
  const baseline = join(dir, 'deps.json')

  const first = await runCli(dir, ['run', '.'])
  t.equal(first.code, 1, first.command)
  t.match(first.stdout, /no dependency baseline at .*deps\.json/)
  t.match(first.stdout, /npx mltest release accept --baseline deps\.json --file data\.csv --reason "first baseline"/, 'paths as typed in the project folder')

  const created = await runCli(dir, ['release', 'accept', '--baseline', 'deps.json', '--file', 'data.csv', '--reason', 'first baseline', '--by', 'CI bot'])
  t.equal(created.code, 0, created.stderr)
  t.match(created.stdout, /deps\.json: baseline created by CI bot at \d{4}-\d\d-\d\dT[\d:.]+Z: "first baseline"/)
  t.match(created.stdout, /first baseline: 2 package\(s\), 1 file\(s\)/)

  const passing = await runCli(dir, ['run', '.'])
  t.equal(passing.code, 0, passing.stdout)

  writeFileSync(join(dir, 'package-lock.json'), lock('1.30.0'))
  const upgraded = await runCli(dir, ['run', '.', '--reporter', 'console', '--reporter', 'json:out.json'])
  t.equal(upgraded.code, 1, 'an upgrade nobody acknowledged fails the run')
  t.match(upgraded.stdout, /upgraded\s+package\s+onnxruntime-node\s+1\.29\.0\s+1\.30\.0/)
  const result = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8')) as { files: Array<{ tests: Array<Record<string, any>> }> }
  const record = result.files[0]!.tests[0]!.checks[0]
  t.match(record, { check: 'checkDependencies', practice: 'dependency-changes', verdict: 'fail', metrics: { upgraded: 1, changes: 1, packages: 2, files: 1 } })
  t.equal(record.figures[0].title, 'Dependency changes since the baseline, by kind')
  t.same(record.figures[0].spec.data.values, [{ kind: 'upgraded', source: 'package', count: 1, names: 'onnxruntime-node' }])

  const before = readFileSync(baseline, 'utf8')
  const usage: Array<[string[], RegExp]> = [
    [['release', 'accept', '--baseline', 'deps.json'], /needs --reason "why the changes are safe"/],
    [['release', 'accept', '--baseline', 'deps.json', '--reasn', 'typo'], /unknown option '--reasn'/],
    [['release', 'accept', '--reason', 'no baseline'], /needs --baseline FILE/],
    [['release'], /give a subcommand: mltest release accept/],
    [['release', 'approve', '--baseline', 'deps.json', '--reason', 'x'], /unknown subcommand "approve" \(known: accept\)/],
    [['release', 'accept', '--baseline', 'deps.json', '--file', 'gone.csv', '--reason', 'x'], /cannot track files that do not exist: gone\.csv/],
  ]
  // None of them writes anything, so they run side by side.
  const results = await Promise.all(usage.map(([args]) => runCli(dir, args)))
  results.forEach((r, i) => {
    t.equal(r.code, 2, `${r.command} exits 2`)
    t.match(r.stderr, usage[i]![1])
  })
  t.equal(readFileSync(baseline, 'utf8'), before, 'no usage error touched the baseline')

  const accepted = await runCli(dir, ['release', 'accept', '--baseline', 'deps.json', '--reason', 'ort 1.30: golden outputs identical', '--by', 'Grace'])
  t.equal(accepted.code, 0, accepted.stderr)
  t.match(accepted.stdout, /deps\.json: 1 change\(s\) accepted by Grace at .*: "ort 1\.30: golden outputs identical"\n  upgraded package onnxruntime-node 1\.29\.0 → 1\.30\.0/)
  const again = await runCli(dir, ['run', '.'])
  t.equal(again.code, 0, 'accepted: the run passes')
  const history = JSON.parse(readFileSync(baseline, 'utf8')).acceptances
  t.same(history.map((a: { by: string; reason: string }) => [a.by, a.reason]), [['CI bot', 'first baseline'], ['Grace', 'ort 1.30: golden outputs identical']])

  writeFileSync(baseline, '{"schema": "mltest-dependencies", "packages": ')
  const corrupt = await runCli(dir, ['release', 'accept', '--baseline', 'deps.json', '--reason', 'x'])
  t.equal(corrupt.code, 2)
  t.match(corrupt.stderr, /^mltest: release: dependency baseline .*deps\.json: not valid JSON .* the file was left untouched\n$/)
  t.equal(readFileSync(baseline, 'utf8'), '{"schema": "mltest-dependencies", "packages": ', 'left untouched')
})
