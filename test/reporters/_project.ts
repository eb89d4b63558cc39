// A sample project with every kind of outcome (pass, assertion failure, exception, timeout,
// skip, todo, inconclusive, test.fails, file error), annotations, checks, logs and awkward
// names, written to a temp folder, and a helper to run the real CLI on it.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const bin = new URL('../../bin/mltest.mjs', import.meta.url).pathname
const core = JSON.stringify(new URL('../../core/index.ts', import.meta.url).pathname)

export const WEIRD_NAME = 'quotes " \' <tag> & ünïcode \u0001 bell \u0007 # hash \\ slash'

export const files: Record<string, string> = {
  'a-pass.mltest.ts': `import { test, expect, recordCheck } from ${core}
console.log('top-level log of a-pass')
test('adds', (t) => {
  console.log('inside adds')
  console.error('warning from adds')
  t.annotate('accuracy', 0.93)
  t.annotate('loss', 0.1 + 0.2)
  expect(1 + 1).toBe(2)
})
test('stable check', () => {
  recordCheck({ check: 'checkStability', practice: 'numerical-stability', verdict: 'pass', metrics: { maxAbsError: 1e-7, runs: 200 }, summary: 'max |err| 1e-7 <= 1e-5' })
})
`,
  'b-mixed.mltest.ts': `import { describe, test, expect, recordCheck } from ${core}
describe('model', () => {
  test('equal objects', () => {
    expect({ weights: [1, 2, 3], bias: 0 }).toEqual({ weights: [1, 2, 4], bias: 0 })
  })
  test('throws a TypeError', () => {
    const x: any = undefined
    return x.shape
  })
  test(${JSON.stringify(WEIRD_NAME)}, () => {
    throw new Error('message with <xml> & "quotes" \\u0000 nul \\ud800 lone surrogate\\nsecond line')
  })
  test.skip('skipped one', () => {})
  test.todo('later')
  test('inconclusive drift', () => {
    recordCheck({ check: 'checkDrift', practice: 'drift', verdict: 'inconclusive', metrics: { pValue: 0.07, n: 40 }, summary: 'p = 0.07, n = 40: not enough evidence', reason: 'n = 40 is below the 120 samples the test needs for 80% power' })
  })
  test.fails('known bug', () => {
    expect(1).toBe(2)
  })
})
`,
  'c-broken.mltest.ts': `import { test } from ${core}
test('never collected', () => {})
throw new Error('cannot load the model registry')
`,
  'd-timeout.mltest.ts': `import { test } from ${core}
test('slow', async () => {
  await new Promise((resolve) => setTimeout(resolve, 2000))
}, { timeout: 100 })
`,
}

/** What the project gives: 2 + 1 (test.fails) passed, 4 failed, 1 skipped, 1 todo, 1 inconclusive, 1 file error. */
export const EXPECTED = { passed: 3, failed: 4, skipped: 1, todo: 1, inconclusive: 1, fileErrors: 1 }

export function writeProject(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'mltest-ci-'))
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}')
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text)
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}

export function cli(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  const base = { ...process.env }
  delete base.GITHUB_ACTIONS
  delete base.GITHUB_STEP_SUMMARY
  return spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env: { ...base, NO_COLOR: '1', ...env } })
}
