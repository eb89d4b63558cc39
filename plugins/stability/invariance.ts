/**
 * `invariantUnder(transform, tol)`: the output does not change (within tolerance) when the
 * input is transformed — a shift of the logits for softmax, a permutation for a pooled sum,
 * a rescaling for a normaliser. The function runs a second time on the transformed input.
 * The transform gets a copy of the input (see `copyInput`), so one that writes into its
 * argument cannot change the counterexample the report shows.
 */
import { absDiff, compareArrays, formatNumber, pairPrecision, ulpDistance, validateTolerance, type Tolerance } from 'mltest/plugin'
import { copyInput } from './_internals/evaluate.ts'
import { formatElement } from './_internals/format.ts'
import { elementName, numericParts } from './_internals/numbers.ts'
import { andThen, oracleFactories, UsageError, type Oracle } from './oracle.ts'

const DEFAULT = 1e-5

/** A number is both rtol and atol; an object's missing rtol and atol default to 1e-5 each (ulps to none). */
function tolerance(tol: number | Tolerance | undefined): Tolerance {
  const usage = `invariantUnder(transform, tol): tol must be a non-negative number, 'exact' or { rtol?, atol?, ulps? }`
  if (typeof tol === 'number') {
    if (!(tol >= 0)) throw new UsageError(`${usage}, got ${tol}`)
    return { rtol: tol, atol: tol }
  }
  if (tol === undefined) return { rtol: DEFAULT, atol: DEFAULT }
  if (tol === 'exact') return tol
  try {
    const given = validateTolerance(tol, 'tol')
    return given === 'exact' ? given : { rtol: DEFAULT, atol: DEFAULT, ...given }
  } catch (error) {
    throw new UsageError(`${usage}: ${(error as Error).message}`)
  }
}

const setting = (x: number | undefined) => formatNumber(x ?? 0, 17)

function describe(t: Tolerance): string {
  return t === 'exact' ? 'exact' : `rtol ${setting(t.rtol)}, atol ${setting(t.atol)}${t.ulps === undefined ? '' : `, ulps ${t.ulps}`}`
}

/** Why `before` → `after` is out of tolerance, in the tolerance's own terms. */
function excess(before: number, after: number, t: Tolerance): string {
  if (t === 'exact') return 'exact comparison'
  const abs = `|diff| ${formatElement(absDiff(before, after))} > atol ${setting(t.atol)} + rtol ${setting(t.rtol)} × ${formatElement(Math.abs(before))}`
  return t.ulps === undefined ? abs : `${abs}, ${formatElement(ulpDistance(after, before, pairPrecision(after, before)))} ulps > ${t.ulps}`
}

/**
 * The output is invariant under `transform` (which maps an input to another input): every
 * element of the new output `isClose` to the original one (the reference, so rtol scales with
 * it), NaN matching NaN — finiteness is `finite`'s job. `tol` is a number (used as both rtol and
 * atol), `'exact'`, or a `Tolerance`; rtol and atol default to 1e-5. A failure names the element
 * furthest outside the tolerance.
 */
export function invariantUnder<I>(transform: (input: I) => I, tol?: number | Tolerance): Oracle<I> {
  if (typeof transform !== 'function') throw new UsageError('invariantUnder(transform, tol): transform must be a function from an input to another input')
  const t = tolerance(tol)
  const name = `invariantUnder(${transform.name || 'transform'}, ${describe(t)})`
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
          const { worst } = compareArrays(b.values, a.values, t, { equalNaN: true })
          if (worst < 0) continue
          const [from, to] = [a.values[worst]!, b.values[worst]!]
          return `${elementName(a, worst)} changed from ${formatElement(from)} to ${formatElement(to)} under ${under} (${excess(from, to, t)})`
        }
        return undefined
      })
    },
  }
}

oracleFactories.add(invariantUnder)
