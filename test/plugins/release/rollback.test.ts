// The rollback drill on a real registry of real ONNX models run by onnxruntime-node: it passes
// on a healthy previous version and puts the pointer back; it fails, and still puts the pointer
// back, on a previous version that no longer loads, on golden outputs that changed, on a
// latency budget no call can meet, and when there is nothing to roll back to. The median's
// order-statistic interval is checked against exact binomial values (Python's math.comb).
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import * as ort from 'onnxruntime-node'
import t, { type Test } from 'tap'
import { openRegistry, rollbackDrill } from '../../../plugins/release/index.ts'
import { binomialHalfCdf, medianInterval } from '../../../plugins/release/_internals/median-interval.ts'
import { buildMlp } from '../../fixtures/models/mlp-model.ts'
import { tempDir, write } from './git-project.ts'
import { rejectionOf } from '../../failure-of.ts'

const INPUTS = [
  [39.1, 18.7, 181, 3750],
  [46.5, 17.9, 192, 3500],
  [50.0, 15.2, 218, 5700],
].map((row) => row.map((v) => v / 100))

async function outputsOf(path: string, inputs: number[][]): Promise<number[][]> {
  const session = await ort.InferenceSession.create(path)
  const result = await session.run({ x: new ort.Tensor('float32', Float32Array.from(inputs.flat()), [inputs.length, 4]) })
  const y = result.y!.data as Float32Array
  return inputs.map((_, i) => Array.from(y.subarray(i * 3, i * 3 + 3)))
}

/** v1 and v2 registered with their golden outputs (computed here by onnxruntime), v2 current. */
async function twoVersions(t: Test, goldenOf: (outputs: number[][]) => number[][] = (o) => o) {
  const dir = tempDir(t)
  const registry = openRegistry(join(dir, 'registry'))
  for (const [version, hidden] of [['v1', 8], ['v2', 16]] as const) {
    const model = write(dir, `${version}.onnx`, buildMlp({ inputSize: 4, hidden: [hidden], outputSize: 3 }))
    registry.register(version, model, { version }, { golden: { inputs: INPUTS, outputs: goldenOf(await outputsOf(model, INPUTS)) }, latencyBudgetMs: 10_000 })
  }
  registry.setCurrent('v2')
  return registry
}

/** The drill's failure message (the test fails if it passed: see rejectionOf). */
const failure = async (promise: Promise<unknown>): Promise<string> => (await rejectionOf(promise)).message

t.test('median interval: order statistics and exact binomial coverage', async (t) => {
  // Exact values: sum(comb(n, i) for i in range(k + 1)) / 2**n in Python.
  t.ok(Math.abs(binomialHalfCdf(30, 9) - 0.02138697262853384) < 1e-12)
  t.ok(Math.abs(binomialHalfCdf(30, 10) - 0.04936857335269451) < 1e-12)
  t.ok(Math.abs(binomialHalfCdf(100, 39) - 0.017600100108852407) < 1e-12)
  const thirty = medianInterval(Array.from({ length: 30 }, (_, i) => 30 - i))
  t.same(thirty.ranks, [10, 21], 'n = 30: ranks 10 and 21 (Conover table)')
  t.same([thirty.low, thirty.high, thirty.median], [10, 21, 15.5])
  t.ok(Math.abs(thirty.coverage! - (1 - 2 * 0.02138697262853384)) < 1e-12, 'coverage 95.7%')
  t.same(medianInterval(Array.from({ length: 100 }, (_, i) => i + 1)).ranks, [40, 61], 'n = 100: ranks 40 and 61')
  t.same(medianInterval([1, 2, 3, 4, 5, 6]).ranks, [1, 6], 'n = 6: the smallest sample with a 95% interval (coverage 1 - 2/64)')
  t.equal(medianInterval([1, 2, 3, 4, 5]).low, undefined, 'n = 5: no 95% interval')
})

t.test('a healthy previous version: the drill passes and the pointer is back', async (t) => {
  const registry = await twoVersions(t)
  const result = await rollbackDrill({ registry })
  t.equal(result.verdict, 'pass')
  t.same([result.from, result.to], ['v2', 'v1'])
  t.equal(result.restored, true)
  t.equal(registry.current()?.version, 'v2', 'current is v2 again')
  t.same(result.steps.map((s) => [s.step, s.status]), [['switch pointer', 'ok'], ['load', 'ok'], ['golden outputs', 'ok'], ['latency', 'ok'], ['restore pointer', 'ok']])
  t.equal(result.golden?.mismatchedRows, 0)
  t.equal(result.golden?.rows, 3)
  t.ok(result.rollbackMs > 0 && result.rollbackMs <= result.totalMs, 'rollback time measured, within the drill')
  t.equal(result.latency?.runs, 30)
  t.same(result.latency?.ranks, [10, 21])
  t.equal(registry.pointer()?.replaced, 'v1', 'the last pointer write was the restore (v1 → v2)')

  const byPath = await rollbackDrill({ registry: registry.dir, runs: 6 })
  t.equal(byPath.verdict, 'pass', 'the registry given by its folder')
})

t.test('a previous version that no longer loads fails, and the pointer is restored', async (t) => {
  const registry = await twoVersions(t)
  const v1 = registry.get('v1').modelPath
  writeFileSync(v1, readFileSync(v1).subarray(0, 40))
  const message = await failure(rollbackDrill({ registry }))
  t.match(message, /rollbackDrill: .*: rollback v2 → v1 failed/)
  t.match(message, /✗ load .*\n/, 'the load step failed')
  t.match(message, /- golden outputs .*the model did not load/, 'later steps skipped with the reason')
  t.match(message, /✓ restore pointer/)
  t.match(message, /pointer restored/)
  t.equal(registry.current()?.version, 'v2', 'current is v2 again after the failed drill')

  const loaderThrows = await failure(rollbackDrill({ registry: await twoVersions(t), load: () => { throw new Error('feature schema v1 was deleted') } }))
  t.match(loaderThrows, /✗ load .*feature schema v1 was deleted/, "a user loader's error is the load step's failure")
})

t.test('golden outputs that changed fail the drill', async (t) => {
  // The registered golden outputs of v1 differ from what v1 computes in its last column
  // (as when a preprocessing change altered what the model sees).
  const registry = await twoVersions(t, (outputs) => outputs.map((row) => [row[0]!, row[1]!, row[2]! + 0.01]))
  const message = await failure(rollbackDrill({ registry }))
  t.match(message, /✗ golden outputs/)
  t.match(message, /golden outputs: 3 of 3 rows differ beyond atol 1e-5, rtol 1e-5 \(max \|diff\| 0\.01/)
  t.equal(registry.current()?.version, 'v2')
  const loose = await rollbackDrill({ registry, tolerance: { atol: 0.02 } })
  t.equal(loose.verdict, 'pass', 'within a tolerance that allows the difference, it passes')
})

t.test('latency budget: a budget no call can meet fails; too few calls is inconclusive', async (t) => {
  const registry = await twoVersions(t)
  const message = await failure(rollbackDrill({ registry, budget: 1e-9 }))
  t.match(message, /latency: median [\d.e-]+ ms, 95% CI \[[^\]]+\] ms, is above the 1e-9 ms budget \(n = 30\)/)
  const few = await rollbackDrill({ registry, runs: 5 })
  t.equal(few.verdict, 'inconclusive')
  t.match(few.reason, /5 timed calls are too few for a 95% interval of the median latency/)
  t.equal(registry.current()?.version, 'v2')
})

t.test('nothing to roll back to, a moved pointer, bad options', async (t) => {
  const dir = tempDir(t)
  const registry = openRegistry(join(dir, 'registry'))
  const model = write(dir, 'v1.onnx', buildMlp({ inputSize: 4, hidden: [8], outputSize: 3 }))
  registry.register('v1', model, {}, { golden: { inputs: INPUTS, outputs: await outputsOf(model, INPUTS) } })
  t.match(await failure(rollbackDrill({ registry })), /has no current version — set one with registry.setCurrent/)
  registry.setCurrent('v1')
  t.match(await failure(rollbackDrill({ registry })), /current version v1 is the first registered: there is no previous version to roll back to/)

  const two = await twoVersions(t)
  two.register('v3', two.get('v2').modelPath, {})
  const moved = await failure(rollbackDrill({
    registry: two,
    load: async (path) => {
      two.setCurrent('v3') // another release lands while the drill runs
      const predict = await outputsOf(path, INPUTS)
      return () => predict
    },
  }))
  t.match(moved, /restore pointer: another process moved the pointer to v3 during the drill; left as it is/)
  t.equal(two.current()?.version, 'v3', "the other process's pointer is not overwritten")

  t.match(await failure(rollbackDrill({ registry, runz: 3 } as never)), /rollbackDrill: unknown option "runz" — did you mean "runs"\?/)
  t.match(await failure(rollbackDrill({ registry: 42 } as never)), /option "registry" must be a registry/)
})
