/**
 * Compact text for counterexamples and outputs. A failure report must stay readable when
 * the input is a 64×128 tensor, so small tensors print whole, shrunk ones (mostly zeros)
 * print their non-zero elements, and large ones print their shape, range and the elements
 * that stand out (non-finite, largest magnitude).
 */
import { inspect } from 'node:util'
import { formatIndex, formatNumber } from 'mltest/plugin'
import { numericParts, type NumericPart } from './numbers.ts'

const WHOLE = 10
const LISTED = 6

/**
 * An element of an input or output: 8 significant digits (the core formatter's default of 4
 * would show the float32 `exp` overflow threshold 88.722839 as 88.72, hiding why it breaks).
 */
export function formatElement(x: number): string {
  return formatNumber(x, 8)
}

function nested(values: ArrayLike<number>, shape: number[], offset = 0): string {
  if (shape.length === 0) return formatElement(values[offset]!)
  const [dim, ...rest] = shape
  const stride = rest.reduce((n, d) => n * d, 1)
  const items = Array.from({ length: dim! }, (_, i) => nested(values, rest, offset + i * stride))
  return `[${items.join(', ')}]`
}

function listed(part: NumericPart, indices: number[]): string {
  return indices.map((i) => `${formatIndex(i, part.shape)} = ${formatElement(part.values[i]!)}`).join(', ')
}

/** One numeric part, e.g. `float32 [2, 3] [[1, 2, 3], [4, 5, 6]]` or `float32 [64] 63 zeros, [5] = 88.72284`. */
export function formatPart(part: NumericPart): string {
  const { values, shape, dtype } = part
  const size = values.length
  if (shape.length === 0) return formatElement(values[0]!)
  const head = `${dtype ? dtype + ' ' : ''}[${shape.join(', ')}]`
  if (size <= WHOLE) return `${head} ${nested(values, shape)}`
  const notZero: number[] = []
  for (let i = 0; i < size; i++) if (!Object.is(values[i], 0)) notZero.push(i)
  if (notZero.length === 0) return `${head} all ${size} elements 0`
  if (notZero.length <= LISTED) return `${head} ${listed(part, notZero)}, the other ${size - notZero.length} elements 0`
  let min = Infinity
  let max = -Infinity
  const nonFinite: number[] = []
  for (let i = 0; i < size; i++) {
    const v = values[i]!
    if (!Number.isFinite(v)) nonFinite.push(i)
    else {
      if (v < min) min = v
      if (v > max) max = v
    }
  }
  const largest = notZero
    .filter((i) => Number.isFinite(values[i]!))
    .sort((a, b) => Math.abs(values[b]!) - Math.abs(values[a]!))
    .slice(0, 3)
  const stats = [`finite range [${formatElement(min)}, ${formatElement(max)}]`]
  if (nonFinite.length) stats.push(`${nonFinite.length} non-finite: ${listed(part, nonFinite.slice(0, 4))}${nonFinite.length > 4 ? ', …' : ''}`)
  if (largest.length) stats.push(`largest |x|: ${listed(part, largest)}`)
  return `${head} ${stats.join('; ')}`
}

/** Any value, compactly: tensors as above, other values through `util.inspect`, cut short. */
export function formatValue(value: unknown, label = 'value'): string {
  let parts: NumericPart[]
  try {
    parts = numericParts(value, label)
  } catch {
    return inspect(value, { depth: 3, breakLength: Infinity, maxArrayLength: WHOLE, maxStringLength: 200 })
  }
  if (parts.length === 1 && parts[0]!.label === label) return formatPart(parts[0]!)
  return parts.map((p) => `${p.label.slice(label.length)}: ${formatPart(p)}`).join('; ')
}
