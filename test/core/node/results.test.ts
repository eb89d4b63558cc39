// The result tree after a run, in-process: the JSON result file (written by toResultJson,
// read back and validated by parseResultJson / readResultFile), `mltest merge` of shard
// results (totals recounted, paths rebased, refusals and warnings), and what a result records
// about the run (environment, config summary).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { mergeResults, type MergeInput } from '../../../core/node/merge.ts'
import { parseResultJson, readResultFile, RESULT_SCHEMA_VERSION, toResultJson } from '../../../core/node/result-json.ts'
import { configSummary, MLTEST_VERSION, runEnvironment } from '../../../core/node/run-info.ts'
import type { ResolvedConfig } from '../../../core/node/resolve-config.ts'
import type { SerializedError, TestResult, TestState } from '../../../core/protocol.ts'
import type { FileReport, RunConfigSummary, RunResult } from '../../../core/reporter.ts'

/** A test result with every field the schema requires. */
function result(file: string, name: string, state: TestState, extra: Partial<TestResult> = {}): TestResult {
  const base = {
    id: `${file}::${name}`, file, suitePath: [], name, fullName: name, tags: [], durationMs: 1, attempts: 1,
    expectFail: false, seed: 7, annotations: [], checks: [], logs: [],
  }
  const byState = {
    passed: { state: 'passed' },
    failed: { state: 'failed', error: { kind: 'assertion', name: 'AssertionError', message: 'expected 1 to be 2' } },
    skipped: { state: 'skipped' },
    todo: { state: 'todo' },
    inconclusive: { state: 'inconclusive', reason: 'not enough runs' },
  }[state]
  return { ...base, ...byState, ...extra } as TestResult
}

function fileReport(file: string, tests: TestResult[], errors: SerializedError[] = []): FileReport {
  return { file, durationMs: 10, errors, tests }
}

/** A run result; its summary is deliberately wrong, so merge must recount. */
function run(rootDir: string, files: FileReport[], extra: Partial<RunResult> = {}): RunResult {
  return {
    rootDir, seed: 7, startedAt: '2024-05-01T10:00:00.000Z', durationMs: 100, files,
    summary: { passed: 99, failed: 99, skipped: 99, todo: 99, inconclusive: 99, fileErrors: 99, durationMs: 100 },
    notRun: [], runErrors: [], ...extra,
  }
}

const SAMPLE = run('/r', [
  fileReport('/r/a.mltest.ts', [
    result('/r/a.mltest.ts', 'ok', 'passed', { annotations: [{ key: 'accuracy', value: 0.93 }], checks: [{ check: 'checkStability', practice: 'numerical-stability', verdict: 'pass', metrics: { runs: 200, note: null }, summary: 'fine' }] }),
    result('/r/a.mltest.ts', 'bad', 'failed', { error: { kind: 'error', name: 'Error', message: 'outer', location: { file: '/r/a.mltest.ts', line: 3, column: 9 }, cause: { kind: 'error', name: 'TypeError', message: 'inner' } } } as Partial<TestResult>),
    result('/r/a.mltest.ts', 'later', 'todo'),
  ], [{ kind: 'error', name: 'Error', message: 'afterAll failed' }]),
], { shard: { index: 1, count: 2 }, summary: { passed: 1, failed: 1, skipped: 0, todo: 1, inconclusive: 0, fileErrors: 1, durationMs: 100 } })

t.test('toResultJson and parseResultJson round-trip a run', async (t) => {
  const text = toResultJson(SAMPLE)
  t.equal(RESULT_SCHEMA_VERSION, 1)
  t.match(text, /^\{\n {2}"schemaVersion": 1,\n {2}"rootDir": "\/r",/, 'schemaVersion first, indented')
  t.ok(text.endsWith('}\n'), 'one trailing newline')
  t.same(parseResultJson(text, 'run.json'), SAMPLE, 'read back equal, schemaVersion dropped')
  t.notOk('schemaVersion' in parseResultJson(text, 'run.json'))

  const data = JSON.parse(text)
  data.addedLater = { x: 1 }
  data.files[0].tests[0].addedLater = true
  const kept = parseResultJson(JSON.stringify(data), 'run.json') as unknown as { addedLater: unknown; files: Array<{ tests: Array<{ addedLater?: unknown }> }> }
  t.same(kept.addedLater, { x: 1 }, 'unknown keys are kept: new optional fields may appear within a version')
  t.equal(kept.files[0]!.tests[0]!.addedLater, true)
})

t.test('parseResultJson refuses bad files with one line naming the file, the problem and the fix', async (t) => {
  const valid = () => JSON.parse(toResultJson(SAMPLE))
  const edit = (change: (data: any) => void) => {
    const data = valid()
    change(data)
    return JSON.stringify(data)
  }
  const fix = ' — the file may be truncated or edited; write it again with --reporter json:PATH'
  const cases: Array<[string, string, RegExp]> = [
    ['not JSON', '{"schemaVersion": 1,', /^run\.json is not JSON \(.+\) — pass a file written by --reporter json:PATH$/],
    ['null', 'null', /^run\.json has no schemaVersion, so it is not an mltest result — pass a file written by --reporter json:PATH$/],
    ['an array', '[]', /^run\.json has no schemaVersion/],
    ['another tool', '{"name": "not a result"}', /^run\.json has no schemaVersion/],
    ['a newer version', edit((d) => (d.schemaVersion = 2)), /^run\.json has schemaVersion 2, this mltest reads 1 — render it with the mltest version that wrote it$/],
    ['a version as text', edit((d) => (d.schemaVersion = '1')), /^run\.json has schemaVersion "1", this mltest reads 1/],
    ['no files', edit((d) => delete d.files), /^run\.json is not a valid mltest result: "files" /],
    ['a failed test without its error', edit((d) => delete d.files[0].tests[1].error), /^run\.json is not a valid mltest result: "files\.0\.tests\.1\.error" /],
    ['an unknown state', edit((d) => (d.files[0].tests[0].state = 'passing')), /"files\.0\.tests\.0\.state" /],
    ['a bad error kind deep in a cause', edit((d) => (d.files[0].tests[1].error.cause.kind = 'oops')), /"files\.0\.tests\.1\.error\.cause\.kind" /],
    ['a negative count', edit((d) => (d.summary.passed = -1)), /"summary\.passed" /],
    ['an object as annotation value', edit((d) => (d.files[0].tests[0].annotations[0].value = { a: 1 })), /"files\.0\.tests\.0\.annotations\.0\.value" /],
    ['an unknown verdict', edit((d) => (d.files[0].tests[0].checks[0].verdict = 'maybe')), /"files\.0\.tests\.0\.checks\.0\.verdict" /],
    ['a shard index of 0', edit((d) => (d.shard.index = 0)), /"shard\.index" /],
    ['an unknown interrupting signal', edit((d) => (d.interrupted = 'SIGKILL')), /"interrupted" /],
  ]
  for (const [what, text, message] of cases) {
    const error = t.throws(() => parseResultJson(text, 'run.json'), { name: 'UsageError', message }, what) as Error
    if (message.source.includes('not a valid')) t.ok(error.message.endsWith(fix), `${what}: says how to fix it`)
  }
})

t.test('readResultFile reads a file and names it in errors', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mltest-results-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  writeFileSync(join(dir, 'run.json'), toResultJson(SAMPLE))
  writeFileSync(join(dir, 'bad.json'), '{')
  t.same(readResultFile(join(dir, 'run.json')), SAMPLE)
  t.throws(() => readResultFile(join(dir, 'missing.json')), { name: 'UsageError', message: `cannot read result file ${join(dir, 'missing.json')} (ENOENT) — pass a file written by --reporter json:PATH` })
  t.throws(() => readResultFile(dir, 'the folder'), { name: 'UsageError', message: /^cannot read result file the folder \(EISDIR\)/ })
  t.throws(() => readResultFile(join(dir, 'bad.json'), 'shard-1.json'), { name: 'UsageError', message: /^shard-1\.json is not JSON/ }, 'the source name, not the path')
})

t.test('mergeResults recounts totals from the tests and sorts files', async (t) => {
  const one = run('/r', [fileReport('/r/b.mltest.ts', [result('/r/b.mltest.ts', 'x', 'passed'), result('/r/b.mltest.ts', 'y', 'failed')])])
  const two = run('/r', [
    fileReport('/r/c.mltest.ts', [result('/r/c.mltest.ts', 'z', 'inconclusive'), result('/r/c.mltest.ts', 'w', 'skipped')], [{ kind: 'crash', name: 'Crash', message: 'worker died' }]),
    fileReport('/r/a.mltest.ts', [result('/r/a.mltest.ts', 'v', 'todo')]),
  ])
  const { run: merged, warnings } = mergeResults([{ source: 'one.json', run: one }, { source: 'two.json', run: two }])
  t.same(warnings, [])
  t.same(merged.files.map((f) => f.file), ['/r/a.mltest.ts', '/r/b.mltest.ts', '/r/c.mltest.ts'])
  t.same(merged.summary, { passed: 1, failed: 1, skipped: 1, todo: 1, inconclusive: 1, fileErrors: 1, durationMs: merged.durationMs }, 'never the inputs\' (wrong) summaries')
  t.same(parseResultJson(toResultJson(merged), 'merged.json'), merged, 'the merged result is a valid result file')
})

t.test('mergeResults: run times, seeds, config and where each input came from', async (t) => {
  const environment = { mltestVersion: '0.1.0', node: 'v20.0.0', platform: 'linux', arch: 'x64', cpuModel: 'cpu', cpuCount: 2, totalMemoryMb: 1024, hostname: 'ci-1' }
  const config = { configFile: null, include: ['**/*.mltest.ts'], exclude: [], workers: 2, isolate: 'file', timeoutMs: 30000, retries: 0, bail: 0, shuffle: false, grep: null, tagExpr: null, inconclusive: 'pass', reporters: ['json'], plugins: [], pluginOptions: {} } satisfies RunConfigSummary
  const first = run('/r', [fileReport('/r/a.mltest.ts', [])], { startedAt: '2024-05-01T10:00:00.000Z', durationMs: 100, shard: { index: 1, count: 2 }, environment, config })
  const second = run('/r', [fileReport('/r/b.mltest.ts', [])], { startedAt: '2024-05-01T10:00:00.050Z', durationMs: 200, shard: { index: 2, count: 2 } })
  const { run: merged, warnings } = mergeResults([{ source: 'one.json', run: first }, { source: 'two.json', run: second }])
  t.same(warnings, [])
  t.equal(merged.startedAt, '2024-05-01T10:00:00.000Z', 'the earliest start')
  t.equal(merged.durationMs, 300, 'the sum of the shard durations')
  t.equal(merged.summary.durationMs, 300)
  t.equal(merged.seed, 7)
  t.same(merged.config, config, "the first input's config and environment")
  t.same(merged.environment, environment)
  t.notOk('shard' in merged, 'the merged run is no longer one shard')
  t.same(merged.mergedFrom, [
    { source: 'one.json', shard: { index: 1, count: 2 }, seed: 7, startedAt: '2024-05-01T10:00:00.000Z', durationMs: 100, hostname: 'ci-1' },
    { source: 'two.json', shard: { index: 2, count: 2 }, seed: 7, startedAt: '2024-05-01T10:00:00.050Z', durationMs: 200, hostname: null },
  ])
  const third = run('/r', [fileReport('/r/c.mltest.ts', [])], { seed: 8 })
  const again = mergeResults([{ source: 'merged.json', run: merged }, { source: 'three.json', run: third }])
  t.same(again.run.mergedFrom!.map((m) => m.source), ['one.json', 'two.json', 'three.json'], 'a merged input contributes its own inputs')
  t.same(again.warnings, ['the shards ran with different seeds (7, 8) — pass the same --seed to every shard so the merged run can be replayed as one'])
})

t.test('mergeResults: the merged duration is the sum of the shard durations, not the span between them', async (t) => {
  // Shard 2 waited an hour for a CI machine; neither its wait nor the gap counts.
  const first = run('/r', [fileReport('/r/a.mltest.ts', [])], { startedAt: '2024-05-01T10:00:00.000Z', durationMs: 1500, shard: { index: 1, count: 2 } })
  const second = run('/r', [fileReport('/r/b.mltest.ts', [])], { startedAt: '2024-05-01T11:00:00.000Z', durationMs: 2500, shard: { index: 2, count: 2 } })
  const { run: merged } = mergeResults([{ source: 'one.json', run: first }, { source: 'two.json', run: second }])
  t.equal(merged.durationMs, 4000)
  t.equal(merged.summary.durationMs, 4000)
  t.equal(merged.startedAt, '2024-05-01T10:00:00.000Z', 'still the earliest start')
  const third = run('/r', [fileReport('/r/c.mltest.ts', [])], { startedAt: '2024-05-01T09:00:00.000Z', durationMs: 1000 })
  t.equal(mergeResults([{ source: 'merged.json', run: merged }, { source: 'three.json', run: third }]).run.durationMs, 5000, 'merging a merged result adds up the same way')
})

t.test('an interrupted run (SIGINT, SIGTERM) stays marked through the JSON file and mltest merge', async (t) => {
  const cancelled = result('/r/a.mltest.ts', 'slow', 'skipped', { reason: 'cancelled (SIGINT)' } as Partial<TestResult>)
  const stopped = run('/r', [fileReport('/r/a.mltest.ts', [result('/r/a.mltest.ts', 'quick', 'passed'), cancelled])], { interrupted: 'SIGINT', notRun: ['/r/c.mltest.ts'], shard: { index: 1, count: 2 } })
  const read = parseResultJson(toResultJson(stopped), 'run.json')
  t.equal(read.interrupted, 'SIGINT')
  t.same(read, stopped)
  const whole = run('/r', [fileReport('/r/b.mltest.ts', [result('/r/b.mltest.ts', 'b', 'passed')])], { shard: { index: 2, count: 2 } })
  const { run: merged } = mergeResults([{ source: 'whole.json', run: whole }, { source: 'stopped.json', run: stopped }])
  t.equal(merged.interrupted, 'SIGINT', 'one interrupted shard makes the merged run interrupted')
  t.same(merged.notRun, ['/r/c.mltest.ts'])
  t.equal(merged.summary.skipped, 1)
  t.notOk('interrupted' in mergeResults([{ source: 'whole.json', run: whole }]).run, 'absent when no shard was interrupted')
})

t.test('mergeResults rebases shards checked out elsewhere onto the first root', async (t) => {
  const at = (file: string, line = 1) => ({ file, line, column: 1 })
  const moved = run('/ci/b', [
    fileReport(
      '/ci/b/sub/x.mltest.ts',
      [
        result('/ci/b/sub/x.mltest.ts', 'fails', 'failed', {
          location: at('/ci/b/sub/x.mltest.ts', 4),
          error: { kind: 'error', name: 'Error', message: 'outer', location: at('/ci/b/sub/x.mltest.ts', 5), cause: { kind: 'error', name: 'Error', message: 'inner', location: at('/ci/b/sub/model.ts'), cause: { kind: 'error', name: 'Error', message: 'root', location: at('/elsewhere/lib.ts') } } },
        } as Partial<TestResult>),
      ],
      [{ kind: 'error', name: 'Error', message: 'afterAll', location: at('/ci/b/sub/helper.ts') }],
    ),
  ], { notRun: ['/ci/b/late.mltest.ts'], runErrors: ['plugin "p" failed in onRunEnd: disk full'] })
  const { run: merged } = mergeResults([{ source: 'a.json', run: run('/ci/a', []) }, { source: 'b.json', run: moved }])
  t.equal(merged.rootDir, '/ci/a')
  const file = merged.files[0]!
  const test = file.tests[0]!
  t.equal(file.file, '/ci/a/sub/x.mltest.ts')
  t.equal(test.file, '/ci/a/sub/x.mltest.ts')
  t.equal(test.location?.file, '/ci/a/sub/x.mltest.ts')
  if (test.state !== 'failed') throw new Error('expected the failed test')
  t.equal(test.error.location?.file, '/ci/a/sub/x.mltest.ts')
  t.equal(test.error.cause?.location?.file, '/ci/a/sub/model.ts', 'causes too')
  t.equal(test.error.cause?.cause?.location?.file, '/elsewhere/lib.ts', 'a path outside the root stays as it is')
  t.equal(file.errors[0]!.location?.file, '/ci/a/sub/helper.ts')
  t.same(merged.notRun, ['/ci/a/late.mltest.ts'])
  t.same(merged.runErrors, ['b.json: plugin "p" failed in onRunEnd: disk full'], 'run errors name their input')
  t.equal(moved.files[0]!.file, '/ci/b/sub/x.mltest.ts', 'the input is not modified')
})

t.test('mergeResults refuses double counting and warns about gaps', async (t) => {
  const shard = (index: number, count: number, file: string) => run('/r', [fileReport(`/r/${file}`, [])], { shard: { index, count } })
  const merge = (...inputs: RunResult[]) => mergeResults(inputs.map((r, i): MergeInput => ({ source: `s${i + 1}.json`, run: r })))
  t.throws(() => mergeResults([]), { name: 'UsageError', message: 'mltest merge needs at least one result file — e.g. mltest merge shard-*.json --reporter junit:all.xml' })
  t.throws(() => merge(shard(1, 2, 'sub/a.ts'), shard(2, 2, 'sub/a.ts')), { name: 'UsageError', message: "sub/a.ts is in both s1.json and s2.json — merge each shard's result once" })
  t.throws(() => merge(shard(1, 2, 'a.ts'), shard(1, 2, 'b.ts')), { name: 'UsageError', message: "shard 1/2 is given twice — merge each shard's result once" })
  t.same(merge(shard(1, 3, 'a.ts'), shard(3, 3, 'c.ts')).warnings, ['shard 2/3 missing — the merged report covers only the shards given'])
  t.same(merge(shard(2, 4, 'b.ts')).warnings, ['shards 1/4, 3/4, 4/4 missing — the merged report covers only the shards given'])
  t.equal(merge(shard(1, 2, 'a.ts'), shard(2, 3, 'b.ts')).warnings[0], 'shard results of different splits (2/3 and ?/2) — their files may overlap or leave gaps')
  t.same(merge(shard(1, 2, 'a.ts'), run('/r', [fileReport('/r/b.ts', [])])).warnings, [], 'an input without a shard: no shard bookkeeping')
})

t.test('runEnvironment and configSummary record how and where a run was made', async (t) => {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }
  t.equal(MLTEST_VERSION, pkg.version)
  const env = runEnvironment()
  t.match(env, { mltestVersion: pkg.version, node: process.version, platform: process.platform, arch: process.arch, cpuCount: availableParallelism() })
  t.ok(Number.isInteger(env.totalMemoryMb) && env.totalMemoryMb > 0, `totalMemoryMb ${env.totalMemoryMb}`)
  t.ok(env.hostname.length > 0 && env.cpuModel.length > 0)

  const config = {
    configFile: '/r/mltest.config.ts', include: ['**/*.mltest.ts'], exclude: ['slow/**'], isolate: 'file', timeoutMs: 5000, retries: 1, bail: 0,
    shuffle: true, grep: 'model', tagExpr: undefined, inconclusive: 'fail',
    reporters: [{ name: 'console' }, { name: 'json', outputFile: 'out/run.json' }, { onRunEnd() {} }],
    plugins: [{ name: 'stability' }, { name: 'onnx' }],
    pluginOptions: { stability: { runs: 50 } },
  } as unknown as ResolvedConfig
  t.same(configSummary(config, 3), {
    configFile: '/r/mltest.config.ts', include: ['**/*.mltest.ts'], exclude: ['slow/**'], workers: 3, isolate: 'file', timeoutMs: 5000, retries: 1,
    bail: 0, shuffle: true, grep: 'model', tagExpr: null, inconclusive: 'fail',
    reporters: ['console', 'json:out/run.json', 'reporters[2]'], plugins: ['stability', 'onnx'], pluginOptions: { stability: { runs: 50 } },
  }, 'reporters by name (with their file), inline reporter objects by position; unset values are null')
})

t.test('mergeResults: plugin sections kept when one shard has them or all agree; differing ones stay per shard', async (t) => {
  const shard = (index: number, sections: RunResult['sections']) =>
    run('/r', [fileReport(`/r/${index}.mltest.ts`, [])], { shard: { index, count: 3 }, ...(sections ? { sections } : {}) })
  const { run: merged, warnings } = mergeResults([
    { source: 'one.json', run: shard(1, { labels: { checks: 2 }, same: { v: 1 } }) },
    { source: 'two.json', run: shard(2, { labels: { checks: 5 }, same: { v: 1 }, only: [1, 2] }) },
    { source: 'three.json', run: shard(3, undefined) },
  ])
  t.same(merged.sections, { same: { v: 1 }, only: [1, 2] })
  t.same(warnings, ['the shards\' "labels" sections differ and cannot be merged — each shard\'s section is kept in mergedFrom'])
  t.same(merged.mergedFrom!.map((m) => m.sections), [{ labels: { checks: 2 }, same: { v: 1 } }, { labels: { checks: 5 }, same: { v: 1 }, only: [1, 2] }, undefined])
})
