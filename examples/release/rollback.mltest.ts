/**
 * A rollback that is practised: two versions of the penguin classifier in a file-based model
 * registry, each with its provenance manifest, golden outputs and latency budget; the drill
 * points `current` back to the previous version, loads it in onnxruntime, reproduces its golden
 * outputs, times it, and puts the pointer back. The registry lives in a temp folder here; a
 * project keeps it in `.mltest/registry/` (gitignored) or on shared storage.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import * as ort from 'onnxruntime-node'
import { expect, test } from 'mltest'
import { checkProvenance, openRegistry, recordProvenance, rollbackDrill } from 'mltest/release'
import { loadPenguins, PENGUINS_FILE, trainClassifier, writeModel, type TrainParams } from './penguin-classifier.ts'

const penguins = loadPenguins()
const VERSIONS: Array<[string, TrainParams]> = [
  ['2024-05-01', { holdoutEvery: 3, temperature: 0.5 }],
  ['2024-06-01', { holdoutEvery: 5, temperature: 1 }],
]

async function outputsOf(path: string, rows: number[][]): Promise<number[][]> {
  const session = await ort.InferenceSession.create(path)
  const { y } = await session.run({ x: new ort.Tensor('float32', Float32Array.from(rows.flat()), [rows.length, 4]) })
  const data = y!.data as Float32Array
  return rows.map((_, i) => Array.from(data.subarray(i * 3, i * 3 + 3)))
}

/** Both versions trained, recorded and registered (their golden outputs from onnxruntime), the newer one current. */
async function releasedRegistry(dir: string, goldenOf = (outputs: number[][]) => outputs) {
  const registry = openRegistry(join(dir, 'registry'))
  for (const [version, params] of VERSIONS) {
    const model = trainClassifier(penguins, params)
    const path = writeModel(join(dir, `penguins-${version}.onnx`), model)
    recordProvenance({ model: path, data: [PENGUINS_FILE], params: { ...params }, metrics: { ...model.metrics } })
    const golden = { inputs: model.sample, outputs: goldenOf(await outputsOf(path, model.sample)) }
    // The registry copies the model with the provenance manifest beside it.
    registry.register(version, path, undefined, { golden, latencyBudgetMs: 50 })
  }
  registry.setCurrent('2024-06-01')
  return registry
}

test('the rollback drill passes and leaves the current version in place', async (t) => {
  const registry = await releasedRegistry(t.tmpdir())
  // The version a rollback would serve is the one its manifest describes, from code HEAD contains.
  const previous = registry.previous()!
  expect(checkProvenance(previous.modelPath, { manifest: join(previous.dir, 'manifest.json') }).verdict).toBe('pass')
  const drill = await rollbackDrill({ registry })
  expect([drill.from, drill.to]).toEqual(['2024-06-01', '2024-05-01'])
  expect(drill.golden?.mismatchedRows).toBe(0)
  expect(registry.current()?.version).toBe('2024-06-01')
  t.log(`rollback took ${drill.rollbackMs.toFixed(1)} ms; median latency ${drill.latency?.median.toFixed(3)} ms`)
})

test.fails('a previous version that no longer loads fails the drill', async (t) => {
  const registry = await releasedRegistry(t.tmpdir())
  // The stored file was truncated (a partial upload, a disk quota): only a drill finds out before an incident.
  writeFileSync(registry.get('2024-05-01').modelPath, 'not a model')
  await rollbackDrill({ registry })
}, { error: /✗ load .*Protobuf parsing failed/ })

test.fails('golden outputs the previous version no longer reproduces fail the drill', async (t) => {
  // The recorded outputs were computed with the species columns in another order.
  const registry = await releasedRegistry(t.tmpdir(), (outputs) => outputs.map(([a, c, g]) => [c!, a!, g!]))
  await rollbackDrill({ registry })
}, { error: 'golden outputs: 12 of 12 rows differ' })
