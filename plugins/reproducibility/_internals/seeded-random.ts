/**
 * Seeded `Math.random` and a counter of `Math.random` calls. tfjs falls back to `Math.random`
 * for every unseeded random op (initializers, `shuffle: true`, dropout), so counting the calls
 * made during training names the nondeterminism, and seeding `Math.random` removes it.
 *
 * The counter installs an accessor on `Math.random`, so code that assigns `Math.random`
 * during training (including `seedEverything`) keeps working and stays counted.
 */
import { createRng } from 'mltest/plugin'

const SEEDED = Symbol.for('mltest.reproducibility.seeded')
const COUNTER = Symbol.for('mltest.reproducibility.counter')

type RandomFn = (() => number) & { [SEEDED]?: () => boolean; [COUNTER]?: () => RandomFn }

/**
 * A seeded `Math.random` replacement. `active()` decides, call by call, whether the seeded
 * stream is used; when it returns false the call goes to `fallback` (the function that was
 * installed before).
 */
export function seededRandom(seed: number, active: () => boolean, fallback: () => number): RandomFn {
  const rng = createRng(seed)
  const fn: RandomFn = () => (active() ? rng.next() : fallback())
  fn[SEEDED] = active
  return fn
}

/** The function currently behind `Math.random`, looking through an installed counter. */
export function installedRandom(): RandomFn {
  const current = Math.random as RandomFn
  return current[COUNTER]?.() ?? current
}

/** True when `fn` is a seeded replacement whose seed applies right now. */
export function isSeededNow(fn: RandomFn): boolean {
  return fn[SEEDED]?.() ?? false
}

export interface RandomCallCount {
  /** Every `Math.random` call while counting. */
  calls: number
  /** Calls not answered by a seeded stream from `seedEverything`. */
  unseededCalls: number
}

/** Counts `Math.random` calls until `stop()`, which restores a plain data property. */
export function countRandomCalls(): { stop(): RandomCallCount } {
  const descriptor = Object.getOwnPropertyDescriptor(Math, 'random')!
  let underlying = Math.random as RandomFn
  const count: RandomCallCount = { calls: 0, unseededCalls: 0 }
  const counting: RandomFn = () => {
    count.calls++
    if (!isSeededNow(underlying)) count.unseededCalls++
    return underlying()
  }
  counting[COUNTER] = () => underlying
  Object.defineProperty(Math, 'random', {
    configurable: true,
    enumerable: descriptor.enumerable,
    get: () => counting,
    set: (fn: RandomFn) => {
      underlying = fn
    },
  })
  return {
    stop() {
      Object.defineProperty(Math, 'random', { ...descriptor, value: underlying })
      return { ...count }
    },
  }
}
