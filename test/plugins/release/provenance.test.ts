// Provenance on real files and a real git repository: recordProvenance writes the manifest
// beside a real ONNX model, checkProvenance passes on it and fails on each fault (the model
// or a data file changed or gone, no manifest, a commit HEAD does not contain, uncommitted
// code with requireClean), and is inconclusive, with its reason, where git cannot answer.
import { readFileSync, rmSync, writeFileSync, copyFileSync, appendFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t, { type Test } from 'tap'
import { checkProvenance, openRegistry, readManifest, recordProvenance, ReleaseFileError } from '../../../plugins/release/index.ts'
import { buildMlp } from '../../fixtures/models/mlp-model.ts'
import { git, gitProject, tempDir, write } from './git-project.ts'
import { failureOf } from '../../failure-of.ts'

const PENGUINS = fileURLToPath(new URL('../../../node_modules/vega-datasets/data/penguins.json', import.meta.url))
const LOCK = JSON.stringify({ lockfileVersion: 3, packages: { '': { name: 'p' }, 'node_modules/onnxruntime-node': { version: '1.30.0', integrity: 'sha512-a' }, 'node_modules/zod': { version: '4.6.7' } } })

function project(t: Test) {
  const dir = gitProject(t, { 'train.ts': 'export const lr = 0.01\n', 'package-lock.json': LOCK, '.gitignore': 'models/\n' })
  copyFileSync(PENGUINS, join(dir, 'penguins.json'))
  git(dir, 'add', 'penguins.json')
  git(dir, 'commit', '--quiet', '-m', 'data')
  const model = write(dir, 'models/mlp.onnx', buildMlp({ inputSize: 4, hidden: [8], outputSize: 3 }))
  return { dir, model, data: join(dir, 'penguins.json') }
}

/** The check's failure message (the test fails if it passed: see failureOf). */
const failure = (fn: () => unknown): string => failureOf(() => void fn())

t.test('recordProvenance writes a complete manifest beside the model', async (t) => {
  const { dir, model, data } = project(t)
  const { manifestPath, manifest } = recordProvenance({ model, data: [data], params: { lr: 0.01, epochs: 20 }, metrics: { accuracy: 0.97 }, repo: dir })
  t.equal(manifestPath, `${model}.provenance.json`)
  t.same(readManifest(manifestPath), manifest, 'the file holds what was returned')
  t.equal(manifest.git.available && manifest.git.commit, git(dir, 'rev-parse', 'HEAD'), 'the commit HEAD names')
  t.equal(manifest.git.available && manifest.git.dirty, false, 'clean tree')
  t.equal(manifest.git.available && manifest.git.branch, 'main')
  const bytes = readFileSync(model)
  t.equal(manifest.model.sha256, (await import('node:crypto')).createHash('sha256').update(bytes).digest('hex'), 'model sha256, recomputed independently')
  t.same(manifest.model.path, 'mlp.onnx', 'model path relative to the manifest')
  t.same(manifest.data.map((d) => d.path), ['penguins.json'], 'data paths relative to the project root')
  t.same(manifest.dependencies, { lockfile: 'package-lock.json', packages: { 'onnxruntime-node': '1.30.0', zod: '4.6.7' } })
  t.same(manifest.runtime.packages, { 'onnxruntime-node': '1.30.0' })
  t.equal(manifest.runtime.node, process.version)
  t.same(manifest.params, { lr: 0.01, epochs: 20 })
  t.same(manifest.metrics, { accuracy: 0.97 })

  appendFileSync(join(dir, 'train.ts'), 'export const epochs = 20\n')
  const dirty = recordProvenance({ model, repo: dir }).manifest
  t.ok(dirty.git.available && dirty.git.dirty && dirty.git.changedFiles === 1, 'an uncommitted change is recorded as dirty')

  t.match(failure(() => recordProvenance({ model, dat: [data] } as never)), /recordProvenance: unknown option "dat" — did you mean "data"\?/)
  t.match(failure(() => recordProvenance({ model: join(dir, 'nope.onnx') })), /recordProvenance: model file .*nope\.onnx does not exist/)
  t.match(failure(() => recordProvenance({ model, data: ['missing.csv'], repo: dir })), /data file .*missing\.csv does not exist/)
})

t.test('checkProvenance passes on an untouched model, fails on each fault', async (t) => {
  const { dir, model, data } = project(t)
  recordProvenance({ model, data: [data], params: { lr: 0.01 }, metrics: { accuracy: 0.97 }, repo: dir })
  const ok = checkProvenance(model, { repo: dir })
  t.equal(ok.verdict, 'pass')
  t.same(ok.problems, [])

  // HEAD moves on: the recorded commit is an ancestor, still a pass.
  write(dir, 'later.ts', 'export {}\n')
  git(dir, 'add', 'later.ts')
  git(dir, 'commit', '--quiet', '-m', 'later')
  t.equal(checkProvenance(model, { repo: dir }).verdict, 'pass', 'a commit older than HEAD on the same branch passes')

  const original = readFileSync(model)
  const flipped = Buffer.from(original)
  flipped[flipped.length - 1] = flipped[flipped.length - 1]! ^ 1
  writeFileSync(model, flipped)
  t.match(failure(() => checkProvenance(model, { repo: dir })), /model .*mlp\.onnx changed since it was recorded: sha256 [0-9a-f]{12}… \(\d+ bytes\), recorded/, 'one flipped bit in the model fails')
  writeFileSync(model, original)

  appendFileSync(data, ' ')
  t.match(failure(() => checkProvenance(model, { repo: dir })), /data file .*penguins\.json changed since it was recorded/, 'a changed data file fails')
  rmSync(data)
  t.match(failure(() => checkProvenance(model, { repo: dir })), /data file .*penguins\.json is missing/, 'a missing data file fails')
  git(dir, 'checkout', '--quiet', '--', 'penguins.json')
  t.equal(checkProvenance(model, { repo: dir }).verdict, 'pass', 'restored data passes again')

  const bare = write(dir, 'models/other.onnx', original)
  t.match(failure(() => checkProvenance(bare, { repo: dir })), /no provenance manifest at .*other\.onnx\.provenance\.json: .*recordProvenance/, 'no manifest fails')
  t.match(failure(() => checkProvenance(bare, { repo: dir, manifest: `${model}.provenance.json` })), /describes model file "mlp\.onnx", not "other\.onnx"/, "another model's manifest fails")
})

t.test('checkProvenance fails when the recorded commit is not in HEAD', async (t) => {
  const { dir, model, data } = project(t)
  git(dir, 'checkout', '--quiet', '-b', 'experiment')
  write(dir, 'train.ts', 'export const lr = 0.5\n')
  git(dir, 'commit', '--quiet', '-am', 'experiment: higher learning rate')
  recordProvenance({ model, data: [data], repo: dir })
  t.equal(checkProvenance(model, { repo: dir }).verdict, 'pass', 'on the branch that trained it')
  git(dir, 'checkout', '--quiet', 'main')
  t.match(failure(() => checkProvenance(model, { repo: dir })), /recorded commit [0-9a-f]{12} is not an ancestor of HEAD [0-9a-f]{12}: the model was produced from code this branch does not contain/)

  const manifestPath = `${model}.provenance.json`
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'))
  manifest.git.commit = 'abcdef0123456789abcdef0123456789abcdef01'
  writeFileSync(manifestPath, JSON.stringify(manifest))
  t.match(failure(() => checkProvenance(model, { repo: dir })), /recorded commit abcdef012345 is not in the repository/, 'a commit the repository does not have fails')
})

t.test('requireClean fails a model trained from uncommitted code; the default reports it', async (t) => {
  const { dir, model } = project(t)
  appendFileSync(join(dir, 'train.ts'), '// tweak\n')
  recordProvenance({ model, repo: dir })
  git(dir, 'commit', '--quiet', '-am', 'tweak')
  t.equal(checkProvenance(model, { repo: dir }).verdict, 'pass', 'dirty at record time passes by default')
  t.match(failure(() => checkProvenance(model, { repo: dir, requireClean: true })), /produced from uncommitted changes \(1 changed file\(s\)/)
})

t.test('outside a git repository: inconclusive with the reason', async (t) => {
  const outside = tempDir(t)
  const model = write(outside, 'mlp.onnx', buildMlp({ inputSize: 4, hidden: [8], outputSize: 3 }))
  const { manifest } = recordProvenance({ model, repo: outside })
  t.same(manifest.git, { available: false, reason: `${outside} is not inside a git repository` })
  const result = checkProvenance(model, { repo: outside })
  t.equal(result.verdict, 'inconclusive')
  t.match(result.reason, /recorded outside a git repository .*names no code to check against HEAD/)

  // A manifest that names a commit, checked where there is no repository to ask.
  const { dir, model: inRepo } = project(t)
  recordProvenance({ model: inRepo, repo: dir })
  const moved = write(outside, 'moved.onnx', readFileSync(inRepo))
  const manifest2 = JSON.parse(readFileSync(`${inRepo}.provenance.json`, 'utf8'))
  manifest2.model.path = 'moved.onnx'
  writeFileSync(`${moved}.provenance.json`, JSON.stringify(manifest2))
  const moved2 = checkProvenance(moved, { repo: outside })
  t.equal(moved2.verdict, 'inconclusive')
  t.match(moved2.reason, /Cannot check the recorded commit [0-9a-f]{12} against HEAD: .* is not inside a git repository\./)
  // A hash fault is still a failure without git.
  appendFileSync(moved, 'x')
  t.match(failure(() => checkProvenance(moved, { repo: outside })), /changed since it was recorded/)
})

t.test('a corrupt manifest: one line naming the file, left untouched', async (t) => {
  const { dir, model } = project(t)
  const manifestPath = `${model}.provenance.json`
  for (const bad of ['{"schema": "mltest-provenance", ', '{"schema": "something-else"}']) {
    writeFileSync(manifestPath, bad)
    let error: unknown
    try {
      checkProvenance(model, { repo: dir })
    } catch (e) {
      error = e
    }
    t.ok(error instanceof ReleaseFileError, 'a ReleaseFileError')
    t.match((error as Error).message, /^provenance manifest .*mlp\.onnx\.provenance\.json: (not valid JSON|not a file mltest wrote)/)
    t.notMatch((error as Error).message, /\n/, 'one line')
    t.equal(readFileSync(manifestPath, 'utf8'), bad, 'left as it was')
  }
  t.match(failure(() => checkProvenance(model, { repo: dir, requireclean: true } as never)), /checkProvenance: unknown option "requireclean" — did you mean "requireClean"\?/)
})

t.test('a registered version keeps its provenance: the registry copy checks against its manifest', async (t) => {
  const { dir, model, data } = project(t)
  recordProvenance({ model, data: [data], params: { lr: 0.01 }, repo: dir })
  const registry = openRegistry(join(dir, 'models', 'registry'))
  const version = registry.register('v1', model) // the manifest beside the model
  t.same(version.manifest, readManifest(`${model}.provenance.json`))
  const registered = { manifest: join(version.dir, 'manifest.json'), repo: dir }
  t.equal(checkProvenance(version.modelPath, registered).verdict, 'pass', 'the copy has the recorded hash; data paths resolve from the project root')
  appendFileSync(version.modelPath, 'x')
  t.match(failure(() => checkProvenance(version.modelPath, registered)), /model .*versions\/v1\/mlp\.onnx changed since it was recorded/, 'a registered copy altered later fails')
  const bare = write(dir, 'models/bare.onnx', 'bytes')
  t.match(failure(() => registry.register('v2', bare)), /no manifest given and none beside the model \(.*bare\.onnx\.provenance\.json\); record one with recordProvenance/)
})
