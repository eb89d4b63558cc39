/**
 * Per-feature tolerances for comparing numbers across a train/serve boundary. The default is
 * exact equality, because the practice says feature values should be identical; a tolerance is
 * an explicit, per-feature decision that shows up in the report. What a tolerance means is the
 * numeric core's `isClose`; this file only maps feature names to tolerances.
 */
import { validateTolerance, type Tolerance } from 'mltest/plugin'

/**
 * One tolerance for every feature, or a map from feature name to tolerance where `'*'` is the
 * default for unnamed features (itself defaulting to exact).
 */
export type ToleranceSpec = Tolerance | Record<string, Tolerance>

const KEYS = new Set(['atol', 'rtol', 'ulps'])

/** A single tolerance rather than a map: `'exact'` or an object whose keys are all tolerance keys. */
function isSingle(spec: object | string): boolean {
  if (spec === 'exact') return true
  const keys = Object.keys(spec)
  return keys.length > 0 && keys.every((k) => KEYS.has(k))
}

/** Returns a lookup from feature name to its validated tolerance; throws a TypeError naming bad entries. */
export function toleranceLookup(spec: ToleranceSpec | undefined, option = 'tolerance'): (feature: string) => Tolerance {
  if (spec === undefined) return () => 'exact'
  if (spec === null || (typeof spec !== 'object' && spec !== 'exact')) {
    throw new TypeError(`${option} must be 'exact', { atol?, rtol?, ulps? } or a map of feature name to tolerance (got ${JSON.stringify(spec)})`)
  }
  if (isSingle(spec)) {
    const single = validateTolerance(spec, option)
    return () => single
  }
  const map = new Map<string, Tolerance>()
  for (const [feature, tolerance] of Object.entries(spec)) map.set(feature, validateTolerance(tolerance, `${option}["${feature}"]`))
  const fallback = map.get('*') ?? 'exact'
  return (feature) => map.get(feature) ?? fallback
}
