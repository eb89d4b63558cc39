// Type-level test of `test.extend`, checked by `tsc --noEmit` (never run): the test context's
// type includes the fixtures, a fixture sees the fixtures it may use and its own seed, and each
// `@ts-expect-error` line below is a wrong use the compiler must reject (an unused
// `@ts-expect-error` is itself an error, so a check that stopped catching it fails tsc).
import { test as base } from 'mltest'

interface Penguin {
  species: string
  flipper: number
}
interface Session {
  predict(x: number[]): number
  release(): Promise<void>
}

const test = base.extend<{ penguins: Penguin[]; session: Session }>({
  penguins: async ({ seed, rng }, use) => {
    const n: number = seed + rng.next()
    await use([{ species: 'Adelie', flipper: n }])
  },
  session: [
    async ({ penguins }, use) => {
      const first: Penguin | undefined = penguins[0]
      const s: Session = { predict: (x) => x.length + (first?.flipper ?? 0), release: async () => {} }
      await use(s)
      await s.release()
    },
    { scope: 'worker' },
  ],
})

test('the context has the fixtures and the built-in fields', ({ penguins, session, seed, annotate }) => {
  const species: string = penguins[0]!.species
  const score: number = session.predict([1, 2])
  annotate(species, score + seed)
  // @ts-expect-error a Penguin[] is not a number
  const wrong: number = penguins
  void wrong
})

test.skip('skip takes the same context', ({ session }) => void session.release())
test.fails('fails takes the same context', (t) => {
  const p: Penguin[] = t.penguins
  void p
})

// A chained extend sees the fixtures before it.
const deeper = test.extend<{ count: number }>({
  count: async ({ penguins }, use) => {
    await use(penguins.length)
  },
})
deeper('chained', ({ count, session }) => {
  const c: number = count
  void session.predict([c])
})

base.extend<{ n: number }>({
  n: async ({}, use) => {
    // @ts-expect-error use() takes the fixture's type: a string is not a number
    await use('three')
  },
})

base.extend<{ n: number }>({
  // @ts-expect-error the scope is test, file or worker
  n: [async ({}, use) => use(3), { scope: 'session' }],
})

test.extend<{ m: number }>({
  // @ts-expect-error a fixture sees only the fixtures defined (penguins, session), not an unknown one
  m: async ({ penguinz }, use) => use(0),
})

export {}
