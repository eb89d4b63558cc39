/**
 * The readiness ledger through the real CLI: `--readiness` prints it (console, and with file
 * reporters only), `--min-readiness N` fails the run below N with one line (exit 1) and a bad
 * N is a usage error (exit 2); the JSON result keeps it, `mltest report` shows it again, and
 * `mltest merge` of real shard results gives one ledger equal to the single run's. The JUnit
 * file (schema-valid) carries the property set, the GitHub summary the table. The project's
 * checks are real: pipelineTest from mltest/release, passing in one file and failing in the other.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import type { RunResult } from '../../core/reporter.ts'
import { makeProject, runCli } from './run-cli.ts'
import { validateJunit, xmllintMissing } from '../xsd.ts'

const files = {
  'a.mltest.ts': `import { test } from 'mltest'
import { recordCheck } from 'mltest/plugin'
import { pipelineTest } from 'mltest/release'
test('pipeline runs end to end', async () => {
  await pipelineTest([
    { name: 'assemble', run: () => [1, 2, 3, 4] },
    { name: 'features', run: (rows: number[]) => rows.map((x) => x / 4) },
    { name: 'train', run: (xs: number[]) => ({ mean: xs.reduce((a, b) => a + b, 0) / xs.length }) },
  ])
})
test('manifest matches', () => recordCheck({ check: 'checkProvenance', practice: 'versioning', verdict: 'pass', metrics: {} }))
test('stable', () => recordCheck({ check: 'checkStability', practice: 'numerical-stability', verdict: 'pass', metrics: {} }))
`,
  'b.mltest.ts': `import { test } from 'mltest'
import { recordCheck } from 'mltest/plugin'
import { pipelineTest } from 'mltest/release'
test('canary agrees', () => recordCheck({ check: 'checkCanary', practice: 'canary', verdict: 'pass', metrics: {} }))
test('nightly pipeline', async () => {
  await pipelineTest([
    { name: 'assemble', run: () => [1, 2] },
    { name: 'features', run: () => { throw new Error('column "x" not found') } },
    { name: 'train', run: () => 1 },
  ])
})
`,
}

const statusOf = (run: RunResult) => Object.fromEntries(run.readiness!.practices.filter((p) => p.status !== 'missing').map((p) => [p.id, p.status]))

t.test('--readiness prints the ledger; the JSON, JUnit and GitHub outputs carry it', async (t) => {
  const dir = makeProject(t, files)
  const r = await runCli(dir, ['run', '--readiness', '--seed', '1', '--workers', '1', '--reporter', 'console', '--reporter', 'json:full.json', '--reporter', 'junit:junit.xml', '--reporter', 'github:summary.md'])
  t.equal(r.code, 1, 'the failing pipeline fails the run')
  t.match(r.stdout, /Production readiness \(ML Test Score: a point per automated practice; the score is the lowest stage\)\n  development  1\/4\n    ✓ automated  versioning/)
  t.match(r.stdout, /✗ failing    pipeline-integration — ML pipelines are integration tested\n        b\.mltest\.ts > nightly pipeline \(pipelineTest: fail\)\n        a\.mltest\.ts > pipeline runs end to end \(pipelineTest: pass\)/)
  t.match(r.stdout, /✓ automated  canary — Models are deployed via a canary process\n        b\.mltest\.ts > canary agrees \(checkCanary: pass\)/)
  t.match(r.stdout, /· missing    rollback/)
  t.match(r.stdout, /Readiness score 1 of 4 \(development 1\/4, deployment 1\/5, monitoring 1\/5\)\nmltest: 4 passed, 1 failed, 0 skipped\n$/, 'the ledger ends just above the closing line')

  const full = JSON.parse(readFileSync(join(dir, 'full.json'), 'utf8')) as RunResult
  t.equal(full.readiness!.score, 1)
  t.same(statusOf(full), { versioning: 'automated', 'pipeline-integration': 'failing', canary: 'automated', 'numerical-stability': 'automated' })
  t.match(full.config, { readiness: true })

  const xml = readFileSync(join(dir, 'junit.xml'), 'utf8')
  t.match(xml, /<testsuite name="mltest readiness"[^>]* tests="0"/)
  t.match(xml, '<property name="mltest.readiness.score" value="1"/>')
  t.match(xml, '<property name="mltest.readiness.practice.pipeline-integration" value="failing"/>')
  t.match(xml, '<property name="mltest.readiness.practice.pipeline-integration.tests" value="b.mltest.ts &gt; nightly pipeline; a.mltest.ts &gt; pipeline runs end to end"/>')
  if (!xmllintMissing) {
    const valid = validateJunit(join(dir, 'junit.xml'))
    t.ok(valid.ok, valid.output)
  }
  const summary = readFileSync(join(dir, 'summary.md'), 'utf8')
  t.match(summary, /### Production readiness: score 1 of 4/)
  t.match(summary, '| deployment | pipeline-integration | ML pipelines are integration tested | ❌ failing | b.mltest.ts &gt; nightly pipeline; a.mltest.ts &gt; pipeline runs end to end |')

  // Without --readiness the console stays as it was; the JSON still has the ledger.
  const quiet = await runCli(dir, ['run', '--seed', '1', '--workers', '1', '--reporter', 'console', '--reporter', 'json:quiet.json'])
  t.notMatch(quiet.stdout, /Production readiness/)
  t.same((JSON.parse(readFileSync(join(dir, 'quiet.json'), 'utf8')) as RunResult).readiness, full.readiness)

  // mltest report keeps it; --readiness and --min-readiness work on a saved result too.
  const report = await runCli(dir, ['report', 'quiet.json', '--readiness', '--no-color'])
  t.match(report.stdout, /Readiness score 1 of 4 \(development 1\/4, deployment 1\/5, monitoring 1\/5\)/)
  const gated = await runCli(dir, ['report', 'quiet.json', '--min-readiness', '2'])
  t.equal(gated.code, 1)
  t.match(gated.stderr, /^mltest: readiness score 1 is below --min-readiness 2 \(development 1\/4, deployment 1\/5, monitoring 1\/5; the score is the lowest stage\)$/m)
  const badReport = await runCli(dir, ['report', 'quiet.json', '--min-readiness', 'ten'])
  t.equal(badReport.code, 2)
  t.match(badReport.stderr, /^mltest: --min-readiness must be a whole number from 0 to 4/)

  // With file reporters only, --readiness still prints the ledger above the closing line.
  const fileOnly = await runCli(dir, ['run', 'a.mltest.ts', '--readiness', '--reporter', 'json:a.json'])
  t.match(fileOnly.stdout, /Production readiness[\s\S]*Readiness score 1 of 4[\s\S]*\nmltest: 3 passed, 0 failed, 0 skipped\n$/)
})

t.test('--min-readiness: below N fails with one line, at N passes, a bad N is a usage error', async (t) => {
  const dir = makeProject(t, files)
  const [met, below, tooHigh, negative] = await Promise.all([
    runCli(dir, ['run', 'a.mltest.ts', '--min-readiness', '1']),
    runCli(dir, ['run', 'a.mltest.ts', '--min-readiness', '2']),
    runCli(dir, ['run', 'a.mltest.ts', '--min-readiness', '5']),
    runCli(dir, ['run', 'a.mltest.ts', '--min-readiness', '-1']),
  ])
  t.equal(met.code, 0, met.stderr)
  t.equal(below.code, 1)
  t.same(below.stderr.trim().split('\n'), ['mltest: readiness score 1 is below --min-readiness 2 (development 1/4, deployment 1/5, monitoring 1/5; the score is the lowest stage)'])
  t.match(below.closing, 'mltest: 3 passed, 0 failed, 0 skipped', 'every test passed: only the readiness gate failed the run')
  t.equal(tooHigh.code, 2)
  t.match(tooHigh.stderr, /^mltest: --min-readiness must be an integer <= 4 \(got "5"\)/)
  t.notMatch(tooHigh.stdout, /passed/, 'nothing ran')
  t.equal(negative.code, 2)
  // A shard's ledger has only its own files' checks: the gate waits for mltest merge.
  const shard = await runCli(dir, ['run', 'a.mltest.ts', '--shard', '1/1', '--min-readiness', '2'])
  t.equal(shard.code, 0, shard.stderr)
  t.match(shard.stderr, /^mltest: --min-readiness 2 is not judged on shard 1\/1, whose ledger has only its own files' checks — judge the whole run with mltest merge <shard results> --min-readiness 2$/m)
})

t.test('merged shards give one ledger, equal to the single run', async (t) => {
  const dir = makeProject(t, files)
  const common = ['--seed', '3', '--workers', '1']
  const [full, one, two] = await Promise.all([
    runCli(dir, ['run', ...common, '--reporter', 'json:full.json']),
    runCli(dir, ['run', ...common, '--shard', '1/2', '--reporter', 'json:s1.json']),
    runCli(dir, ['run', ...common, '--shard', '2/2', '--reporter', 'json:s2.json']),
  ])
  t.equal(full.code, 1)
  const read = (name: string) => JSON.parse(readFileSync(join(dir, name), 'utf8')) as RunResult
  const [s1, s2, whole] = [read('s1.json'), read('s2.json'), read('full.json')]
  t.equal(s1.files.length + s2.files.length, 2, 'each shard ran one file')
  t.not(JSON.stringify(s1.readiness), JSON.stringify(whole.readiness), "a shard's own ledger covers only its file")
  t.ok(one.code !== null && two.code !== null)
  const merged = await runCli(dir, ['merge', 's1.json', 's2.json', '--readiness', '--no-color', '--reporter', 'console', '--reporter', 'json:merged.json'])
  t.equal(merged.code, 1)
  t.equal(merged.stdout.split('\n').filter((l) => l.startsWith('Production readiness')).length, 1, 'one ledger printed')
  t.match(merged.stdout, /Readiness score 1 of 4 \(development 1\/4, deployment 1\/5, monitoring 1\/5\)/)
  t.same(read('merged.json').readiness, whole.readiness, 'the merged ledger is the single run\'s')
})
