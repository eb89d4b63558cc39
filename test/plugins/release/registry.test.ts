// The model registry on real files and real processes: versions with their manifests, the
// current pointer and the version before it, atomic pointer updates under two concurrent
// writers and under SIGKILL mid-update, and corrupt files reported in one line, untouched.
import { spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t, { type Test } from 'tap'
import { openRegistry, ReleaseFileError } from '../../../plugins/release/index.ts'

const WRITER = fileURLToPath(new URL('./registry-writer.ts', import.meta.url))

function tempDir(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'mltest-registry-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** A registry with versions v1..vN, each a small distinct "model" file. */
function registryWith(t: Test, n: number) {
  const dir = tempDir(t)
  const registry = openRegistry(join(dir, 'registry'))
  for (let i = 1; i <= n; i++) {
    const model = join(dir, `model-${i}.onnx`)
    writeFileSync(model, `model bytes ${i}`)
    registry.register(`v${i}`, model, { trainedOn: `data-${i}` }, { golden: { inputs: [[i]], outputs: [[i * 2]] }, latencyBudgetMs: 10 })
  }
  return { dir, registry }
}

function writer(dir: string, versions: string, times: number) {
  const child = spawn(process.execPath, ['--import', 'tsx', WRITER, dir, versions, String(times)], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk) => (stdout += chunk))
  child.stderr.on('data', (chunk) => (stderr += chunk))
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  )
  return { child, done, updates: () => stdout.trim().split('\n').filter(Boolean).length }
}

t.test('versions, their manifests, current and previous', async (t) => {
  const { registry } = registryWith(t, 3)
  t.same(registry.versions().map((v) => v.version), ['v1', 'v2', 'v3'], 'registration order')
  t.equal(registry.current(), undefined, 'no current before the first setCurrent')
  t.equal(registry.previous(), undefined)
  registry.setCurrent('v3')
  t.equal(registry.current()?.version, 'v3')
  t.equal(registry.previous()?.version, 'v2', 'previous is the version registered before current')
  t.equal(readFileSync(registry.current()!.modelPath, 'utf8'), 'model bytes 3', 'the registered copy of the model')
  t.same(registry.get('v2').manifest, { trainedOn: 'data-2' })
  t.same(registry.get('v2').golden, { inputs: [[2]], outputs: [[4]] })
  t.equal(registry.get('v2').latencyBudgetMs, 10)
  const pointer = registry.setCurrent('v1')
  t.equal(pointer.replaced, 'v3', 'the pointer records what it replaced')
  t.equal(registry.previous(), undefined, 'the first version has no previous')
  t.same(readdirSync(registry.dir).sort(), ['current.json', 'versions'], 'no temp file left behind')

  t.throws(() => registry.register('v2', registry.get('v1').modelPath, {}), /version "v2" is already registered/)
  t.throws(() => registry.register('../evil', registry.get('v1').modelPath, {}), /version name "\.\.\/evil" is not allowed/)
  t.throws(() => registry.register('v4', registry.get('v1').modelPath, {}, { latencyBudgetMs: -1 }), /latencyBudgetMs must be a positive number/)
  t.throws(() => registry.setCurrent('v9'), /no version "v9" .*registered: v1, v2, v3/)
  t.throws(() => registry.get('v9'), /no version "v9" in this registry/)
})

t.test('a corrupt pointer, version record or manifest: one line naming the file, never overwritten', async (t) => {
  const { registry } = registryWith(t, 2)
  registry.setCurrent('v2')
  const pointerPath = join(registry.dir, 'current.json')
  const v1 = join(registry.dir, 'versions', 'v1')
  const current = () => registry.current()
  const setCurrent = () => registry.setCurrent('v1')
  const versions = () => registry.versions()
  const cases: Array<[string, string, RegExp, Array<() => unknown>]> = [
    [pointerPath, '{"schema":"mltest-registry-pointer","version":"v2","upd', /registry pointer .*current\.json: not valid JSON/, [current, setCurrent]],
    [pointerPath, '{"schema":"mltest-registry-pointer","version":"v7","updatedAt":"x","by":{"pid":1,"host":"h"}}', /names version "v7", which is not registered/, [current, setCurrent]],
    [pointerPath, '[1, 2]', /registry pointer .*current\.json: not a file mltest wrote/, [current, setCurrent]],
    [join(v1, 'version.json'), '{"schema":"mltest-registry-version"', /registry version record .*v1\/version\.json: not valid JSON/, [versions, () => registry.get('v1')]],
    [join(v1, 'manifest.json'), 'null', /registry manifest .*v1\/manifest\.json: not a file mltest wrote/, [versions, () => registry.get('v1')]],
  ]
  for (const [path, bad, pattern, calls] of cases) {
    const good = readFileSync(path, 'utf8')
    writeFileSync(path, bad)
    for (const call of calls) {
      let error: unknown
      try {
        call()
      } catch (e) {
        error = e
      }
      t.ok(error instanceof ReleaseFileError, `${bad.slice(0, 30)}… in ${path.split('/').slice(-2).join('/')}: throws a ReleaseFileError`)
      t.match(String((error as Error | undefined)?.message), pattern)
      t.notMatch(String((error as Error | undefined)?.message), /\n/, 'one line')
      t.equal(readFileSync(path, 'utf8'), bad, 'the corrupt file is left as it was')
    }
    writeFileSync(path, good)
  }
  t.equal(registry.current()?.version, 'v2', 'restored files read again')
})

t.test('two processes updating the pointer at once leave one consistent pointer; readers never see half of one', async (t) => {
  const { registry } = registryWith(t, 4)
  registry.setCurrent('v1')
  const a = writer(registry.dir, 'v1,v2', 400)
  const b = writer(registry.dir, 'v3,v4', 400)
  let reads = 0
  let readErrors: string[] = []
  let finished = false
  void Promise.all([a.done, b.done]).then(() => (finished = true))
  while (!finished) {
    try {
      const current = registry.current()
      if (!current) readErrors.push('no pointer')
      reads++
    } catch (error) {
      readErrors.push((error as Error).message)
    }
    await new Promise((resolve) => setImmediate(resolve))
  }
  const [ra, rb] = await Promise.all([a.done, b.done])
  t.equal(ra.code, 0, `writer a exited 0 ${ra.stderr}`)
  t.equal(rb.code, 0, `writer b exited 0 ${rb.stderr}`)
  t.equal(a.updates() + b.updates(), 800, 'every update of both writers went through')
  t.ok(reads > 0, `the test process read the pointer ${reads} times while they wrote`)
  t.same(readErrors, [], 'no read saw a missing, partial or invalid pointer')
  const final = registry.pointer()!
  t.ok(['v2', 'v4'].includes(final.version), `the pointer names the last version one of the writers set (${final.version})`)
  t.same(readdirSync(registry.dir).sort(), ['current.json', 'versions'], 'no temp file left behind')
})

t.test('SIGKILL of a writer mid-update never leaves a half-written pointer', async (t) => {
  const { registry } = registryWith(t, 3)
  registry.setCurrent('v1')
  // Killed after a varying number of updates: at that rate (thousands a second) the signal lands
  // inside an update, in the temp file's write, its fsync or the rename.
  for (const after of [20, 57, 133]) {
    const w = writer(registry.dir, 'v1,v2,v3', -1)
    await new Promise<void>((resolve) => {
      const poll = () => (w.updates() >= after ? resolve() : setTimeout(poll, 1))
      poll()
    })
    w.child.kill('SIGKILL')
    const result = await w.done
    t.equal(result.signal, 'SIGKILL', `writer killed after at least ${after} updates (${w.updates()} reported)`)
    const pointer = registry.pointer()
    t.ok(pointer && ['v1', 'v2', 'v3'].includes(pointer.version), `the pointer is whole and names a registered version (${pointer?.version})`)
    const text = readFileSync(join(registry.dir, 'current.json'), 'utf8')
    t.doesNotThrow(() => JSON.parse(text), 'current.json parses')
  }
  // A crash between writing the temp file and renaming it leaves the temp file: it is ignored.
  t.equal(registry.versions().length, 3, 'leftover temp files are not versions')
  registry.setCurrent('v2')
  t.equal(registry.current()?.version, 'v2', 'the registry keeps working after the crashes')
})
