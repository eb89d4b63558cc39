/**
 * `expect`: Jest's well-kept `expect` (readable diffs, asymmetric matchers, `.resolves`,
 * `.rejects`, `expect.extend`) plus numeric matchers for ML (`toAllClose`, `toBeFinite`,
 * `toHaveShape`) and pinned values (`toMatchGolden` with a tolerance, `toMatchSnapshot`).
 * Plugins add matchers through their `matchers` field, which calls `expect.extend` in every
 * worker.
 */
import { expect } from 'expect'
import type { MatcherFunction } from 'expect'
import { goldenMatchers, type GoldenOptions } from './golden.ts'
import { numericMatchers, type AllCloseOptions } from './numeric.ts'
import { snapshotMatchers } from './snapshot.ts'

expect.extend(numericMatchers)
expect.extend(goldenMatchers)
expect.extend(snapshotMatchers)

export { expect }
export type { MatcherFunction }

declare module 'expect' {
  interface Matchers<R extends void | Promise<void>, T = unknown> {
    /** Every element within `atol + rtol * |expected|` (numbers, nested arrays, typed arrays, tensors). */
    toAllClose(expected: unknown, options?: AllCloseOptions): R
    /** Every element is finite (no NaN, no ±Infinity). */
    toBeFinite(): R
    /** The value's shape (nested arrays, `.shape` of tensors, typed arrays as 1-D). */
    toHaveShape(shape: readonly number[]): R
    /**
     * Matches the value pinned as `name` for this test in `__golden__/<test file>.golden.json`
     * (written on the first run, rewritten by `mltest run -u`); numbers within `rtol` 1e-5 and
     * `atol` 1e-8 by default (numpy's allclose), or the tolerance given.
     */
    toMatchGolden(name: string, options?: GoldenOptions): R
    /** Matches this test's next snapshot (or the one named `name`) in `__snapshots__/<test file>.snap.json`, exactly. */
    toMatchSnapshot(name?: string): R
  }
}
