// Side-neutral units every run uses: seeds and seeded randomness (core/seed.ts), `--tag`
// expressions (core/tag-expression.ts) and the closing summary line (core/summary.ts).
import t from 'tap'
import { createRng, deriveSeed, randomRunSeed } from '../../core/seed.ts'
import { summarize, summaryLine } from '../../core/summary.ts'
import { parseTagExpression, TagExpressionError } from '../../core/tag-expression.ts'
import type { FileResult, TestState } from '../../core/protocol.ts'

t.test('deriveSeed is stable, label-sensitive and 31-bit', async (t) => {
  // Pinned: a change here changes every t.rng value users have recorded.
  t.equal(deriveSeed(42, 'a.mltest.ts', 'x'), deriveSeed(42, 'a.mltest.ts', 'x'))
  t.equal(deriveSeed(42, 'a'), 1813763971)
  t.equal(deriveSeed(42, 'a.mltest.ts', 'x'), 1025975673)
  t.equal(deriveSeed(0), 804681139, 'no labels: the run seed alone')
  t.not(deriveSeed(42, 'a.mltest.ts', 'x'), deriveSeed(43, 'a.mltest.ts', 'x'))
  t.not(deriveSeed(42, 'ab', 'c'), deriveSeed(42, 'a', 'bc'), 'labels are separated')
  t.not(deriveSeed(42, 'a', 'b'), deriveSeed(42, 'b', 'a'), 'label order matters')
  for (let i = 0; i < 100; i++) t.ok(deriveSeed(i, 'x') < 2 ** 31)
})

t.test('randomRunSeed: a fresh 31-bit integer', async (t) => {
  const seeds = Array.from({ length: 50 }, randomRunSeed)
  t.ok(seeds.every((s) => Number.isInteger(s) && s >= 0 && s < 2 ** 31 - 1), seeds.join(', '))
  t.ok(new Set(seeds).size > 45, 'fresh each call')
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

t.test('createRng: the sequence is pinned; int is inclusive; shuffle copies', async (t) => {
  // Pinned: xoroshiro128+ from pure-rand; a change here changes every recorded t.rng value.
  const r = createRng(7)
  t.equal(r.seed, 7)
  t.same([r.next(), r.next(), r.int(1, 100), r.int(-5, 5)], [0.9999998825951237, 0.18764029608155652, 24, -3])
  t.same(createRng(7).shuffle([1, 2, 3, 4, 5, 6]), [5, 2, 3, 4, 6, 1])

  const d = createRng(3)
  const seen = new Set<number>()
  for (let i = 0; i < 300; i++) seen.add(d.int(1, 3))
  t.same([...seen].sort(), [1, 2, 3], 'both ends reachable')
  t.equal(d.int(4, 4), 4, 'min = max')
  for (const [min, max] of [[3, 1], [0.5, 2], [0, Infinity], [NaN, 1]] as const) {
    t.throws(() => d.int(min, max), { name: 'RangeError', message: `rng.int(min, max) needs integers with min <= max, got (${min}, ${max})` })
  }
  const items = Object.freeze(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'])
  const shuffled = createRng(11).shuffle(items)
  t.not(shuffled, items, 'a new array')
  t.same([...shuffled].sort(), [...items], 'a permutation')
  t.same(createRng(11).shuffle(items), shuffled, 'reproducible')
  const orders = new Set(Array.from({ length: 20 }, (_, s) => createRng(1000 + s).shuffle(items).join('')))
  t.ok(orders.size > 15, `different seeds, different orders (${orders.size} of 20)`)
  t.same(createRng(1).shuffle([]), [])
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

t.test('tag expressions: precedence, parentheses, exact names', async (t) => {
  const cases: Array<[string, string[], boolean]> = [
    ['not a and b', ['b'], true], // (not a) and b
    ['not a and b', [], false],
    ['not (a and b)', [], true],
    ['a and b or c', ['c'], true], // (a and b) or c
    ['a and (b or c)', ['c'], false],
    ['((a))', ['a'], true],
    ['(onnx or tfjs) and not bench', ['tfjs'], true],
    ['(onnx or tfjs) and not bench', ['onnx', 'bench'], false],
    ['gpu:a100', ['gpu:a100'], true],
    ['Slow', ['slow'], false],
    ['  slow\tand\nfast  ', ['slow', 'fast'], true],
    ['(slow)and(fast)', ['slow', 'fast'], true],
  ]
  for (const [expr, tags, expected] of cases) t.equal(parseTagExpression(expr)(tags), expected, `${expr} on [${tags}]`)
  const predicate = parseTagExpression('a or b')
  t.same([predicate(['a']), predicate(['c']), predicate(['b'])], [true, false, true], 'a predicate is reusable')
})

t.test('a bad tag expression says what is wrong and how to write one', async (t) => {
  const hint = ' — use tag names with and, or, not and parentheses, e.g. "slow and not gpu"'
  const cases: Array<[string, string]> = [
    ['', 'it is empty'],
    ['   ', 'it is empty'],
    ['a and', 'it ends where a tag was expected'],
    ['not', 'it ends where a tag was expected'],
    ['(a or b', 'a "(" is not closed'],
    ['a b', 'unexpected "b"'],
    ['a)', 'unexpected ")"'],
    ['and a', '"and" where a tag was expected'],
    ['a or or b', '"or" where a tag was expected'],
    ['()', '")" where a tag was expected'],
  ]
  for (const [expr, problem] of cases) {
    t.throws(() => parseTagExpression(expr), { name: 'TagExpressionError', message: `invalid --tag expression "${expr}": ${problem}${hint}` }, JSON.stringify(expr))
  }
  const error = (() => {
    try {
      parseTagExpression('(')
    } catch (e) {
      return e
    }
  })()
  t.type(error, TagExpressionError, 'a TagExpressionError, for callers that tell it from other errors')
  t.equal(parseTagExpression('ok')(['ok']), true, 'a failed parse leaves no state behind')
})

t.test('summary line', async (t) => {
  const test = (state: string) => ({ state }) as never
  const files = [{ file: 'a', durationMs: 1, errors: [{} as never], tests: [test('passed'), test('failed'), test('todo'), test('skipped'), test('inconclusive')] }]
  const s = summarize(files, 5)
  t.same(s, { passed: 1, failed: 1, skipped: 1, todo: 1, inconclusive: 1, fileErrors: 1, durationMs: 5 })
  t.equal(summaryLine(s), 'mltest: 1 passed, 1 failed, 1 skipped, 1 todo, 1 inconclusive, 1 file error')
  t.equal(summaryLine(summarize([], 0)), 'mltest: 0 passed, 0 failed, 0 skipped')
})

t.test('summarize counts every file; the line lists what is non-zero', async (t) => {
  const file = (states: TestState[], errors = 0): FileResult => ({
    file: 'f', durationMs: 1, errors: Array.from({ length: errors }, () => ({ kind: 'error', name: 'Error', message: 'x' })), tests: states.map((state) => ({ state }) as never),
  })
  const s = summarize([file(['passed', 'passed', 'failed'], 1), file(['passed', 'inconclusive'], 2), file([])], 1234)
  t.same(s, { passed: 3, failed: 1, skipped: 0, todo: 0, inconclusive: 1, fileErrors: 3, durationMs: 1234 })
  t.equal(summaryLine(s), 'mltest: 3 passed, 1 failed, 0 skipped, 1 inconclusive, 3 file errors', 'todo left out at 0; errors plural')
  t.equal(summaryLine({ ...s, inconclusive: 0, fileErrors: 0, todo: 2 }), 'mltest: 3 passed, 1 failed, 0 skipped, 2 todo')
})
