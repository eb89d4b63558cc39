// Hook order as collected: a block keeps its before-hooks in declaration order and its
// after-hooks last declared first, the order they run in (vitest's `sequence.hooks: 'stack'`,
// pytest's fixture teardown). The run itself is tested end to end in test/e2e/semantics.test.ts.
import t from 'tap'
import { afterAll, afterEach, beforeAll, beforeEach, beginCollection, describe, endCollection, type SuiteNode } from '../../../core/worker/collect.ts'

/** Collects the hooks `declare` registers; returns the root suite. */
function collect(declare: () => void): SuiteNode {
  const root = beginCollection()
  try {
    declare()
  } finally {
    endCollection()
  }
  return root
}

const named = (name: string) => Object.defineProperty(() => {}, 'name', { value: name })
const names = (hooks: Array<{ name: string }>) => hooks.map((h) => h.name)

t.test('before-hooks in declaration order, after-hooks last declared first, per block', async (t) => {
  const root = collect(() => {
    beforeAll(named('beforeAll 1'))
    afterAll(named('afterAll 1'))
    beforeEach(named('beforeEach 1'))
    afterEach(named('afterEach 1'))
    beforeAll(named('beforeAll 2'))
    afterAll(named('afterAll 2'))
    beforeEach(named('beforeEach 2'))
    afterEach(named('afterEach 2'))
    afterEach(named('afterEach 3'))
    describe('inner', () => {
      afterEach(named('inner afterEach 1'))
      afterEach(named('inner afterEach 2'))
      afterAll(named('inner afterAll 1'))
      afterAll(named('inner afterAll 2'))
    })
  })
  t.same(names(root.beforeAll), ['beforeAll 1', 'beforeAll 2'])
  t.same(names(root.beforeEach), ['beforeEach 1', 'beforeEach 2'])
  t.same(names(root.afterEach), ['afterEach 3', 'afterEach 2', 'afterEach 1'])
  t.same(names(root.afterAll), ['afterAll 2', 'afterAll 1'])
  const inner = root.children[0] as SuiteNode
  t.same(names(inner.afterEach), ['inner afterEach 2', 'inner afterEach 1'], 'each block keeps its own hooks')
  t.same(names(inner.afterAll), ['inner afterAll 2', 'inner afterAll 1'])
  t.same(names(inner.beforeEach), [])
})
