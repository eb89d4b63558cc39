// What the release checks record on the running test, read back from a real running-test
// context: the practice id, the verdict (pass, fail, inconclusive with its reason), the
// metrics and summary, and the figures, each compiled by vega-lite and rendered by vega to an
// SVG with marks, as the HTML report draws them.
import { appendFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import * as ort from 'onnxruntime-node'
import t, { type Test } from 'tap'
import { parse, View } from 'vega'
import { compile, type TopLevelSpec } from 'vega-lite'
import type { CheckFigure } from '../../../core/protocol.ts'
import { acceptDependencies, checkDependencies, checkProvenance, openRegistry, recordProvenance, rollbackDrill } from '../../../plugins/release/index.ts'
import { buildMlp } from '../../fixtures/models/mlp-model.ts'
import { gitProject, tempDir, write } from './git-project.ts'
import { inTestOf } from '../../in-test.ts'

const inTest = inTestOf(import.meta.filename, { seed: 1234, name: 'records' })

async function assertDrawn(t: Test, figure: CheckFigure) {
  const view = new View(parse(compile(figure.spec as unknown as TopLevelSpec).spec), { renderer: 'none' })
  try {
    const svg = await view.toSVG()
    const marks = (svg.match(/<(path|line|rect|text)[^>]*role="graphics-symbol"/g) ?? []).length
    t.ok(marks > 0, `${figure.title}: rendered with ${marks} marks`)
  } finally {
    view.finalize()
  }
}

t.test('provenance records: versioning, pass / fail / inconclusive with the reason', async (t) => {
  const dir = gitProject(t, { 'train.ts': 'export {}\n', 'package-lock.json': '{"lockfileVersion":3,"packages":{"":{}}}' })
  const model = write(dir, 'model.onnx', buildMlp({ inputSize: 4, hidden: [8], outputSize: 3 }))
  const recorded = await inTest(() => recordProvenance({ model, repo: dir, metrics: { accuracy: 0.9 } }))
  t.match(recorded.checks, [{ check: 'recordProvenance', practice: 'versioning', verdict: 'pass', metrics: { manifest: `${model}.provenance.json`, dataFiles: 0, dirty: false, lockedPackages: 0 } }])
  t.same(recorded.annotations, [{ key: 'provenance', value: `${model}.provenance.json` }], 'the manifest path is annotated on the test')

  const ok = await inTest(() => checkProvenance(model, { repo: dir }))
  t.match(ok.checks, [{ check: 'checkProvenance', practice: 'versioning', verdict: 'pass', metrics: { ancestry: 'ancestor', problems: 0 } }])
  t.match(ok.checks[0]!.summary, /^1 file hash\(es\) match; recorded commit [0-9a-f]{12} is HEAD$/)

  appendFileSync(model, 'x')
  const bad = await inTest(() => checkProvenance(model, { repo: dir }))
  t.match(bad.error?.message, /changed since it was recorded/)
  t.match(bad.checks, [{ check: 'checkProvenance', practice: 'versioning', verdict: 'fail', metrics: { problems: 1 } }])

  const outside = tempDir(t)
  const lone = write(outside, 'lone.onnx', 'bytes')
  const noGit = await inTest(() => recordProvenance({ model: lone, repo: outside }))
  t.match(noGit.checks, [{ verdict: 'inconclusive', reason: /^The manifest names no code commit: .* is not inside a git repository\.$/ }])
  const noGitCheck = await inTest(() => checkProvenance(lone, { repo: outside }))
  t.match(noGitCheck.checks, [{ verdict: 'inconclusive', reason: /recorded outside a git repository/ }])
})

t.test('dependency records: counts by kind and a drawn figure of the changes', async (t) => {
  const dir = tempDir(t)
  const lock = (v: string, extra: Record<string, object> = {}) => JSON.stringify({ lockfileVersion: 3, packages: { '': {}, 'node_modules/onnxruntime-node': { version: v }, 'node_modules/zod': { version: '4.6.7' }, ...extra } })
  write(dir, 'package-lock.json', lock('1.29.0'))
  const data = write(dir, 'data.csv', 'a\n1\n')
  const baseline = join(dir, 'deps.json')
  const none = await inTest(() => checkDependencies({ baseline, files: [data] }))
  t.match(none.checks, [{ check: 'checkDependencies', practice: 'dependency-changes', verdict: 'fail', summary: 'no dependency baseline yet' }])
  acceptDependencies({ baseline, files: [data], reason: 'first', by: 'test', cwd: dir })
  const ok = await inTest(() => checkDependencies({ baseline, files: [data] }))
  t.match(ok.checks, [{ verdict: 'pass', metrics: { packages: 2, files: 1, changes: 0, lastAcceptedBy: 'test' } }])
  t.equal(ok.checks[0]!.figures, undefined, 'no figure when nothing changed')

  write(dir, 'package-lock.json', lock('1.30.0', { 'node_modules/lodash': { version: '4.17.21' } }))
  writeFileSync(data, 'a\n2\n')
  const changed = await inTest(() => checkDependencies({ baseline, files: [data] }))
  const record = changed.checks[0]!
  t.match(record, { verdict: 'fail', metrics: { changes: 3, added: 1, upgraded: 1, changed: 1, removed: 0, downgraded: 0 }, summary: '3 unacknowledged dependency change(s): 1 added, 1 upgraded, 1 changed' })
  t.same((record.figures![0]!.spec as { data: { values: unknown[] } }).data.values, [
    { kind: 'added', source: 'package', count: 1, names: 'lodash' },
    { kind: 'upgraded', source: 'package', count: 1, names: 'onnxruntime-node' },
    { kind: 'changed', source: 'file', count: 1, names: 'data.csv' },
  ])
  await assertDrawn(t, record.figures![0]!)
})

t.test('rollback records: the drill, its statistics and a drawn timeline', async (t) => {
  const dir = tempDir(t)
  const registry = openRegistry(join(dir, 'registry'))
  const inputs = [[0.1, 0.2, 0.3, 0.4]]
  for (const [version, hidden] of [['v1', 8], ['v2', 16]] as const) {
    const path = write(dir, `${version}.onnx`, buildMlp({ inputSize: 4, hidden: [hidden], outputSize: 3 }))
    const session = await ort.InferenceSession.create(path)
    const y = (await session.run({ x: new ort.Tensor('float32', Float32Array.from(inputs.flat()), [1, 4]) })).y!.data as Float32Array
    registry.register(version, path, {}, { golden: { inputs, outputs: [Array.from(y)] }, latencyBudgetMs: 10_000 })
  }
  registry.setCurrent('v2')
  const pass = await inTest(() => rollbackDrill({ registry }))
  const record = pass.checks[0]!
  t.match(record, {
    check: 'rollbackDrill',
    practice: 'rollback',
    verdict: 'pass',
    metrics: { from: 'v2', to: 'v1', restored: true, goldenRows: 1, goldenMismatchedRows: 0, latencyRuns: 30, latencyConfidence: 0.95, budgetMs: 10_000, latencyTest: /order-statistic/ },
  })
  t.ok((record.metrics.latencyCiLowMs as number) <= (record.metrics.latencyMedianMs as number) && (record.metrics.latencyMedianMs as number) <= (record.metrics.latencyCiHighMs as number), 'the interval holds the median')
  const steps = (record.figures![0]!.spec as { data: { values: Array<{ step: string; status: string }> } }).data.values
  t.same(steps.map((s) => `${s.step}:${s.status}`), ['switch pointer:ok', 'load:ok', 'golden outputs:ok', 'latency:ok', 'restore pointer:ok'])
  await assertDrawn(t, record.figures![0]!)

  writeFileSync(registry.get('v1').modelPath, 'truncated')
  const fail = await inTest(() => rollbackDrill({ registry }))
  t.match(fail.checks[0], { verdict: 'fail', metrics: { restored: true, rollbackMs: null, latencyRuns: null } })
  const failedSteps = (fail.checks[0]!.figures![0]!.spec as { data: { values: Array<{ step: string; status: string }> } }).data.values
  t.same(failedSteps.map((s) => `${s.step}:${s.status}`), ['switch pointer:ok', 'load:failed', 'golden outputs:skipped', 'latency:skipped', 'restore pointer:ok'])
  await assertDrawn(t, fail.checks[0]!.figures![0]!)
})
