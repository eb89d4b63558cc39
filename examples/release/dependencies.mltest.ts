/**
 * Dependency changes are tracked: the packages this project's lockfile pins and the content of
 * the penguins data are compared with an accepted baseline. In a project the baseline is a
 * committed file and `npx mltest release accept --baseline ... --reason "..."` updates it; here
 * each test works on copies in a temp folder, so the example never edits the repository.
 */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect, test } from 'mltest'
import { acceptDependencies, checkDependencies } from 'mltest/release'
import { PENGUINS_FILE } from './penguin-classifier.ts'

const LOCKFILE = fileURLToPath(new URL('../../package-lock.json', import.meta.url))

/** A baseline accepted for copies of the lockfile and the data, in `dir`. */
function acceptedProject(dir: string) {
  const lockfile = join(dir, 'package-lock.json')
  const data = join(dir, 'penguins.json')
  copyFileSync(LOCKFILE, lockfile)
  copyFileSync(PENGUINS_FILE, data)
  const baseline = join(dir, 'mltest.dependencies.json')
  acceptDependencies({ baseline, lockfile, files: [data], reason: 'first baseline', by: 'release example' })
  return { lockfile, data, baseline }
}

test('the dependency set is the accepted one', (t) => {
  const { baseline, lockfile, data } = acceptedProject(t.tmpdir())
  const result = checkDependencies({ baseline, lockfile, files: [data] })
  expect(result.changes).toEqual([])
  expect(result.packages).toBeGreaterThan(100)
  expect(result.lastAcceptance?.reason).toBe('first baseline')
})

test.fails('an onnxruntime-node upgrade nobody acknowledged fails', (t) => {
  const { baseline, lockfile, data } = acceptedProject(t.tmpdir())
  // What `npm install onnxruntime-node@latest` does to the lockfile.
  const lock = JSON.parse(readFileSync(lockfile, 'utf8'))
  lock.packages['node_modules/onnxruntime-node'].version = '1.99.0'
  lock.packages['node_modules/onnxruntime-node'].integrity = 'sha512-upgraded'
  writeFileSync(lockfile, JSON.stringify(lock))
  checkDependencies({ baseline, lockfile, files: [data] })
}, { error: /1 unacknowledged dependency change\(s\): 1 upgraded/ })

test.fails('penguins data edited upstream fails', (t) => {
  const { baseline, lockfile, data } = acceptedProject(t.tmpdir())
  const rows = JSON.parse(readFileSync(data, 'utf8'))
  rows[0]['Body Mass (g)'] = 3800
  writeFileSync(data, JSON.stringify(rows))
  checkDependencies({ baseline, lockfile, files: [data] })
}, { error: 'content changed' })

test('an acknowledged upgrade passes, and the baseline says who accepted it and why', (t) => {
  const { baseline, lockfile, data } = acceptedProject(t.tmpdir())
  const lock = JSON.parse(readFileSync(lockfile, 'utf8'))
  lock.packages['node_modules/onnxruntime-node'].version = '1.99.0'
  writeFileSync(lockfile, JSON.stringify(lock))
  const { changes } = acceptDependencies({ baseline, reason: 'golden outputs identical on 1.99', by: 'release example' })
  expect(changes.map((c) => `${c.kind} ${c.name}`)).toEqual(['upgraded onnxruntime-node'])
  expect(checkDependencies({ baseline, lockfile, files: [data] }).lastAcceptance?.reason).toBe('golden outputs identical on 1.99')
})
