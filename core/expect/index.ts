/**
 * `expect`: Jest's well-kept `expect` (readable diffs, asymmetric matchers, `.resolves`,
 * `.rejects`, `expect.extend`) plus numeric matchers for ML (`toAllClose`, `toBeFinite`,
 * `toHaveShape`). Plugins add matchers through their `matchers` field, which calls
 * `expect.extend` in every worker.
 */
import { expect } from 'expect'
import type { MatcherFunction } from 'expect'
import { numericMatchers, type AllCloseOptions } from './numeric.ts'

expect.extend(numericMatchers)

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
  }
}
