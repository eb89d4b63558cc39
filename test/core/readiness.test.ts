/**
 * The readiness ledger computed from check records: statuses (a failing check wins, only
 * inconclusive is missing, `test.fails` demonstrations count for nothing), per-stage points,
 * the score as the lowest stage (ML Test Score), third-party practice ids kept apart, the
 * console text, the JUnit property set, the GitHub job-summary table, and `mergeResults`
 * recomputing one ledger over shards.
 */
import t from 'tap'
import type { CheckRecord, FileResult, TestResult, Verdict } from '../../core/protocol.ts'
import type { RunResult } from '../../core/reporter.ts'
import { PRACTICES, STAGES } from '../../core/practices.ts'
import { computeReadiness, formatReadiness, MAX_READINESS_SCORE, minReadinessFailure } from '../../core/readiness.ts'
import { mergeResults } from '../../core/node/merge.ts'
import { exitCodeOf } from '../../core/node/execute-pass.ts'
import { readinessProperties } from '../../reporters/junit/properties.ts'
import { jobSummary } from '../../reporters/github/summary.ts'

const record = (practice: string, verdict: Verdict, check = 'checkX'): CheckRecord => ({ check, practice, verdict, metrics: {} })

function testOf(file: string, name: string, checks: CheckRecord[], extra: Partial<TestResult> = {}): TestResult {
  return { id: `${file}::${name}`, file, suitePath: [], name, fullName: name, tags: [], durationMs: 1, attempts: 1, expectFail: false, seed: 1, annotations: [], checks, logs: [], state: 'passed', ...extra } as TestResult
}
const fileOf = (file: string, tests: TestResult[]): FileResult => ({ file, durationMs: 1, errors: [], tests })

function runOf(files: FileResult[], extra: Partial<RunResult> = {}): RunResult {
  return {
    rootDir: '/p', seed: 1, startedAt: new Date(0).toISOString(), durationMs: 1, notRun: [], runErrors: [], files,
    summary: { passed: files.reduce((n, f) => n + f.tests.length, 0), failed: 0, skipped: 0, todo: 0, inconclusive: 0, fileErrors: 0, durationMs: 1 },
    readiness: computeReadiness(files, '/p'),
    ...extra,
  }
}

t.test('statuses, points per stage and the score as the lowest stage', async (t) => {
  t.equal(MAX_READINESS_SCORE, 4, 'development has the fewest practices: 4')
  const files = [
    fileOf('/p/a.mltest.ts', [
      testOf('/p/a.mltest.ts', 'provenance', [record('versioning', 'pass', 'checkProvenance')]),
      testOf('/p/a.mltest.ts', 'slices', [record('data-slices', 'pass'), record('inclusion', 'pass')]),
      testOf('/p/a.mltest.ts', 'canary', [record('canary', 'pass', 'checkCanary')]),
      testOf('/p/a.mltest.ts', 'canary again', [record('canary', 'fail', 'checkCanary')], { state: 'failed', error: { kind: 'assertion', name: 'AssertionError', message: 'x' } }),
    ]),
    fileOf('/p/sub/b.mltest.ts', [
      testOf('/p/sub/b.mltest.ts', 'pipeline', [record('pipeline-integration', 'pass', 'pipelineTest'), record('rollback', 'pass'), record('reproducible-training', 'pass')]),
      testOf('/p/sub/b.mltest.ts', 'drift', [record('prediction-drift', 'inconclusive')]),
      testOf('/p/sub/b.mltest.ts', 'stable', [record('numerical-stability', 'pass'), record('my-own', 'pass', 'mine')]),
      testOf('/p/sub/b.mltest.ts', 'shows a failure', [record('train-serve-skew', 'fail')], { expectFail: true }),
      testOf('/p/sub/b.mltest.ts', 'catches the report', [record('model-unit-test', 'fail', 'checkTrainingStep')]),
    ]),
  ]
  const ledger = computeReadiness(files, '/p')
  const status = Object.fromEntries(ledger.practices.map((p) => [p.id, p.status]))
  t.equal(status.versioning, 'automated')
  t.equal(status.canary, 'failing', 'one failing check makes the practice failing, whatever passed')
  t.equal(status['prediction-drift'], 'missing', 'inconclusive only is not automated')
  t.equal(status['train-serve-skew'], 'missing', 'a test.fails demonstration counts for nothing')
  t.equal(status['model-unit-test'], 'missing', 'a failing check inside a passing test (the failure caught and asserted on) counts for nothing')
  t.equal(status['complexity-tax'], 'missing')
  t.same(ledger.stages, [
    { stage: 'development', automated: 3, failing: 0, practices: 4 },
    { stage: 'deployment', automated: 3, failing: 1, practices: 5 },
    { stage: 'monitoring', automated: 1, failing: 0, practices: 5 },
  ])
  t.equal(ledger.score, 1, 'min(3, 3, 1)')
  t.equal(ledger.checks, 11, 'the demonstration records are not counted')
  t.same(ledger.practices.map((p) => p.id), PRACTICES.map((p) => p.id), 'the 14 practices in stage order')
  t.same(ledger.practices.find((p) => p.id === 'canary')!.coverage, [
    { test: 'a.mltest.ts > canary again', check: 'checkCanary', verdict: 'fail' },
    { test: 'a.mltest.ts > canary', check: 'checkCanary', verdict: 'pass' },
  ], 'failing coverage first, files relative to the root')
  t.same(ledger.other.map((p) => [p.id, p.stage, p.status]), [['my-own', null, 'automated']])

  const text = formatReadiness(ledger)
  t.match(text, /^Production readiness/)
  t.match(text, /  development  3\/4\n    ✓ automated  versioning — Model code, data, parameters and metrics are version controlled\n        a\.mltest\.ts > provenance \(checkProvenance: pass\)/)
  t.match(text, /✗ failing    canary — Models are deployed via a canary process\n        a\.mltest\.ts > canary again \(checkCanary: fail\)\n        a\.mltest\.ts > canary \(checkCanary: pass\)/)
  t.match(text, /· missing    prediction-drift/)
  t.match(text, /other \(not scored\)\n    ✓ automated  my-own/)
  t.match(text, /Readiness score 1 of 4 \(development 3\/4, deployment 3\/5, monitoring 1\/5\)$/)
  for (const stage of STAGES) t.match(text, new RegExp(`  ${stage}`))

  t.equal(minReadinessFailure(ledger, 1), undefined)
  t.equal(minReadinessFailure(ledger, 2), 'readiness score 1 is below --min-readiness 2 (development 3/4, deployment 3/5, monitoring 1/5; the score is the lowest stage)')
})

t.test('no checks: every practice missing, score 0', async (t) => {
  const ledger = computeReadiness([fileOf('/p/a.mltest.ts', [testOf('/p/a.mltest.ts', 'plain', [])])], '/p')
  t.equal(ledger.score, 0)
  t.equal(ledger.checks, 0)
  t.ok(ledger.practices.every((p) => p.status === 'missing' && p.coverage.length === 0))
})

t.test('--min-readiness in the exit code; JUnit property set; GitHub summary table', async (t) => {
  const files = [fileOf('/p/a.mltest.ts', [testOf('/p/a.mltest.ts', 'canary', [record('canary', 'pass', 'checkCanary'), record('versioning', 'pass'), record('numerical-stability', 'pass')])])]
  const config = { configFile: null, include: [], exclude: [], workers: 1, isolate: 'none' as const, timeoutMs: 1, retries: 0, bail: 0, shuffle: false, grep: null, tagExpr: null, inconclusive: 'pass' as const, reporters: [], plugins: [], pluginOptions: {} }
  t.equal(exitCodeOf(runOf(files, { config: { ...config, minReadiness: 1 } }), []), 0, 'score 1 meets 1')
  t.equal(exitCodeOf(runOf(files, { config: { ...config, minReadiness: 2 } }), []), 1, 'score 1 is below 2')
  t.equal(exitCodeOf(runOf(files, { config }), []), 0, 'no gate without --min-readiness')

  const props = Object.fromEntries(readinessProperties(runOf(files)))
  t.equal(props['mltest.readiness.score'], '1')
  t.equal(props['mltest.readiness.maxScore'], '4')
  t.equal(props['mltest.readiness.stage.deployment'], '1/5')
  t.equal(props['mltest.readiness.practice.canary'], 'automated')
  t.equal(props['mltest.readiness.practice.canary.tests'], 'a.mltest.ts > canary')
  t.equal(props['mltest.readiness.practice.rollback'], 'missing')
  t.notOk('mltest.readiness.practice.rollback.tests' in props)
  const plain = [fileOf('/p/a.mltest.ts', [testOf('/p/a.mltest.ts', 'plain', [])])]
  t.same(readinessProperties(runOf(plain)), [], 'no checks, no ledger properties')
  t.ok(readinessProperties(runOf(plain, { config: { ...config, readiness: true } })).length > 0, 'unless --readiness asks for it')

  const summary = jobSummary(runOf(files), '/p')
  t.match(summary, /### Production readiness: score 1 of 4\n\nA point per automated practice; the score is the lowest stage: development 1\/4 · deployment 1\/5 · monitoring 1\/5\n/)
  t.match(summary, '| deployment | canary | Models are deployed via a canary process | ✅ automated | a.mltest.ts &gt; canary |')
  t.match(summary, '| development | complexity-tax | A simpler model is not better | ⚪ missing |  |')
  t.notMatch(jobSummary(runOf(plain), '/p'), /Production readiness/)
})

t.test('mergeResults recomputes one ledger over every shard', async (t) => {
  const one = [fileOf('/p/a.mltest.ts', [testOf('/p/a.mltest.ts', 'canary', [record('canary', 'pass')]), testOf('/p/a.mltest.ts', 'v', [record('versioning', 'pass')])])]
  const two = [fileOf('/p/b.mltest.ts', [testOf('/p/b.mltest.ts', 'stable', [record('numerical-stability', 'pass')]), testOf('/p/b.mltest.ts', 'canary bad', [record('canary', 'fail')], { state: 'failed', error: { kind: 'assertion', name: 'AssertionError', message: 'x' } })])]
  const shard = (files: FileResult[], index: number) => runOf(files, { shard: { index, count: 2 } })
  t.equal(shard(one, 1).readiness!.score, 0, 'shard 1 alone has no monitoring practice')
  t.equal(shard(two, 2).readiness!.score, 0, 'shard 2 alone has no development practice')
  const { run } = mergeResults([{ source: 'one.json', run: shard(one, 1) }, { source: 'two.json', run: shard(two, 2) }])
  const status = Object.fromEntries(run.readiness!.practices.map((p) => [p.id, p.status]))
  t.equal(status.versioning, 'automated')
  t.equal(status['numerical-stability'], 'automated')
  t.equal(status.canary, 'failing', "shard 2's failing canary check wins over shard 1's pass")
  t.equal(run.readiness!.score, 0, 'deployment has no automated practice once canary fails')
  t.same(run.readiness!.stages.map((s) => s.automated), [1, 0, 1])
})
