// End-to-end: golden outputs and snapshots through the real `mltest run` in a temp project —
// CI refuses to write a missing golden, a first run writes, the same output passes, a changed
// model output fails with the report, `-u` updates, and obsolete entries are reported (and
// removed only with `-u`).
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { failureBlock, makeProject, runCli } from './run-cli.ts'

/** A tiny softmax classifier whose weights live in a JSON file the test edits, as a retrained model would change. */
const MODEL = `
import { readFileSync } from 'node:fs'
const weights: number[][] = JSON.parse(readFileSync(new URL('./weights.json', import.meta.url), 'utf8'))
const inputs = [[1, 0], [0, 1], [0.5, 0.5], [2, -1]]
const SPECIES = ['Adelie', 'Chinstrap', 'Gentoo']

/** Class probabilities as an onnxruntime-style tensor: float32 data with dims. */
export function predict() {
  const data = new Float32Array(inputs.length * SPECIES.length)
  inputs.forEach((x, i) => {
    const logits = weights.map((w) => w[0]! * x[0]! + w[1]! * x[1]!)
    const max = Math.max(...logits)
    const exps = logits.map((z) => Math.exp(z - max))
    const sum = exps.reduce((a, b) => a + b, 0)
    exps.forEach((e, k) => (data[i * SPECIES.length + k] = e / sum))
  })
  return { dims: [inputs.length, SPECIES.length], data, type: 'float32' }
}

export function labels(): string[] {
  const { data } = predict()
  return inputs.map((_, i) => {
    const row = Array.from(data.subarray(i * 3, i * 3 + 3))
    return SPECIES[row.indexOf(Math.max(...row))]!
  })
}
`

const TESTS = `
import { describe, expect, test } from 'mltest'
import { labels, predict } from './model.ts'

describe('classifier', () => {
  test('pins its probabilities', () => {
    const probabilities = predict()
    expect(probabilities).toMatchGolden('probabilities')
    const mean = Array.from(probabilities.data).reduce((a, b) => a + b, 0) / probabilities.data.length
    expect({ meanProbability: mean }).toMatchGolden('summary', { atol: 1e-6 })
  })
  test('pins its labels', () => {
    expect(labels()).toMatchSnapshot()
  })
})
`

const WEIGHTS = [[1, 0], [0, 1], [0.5, 0.5]]

t.test('goldens and snapshots through the CLI: CI, first run, same output, changed output, -u, obsolete', async (t) => {
  const dir = makeProject(t, { 'model.ts': MODEL, 'golden.mltest.ts': TESTS, 'weights.json': JSON.stringify(WEIGHTS) })
  const goldenFile = join(dir, '__golden__', 'golden.mltest.ts.golden.json')
  const snapshotFile = join(dir, '__snapshots__', 'golden.mltest.ts.snap.json')
  const run = (args: string[] = [], env: Record<string, string> = {}) => runCli(dir, ['run', '--seed', '1', ...args], { env })

  // CI, nothing pinned yet: fails, says how to create the goldens, writes nothing.
  const ci = await run([], { CI: 'true' })
  t.equal(ci.code, 1, `${ci.command} with CI=true and no goldens exits 1\n${ci.stdout}`)
  t.match(ci.closing, 'mltest: 0 passed, 2 failed')
  const noGolden = failureBlock(ci.stdout, 'golden.mltest.ts > classifier > pins its probabilities')
  t.match(noGolden, 'No golden "probabilities" of test "classifier > pins its probabilities" in __golden__/golden.mltest.ts.golden.json, and on CI (CI=true) a missing golden is never written.')
  t.match(noGolden, 'Create it locally with `mltest run -u`')
  t.match(failureBlock(ci.stdout, 'golden.mltest.ts > classifier > pins its labels'), 'No snapshot #1 of test "classifier > pins its labels"')
  t.notOk(existsSync(join(dir, '__golden__')) || existsSync(join(dir, '__snapshots__')), 'CI wrote no golden and no snapshot')

  // A developer's first run writes them.
  const first = await run()
  t.equal(first.code, 0, `the first run passes and writes\n${first.stdout}`)
  t.match(first.stdout, 'golden: wrote 2 new golden entries to __golden__/golden.mltest.ts.golden.json')
  t.match(first.stdout, 'snapshot: wrote 1 new snapshot to __snapshots__/golden.mltest.ts.snap.json')
  const golden = readFileSync(goldenFile, 'utf8')
  const snapshot = readFileSync(snapshotFile, 'utf8')
  t.match(JSON.parse(golden), { format: 'mltest-golden', version: 1, tests: { 'classifier > pins its probabilities': { probabilities: { dtype: 'float32', shape: [4, 3] }, summary: { dtype: 'float64' } } } })
  t.same(JSON.parse(snapshot).tests, { 'classifier > pins its labels': { 1: ['Adelie', 'Chinstrap', 'Adelie', 'Adelie'] } })

  // The same output passes, locally and on CI, and rewrites nothing.
  const same = await run([], { CI: 'true' })
  t.equal(same.code, 0, `the same output passes on CI\n${same.stdout}`)
  t.match(same.closing, 'mltest: 2 passed, 0 failed')
  t.notMatch(same.stdout, /golden:|snapshot:/, 'nothing written, nothing obsolete')
  t.equal(readFileSync(goldenFile, 'utf8'), golden)
  t.equal(readFileSync(snapshotFile, 'utf8'), snapshot)

  // A changed model: both checks fail with their reports, and the files stay as they were.
  writeFileSync(join(dir, 'weights.json'), JSON.stringify([[1, 0], [0, 1.2], [0.5, 0.5]]))
  const changed = await run()
  t.equal(changed.code, 1, `a changed output fails\n${changed.stdout}`)
  t.match(changed.closing, 'mltest: 0 passed, 2 failed')
  const moved = failureBlock(changed.stdout, 'golden.mltest.ts > classifier > pins its probabilities')
  t.match(moved, /\d+ of 12 elements \([\d.]+%\) moved beyond the tolerance \(atol 1e-8, rtol 1e-5, NaN equals NaN\)/)
  t.match(moved, /Worst at \[\d, \d\]: expected [\d.e-]+, received [\d.e-]+, difference [\d.e-]+(?: \(\d+ float32 ulps\))?, allowed [\d.e-]+/)
  t.match(moved, 'Golden: golden "probabilities" of test "classifier > pins its probabilities" in __golden__/golden.mltest.ts.golden.json')
  t.match(moved, 'update the golden with `mltest run -u`')
  const relabelled = failureBlock(changed.stdout, 'golden.mltest.ts > classifier > pins its labels')
  t.match(relabelled, '- Snapshot  - 1\n  + Received  + 1')
  t.match(relabelled, '- ["Adelie", "Chinstrap", "Adelie", "Adelie"]\n  + ["Adelie", "Chinstrap", "Chinstrap", "Adelie"]')
  t.equal(readFileSync(goldenFile, 'utf8'), golden, 'a failing run leaves the golden file alone')

  // -u updates them; the next run passes.
  const update = await run(['-u'])
  t.equal(update.code, 0, `-u passes and updates\n${update.stdout}`)
  t.match(update.stdout, 'golden: updated 1 golden entry in __golden__/golden.mltest.ts.golden.json')
  t.match(update.stdout, 'snapshot: updated 1 snapshot in __snapshots__/golden.mltest.ts.snap.json')
  t.notMatch(update.stdout, 'updated 2', 'the summary golden, within its atol, is not rewritten')
  const after = await run([], { CI: 'true' })
  t.equal(after.code, 0, `the updated goldens pass\n${after.stdout}`)

  // A renamed test: its old snapshot is reported obsolete (kept), and -u removes it.
  writeFileSync(join(dir, 'golden.mltest.ts'), TESTS.replace("'pins its labels'", "'pins its species labels'"))
  const renamed = await run()
  t.equal(renamed.code, 0, renamed.stdout)
  t.match(renamed.stdout, 'snapshot: 1 snapshot obsolete in __snapshots__/golden.mltest.ts.snap.json: "classifier > pins its labels" › "1" (mltest run -u removes it)')
  t.match(readFileSync(snapshotFile, 'utf8'), '"classifier > pins its labels"', 'kept without -u')
  const cleaned = await run(['--update'])
  t.equal(cleaned.code, 0, cleaned.stdout)
  t.match(cleaned.stdout, 'snapshot: removed 1 obsolete snapshot from __snapshots__/golden.mltest.ts.snap.json')
  t.same(Object.keys(JSON.parse(readFileSync(snapshotFile, 'utf8')).tests), ['classifier > pins its species labels'])
})

t.test('-u is a flag of run, listed in --help', async (t) => {
  const dir = makeProject(t, {})
  const help = await runCli(dir, ['run', '--help'])
  t.match(help.stdout, /-u, --update\s+rewrite golden and snapshot/)
})
