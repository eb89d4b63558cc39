// Golden outputs and snapshots in-process (core/expect/golden*.ts, snapshot*.ts): exact
// round-trips of numbers and tensors (real tfjs and onnxruntime tensors), the comparison
// report and its tolerance, the matchers inside a running test on real files (first write,
// match, change, -u, CI), obsolete entries, and the snapshot encoding.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { expect } from '../../core/expect/index.ts'
import { compareWithGolden, GOLDEN_DEFAULT_TOLERANCE, goldenTolerance } from '../../core/expect/golden.ts'
import { finishGoldenFile, goldenPathOf, isCI, startGoldenFile } from '../../core/expect/golden-session.ts'
import { goldenEntryOf, goldenEntryText, goldenValueOf, numberText, readGoldenValue, type GoldenValue } from '../../core/expect/golden-values.ts'
import { encodeSnapshot, snapshotText } from '../../core/expect/snapshot-values.ts'
import { silenceTfjsCpuBanner } from '../../core/optional-dependency.ts'
import type { CollectedTest } from '../../core/protocol.ts'
import { createRng } from '../../core/seed.ts'
import { createRunningTest, runWithTest } from '../../core/worker/context.ts'
import { failureOf } from '../failure-of.ts'

/** A value written as the golden file writes it and read back the way the matcher reads it. */
function roundTrip(value: GoldenValue): GoldenValue {
  const text = goldenEntryText(goldenEntryOf(value), '')
  return goldenValueOf(JSON.parse(text), 'test entry')
}

const sameBits = (a: ArrayLike<number>, b: ArrayLike<number>) => a.length === b.length && Array.from(a).every((x, i) => Object.is(x, b[i]))

t.test('numbers are written in the fewest digits that read back exactly', async (t) => {
  t.equal(numberText(Math.fround(0.1), 'float32'), '0.1', 'a float32 is not written as its double expansion')
  t.equal(numberText(Math.fround(0.1), 'float64'), '0.10000000149011612', 'the same double kept as float64 keeps every digit')
  t.equal(numberText(0.1, 'float64'), '0.1')
  t.equal(numberText(-0, 'float32'), '-0')
  t.equal(numberText(NaN, 'float32'), '"NaN"')
  t.equal(numberText(-Infinity, 'float64'), '"-Infinity"')
  const rng = createRng(7)
  const f32 = new Float32Array(20_000)
  const f64 = new Float64Array(20_000)
  const bits = new Uint32Array(f32.buffer)
  for (let i = 0; i < f32.length; i++) {
    bits[i] = Math.floor(rng.next() * 2 ** 32) // every float32 bit pattern: subnormals, huge values, NaNs
    f64[i] = (rng.next() - 0.5) * 10 ** Math.floor(rng.next() * 600 - 300)
  }
  const bad32 = Array.from(f32).filter((x) => !Number.isNaN(x) && Number.isFinite(x) && !Object.is(Math.fround(Number(numberText(x, 'float32'))), x))
  const bad64 = Array.from(f64).filter((x) => !Object.is(Number(numberText(x, 'float64')), x))
  t.same(bad32, [], 'every finite float32 reads back as itself')
  t.same(bad64, [], 'every float64 reads back as itself')
  const significant = (text: string) => text.replace(/^-/, '').replace(/e.*$/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '').length
  t.ok(Array.from(f32).every((x) => !Number.isFinite(x) || significant(numberText(x, 'float32')) <= 9), 'at most 9 significant digits for float32')
})

t.test('tensors round-trip with dtype, shape and every bit (typed arrays, nested arrays, tfjs, onnxruntime)', async (t) => {
  silenceTfjsCpuBanner()
  const tf = await import('@tensorflow/tfjs')
  const ort = await import('onnxruntime-node')
  const rng = createRng(11)
  const data = Float32Array.from({ length: 24 }, () => rng.next() * 2 - 1)
  data[3] = NaN
  data[5] = -0
  data[7] = Infinity
  const cases: Array<[string, unknown, string, number[]]> = [
    ['Float32Array', data, 'float32', [24]],
    ['Float64Array', Float64Array.from(data, (x) => x / 3), 'float64', [24]],
    ['Int32Array', Int32Array.from([1, -2, 2 ** 31 - 1]), 'int32', [3]],
    ['nested arrays', [[0.1, 0.2, 1 / 3], [1e-300, -5e-324, 1e300]], 'float64', [2, 3]],
    ['a number', Math.PI, 'float64', []],
    ['tfjs float32 tensor', tf.tensor3d(data, [2, 3, 4]), 'float32', [2, 3, 4]],
    ['tfjs int32 tensor', tf.tensor1d([3, -1, 7], 'int32'), 'int32', [3]],
    ['onnxruntime float32 tensor', new ort.Tensor('float32', data, [4, 6]), 'float32', [4, 6]],
    ['onnxruntime int64 tensor', new ort.Tensor('int64', BigInt64Array.from([1n, -2n, 3n]), [3]), 'int64', [3]],
    ['an empty tensor', new ort.Tensor('float32', new Float32Array(0), [0, 3]), 'float32', [0, 3]],
  ]
  for (const [label, input, dtype, shape] of cases) {
    const value = readGoldenValue(input)
    const back = roundTrip(value)
    t.match(back, { kind: 'tensor', dtype, shape }, `${label}: dtype and shape`)
    t.ok(sameBits(back.values, value.values), `${label}: every element identical`)
    t.equal(compareWithGolden(value, back, 'exact', true), undefined, `${label}: matches itself exactly`)
  }
  const metrics = readGoldenValue({ loss: 0.2132, accuracy: 0.9375, auc: NaN })
  t.match(roundTrip(metrics), { kind: 'record', keys: ['accuracy', 'auc', 'loss'] }, 'a record of metrics keeps its keys (sorted)')
  t.throws(() => readGoldenValue({ accuracy: '0.9' }), /"accuracy" is string/)
  t.throws(() => readGoldenValue('text'), /cannot read numbers from a string/)
})

t.test('the golden text: one row of the last axis per line, stable and valid JSON', async (t) => {
  const value = readGoldenValue({ shape: [2, 3], data: Float32Array.from([0.1, 0.2, 0.7, 0.3, NaN, -0]), type: 'float32' })
  const text = goldenEntryText(goldenEntryOf(value), '  ')
  t.equal(text, ['{', '    "dtype": "float32",', '    "shape": [2, 3],', '    "values": [', '      0.1, 0.2, 0.7,', '      0.3, "NaN", -0', '    ]', '  }'].join('\n'))
  const wide = goldenEntryText(goldenEntryOf(readGoldenValue([Array.from({ length: 12 }, (_, i) => i)])), '')
  t.same(wide.split('\n').filter((l) => /^\s+\d/.test(l)).map((l) => l.trim().split(', ').length), [10, 2], 'a long row wraps after 10 numbers')
  t.throws(() => goldenValueOf({ dtype: 'float32', shape: [2, 2], values: [1, 2, 3] }, 'x.golden.json, golden "p"'), /x\.golden\.json, golden "p": shape \[2, 2\] holds 4 elements but "values" has 3/)
  t.throws(() => goldenValueOf({ dtype: 'float32', shape: [1], values: ['nan'] }, 'g'), /"nan" is not a number/)
})

t.test('the comparison report: how many moved, the worst one, the tolerance', async (t) => {
  const golden = readGoldenValue([[0.5, 0.25, 0.25], [0.1, 0.8, 0.1]])
  const moved = readGoldenValue([[0.5, 0.25, 0.25], [0.15, 0.6, 0.1]])
  const report = compareWithGolden(moved, golden, goldenTolerance(undefined).tolerance, true)!
  t.match(report, '2 of 6 elements (33.3%) moved beyond the tolerance (atol 1e-8, rtol 1e-5, NaN equals NaN)')
  t.match(report, 'Worst at [1, 1]: expected 0.8, received 0.6, difference 0.2, allowed 8.01e-6')
  t.match(report, 'Max abs diff: 0.2')
  t.equal(compareWithGolden(golden, golden, goldenTolerance(undefined).tolerance, true), undefined, 'the same output passes')
  t.match(compareWithGolden(readGoldenValue([1, 2]), readGoldenValue([1, 2, 3]), 'exact', true), /Shape changed: the golden has shape \[3\], received \[2\]/)
  t.match(compareWithGolden(readGoldenValue(Float32Array.of(1)), readGoldenValue(Float64Array.of(1)), 'exact', true), /dtype changed: the golden is float64, received float32/)
  t.match(compareWithGolden(readGoldenValue({ a: 1, c: 2 }), readGoldenValue({ a: 1, b: 2 }), 'exact', true), /Keys changed: missing b; new c/)
  t.match(compareWithGolden(readGoldenValue({ acc: 0.9, loss: 0.3 }), readGoldenValue({ acc: 0.91, loss: 0.3 }), 'exact', true), /Worst at "acc": expected 0.91, received 0.9/)
  t.match(compareWithGolden(readGoldenValue(5), readGoldenValue({ a: 5 }), 'exact', true), /The golden is a record of 1 numbers; received a float64 tensor of shape \[\]/)
})

t.test('default tolerance: numpy allclose — float32 rounding passes, a real change fails', async (t) => {
  t.same(GOLDEN_DEFAULT_TOLERANCE, { rtol: 1e-5, atol: 1e-8 })
  const { tolerance, equalNaN } = goldenTolerance(undefined)
  const x = Math.fround(0.7310586)
  const next = (v: number) => {
    const f = new Float32Array([v])
    new Uint32Array(f.buffer)[0]! += 1
    return f[0]!
  }
  const golden = readGoldenValue(Float32Array.of(x, NaN))
  t.equal(compareWithGolden(readGoldenValue(Float32Array.of(next(x), NaN)), golden, tolerance, equalNaN), undefined, '1 float32 ulp (another backend, another CPU) passes; NaN matches a recorded NaN')
  t.match(compareWithGolden(readGoldenValue(Float32Array.of(x * (1 + 1e-4), NaN)), golden, tolerance, equalNaN), /1 of 2 elements/, 'a relative change of 1e-4 fails')
  const exact = compareWithGolden(readGoldenValue(Float32Array.of(next(x), NaN)), golden, 'exact', true)
  t.match(exact, /1 of 2 elements .* \(exact, NaN equals NaN\)/, "'exact' fails on 1 ulp")
  t.match(exact, /difference 5\.96e-8 \(1 float32 ulps\), allowed 0 \(exact\)/, 'a small ULP distance is shown: it tells rounding noise from a change')
  t.match(compareWithGolden(readGoldenValue(Float32Array.of(x, NaN)), golden, tolerance, false), /1 of 2 elements/, 'equalNaN: false makes a NaN fail')
  t.same(goldenTolerance({ atol: 1e-3 }).tolerance, { rtol: 1e-5, atol: 1e-3 }, 'a missing key keeps its default, as in toAllClose')
  t.same(goldenTolerance({ rtol: 0, atol: 0, ulps: 4 }).tolerance, { rtol: 0, atol: 0, ulps: 4 })
  t.throws(() => goldenTolerance({ rtoll: 1e-3 } as never), /toMatchGolden: unknown option "rtoll"/)
  t.throws(() => goldenTolerance({ atol: -1 }), /toMatchGolden: .*atol/)
})

// ---------------------------------------------------------------------------------------
// The matchers inside a running test, on real files in a temp project.

function project(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'mltest-golden-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

function collectedTest(dir: string, fullName: string, id = `m.mltest.ts::${fullName}`): CollectedTest {
  const suitePath = fullName.split(' > ').slice(0, -1)
  return { id, file: join(dir, 'm.mltest.ts'), suitePath, name: fullName.split(' > ').at(-1)!, fullName, tags: [], mode: 'run', expectFail: false, exclusive: false }
}

/** Runs `body` as attempt `attempt` of the test, as the worker would. */
function inTest(test: CollectedTest, body: () => void, attempt = 1): void {
  runWithTest(createRunningTest(test, 1, 1, attempt, () => {}, {}), body)
}

t.test('toMatchGolden: written on the first run, compared after, -u rewrites, CI never writes', async (t) => {
  const dir = project(t)
  const test = collectedTest(dir, 'model > predicts')
  const path = goldenPathOf('golden', test.file)
  t.equal(path, join(dir, '__golden__', 'm.mltest.ts.golden.json'))
  const output = Float32Array.from([0.9, 0.05, 0.05, 0.2, 0.5, 0.3])
  const tensor = (values: Float32Array) => ({ dims: [2, 3], data: values, type: 'float32' })

  startGoldenFile({ testFile: test.file, rootDir: dir, update: false, ci: false })
  inTest(test, () => expect(tensor(output)).toMatchGolden('probabilities'))
  t.ok(existsSync(path), 'the first run writes the golden')
  t.same(readdirSync(join(dir, '__golden__')), ['m.mltest.ts.golden.json'], 'no temporary file is left')
  t.same(finishGoldenFile([test], new Set([test.id])), ['golden: wrote 1 new golden entry to __golden__/m.mltest.ts.golden.json'])
  const written = readFileSync(path, 'utf8')
  t.match(JSON.parse(written), { format: 'mltest-golden', version: 1, tests: { 'model > predicts': { probabilities: { dtype: 'float32', shape: [2, 3] } } } })

  startGoldenFile({ testFile: test.file, rootDir: dir, update: false, ci: true })
  inTest(test, () => expect(tensor(output)).toMatchGolden('probabilities'))
  t.same(finishGoldenFile([test], new Set([test.id])), [], 'the same output passes, even on CI, and writes nothing')

  const changed = output.slice()
  changed[4] = 0.45
  startGoldenFile({ testFile: test.file, rootDir: dir, update: false, ci: false })
  const message = failureOf(() => inTest(test, () => expect(tensor(changed)).toMatchGolden('probabilities')))
  t.match(message, 'expect(received).toMatchGolden("probabilities")')
  t.match(message, '1 of 6 elements (16.7%) moved beyond the tolerance (atol 1e-8, rtol 1e-5, NaN equals NaN)')
  t.match(message, 'Worst at [1, 1]: expected 0.5, received 0.45, difference 0.05')
  t.match(message, 'Golden: golden "probabilities" of test "model > predicts" in __golden__/m.mltest.ts.golden.json')
  t.match(message, 'update the golden with `mltest run -u`')
  t.equal(readFileSync(path, 'utf8'), written, 'a failing comparison leaves the file alone')
  inTest(test, () => expect(tensor(changed)).toMatchGolden('probabilities', { atol: 0.1 }), 2)
  t.pass('a looser tolerance passes (on a retry, the same name may be checked again)')
  t.throws(() => inTest(test, () => {
    expect(1).toMatchGolden('twice')
    expect(1).toMatchGolden('twice')
  }, 3), /already checked a golden named "twice"/)
  finishGoldenFile([test], new Set())

  startGoldenFile({ testFile: test.file, rootDir: dir, update: true, ci: true })
  inTest(test, () => expect(tensor(changed)).toMatchGolden('probabilities'))
  t.same(
    finishGoldenFile([test], new Set([test.id])),
    [
      'golden: updated 1 golden entry in __golden__/m.mltest.ts.golden.json',
      'golden: removed 1 obsolete golden entry from __golden__/m.mltest.ts.golden.json: "model > predicts" › "twice"',
    ],
    '-u rewrites (also on CI, where it is explicit) and removes what the test no longer uses',
  )
  t.match(readFileSync(path, 'utf8'), '0.2, 0.45, 0.3')

  startGoldenFile({ testFile: test.file, rootDir: dir, update: true, ci: false })
  inTest(test, () => expect(tensor(Float32Array.from(changed, (x) => x * (1 + 1e-7)))).toMatchGolden('probabilities'))
  t.same(finishGoldenFile([test], new Set([test.id])), [], '-u leaves a golden that is within tolerance alone (no churn)')

  startGoldenFile({ testFile: test.file, rootDir: dir, update: false, ci: true })
  const ci = failureOf(() => inTest(test, () => expect([1, 2]).toMatchGolden('new one')))
  t.match(ci, 'No golden "new one" of test "model > predicts" in __golden__/m.mltest.ts.golden.json, and on CI')
  t.match(ci, 'Create it locally with `mltest run -u`')
  t.notMatch(readFileSync(path, 'utf8'), 'new one', 'CI wrote nothing')
  finishGoldenFile([test], new Set())

  t.throws(() => expect(1).toMatchGolden('outside'), /toMatchGolden must be called inside a test/)
  t.throws(() => inTest(test, () => expect(1).not.toMatchGolden('x')), /cannot be negated/)
  t.throws(() => inTest(test, () => expect(1).toMatchGolden('')), /names the golden/)
})

t.test('obsolete entries are reported, and removed only with -u', async (t) => {
  const dir = project(t)
  const kept = collectedTest(dir, 'kept')
  const renamed = collectedTest(dir, 'old name')
  const failing = collectedTest(dir, 'fails early')
  startGoldenFile({ testFile: kept.file, rootDir: dir, update: false, ci: false })
  inTest(kept, () => {
    expect(1).toMatchGolden('a')
    expect(2).toMatchGolden('b')
  })
  inTest(renamed, () => expect(3).toMatchGolden('c'))
  inTest(failing, () => expect(4).toMatchGolden('d'))
  finishGoldenFile([kept, renamed, failing], new Set([kept.id, renamed.id, failing.id]))

  // Next version: "kept" uses only `a`, "old name" is gone, "fails early" fails before its golden.
  startGoldenFile({ testFile: kept.file, rootDir: dir, update: false, ci: true })
  inTest(kept, () => expect(1).toMatchGolden('a'))
  const notes = finishGoldenFile([kept, failing], new Set([kept.id]))
  t.same(notes, ['golden: 2 golden entries obsolete in __golden__/m.mltest.ts.golden.json: "kept" › "b", "old name" › "c" (mltest run -u removes them)'])
  t.match(readFileSync(goldenPathOf('golden', kept.file), 'utf8'), '"old name"', 'nothing is deleted without -u')

  startGoldenFile({ testFile: kept.file, rootDir: dir, update: false, ci: false })
  t.same(
    finishGoldenFile([kept, failing], new Set()),
    ['golden: 1 golden entry obsolete in __golden__/m.mltest.ts.golden.json: "old name" › "c" (mltest run -u removes it)'],
    'a run where no test completed (filtered out, failed) reports only entries of tests that are gone',
  )
  startGoldenFile({ testFile: kept.file, rootDir: dir, update: true, ci: false })
  inTest(kept, () => expect(1).toMatchGolden('a'))
  t.same(finishGoldenFile([kept, failing], new Set([kept.id])), ['golden: removed 2 obsolete golden entries from __golden__/m.mltest.ts.golden.json: "kept" › "b", "old name" › "c"'])
  const left = JSON.parse(readFileSync(goldenPathOf('golden', kept.file), 'utf8')) as { tests: Record<string, Record<string, unknown>> }
  t.same(Object.keys(left.tests), ['fails early', 'kept'], 'the failed test keeps its golden')
  t.same(Object.keys(left.tests.kept!), ['a'])

  // A test file whose tests no longer call toMatchGolden: its whole golden file is obsolete.
  startGoldenFile({ testFile: kept.file, rootDir: dir, update: true, ci: false })
  t.same(finishGoldenFile([collectedTest(dir, 'other')], new Set()), ['golden: removed 2 obsolete golden entries from __golden__/m.mltest.ts.golden.json: "fails early" › "d", "kept" › "a"'])
  t.notOk(existsSync(join(dir, '__golden__')), 'an emptied golden file and folder are deleted')
})

t.test('a broken golden file is a clear error', async (t) => {
  const dir = project(t)
  const test = collectedTest(dir, 'x')
  mkdirSync(join(dir, '__golden__'))
  writeFileSync(goldenPathOf('golden', test.file), '{ "format": "mltest-golden", ')
  startGoldenFile({ testFile: test.file, rootDir: dir, update: false, ci: false })
  t.throws(() => inTest(test, () => expect(1).toMatchGolden('a')), /m\.mltest\.ts\.golden\.json is not valid JSON .* fix it, or delete it/)
  writeFileSync(goldenPathOf('golden', test.file), '{ "tests": {} }')
  startGoldenFile({ testFile: test.file, rootDir: dir, update: false, ci: false })
  t.throws(() => inTest(test, () => expect(1).toMatchGolden('a')), /is not a mltest-golden file of version 1/)
})

t.test('toMatchSnapshot: numbered per test and attempt, named, exact, with a line diff', async (t) => {
  const dir = project(t)
  const test = collectedTest(dir, 'labels')
  const twin = collectedTest(dir, 'labels', 'm.mltest.ts::labels (2)')
  startGoldenFile({ testFile: test.file, rootDir: dir, update: false, ci: false })
  inTest(test, () => {
    expect({ species: ['Adelie', 'Gentoo'], n: 2 }).toMatchSnapshot()
    expect([1, 2, 3]).toMatchSnapshot()
    expect('v1').toMatchSnapshot('version')
  })
  inTest(twin, () => expect('twin').toMatchSnapshot())
  t.same(finishGoldenFile([test, twin], new Set([test.id, twin.id])), ['snapshot: wrote 4 new snapshots to __snapshots__/m.mltest.ts.snap.json'])
  const stored = JSON.parse(readFileSync(goldenPathOf('snapshot', test.file), 'utf8')) as { tests: Record<string, unknown> }
  t.same(stored.tests, { labels: { 1: { n: 2, species: ['Adelie', 'Gentoo'] }, 2: [1, 2, 3], version: 'v1' }, 'labels (2)': { 1: 'twin' } }, 'two tests of the same name keep apart')

  startGoldenFile({ testFile: test.file, rootDir: dir, update: false, ci: true })
  inTest(test, () => {
    expect({ n: 2, species: ['Adelie', 'Gentoo'] }).toMatchSnapshot()
    expect([1, 2, 3]).toMatchSnapshot()
    expect('v1').toMatchSnapshot('version')
  })
  t.same(finishGoldenFile([test, twin], new Set([test.id])), [], 'the same values pass; key order is not part of a value')
  startGoldenFile({ testFile: test.file, rootDir: dir, update: false, ci: true })
  const message = failureOf(() => inTest(test, () => expect({ n: 3, species: ['Adelie', 'Gentoo'] }).toMatchSnapshot(), 2))
  t.match(message, 'The value differs from the snapshot #1 of test "labels" in __snapshots__/m.mltest.ts.snap.json')
  t.match(message, '-   "n": 2,\n+   "n": 3,')
  t.match(message, 'mltest run -u')
  const ci = failureOf(() => inTest(collectedTest(dir, 'new test'), () => expect(1).toMatchSnapshot()))
  t.match(ci, 'No snapshot #1 of test "new test" in __snapshots__/m.mltest.ts.snap.json, and on CI')
  t.throws(() => inTest(test, () => expect(1).toMatchSnapshot('1'), 3), /not a number/)
  finishGoldenFile([test, twin], new Set())
})

t.test('snapshot encoding: exact numbers and what JSON cannot hold', async (t) => {
  const value = {
    z: [NaN, -0, Infinity, -Infinity, 0.1 + 0.2, 5e-324],
    big: 2n ** 70n,
    missing: undefined,
    when: new Date(Date.UTC(2024, 0, 2)),
    vocab: new Map([['a', 1]]),
    tags: new Set(['x']),
    weights: Float32Array.of(0.1),
    dollar: { $number: 'user data' },
  }
  t.same(encodeSnapshot(value), {
    big: { $bigint: '1180591620717411303424' },
    dollar: { $object: { $number: 'user data' } },
    missing: { $undefined: true },
    tags: { $set: ['x'] },
    vocab: { $map: [['a', 1]] },
    weights: { $Float32Array: [Math.fround(0.1)] },
    when: { $date: '2024-01-02T00:00:00.000Z' },
    z: [{ $number: 'NaN' }, { $number: '-0' }, { $number: 'Infinity' }, { $number: '-Infinity' }, 0.30000000000000004, 5e-324],
  })
  t.equal(snapshotText(JSON.parse(snapshotText(encodeSnapshot(value)))), snapshotText(encodeSnapshot(value)), 'the text round-trips')
  class Model {}
  t.throws(() => encodeSnapshot({ m: new Model() }), /cannot keep the Model at received\.m in a snapshot .* for tensors use toMatchGolden/)
  const loop: Record<string, unknown> = {}
  loop.self = loop
  t.throws(() => encodeSnapshot(loop), /circular reference at received\.self/)
  t.throws(() => encodeSnapshot(() => 1), /cannot keep function/)
})

t.test('CI detection', async (t) => {
  t.ok(isCI({ CI: 'true' }))
  t.ok(isCI({ CI: '1' }))
  t.notOk(isCI({}))
  t.notOk(isCI({ CI: 'false' }))
  t.notOk(isCI({ CI: '0' }))
  t.notOk(isCI({ CI: '' }))
})
