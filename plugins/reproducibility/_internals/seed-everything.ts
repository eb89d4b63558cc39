/**
 * `seedEverything(seed)`: one call that makes a test's randomness repeatable. It seeds
 * `Math.random`, which is enough for tfjs: every tfjs random op without an explicit seed
 * (initializers, `model.fit` shuffling, dropout) draws its seed from `Math.random`. For code
 * that prefers explicit seeds, `nextSeed()` hands out a repeatable sequence of them.
 */
import { createRng, currentTest, type TestContext } from 'mltest/plugin'
import { installedRandom, seededRandom } from './seeded-random.ts'

export interface SeedHandle {
  readonly seed: number
  /**
   * The next seed of a repeatable sequence derived from `seed`, for tfjs initializers and ops
   * (`tf.initializers.glorotUniform({ seed: s.nextSeed() })`). Never 0: tfjs treats seed 0 as
   * "no seed" in its normal-distribution initializers and falls back to `Math.random`.
   */
  nextSeed(): number
  /** Puts back the `Math.random` that was installed before. Safe to call twice. */
  restore(): void
  [Symbol.dispose](): void
}

const handles = new Set<{ owner: TestContext | undefined; restore(): void }>()

/**
 * Seeds `Math.random` with `seed` (default: the running test's `t.seed`). Called inside a test,
 * the seeded stream applies to that test only: calls made by any other test, or after it
 * ends, go to the previous `Math.random`, which is put back at the first such call (or
 * eagerly by the reproducibility plugin's `wrapTest`). Called outside a test, it lasts until
 * `restore()`.
 */
export function seedEverything(seed?: number): SeedHandle {
  const owner = currentTest()
  const resolved = seed ?? owner?.seed
  if (resolved === undefined || !Number.isSafeInteger(resolved)) {
    throw new TypeError(`seedEverything(seed): seed must be an integer, got ${String(seed)} — outside a test there is no t.seed to default to`)
  }
  const previous = installedRandom()
  let restored = false
  const active = () => !restored && (owner === undefined || currentTest() === owner)
  const seeded = seededRandom(resolved, active, () => {
    if (!restored) handle.restore()
    return previous()
  })
  const seeds = createRng(resolved ^ 0x5eed)
  const handle = {
    owner,
    seed: resolved,
    nextSeed: () => seeds.int(1, 2 ** 31 - 1),
    restore() {
      if (restored) return
      restored = true
      handles.delete(handle)
      if (installedRandom() === seeded) Math.random = previous
    },
    [Symbol.dispose]() {
      handle.restore()
    },
  }
  handles.add(handle)
  Math.random = seeded
  return handle
}

/** Restores every seeding made by `test` (newest first); used by the plugin after each test. */
export function restoreSeedsOf(test: TestContext | undefined): void {
  for (const handle of [...handles].reverse()) if (handle.owner === test) handle.restore()
}
