// Units shared by both sides of the thread boundary: seeds, tag expressions, the closing
// summary line. (The plugin host has its own file: plugin-host.test.ts.)
import t from 'tap'
import { createRng, deriveSeed } from '../../core/seed.ts'
import { summarize, summaryLine } from '../../core/summary.ts'
import { parseTagExpression } from '../../core/tag-expression.ts'

t.test('deriveSeed is stable, label-sensitive and 31-bit', async (t) => {
  // Pinned: a change here changes every t.rng value users have recorded.
  t.equal(deriveSeed(42, 'a.mltest.ts', 'x'), deriveSeed(42, 'a.mltest.ts', 'x'))
  t.equal(deriveSeed(42, 'a'), 1813763971)
  t.not(deriveSeed(42, 'a.mltest.ts', 'x'), deriveSeed(43, 'a.mltest.ts', 'x'))
  t.not(deriveSeed(42, 'ab', 'c'), deriveSeed(42, 'a', 'bc'), 'labels are separated')
  for (let i = 0; i < 100; i++) t.ok(deriveSeed(i, 'x') < 2 ** 31)
})

t.test('createRng: reproducible, in range, roughly uniform and normal', async (t) => {
  const a = createRng(7)
  const b = createRng(7)
  t.same([a.next(), a.int(1, 6), a.normal()], [b.next(), b.int(1, 6), b.normal()])
  const r = createRng(1)
  const n = 20000
  let sum = 0
  let sumSq = 0
  let inRange = true
  for (let i = 0; i < n; i++) {
    const u = r.next()
    inRange &&= u >= 0 && u < 1
    const z = r.normal(3, 2)
    sum += z
    sumSq += z * z
  }
  t.ok(inRange)
  const mean = sum / n
  const sd = Math.sqrt(sumSq / n - mean * mean)
  // Standard error of the mean is 2/sqrt(20000) ≈ 0.014: 5 SE bounds.
  t.ok(Math.abs(mean - 3) < 0.07, `mean ${mean}`)
  t.ok(Math.abs(sd - 2) < 0.05, `sd ${sd}`)
  t.throws(() => r.int(3, 1), /min <= max/)
  t.same(r.shuffle([1, 2, 3, 4, 5]).sort(), [1, 2, 3, 4, 5])
})

t.test('tag expressions', async (t) => {
  const cases: Array<[string, string[], boolean]> = [
    ['slow', ['slow'], true],
    ['slow', ['fast'], false],
    ['slow and not gpu', ['slow'], true],
    ['slow and not gpu', ['slow', 'gpu'], false],
    ['a or b and c', ['a'], true],
    ['a or b and c', ['b'], false],
    ['(a or b) and c', ['b', 'c'], true],
    ['not not a', ['a'], true],
  ]
  for (const [expr, tags, expected] of cases) t.equal(parseTagExpression(expr)(tags), expected, `${expr} on [${tags}]`)
  t.throws(() => parseTagExpression(''), /empty/)
  t.throws(() => parseTagExpression('a and'), /ends where a tag was expected/)
  t.throws(() => parseTagExpression('(a or b'), /not closed/)
  t.throws(() => parseTagExpression('a b'), /unexpected "b"/)
})

t.test('summary line', async (t) => {
  const test = (state: string) => ({ state }) as never
  const files = [{ file: 'a', durationMs: 1, errors: [{} as never], tests: [test('passed'), test('failed'), test('todo'), test('skipped'), test('inconclusive')] }]
  const s = summarize(files, 5)
  t.same(s, { passed: 1, failed: 1, skipped: 1, todo: 1, inconclusive: 1, fileErrors: 1, durationMs: 5 })
  t.equal(summaryLine(s), 'mltest: 1 passed, 1 failed, 1 skipped, 1 todo, 1 inconclusive, 1 file error')
  t.equal(summaryLine(summarize([], 0)), 'mltest: 0 passed, 0 failed, 0 skipped')
})
