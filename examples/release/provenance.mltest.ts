/**
 * Provenance of a penguin species classifier: training writes a manifest beside the model
 * (the git commit of this code, SHA-256 of the model and of penguins.json, the parameters, the
 * holdout accuracy, the locked dependency versions, the runtime), and a check before release
 * confirms the model file is the one that manifest describes, trained from code HEAD contains.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, test } from 'mltest'
import { checkProvenance, readManifest, recordProvenance } from 'mltest/release'
import { loadPenguins, PENGUINS_FILE, trainClassifier, writeModel } from './penguin-classifier.ts'

const penguins = loadPenguins()

function trainAndRecord(dir: string) {
  const model = trainClassifier(penguins, { holdoutEvery: 5, temperature: 1 })
  const path = writeModel(join(dir, 'penguin-species.onnx'), model)
  const { manifestPath } = recordProvenance({ model: path, data: [PENGUINS_FILE], params: { ...model.params }, metrics: { ...model.metrics } })
  return { path, manifestPath, model }
}

test('a trained model carries its provenance, and the release check confirms it', (t) => {
  const { path, manifestPath, model } = trainAndRecord(t.tmpdir())
  const manifest = readManifest(manifestPath)
  expect(manifest.metrics.holdoutAccuracy).toBeGreaterThan(0.9)
  expect(manifest.data[0]!.path).toBe('node_modules/vega-datasets/data/penguins.json')
  expect(manifest.runtime.packages['onnxruntime-node']).toMatch(/^1\./)
  expect(manifest.model.bytes).toBe(model.bytes.length)
  expect(checkProvenance(path).verdict).toBe('pass')
})

test.fails('a model file replaced after training is caught', (t) => {
  const { path } = trainAndRecord(t.tmpdir())
  // Someone copies a retrained model over the released one without recording its provenance.
  writeFileSync(path, trainClassifier(penguins, { holdoutEvery: 3, temperature: 0.5 }).bytes)
  checkProvenance(path)
}, { error: 'changed since it was recorded' })

test.fails('a model with no manifest is caught', (t) => {
  const path = writeModel(join(t.tmpdir(), 'unrecorded.onnx'), trainClassifier(penguins))
  checkProvenance(path)
}, { error: 'no provenance manifest' })
