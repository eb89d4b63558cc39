#!/usr/bin/env node
/**
 * What the release checks cost, on this repository (its package-lock.json and git history)
 * and a real ONNX model: recordProvenance (git state, SHA-256 of the model and the penguins
 * data, the lockfile), checkProvenance (hashes + git merge-base), checkDependencies against a
 * baseline of the whole lockfile, one registry pointer update (temp file, fsync, rename),
 * and a rollback drill (switch, onnxruntime load, golden outputs, 30 timed calls, restore).
 * Each is repeated and its median and range printed, with the machine.
 *
 *   node bench/release-overhead.mjs [--repeats 15]
 */
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { fileURLToPath } from 'node:url'
import { register } from 'tsx/esm/api'

register()
const { values } = parseArgs({ options: { repeats: { type: 'string', default: '15' } } })
const repeats = Number(values.repeats)
const REPO = fileURLToPath(new URL('../', import.meta.url))
const release = await import('../plugins/release/index.ts')
const { loadPenguins, PENGUINS_FILE, trainClassifier } = await import('../examples/release/penguin-classifier.ts')
const ort = await import('onnxruntime-node')

const dir = mkdtempSync(join(os.tmpdir(), 'mltest-release-bench-'))
const penguins = loadPenguins()

async function time(name, fn) {
  await fn() // warm-up
  const samples = []
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now()
    await fn(i)
    samples.push(performance.now() - t0)
  }
  samples.sort((a, b) => a - b)
  const median = samples[Math.floor(samples.length / 2)]
  console.log(`${name.padEnd(72)} median ${median.toFixed(2).padStart(8)} ms   range ${samples[0].toFixed(2)}–${samples.at(-1).toFixed(2)} ms`)
}

try {
  const model = trainClassifier(penguins)
  const modelPath = join(dir, 'model.onnx')
  writeFileSync(modelPath, model.bytes)
  const lockfile = join(dir, 'package-lock.json')
  copyFileSync(join(REPO, 'package-lock.json'), lockfile)
  const packages = Object.keys((await import('../plugins/release/_internals/lockfile.ts')).readLockfile(lockfile)).length
  console.log(`release-overhead: ${repeats} repeats each, node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model}, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`)
  console.log(`model ${model.bytes.length} bytes, penguins.json as data, lockfile with ${packages} packages, git repository ${REPO}\n`)

  await time('recordProvenance (git status, 2 SHA-256, lockfile)', () => release.recordProvenance({ model: modelPath, data: [PENGUINS_FILE], repo: REPO, params: { a: 1 }, metrics: { b: 2 } }))
  await time('checkProvenance (2 SHA-256, git merge-base --is-ancestor)', () => release.checkProvenance(modelPath, { repo: REPO }))
  const baseline = join(dir, 'deps.json')
  release.acceptDependencies({ baseline, lockfile, files: [PENGUINS_FILE], reason: 'bench', by: 'bench' })
  await time(`checkDependencies (${packages} packages, 1 file)`, () => release.checkDependencies({ baseline, lockfile, files: [PENGUINS_FILE] }))

  const registry = release.openRegistry(join(dir, 'registry'))
  const v1 = trainClassifier(penguins, { holdoutEvery: 3, temperature: 0.5 })
  const v1Path = join(dir, 'v1.onnx')
  writeFileSync(v1Path, v1.bytes)
  const golden = async (path, rows) => {
    const session = await ort.InferenceSession.create(path)
    const { y } = await session.run({ x: new ort.Tensor('float32', Float32Array.from(rows.flat()), [rows.length, 4]) })
    return rows.map((_, i) => Array.from(y.data.subarray(i * 3, i * 3 + 3)))
  }
  registry.register('v1', v1Path, {}, { golden: { inputs: v1.sample, outputs: await golden(v1Path, v1.sample) }, latencyBudgetMs: 50 })
  registry.register('v2', modelPath, {}, {})
  await time('registry.setCurrent (temp file, fsync, rename)', (i) => registry.setCurrent(i % 2 ? 'v1' : 'v2'))
  registry.setCurrent('v2')
  let rollbackMs = []
  await time('rollbackDrill (switch, load, 12 golden rows, 30 timed calls, restore)', async () => {
    const r = await release.rollbackDrill({ registry })
    rollbackMs.push(r.rollbackMs)
  })
  rollbackMs.sort((a, b) => a - b)
  console.log(`${'  of which the rollback itself (switch + load + golden)'.padEnd(72)} median ${rollbackMs[Math.floor(rollbackMs.length / 2)].toFixed(2).padStart(8)} ms`)
} finally {
  rmSync(dir, { recursive: true, force: true })
}
