/**
 * The one tolerance every numeric comparison in mltest takes (`toAllClose` fills numpy's
 * defaults into it; the plugins take it as an option). It is data, not a function, so a report
 * can state exactly what was allowed, and it validates once with messages that name the option.
 * How its fields combine is `isClose`'s rule (./is-close.ts), written down there only.
 */
import { formatNumber } from '../report/format-number.ts'

/**
 * `'exact'` (equal numbers), or any of: an absolute allowance `atol`, a relative allowance
 * `rtol` scaled by |expected|, and a count of `ulps`. Keys left out allow nothing, so `{}` is
 * exact too.
 */
export type Tolerance = 'exact' | { atol?: number; rtol?: number; ulps?: number }

const KEYS = new Set(['atol', 'rtol', 'ulps'])

/**
 * Checks a tolerance a user passed and returns it (a fresh object, so later edits by the
 * caller cannot change it). `where` names the option in messages, e.g.
 * `tolerance["price"].atol must be a non-negative number (got -1)`. atol and rtol may be
 * Infinity (every finite pair is then close; an infinity still is not); ulps is an integer.
 */
export function validateTolerance(value: unknown, where = 'tolerance'): Tolerance {
  if (value === 'exact') return 'exact'
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(`${where} must be 'exact' or { atol?, rtol?, ulps? } (got ${JSON.stringify(value) ?? String(value)})`)
  }
  const out: { atol?: number; rtol?: number; ulps?: number } = {}
  for (const [key, allowance] of Object.entries(value)) {
    if (!KEYS.has(key)) throw new TypeError(`${where} has unknown key "${key}"; use atol, rtol or ulps`)
    if (allowance === undefined) continue
    const ulps = key === 'ulps'
    const ok = typeof allowance === 'number' && allowance >= 0 && (ulps ? Number.isSafeInteger(allowance) : !Number.isNaN(allowance))
    if (!ok) throw new TypeError(`${where}.${key} must be a non-negative ${ulps ? 'integer' : 'number'} (got ${String(allowance)})`)
    out[key as 'atol' | 'rtol' | 'ulps'] = allowance as number
  }
  return out
}

/**
 * Whether the tolerance allows nothing beyond equality: `'exact'`, `{}`, or every allowance 0.
 * (`{ ulps: 0 }` is exact when ULPs are counted in the pair's own precision, the default.)
 */
export function isExactTolerance(tolerance: Tolerance): boolean {
  if (tolerance === 'exact') return true
  return !tolerance.atol && !tolerance.rtol && !tolerance.ulps
}

/** How `isClose` counts ULPs when not told a precision (see `pairPrecision`). */
const PAIR_ULPS = 'ulps (float32 ulps when both values are float32, else float64)'

/**
 * The tolerance for a report: `exact`, `atol 1e-6, rtol 1e-5`, `atol 1e-6 or <= 4 ulps (...)`.
 * Settings print exactly (17 significant digits, shortest form). `ulpUnit` is what a ULP counts
 * in, e.g. `float32 ulps`; the default describes `isClose`'s own choice, the pair's precision.
 */
export function describeTolerance(tolerance: Tolerance, ulpUnit = PAIR_ULPS): string {
  if (tolerance === 'exact') return 'exact'
  const { atol, rtol, ulps } = tolerance
  const parts: string[] = []
  const closeness = [atol !== undefined ? `atol ${formatNumber(atol, 17)}` : '', rtol !== undefined ? `rtol ${formatNumber(rtol, 17)}` : '']
  if (atol !== undefined || rtol !== undefined) parts.push(closeness.filter(Boolean).join(', '))
  if (ulps !== undefined) parts.push(`<= ${ulps} ${ulpUnit}`)
  return parts.length ? parts.join(' or ') : 'exact'
}
