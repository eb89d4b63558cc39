// The shared pieces checks build on: `figure()` (size-capped, offline Vega-Lite specs that a
// check record carries to the HTML report) and the 14 practices the readiness ledger counts.
import t from 'tap'
import { evenlySpaced, figure, FIGURE_MAX_BYTES, PRACTICES, practiceById, STAGES } from 'mltest/plugin'

t.test('figure keeps a small inline spec as it is', async (t) => {
  const spec = { mark: 'bar', data: { values: [{ x: 1, y: 2 }] }, encoding: { x: { field: 'x' } } }
  t.same(figure('Bars', spec), { title: 'Bars', spec })
  t.same(figure('Bars', spec, 'a note'), { title: 'Bars', spec, note: 'a note' })
})

t.test('figure refuses data loaded from a URL, at any depth', async (t) => {
  t.throws(() => figure('Remote', { data: { url: 'https://example.com/x.csv' }, mark: 'point' }), /inline.*spec\.data\.url/)
  t.throws(() => figure('Layered', { layer: [{ mark: 'line', data: { url: 'x.json' } }] }), /spec\.layer\[0\]\.data\.url/)
  // A column that happens to be called url inside data values is data, not a load.
  t.doesNotThrow(() => figure('Rows', { data: { values: [{ url: 'a' }] }, mark: 'text' }))
})

t.test('figure refuses a spec over the cap and says how to fix it', async (t) => {
  const rows = Array.from({ length: 20_000 }, (_, i) => ({ index: i, latencyMs: i * 0.001 }))
  t.ok(JSON.stringify(rows).length > FIGURE_MAX_BYTES)
  t.throws(() => figure('Too big', { data: { values: rows }, mark: 'point' }), /KB, over the 256 KB cap: downsample/)
  const kept = evenlySpaced(rows, 2000, 'samples')
  t.equal(kept.values.length, 2000)
  t.equal(kept.values[0], rows[0])
  t.equal(kept.values[1999], rows[19_999])
  t.equal(kept.note, '2,000 of 20,000 samples shown, evenly spaced')
  t.doesNotThrow(() => figure('Downsampled', { data: { values: kept.values }, mark: 'point' }, kept.note))
  t.same(evenlySpaced([1, 2, 3], 5), { values: [1, 2, 3] })
  t.throws(() => evenlySpaced([1, 2, 3], 1), /max must be an integer >= 2/)
})

t.test('the 14 practices: unique ids, three stages, the ids built-in checks record', async (t) => {
  t.equal(PRACTICES.length, 14)
  t.equal(new Set(PRACTICES.map((p) => p.id)).size, 14)
  t.same([...STAGES], ['development', 'deployment', 'monitoring'])
  t.same(
    STAGES.map((stage) => PRACTICES.filter((p) => p.stage === stage).length),
    [4, 5, 5],
  )
  for (const id of ['numerical-stability', 'reproducible-training', 'computational-performance', 'train-serve-skew', 'model-unit-test']) {
    t.ok(practiceById(id), `${id} is a known practice`)
  }
  t.equal(practiceById('made-up'), undefined)
})
