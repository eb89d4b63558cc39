/**
 * Built-in properties of an output: `finite`, `probability`, `sumsToOne` and `monotonic`.
 * Each names the offending elements by index, so a failure points at the broken value.
 */
import { formatElement } from './_internals/format.ts'
import { elementName, normaliseAxis, numericParts, sumAlongAxis, type NumericPart } from './_internals/numbers.ts'
import { formatIndex, formatNumber, parseCheckOptions, z } from 'mltest/plugin'
import { oracleFactories, UsageError, type Oracle } from './oracle.ts'

const SHOWN = 4

/** Lists the elements matching `bad`, e.g. `2 of 8 elements are not finite: output[1] = NaN, ...`. */
function offending(output: unknown, bad: (v: number) => boolean, what: string): string | undefined {
  const parts = numericParts(output, 'output')
  let total = 0
  let count = 0
  const shown: string[] = []
  for (const part of parts) {
    total += part.values.length
    for (let i = 0; i < part.values.length; i++) {
      if (!bad(part.values[i]!)) continue
      count++
      if (shown.length < SHOWN) shown.push(`${elementName(part, i)} = ${formatElement(part.values[i]!)}`)
    }
  }
  if (count === 0) return undefined
  return `${count} of ${total} element${total === 1 ? '' : 's'} ${count === 1 ? 'is' : 'are'} ${what}: ${shown.join(', ')}${count > SHOWN ? ', …' : ''}`
}

/** Every output element is finite (no NaN, no ±Infinity). The default property. */
export const finite: Oracle = {
  name: 'finite',
  check: (output) => offending(output, (v) => !Number.isFinite(v), 'not finite'),
}

/** Every output element is a probability: in [0, 1] (NaN fails). */
export const probability: Oracle = {
  name: 'probability',
  check: (output) => offending(output, (v) => !(v >= 0 && v <= 1), 'outside [0, 1]'),
}

const sumsToOneOptions = z.object({
  /** Axis that sums to one (default -1, the last). */
  axis: z.number().int().default(-1),
  /** Largest accepted |sum − 1| (default 1e-5); sums are taken in float64. */
  tol: z.number().min(0).default(1e-5),
})

export type SumsToOneOptions = z.input<typeof sumsToOneOptions>

/** Softmax-like outputs: the values along `axis` sum to 1 within `tol`. */
export function sumsToOne(options: SumsToOneOptions = {}): Oracle {
  const { axis, tol } = parseCheckOptions('sumsToOne', sumsToOneOptions, options)
  const name = `sumsToOne(axis ${axis}, tol ${formatNumber(tol, 17)})`
  return {
    name,
    check(output) {
      for (const part of numericParts(output, 'output')) {
        const { sums, shape } = part.shape.length === 0 ? { sums: Float64Array.of(part.values[0]!), shape: [] } : sumAlongAxis(part, axisOf(part, axis, name))
        const bad = sums.findIndex((s) => !(Math.abs(s - 1) <= tol))
        if (bad === -1) continue
        const where = shape.length ? ` at ${formatIndex(bad, shape)}` : ''
        const s = sums[bad]!
        return `${part.label} summed along axis ${axis}${where} is ${formatElement(s)} (|sum − 1| = ${formatElement(Math.abs(s - 1))} > tol ${formatNumber(tol, 17)})`
      }
      return undefined
    },
  }
}

const monotonicOptions = z.object({
  /** Default `'increasing'` (non-decreasing). */
  direction: z.enum(['increasing', 'decreasing']).default('increasing'),
  /** Require a strict increase (default false: float saturation makes ties normal). */
  strict: z.boolean().default(false),
})

export type MonotonicOptions = z.input<typeof monotonicOptions>

/** One tensor; an unreadable input is a set-up mistake, an unreadable output a finding. */
function singlePart(value: unknown, label: 'input' | 'output', name: string): NumericPart {
  let parts: NumericPart[]
  try {
    parts = numericParts(value, label)
  } catch (error) {
    if (label === 'input') throw new UsageError(`${name}: ${(error as Error).message}`)
    throw error
  }
  if (parts.length !== 1) throw new UsageError(`${name} needs a single tensor ${label}, got ${parts.length} parts`)
  return parts[0]!
}

/**
 * For elementwise functions (activations, quantisers, calibration maps): across all pairs
 * of input elements, a larger input never gives a smaller output (or larger, when
 * decreasing). Reads the first argument when `inputs` is a tuple; NaN inputs are skipped.
 */
export function monotonic(options: MonotonicOptions = {}): Oracle {
  const { direction, strict } = parseCheckOptions('monotonic', monotonicOptions, options)
  const sign = direction === 'increasing' ? 1 : -1
  const name = `monotonic(${direction}${strict ? ', strict' : ''})`
  return {
    name,
    check(output, { args }) {
      const x = singlePart(args[0], 'input', name)
      const y = singlePart(output, 'output', name)
      if (y.values.length !== x.values.length) {
        throw new UsageError(`${name} is for elementwise functions: output has ${y.values.length} elements, input ${x.values.length}`)
      }
      const order = Array.from(x.values, (_, i) => i).filter((i) => !Number.isNaN(x.values[i]!))
      order.sort((a, b) => (x.values[a]! < x.values[b]! ? -1 : x.values[a]! > x.values[b]! ? 1 : 0))
      const rule = sign > 0 ? (strict ? 'rise strictly' : 'not fall') : strict ? 'fall strictly' : 'not rise'
      let best = -1 // the most extreme output over inputs strictly smaller than the current one
      let groupBest = -1 // the same, within the current run of equal inputs
      for (let k = 0; k < order.length; k++) {
        const i = order[k]!
        if (k > 0 && x.values[i]! > x.values[order[k - 1]!]!) {
          best = pick(best, groupBest, y, sign)
          groupBest = -1
        }
        const yi = y.values[i]!
        if (Number.isNaN(yi)) return `${elementName(y, i)} is NaN for ${elementName(x, i)} = ${formatElement(x.values[i]!)}`
        const d = best === -1 ? Infinity : sign * (yi - y.values[best]!)
        if (d < 0 || (strict && d === 0)) {
          const relation = d === 0 ? '=' : sign > 0 ? '<' : '>'
          return `${elementName(x, best)} = ${formatElement(x.values[best]!)} < ${elementName(x, i)} = ${formatElement(x.values[i]!)} but ${elementName(y, i)} = ${formatElement(yi)} ${relation} ${elementName(y, best)} = ${formatElement(y.values[best]!)}: the output must ${rule} as the input grows`
        }
        groupBest = pick(groupBest, i, y, sign)
      }
      return undefined
    },
  }
}

function axisOf(part: NumericPart, axis: number, name: string): number {
  try {
    return normaliseAxis(axis, part.shape.length, name)
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
}

/** The index with the more extreme output in the monotone direction (-1 means none). */
function pick(a: number, b: number, y: NumericPart, sign: number): number {
  if (a === -1) return b
  if (b === -1) return a
  return sign * (y.values[b]! - y.values[a]!) > 0 ? b : a
}

// Passed uncalled (`property: monotonic`), these are refused up front: see oracleFactories.
oracleFactories.add(sumsToOne)
oracleFactories.add(monotonic)
