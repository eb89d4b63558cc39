/**
 * One feature's drift statistic under the chosen method, its p-value where the method is a
 * test, and the calibrated mode: the statistic's distribution over reference-vs-reference
 * splits gives both the threshold (its (1 - alpha) quantile) and a Monte Carlo p-value.
 */
import { createRng, formatNumber } from 'mltest/plugin'
import { KS_MAX_EXACT_N, ksSmallestPValue, ksStatistic, ksTwoSample } from './drift-ks.ts'
import { binnedShares, categoryCounts, categoryShares, chiSquaredHomogeneity, jsDistance, populationStd, psi, quantile, wasserstein1 } from './drift-statistics.ts'
import type { FeatureValues } from './drift-samples.ts'

export type DriftMethod = 'ks' | 'chi-squared' | 'psi' | 'jensen-shannon' | 'wasserstein'
export const DRIFT_METHODS = ['auto', 'ks', 'chi-squared', 'psi', 'jensen-shannon', 'wasserstein'] as const

/** Methods that are tests (a p-value), and distances (a threshold) otherwise. */
export const TEST_METHODS: readonly DriftMethod[] = ['ks', 'chi-squared']

/** Default thresholds of the distances, Evidently's defaults (PSI 0.1, JS 0.1, W1 0.1 reference std). */
export const DEFAULT_THRESHOLDS: Record<DriftMethod, number | undefined> = {
  ks: undefined,
  'chi-squared': undefined,
  psi: 0.1,
  'jensen-shannon': 0.1,
  wasserstein: 0.1,
}

export const STATISTIC_NAMES: Record<DriftMethod, string> = {
  ks: 'KS D',
  'chi-squared': 'chi-squared',
  psi: 'PSI',
  'jensen-shannon': 'Jensen-Shannon distance',
  wasserstein: 'Wasserstein-1 / reference std',
}

export interface MeasuredFeature {
  feature: string
  kind: 'numeric' | 'categorical'
  method: DriftMethod
  /** Why this method: what 'auto' saw, or "given". */
  chosen: string
  statistic: number
  /** The test's p-value (KS, chi-squared) or the calibrated Monte Carlo p-value; undefined for a fixed-threshold distance. */
  pValue?: number
  /** How the p-value was computed: `exact`, `asymptotic`, `chi-squared dof 3`, `199 reference splits`. */
  test?: string
  /** The distance threshold (fixed, or calibrated); undefined for a test without calibration. */
  threshold?: number
  /** The smallest p-value these sample sizes allow (undefined when effectively 0). */
  smallestPValue?: number
  /** Extra figures: W1 in feature units, pooled categories, bins, the KS location. */
  detail: string
  referenceRows: number
  currentRows: number
  /** Set when the statistic cannot be computed (too few categories after pooling). */
  untestable?: string
}

/** 'auto': KS for numbers (exact up to 10,000 rows per side, asymptotic beyond, as scipy), chi-squared for categories. */
export function resolveMethod(method: DriftMethod | 'auto', values: FeatureValues): { method: DriftMethod; chosen: string } {
  if (method !== 'auto') return { method, chosen: 'given' }
  const n = Math.max(values.reference.length, values.current.length)
  if (values.kind === 'numeric') {
    const mode = n <= KS_MAX_EXACT_N ? `exact p-value as max(n) ${n} <= ${KS_MAX_EXACT_N}` : `asymptotic p-value as max(n) ${n} > ${KS_MAX_EXACT_N}`
    return { method: 'ks', chosen: `auto: numeric → KS, ${mode}` }
  }
  return { method: 'chi-squared', chosen: 'auto: categorical → chi-squared homogeneity' }
}

/** The statistic alone (the thing calibration resamples), for numeric or categorical values. */
export function statisticOf(method: DriftMethod, kind: 'numeric' | 'categorical', reference: readonly (number | string)[], current: readonly (number | string)[], bins: number): number {
  if (kind === 'numeric') {
    const r = reference as number[]
    const c = current as number[]
    if (method === 'ks') return ksStatistic(r, c).statistic
    if (method === 'wasserstein') return wasserstein1(r, c) / scaleOf(r)
    const shares = binnedShares(r, c, bins)
    return method === 'psi' ? psi(shares.reference, shares.current) : jsDistance(shares.reference, shares.current)
  }
  const rc = categoryCounts(reference as string[])
  const cc = categoryCounts(current as string[])
  if (method === 'chi-squared') return chiSquaredHomogeneity(rc, cc)?.statistic ?? 0
  const shares = categoryShares(rc, cc)
  return method === 'psi' ? psi(shares.reference, shares.current) : jsDistance(shares.reference, shares.current)
}

/** Reference std, the W1 scale; 1 for a constant reference (W1 is then in feature units). */
function scaleOf(reference: readonly number[]): number {
  const s = populationStd(reference)
  return s > 0 ? s : 1
}

export function checkMethodFits(check: string, method: DriftMethod, values: FeatureValues): void {
  if (values.kind === 'categorical' && (method === 'ks' || method === 'wasserstein')) {
    throw new TypeError(`${check}: feature "${values.feature}" is categorical, but method '${method}' needs numbers; use 'chi-squared', 'psi', 'jensen-shannon' or 'auto'`)
  }
  if (values.kind === 'numeric' && method === 'chi-squared') {
    throw new TypeError(`${check}: feature "${values.feature}" is numeric, but method 'chi-squared' compares categories; use 'ks', 'psi', 'jensen-shannon', 'wasserstein' or 'auto'`)
  }
}

/** The statistic, its test or threshold, and the detail line, without calibration. */
export function measureFeature(values: FeatureValues, method: DriftMethod, chosen: string, threshold: number | undefined, bins: number): MeasuredFeature {
  const base = { feature: values.feature, kind: values.kind, method, chosen, referenceRows: values.reference.length, currentRows: values.current.length }
  if (method === 'ks') {
    const r = ksTwoSample(values.reference as number[], values.current as number[])
    const smallest = r.mode === 'exact' ? ksSmallestPValue(values.reference.length, values.current.length) : undefined
    return { ...base, statistic: r.statistic, pValue: r.pValue, test: r.mode, smallestPValue: smallest, detail: `largest gap at ${formatNumber(r.location)}` }
  }
  if (method === 'chi-squared') {
    const r = chiSquaredHomogeneity(categoryCounts(values.reference as string[]), categoryCounts(values.current as string[]))
    const categories = new Set([...values.reference, ...values.current]).size
    if (!r) {
      if (categories === 1) return { ...base, statistic: 0, pValue: 1, test: 'one category on both sides', detail: `the single category ${JSON.stringify(values.reference[0])}` }
      return { ...base, statistic: NaN, detail: `${categories} categories`, untestable: `fewer than 2 of its ${categories} categories have an expected count of at least 5 in both samples, too few rows for a chi-squared test` }
    }
    const pooled = r.pooled.length ? ` · ${r.pooled.length} rare categor${r.pooled.length === 1 ? 'y' : 'ies'} (expected count < 5) pooled: ${r.pooled.slice(0, 4).map((c) => JSON.stringify(c)).join(', ')}${r.pooled.length > 4 ? ', …' : ''}` : ''
    return { ...base, statistic: r.statistic, pValue: r.pValue, test: `chi-squared, dof ${r.dof}`, detail: `${r.columns} columns${pooled}` }
  }
  const statistic = statisticOf(method, values.kind, values.reference, values.current, bins)
  let detail: string
  if (method === 'wasserstein') {
    const raw = wasserstein1(values.reference as number[], values.current as number[])
    detail = `W1 ${formatNumber(raw)} in feature units, reference std ${formatNumber(populationStd(values.reference as number[]))}`
  } else if (values.kind === 'numeric') {
    detail = `${binnedShares(values.reference as number[], [], bins).binning.bins} bins cut at reference quantiles`
  } else {
    detail = `${new Set([...values.reference, ...values.current]).size} categories`
  }
  if (method === 'psi') detail += ' · empty bins count as share 0.0001'
  return { ...base, statistic, threshold, detail }
}

/**
 * Calibrated mode: `resamples` times, a pseudo-reference of the reference's size and a
 * pseudo-current of the current's size are drawn with replacement from the reference (a
 * bootstrap of "no drift": both samples from the reference distribution, at the real sample
 * sizes); the statistic of each pair is a draw from its no-drift distribution. The threshold
 * is its (1 - alpha) quantile, and the Monte Carlo p-value (1 + #{null >= observed}) /
 * (resamples + 1) is what the correction across features adjusts.
 */
export function calibrate(m: MeasuredFeature, values: FeatureValues, bins: number, alpha: number, resamples: number, seed: number): MeasuredFeature {
  const rng = createRng(seed)
  const ref = values.reference as (number | string)[]
  const nRef = ref.length
  const nCur = values.current.length
  const observed = m.statistic
  const draw = (n: number) => Array.from({ length: n }, () => ref[rng.int(0, nRef - 1)]!)
  const nulls: number[] = []
  let atLeast = 0
  for (let r = 0; r < resamples; r++) {
    const s = statisticOf(m.method, m.kind, draw(nRef), draw(nCur), bins)
    nulls.push(s)
    // A relative hair of tolerance so the same statistic computed in another order counts as equal.
    if (s >= observed - 1e-12 * Math.abs(observed)) atLeast++
  }
  return {
    ...m,
    statistic: observed,
    threshold: quantile(nulls, 1 - alpha),
    pValue: (1 + atLeast) / (resamples + 1),
    test: `calibrated: ${resamples} bootstrap pairs from the reference (${nRef} and ${nCur} rows)`,
    smallestPValue: 1 / (resamples + 1),
  }
}
