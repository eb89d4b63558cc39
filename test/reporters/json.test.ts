// The json reporter and `mltest report`: the result file holds the whole tree plus seed,
// config summary and environment; `mltest report` renders any reporter from it, and a
// JSON written from the replay equals the original (round trip).
import { readFileSync, writeFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { parseResultJson, readResultFile } from '../../core/node/result-json.ts'
import { cli, EXPECTED, writeProject } from './_project.ts'
import { validateJunit, xmllintMissing } from '../xsd.ts'

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
const lastLine = (text: string) => text.trimEnd().split('\n').at(-1)

const project = writeProject()
t.teardown(project.cleanup)
const at = (name: string) => join(project.dir, name)
const run = cli(['run', '--seed', '11', '--workers', '2', '--reporter', 'json:out/run.json', '--reporter', 'console'], project.dir)
const text = readFileSync(at('out/run.json'), 'utf8')

t.test('the result file is complete', async (t) => {
  t.equal(run.status, 1)
  const data = JSON.parse(text)
  t.equal(data.schemaVersion, 1)
  const result = parseResultJson(text, 'run.json')
  t.match(result.summary, EXPECTED)
  t.equal(result.seed, 11)
  t.match(result.config, { workers: 2, inconclusive: 'pass', timeoutMs: 30000, reporters: ['json:out/run.json', 'console'] })
  t.match(result.environment, { mltestVersion: pkg.version, node: process.version, cpuCount: availableParallelism() })
  t.type(result.environment!.cpuModel, 'string')
  const tests = result.files.flatMap((f) => f.tests)
  const failed = tests.find((x) => x.fullName === 'model > equal objects')!
  t.equal(failed.state, 'failed')
  if (failed.state === 'failed') {
    t.match(failed.error, { kind: 'assertion', location: { line: 4 } })
    t.match(failed.error.diff, /Expected/)
    t.match(failed.error.stack, /b-mixed\.mltest\.ts:4/)
  }
  const adds = tests.find((x) => x.fullName === 'adds')!
  t.same(adds.annotations, [{ key: 'accuracy', value: 0.93 }, { key: 'loss', value: 0.30000000000000004 }], 'full precision in JSON')
  const drift = tests.find((x) => x.fullName === 'model > inconclusive drift')!
  t.match(drift, { state: 'inconclusive', reason: 'checkDrift: n = 40 is below the 120 samples the test needs for 80% power' }, "the reason is the check's sentence")
  t.match(drift.checks, [{ check: 'checkDrift', reason: 'n = 40 is below the 120 samples the test needs for 80% power', summary: 'p = 0.07, n = 40: not enough evidence' }])
  t.same(adds.logs.map((l) => l.stream), ['stdout', 'stderr'])
  t.match(tests.find((x) => x.fullName === 'stable check')!.checks, [{ check: 'checkStability', verdict: 'pass', metrics: { runs: 200 } }])
  t.same(result.files.find((f) => f.file.endsWith('a-pass.mltest.ts'))!.logs, [{ stream: 'stdout', text: 'top-level log of a-pass\n' }])
  t.match(result.files.find((f) => f.file.endsWith('c-broken.mltest.ts'))!.errors, [{ message: /cannot load the model registry/ }])
})

t.test('mltest report renders every reporter from it and round-trips the JSON', async (t) => {
  const r = cli(['report', 'out/run.json', '--reporter', 'json:out/again.json', '--reporter', 'junit:out/j.xml', '--reporter', 'tap:out/t.tap', '--reporter', 'console'], project.dir)
  t.equal(r.status, 1, 'the exit code is the run\'s: it had failures')
  t.same(JSON.parse(readFileSync(at('out/again.json'), 'utf8')), JSON.parse(text), 'replayed JSON equals the original')
  t.equal(lastLine(r.stdout), lastLine(run.stdout), 'the same closing line as the run')
  t.equal(lastLine(r.stdout), 'mltest: 3 passed, 4 failed, 1 skipped, 1 todo, 1 inconclusive, 1 file error')
  t.match(r.stdout, /FAIL\s+b-mixed\.mltest\.ts > model > equal objects/)
  if (xmllintMissing) t.comment(`JUnit schema check skipped: ${xmllintMissing}`)
  else {
    const lint = validateJunit(at('out/j.xml'))
    t.ok(lint.ok, lint.output)
  }
  t.match(readFileSync(at('out/t.tap'), 'utf8'), /^TAP version 14\n[\s\S]*not ok 1 - model > equal objects/m)
})

t.test('mltest report of a passing run exits 0', async (t) => {
  const pass = cli(['run', 'a-pass.mltest.ts', '--reporter', 'json:out/pass.json'], project.dir)
  t.equal(pass.status, 0)
  const r = cli(['report', 'out/pass.json'], project.dir)
  t.equal(r.status, 0, r.stderr)
  t.equal(lastLine(r.stdout), 'mltest: 2 passed, 0 failed, 0 skipped')
})

t.test('bad result files are refused with one clear line', async (t) => {
  writeFileSync(at('v2.json'), JSON.stringify({ ...JSON.parse(text), schemaVersion: 2 }))
  writeFileSync(at('broken.json'), text.slice(0, 200))
  writeFileSync(at('other.json'), '{"name": "not a result"}')
  writeFileSync(at('bad-tree.json'), JSON.stringify({ ...JSON.parse(text), files: [{ file: 'x' }] }))
  const cases: Array<[string, RegExp]> = [
    ['v2.json', /schemaVersion 2, this mltest reads 1/],
    ['broken.json', /is not JSON/],
    ['other.json', /has no schemaVersion/],
    ['bad-tree.json', /is not a valid mltest result: "files\.0\.durationMs"/],
    ['missing.json', /cannot read result file .*missing\.json \(ENOENT\)/],
  ]
  for (const [file, message] of cases) {
    t.throws(() => readResultFile(at(file)), { name: 'UsageError', message }, file)
  }
  const r = cli(['report', 'v2.json'], project.dir)
  t.equal(r.status, 2, 'a usage error exits 2')
  t.match(r.stderr, /^mltest: v2\.json has schemaVersion 2, this mltest reads 1 — render it with the mltest version that wrote it\n$/)
})
