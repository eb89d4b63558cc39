/**
 * Tolerances for comparing numbers across a train/serve boundary. The default is exact
 * equality, because the practice says feature values should be identical; a tolerance is
 * an explicit, per-feature decision that shows up in the report.
 */
import { absDistance, pairUlps } from './float-distance.ts'

/**
 * `'exact'` (equal numbers; +0 equals -0 and NaN equals NaN), or any of: |a - b| <= atol +
 * rtol * |reference|, or at most `ulps` ULPs apart, counted in float32 when both values are
 * float32 values and in float64 otherwise, so `{ ulps: 0 }` is exact too.
 */
export type Tolerance = 'exact' | { atol?: number; rtol?: number; ulps?: number }

/**
 * One tolerance for every feature, or a map from feature name to tolerance where `'*'` is the
 * default for unnamed features (itself defaulting to exact).
 */
export type ToleranceSpec = Tolerance | Record<string, Tolerance>

export interface ResolvedTolerance {
  exact: boolean
  atol?: number
  rtol?: number
  ulps?: number
}

const KEYS = new Set(['atol', 'rtol', 'ulps'])

function isSingle(spec: object): boolean {
  const keys = Object.keys(spec)
  return keys.length > 0 && keys.every((k) => KEYS.has(k))
}

function validated(tolerance: Tolerance, where: string): ResolvedTolerance {
  if (tolerance === 'exact') return { exact: true }
  if (typeof tolerance !== 'object' || tolerance === null) {
    throw new TypeError(`${where} must be 'exact' or { atol?, rtol?, ulps? } (got ${JSON.stringify(tolerance)})`)
  }
  for (const [key, value] of Object.entries(tolerance)) {
    if (!KEYS.has(key)) throw new TypeError(`${where} has unknown key "${key}"; use atol, rtol or ulps`)
    const ok = typeof value === 'number' && Number.isFinite(value) && value >= 0 && (key !== 'ulps' || Number.isInteger(value))
    if (!ok) throw new TypeError(`${where}.${key} must be a non-negative ${key === 'ulps' ? 'integer' : 'number'} (got ${String(value)})`)
  }
  const { atol, rtol, ulps } = tolerance
  const exact = atol === undefined && rtol === undefined && ulps === undefined
  return { exact, atol, rtol, ulps }
}

/** Returns a lookup from feature name to its validated tolerance; throws a TypeError naming bad entries. */
export function toleranceLookup(spec: ToleranceSpec | undefined, option = 'tolerance'): (feature: string) => ResolvedTolerance {
  if (spec === undefined) return () => ({ exact: true })
  if (spec === 'exact' || (typeof spec === 'object' && spec !== null && isSingle(spec))) {
    const single = validated(spec as Tolerance, option)
    return () => single
  }
  if (typeof spec !== 'object' || spec === null) {
    throw new TypeError(`${option} must be 'exact', { atol?, rtol?, ulps? } or a map of feature name to tolerance (got ${JSON.stringify(spec)})`)
  }
  const map = new Map<string, ResolvedTolerance>()
  for (const [feature, tolerance] of Object.entries(spec)) map.set(feature, validated(tolerance, `${option}["${feature}"]`))
  const fallback = map.get('*') ?? { exact: true }
  return (feature) => map.get(feature) ?? fallback
}

/** Whether `value` is within tolerance of `reference`. Equal values (and NaN vs NaN) always are. */
export function withinTolerance(reference: number, value: number, tolerance: ResolvedTolerance): boolean {
  const abs = absDistance(reference, value)
  if (abs === 0) return true
  if (tolerance.exact) return false
  if ((tolerance.atol !== undefined || tolerance.rtol !== undefined) && abs <= (tolerance.atol ?? 0) + (tolerance.rtol ?? 0) * Math.abs(reference)) return true
  return tolerance.ulps !== undefined && pairUlps(reference, value).ulps <= tolerance.ulps
}

/** `exact`, `atol 1e-6`, `atol 1e-6, rtol 1e-5 or <= 4 ulps`, for reports. */
export function describeTolerance(tolerance: ResolvedTolerance): string {
  if (tolerance.exact) return 'exact'
  const parts: string[] = []
  const closeness = [
    tolerance.atol !== undefined ? `atol ${tolerance.atol}` : '',
    tolerance.rtol !== undefined ? `rtol ${tolerance.rtol}` : '',
  ].filter(Boolean)
  if (closeness.length) parts.push(closeness.join(', '))
  if (tolerance.ulps !== undefined) parts.push(`<= ${tolerance.ulps} ulps (float32 ulps when both values are float32, else float64)`)
  return parts.join(' or ')
}
