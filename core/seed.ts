/**
 * Seeds and seeded randomness. A test's seed depends only on the run seed, the test file's
 * path relative to the project root and the test's full name, so its randomness does not
 * depend on test order or on which worker runs it.
 */
import { createHash, randomInt } from 'node:crypto'
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64'
import { uniformInt } from 'pure-rand/distribution/uniformInt'
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus'

/** A fresh random run seed (printed, so the run can be replayed with `--seed`). */
export function randomRunSeed(): number {
  return randomInt(0, 2 ** 31 - 1)
}

/** Derives a 31-bit seed from a run seed and any number of labels. */
export function deriveSeed(runSeed: number, ...labels: string[]): number {
  const hash = createHash('sha256').update(String(runSeed))
  for (const label of labels) hash.update('\u0000').update(label)
  return hash.digest().readUInt32BE(0) >>> 1
}

/** A seeded pseudo-random number generator (xoroshiro128+ from pure-rand). */
export interface Rng {
  readonly seed: number
  /** Uniform float in [0, 1). */
  next(): number
  /** Uniform integer in [min, max], both inclusive. */
  int(min: number, max: number): number
  /** Normal sample (Box–Muller). */
  normal(mean?: number, std?: number): number
  /** Returns a shuffled copy (Fisher–Yates). */
  shuffle<T>(items: readonly T[]): T[]
}

export function createRng(seed: number): Rng {
  const gen = xoroshiro128plus(seed)
  const next = () => uniformFloat64(gen)
  const int = (min: number, max: number) => {
    if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || max < min) {
      throw new RangeError(`rng.int(min, max) needs integers with min <= max, got (${min}, ${max})`)
    }
    return uniformInt(gen, min, max)
  }
  return {
    seed,
    next,
    int,
    normal(mean = 0, std = 1) {
      const u1 = 1 - next() // (0, 1]: log stays finite
      const u2 = next()
      return mean + std * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2)
    },
    shuffle<T>(items: readonly T[]): T[] {
      const out = [...items]
      for (let i = out.length - 1; i > 0; i--) {
        const j = int(0, i)
        ;[out[i], out[j]] = [out[j]!, out[i]!]
      }
      return out
    },
  }
}
