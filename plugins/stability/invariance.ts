/**
 * `invariantUnder(transform, tol)`: the output does not change (within tolerance) when the
 * input is transformed — a shift of the logits for softmax, a permutation for a pooled sum,
 * a rescaling for a normaliser. The function runs a second time on the transformed input.
 * The transform gets a copy of the input (see `copyInput`), so one that writes into its
 * argument cannot change the counterexample the report shows.
 */
import { copyInput } from './_internals/evaluate.ts'
import { formatNumber, formatSetting } from './_internals/format.ts'
import { elementName, numericParts } from './_internals/numbers.ts'
import { andThen, UsageError, type Oracle } from './oracle.ts'

export interface Tolerance {
  /** Relative tolerance, scaled by |original output| (default 1e-5). */
  rtol?: number
  /** Absolute tolerance (default 1e-5). */
  atol?: number
}

function tolerance(tol: number | Tolerance | undefined): Required<Tolerance> {
  const t = typeof tol === 'number' ? { rtol: tol, atol: tol } : { rtol: tol?.rtol ?? 1e-5, atol: tol?.atol ?? 1e-5 }
  if (!(t.rtol >= 0) || !(t.atol >= 0)) {
    throw new UsageError(`invariantUnder(transform, tol): tol must be a non-negative number or { rtol, atol }, got ${JSON.stringify(tol)}`)
  }
  return t
}

/** Two numbers agree: NaN with NaN and equal infinities count as agreeing (finiteness is `finite`'s job). */
function close(a: number, b: number, { rtol, atol }: Required<Tolerance>): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b)
  if (a === b) return true
  return Math.abs(a - b) <= atol + rtol * Math.abs(a)
}

/**
 * The output is invariant under `transform` (which maps an input to another input). `tol`
 * is a number (used as both rtol and atol) or `{ rtol, atol }`; both default to 1e-5.
 */
export function invariantUnder<I>(transform: (input: I) => I, tol?: number | Tolerance): Oracle<I> {
  if (typeof transform !== 'function') throw new UsageError('invariantUnder(transform, tol): transform must be a function from an input to another input')
  const t = tolerance(tol)
  const name = `invariantUnder(${transform.name || 'transform'}, rtol ${formatSetting(t.rtol)}, atol ${formatSetting(t.atol)})`
  return {
    name,
    check(output, { input, call }) {
      return andThen(call(transform(copyInput(input) as I)), (other) => {
        const before = numericParts(output, 'output')
        const after = numericParts(other, 'output')
        const under = transform.name || 'the transform'
        if (after.length !== before.length) {
          const labels = (parts: typeof before) => new Set(parts.map((p) => p.label))
          const gained = [...labels(after)].filter((l) => !labels(before).has(l))
          const lost = [...labels(before)].filter((l) => !labels(after).has(l))
          const what = [gained.length ? `gained ${gained.join(', ')}` : '', lost.length ? `lost ${lost.join(', ')}` : ''].filter(Boolean).join('; ')
          return `output has ${after.length} part(s) under ${under}, ${before.length} before${what ? ` (${what})` : ''}`
        }
        for (let p = 0; p < before.length; p++) {
          const a = before[p]!
          const b = after[p]
          if (!b || b.label !== a.label || b.values.length !== a.values.length) {
            const shape = b ? `[${b.shape.join(', ')}]` : 'nothing'
            return `${a.label} changed shape under ${under}: [${a.shape.join(', ')}] became ${shape}`
          }
          for (let i = 0; i < a.values.length; i++) {
            if (close(a.values[i]!, b.values[i]!, t)) continue
            const diff = Math.abs(a.values[i]! - b.values[i]!)
            return `${elementName(a, i)} changed from ${formatNumber(a.values[i]!)} to ${formatNumber(b.values[i]!)} under ${under} (|diff| ${formatNumber(diff)} > atol ${formatSetting(t.atol)} + rtol ${formatSetting(t.rtol)} × ${formatNumber(Math.abs(a.values[i]!))})`
          }
        }
        return undefined
      })
    },
  }
}
