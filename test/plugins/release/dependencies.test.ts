// Dependency tracking on real files: a lockfile and data files in a temp folder, a baseline
// accepted with a reason, then each change a team meets — a package upgraded, downgraded,
// added, removed, re-published with other bytes; a data file edited, deleted, newly tracked —
// fails checkDependencies until accepted, and the acceptance records who, when and why.
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { acceptDependencies, checkDependencies, ReleaseFileError } from '../../../plugins/release/index.ts'
import { tempDir, write } from './git-project.ts'
import { failureOf } from '../../failure-of.ts'

interface Pkg {
  version: string
  integrity?: string
}

function lockfile(packages: Record<string, Pkg>): string {
  const entries = Object.fromEntries(Object.entries(packages).map(([name, p]) => [`node_modules/${name}`, p]))
  return JSON.stringify({ name: 'app', lockfileVersion: 3, requires: true, packages: { '': { name: 'app' }, ...entries } }, null, 2)
}

const BASE: Record<string, Pkg> = {
  'onnxruntime-node': { version: '1.29.0', integrity: 'sha512-ort129' },
  zod: { version: '4.6.7', integrity: 'sha512-zod467' },
  '@types/node': { version: '20.19.43' },
  'a/node_modules/zod': { version: '3.25.0' },
}

function project(t: Test) {
  const dir = tempDir(t)
  write(dir, 'package-lock.json', lockfile(BASE))
  const data = write(dir, 'data/penguins.csv', 'species,bill\nAdelie,39.1\n')
  const schema = write(dir, 'schemas/upstream.json', '{"fields":["species","bill"]}\n')
  const baseline = join(dir, 'mltest.dependencies.json')
  return { dir, data, schema, baseline, setLock: (p: Record<string, Pkg>) => write(dir, 'package-lock.json', lockfile(p)) }
}

/** The check's failure message (the test fails if it passed: see failureOf). */
const failure = (fn: () => unknown): string => failureOf(() => void fn())

t.test('no baseline: the failure says how to create one', async (t) => {
  const { dir, data, baseline } = project(t)
  const message = failure(() => checkDependencies({ baseline, files: [data] }))
  t.match(message, /^checkDependencies: no dependency baseline at .*mltest\.dependencies\.json/)
  t.match(message, /\(4 locked package\(s\) from package-lock\.json, 1 tracked file\(s\)\)/)
  t.match(message, /npx mltest release accept --baseline \S*mltest\.dependencies\.json --file \S*data\/penguins\.csv --reason "first baseline"/)
  const accepted = acceptDependencies({ baseline, files: [data], reason: 'first baseline', by: 'Ada <ada@example.org>', cwd: dir })
  t.equal(accepted.created, true)
  t.same(accepted.acceptance?.changes, ['first baseline: 4 package(s), 1 file(s)'])
  const written = JSON.parse(readFileSync(baseline, 'utf8'))
  t.equal(written.lockfile, 'package-lock.json')
  t.same(Object.keys(written.files), ['data/penguins.csv'], 'file paths relative to the baseline')
  t.same(written.packages['a > zod'], { version: '3.25.0' }, 'a nested copy is its own entry')
  t.match(written.acceptances[0], { by: 'Ada <ada@example.org>', reason: 'first baseline' })
  t.ok(Date.now() - Date.parse(written.acceptances[0].at) < 60_000, 'when: an ISO timestamp of now')
  const result = checkDependencies({ baseline, files: [data] })
  t.equal(result.verdict, 'pass')
  t.equal(result.packages, 4)
})

t.test('each kind of change fails until accepted', async (t) => {
  const { dir, data, schema, baseline, setLock } = project(t)
  acceptDependencies({ baseline, files: [data], reason: 'first baseline', by: 'Ada', cwd: dir })

  // An upgrade nobody acknowledged: the realistic fault.
  setLock({ ...BASE, 'onnxruntime-node': { version: '1.30.0', integrity: 'sha512-ort130' } })
  const upgraded = failure(() => checkDependencies({ baseline, files: [data] }))
  t.match(upgraded, /checkDependencies: 1 unacknowledged dependency change\(s\): 1 upgraded/)
  t.match(upgraded, /upgraded\s+package\s+onnxruntime-node\s+1\.29\.0\s+1\.30\.0/)
  t.match(upgraded, /since the baseline .* \(accepted .* by Ada: "first baseline"\)/)
  t.match(upgraded, /npx mltest release accept --baseline \S+ --reason "why these changes are safe"/, 'the command to acknowledge (no --file: the tracked list is unchanged)')

  const result = acceptDependencies({ baseline, reason: 'ort 1.30: golden outputs identical', by: 'Grace', cwd: dir })
  t.same(result.acceptance?.changes, ['upgraded package onnxruntime-node 1.29.0 → 1.30.0'])
  t.equal(checkDependencies({ baseline, files: [data] }).verdict, 'pass', 'accepted: passes')
  t.equal(JSON.parse(readFileSync(baseline, 'utf8')).acceptances.length, 2, 'both acceptances kept')

  const cases: Array<[string, () => void, RegExp]> = [
    ['downgrade', () => setLock({ ...BASE, 'onnxruntime-node': { version: '1.28.1', integrity: 'x' } }), /downgraded\s+package\s+onnxruntime-node\s+1\.30\.0\s+1\.28\.1/],
    ['added package', () => setLock({ ...BASE, 'onnxruntime-node': { version: '1.30.0', integrity: 'sha512-ort130' }, lodash: { version: '4.17.21' } }), /added\s+package\s+lodash\s+—\s+4\.17\.21/],
    ['removed package', () => { const { zod: _zod, ...rest } = BASE; setLock({ ...rest, 'onnxruntime-node': { version: '1.30.0', integrity: 'sha512-ort130' } }) }, /removed\s+package\s+zod\s+4\.6\.7\s+—/],
    ['same version, other bytes', () => setLock({ ...BASE, 'onnxruntime-node': { version: '1.30.0', integrity: 'sha512-TAMPERED' } }), /changed\s+package\s+onnxruntime-node\s+1\.30\.0\s+1\.30\.0\s+same version, other integrity hash/],
  ]
  for (const [name, apply, pattern] of cases) {
    apply()
    t.match(failure(() => checkDependencies({ baseline, files: [data] })), pattern, name)
  }
  setLock({ ...BASE, 'onnxruntime-node': { version: '1.30.0', integrity: 'sha512-ort130' } })
  t.equal(checkDependencies({ baseline, files: [data] }).verdict, 'pass', 'back to the accepted lockfile')

  writeFileSync(data, 'species,bill\nAdelie,39.1\nGentoo,46.1\n')
  t.match(failure(() => checkDependencies({ baseline, files: [data] })), /changed\s+file\s+data\/penguins\.csv\s+sha256 [0-9a-f]{12}\s+sha256 [0-9a-f]{12}\s+content changed \(25 → 37 bytes\)/, 'edited data file')
  rmSync(data)
  t.match(failure(() => checkDependencies({ baseline, files: [data] })), /removed\s+file\s+data\/penguins\.csv .*file missing/, 'deleted data file')
  const added = failure(() => checkDependencies({ baseline, files: [data, schema] }))
  t.match(added, /added\s+file\s+schemas\/upstream\.json/, 'a newly tracked upstream schema')
  t.match(added, /--file \S*data\/penguins\.csv --file \S*schemas\/upstream\.json --reason/, 'the command lists the whole tracked list when it changed')
  t.match(failure(() => acceptDependencies({ baseline, files: [data, schema], reason: 'x', cwd: dir })), /cannot track files that do not exist: data\/penguins\.csv/)
  t.match(failure(() => checkDependencies({ baseline, files: [] })), /removed\s+file\s+data\/penguins\.csv .*no longer tracked/, 'a file dropped from the tracked list')
})

t.test('ignore, nothing to accept, bad input', async (t) => {
  const { dir, baseline, setLock } = project(t)
  acceptDependencies({ baseline, reason: 'first', cwd: dir })
  setLock({ ...BASE, '@types/node': { version: '20.20.0' } })
  t.match(failure(() => checkDependencies({ baseline })), /upgraded\s+package\s+@types\/node/)
  t.equal(checkDependencies({ baseline, ignore: ['@types/*'] }).verdict, 'pass', 'ignored packages are not tracked')
  setLock(BASE)
  const before = readFileSync(baseline, 'utf8')
  t.equal(acceptDependencies({ baseline, reason: 'again', cwd: dir }).acceptance, null, 'no change: nothing recorded')
  t.equal(readFileSync(baseline, 'utf8'), before, 'the baseline is left as it is')
  t.match(failure(() => acceptDependencies({ baseline, reason: '  ', cwd: dir })), /needs a reason/)
  t.match(failure(() => checkDependencies({ baseline, file: ['x'] } as never)), /checkDependencies: unknown option "file" — did you mean "files"\?/)

  for (const bad of ['{"schema":"mltest-dependencies",', '{"schema":"mltest-dependencies","schemaVersion":1}']) {
    writeFileSync(baseline, bad)
    for (const call of [() => checkDependencies({ baseline }), () => acceptDependencies({ baseline, reason: 'overwrite?', cwd: dir })]) {
      let error: unknown
      try {
        call()
      } catch (e) {
        error = e
      }
      t.ok(error instanceof ReleaseFileError, 'a ReleaseFileError')
      t.match((error as Error).message, /^dependency baseline .*mltest\.dependencies\.json: (not valid JSON|not a file mltest wrote)/)
      t.notMatch((error as Error).message, /\n/, 'one line')
      t.equal(readFileSync(baseline, 'utf8'), bad, 'never overwritten')
    }
  }
})

t.test('lockfileVersion 1 (nested dependencies) reads the same packages', async (t) => {
  const dir = tempDir(t)
  write(dir, 'package-lock.json', JSON.stringify({ lockfileVersion: 1, dependencies: { zod: { version: '4.6.7', integrity: 'i1' }, a: { version: '1.0.0', dependencies: { zod: { version: '3.25.0' } } } } }))
  const baseline = join(dir, 'deps.json')
  acceptDependencies({ baseline, reason: 'v1 lock', cwd: dir })
  t.same(JSON.parse(readFileSync(baseline, 'utf8')).packages, { zod: { version: '4.6.7', integrity: 'i1' }, a: { version: '1.0.0' }, 'a > zod': { version: '3.25.0' } })
  write(dir, 'yarn.lock', '# yarn lockfile v1\n')
  t.match(failure(() => checkDependencies({ baseline, lockfile: join(dir, 'yarn.lock') })), /^lockfile .*yarn\.lock: yarn\.lock is not read yet/)
})
