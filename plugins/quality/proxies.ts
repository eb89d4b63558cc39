/**
 * `checkProxyFeatures`: features that stand in for a protected attribute. Dropping `sex`
 * from a model's inputs does not make it blind to sex when body mass predicts sex. For each
 * feature: the strength of its association with the protected attribute (Cramér's V for a
 * categorical feature, the correlation ratio η for a numeric one, reported with the signed
 * point-biserial r for a two-valued attribute), its test's p-value, and a bootstrap interval;
 * a feature fails when its whole interval is above the threshold.
 */
import { CheckFailure, deriveSeed, figure, formatNumber, formatTable, parseCheckOptions, recordCheck, z, type CheckFigure, type FigureJson } from 'mltest/plugin'
import { cramersV, correlationRatio, pointBiserial, type Association } from './_internals/association.ts'
import { bootstrapInterval, bootstrapSeed, DEFAULT_RESAMPLES } from './_internals/bootstrap.ts'
import { combineVerdicts, intervalText, intervalVerdict, levelText, type IntervalVerdict } from './_internals/intervals.ts'
import { confidenceOption, rowsOption } from './_internals/option-schemas.ts'
import type { Row } from './_internals/slice-rows.ts'

export interface CheckProxyFeaturesOptions<R extends object = Row> {
  /** The rows: objects with the protected attribute and the features as fields. */
  data: readonly R[]
  /** The protected attribute's column (categorical: strings, booleans or a few numbers). */
  protected: string
  /** Columns to examine (default: every other column of the first row). */
  features?: readonly string[]
  /** Largest acceptable strength (Cramér's V or η, in [0, 1]; default 0.3). */
  threshold?: number
  /** Confidence level of the intervals (default 0.95). */
  confidence?: number
  /** Bootstrap resamples per feature (default 2000). */
  resamples?: number
  /** Seed of the bootstrap (default: derived from the running test's seed). */
  seed?: number
}

export interface ProxyFeature extends Association {
  feature: string
  kind: 'categorical' | 'numeric'
  measure: "Cramér's V" | 'correlation ratio'
  /** Rows with both the feature and the protected attribute present. */
  n: number
  /** For a numeric feature and a two-valued attribute: the signed point-biserial r (its absolute value is η), with `pointBiserialGroup` coded 1. */
  pointBiserial?: number
  pointBiserialGroup?: string
  lower: number
  upper: number
  verdict: IntervalVerdict
  reason?: string
}

export interface ProxyFeaturesResult {
  verdict: IntervalVerdict
  protected: string
  features: ProxyFeature[]
  proxies: ProxyFeature[]
}

const CHECK = 'checkProxyFeatures'

const optionsSchema = z.object({
  data: rowsOption<readonly Row[]>('data'),
  protected: z.string().min(1),
  features: z.array(z.string().min(1)).min(1).optional(),
  threshold: z.number().gt(0).lt(1).optional(),
  confidence: confidenceOption.optional(),
  resamples: z.number().int().min(100).optional(),
  seed: z.number().int().optional(),
} satisfies Record<keyof CheckProxyFeaturesOptions, z.ZodType>)

const isMissing = (v: unknown) => v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v))

/** Codes of a categorical column, in order of first appearance. */
function encode(values: readonly unknown[]): { codes: Uint32Array; levels: string[] } {
  const index = new Map<string, number>()
  const codes = new Uint32Array(values.length)
  values.forEach((v, i) => {
    const key = String(v)
    let code = index.get(key)
    if (code === undefined) index.set(key, (code = index.size))
    codes[i] = code
  })
  return { codes, levels: [...index.keys()] }
}

/**
 * Measures every feature's association with the protected attribute with a bootstrap
 * interval, and fails when a feature's whole interval is above the threshold.
 */
export function checkProxyFeatures<R extends object>(options: CheckProxyFeaturesOptions<R>): ProxyFeaturesResult {
  const o = parseCheckOptions(CHECK, optionsSchema, options) as unknown as CheckProxyFeaturesOptions<Row>
  const rows = o.data
  const threshold = o.threshold ?? 0.3
  const confidence = o.confidence ?? 0.95
  const resamples = o.resamples ?? DEFAULT_RESAMPLES
  const seed = bootstrapSeed(CHECK, o.seed)
  const columns = Object.keys(rows[0]!)
  if (!rows.some((r) => !isMissing(r[o.protected]))) {
    throw new RangeError(`${CHECK}: protected column "${o.protected}" is empty (no row has a value for it); check the name (columns: ${columns.join(', ')})`)
  }
  const protectedValues = rows.map((r) => r[o.protected])
  const numericProtected = protectedValues.filter((v) => !isMissing(v)).every((v) => typeof v === 'number')
  if (numericProtected && new Set(protectedValues).size > 10) {
    throw new TypeError(`${CHECK}: protected column "${o.protected}" is numeric with more than 10 values; bin it into groups first (e.g. age bands)`)
  }
  const features = o.features ? [...o.features] : columns.filter((c) => c !== o.protected)
  if (features.includes(o.protected)) throw new TypeError(`${CHECK}: option "features" lists the protected column "${o.protected}" itself; leave it out`)

  const results: ProxyFeature[] = features.map((feature) => {
    const values = rows.map((r) => r[feature])
    const kept = rows.flatMap((_, i) => (isMissing(values[i]) || isMissing(protectedValues[i]) ? [] : [i]))
    if (kept.length === 0) throw new RangeError(`${CHECK}: feature "${feature}" has no row where both it and "${o.protected}" are present; check the name (columns: ${columns.join(', ')})`)
    const group = encode(kept.map((i) => protectedValues[i]))
    const present = kept.map((i) => values[i])
    const numeric = present.every((v) => typeof v === 'number')
    const all = Uint32Array.from(kept.keys())
    let measure: (idx: Uint32Array) => Association
    let extra: Partial<ProxyFeature> = {}
    if (numeric) {
      const x = Float64Array.from(present as number[])
      measure = (idx) => correlationRatio(x, group.codes, idx, group.levels.length)
      if (group.levels.length === 2) extra = { pointBiserial: pointBiserial(x, group.codes, all), pointBiserialGroup: group.levels[1]! }
    } else {
      const f = encode(present)
      measure = (idx) => cramersV(f.codes, group.codes, idx, f.levels.length, group.levels.length)
    }
    const observed = measure(all)
    const ci = bootstrapInterval(kept.length, (idx) => measure(idx).strength, { seed: deriveSeed(seed, feature), resamples, confidence })
    const base = {
      feature, kind: numeric ? 'numeric' : 'categorical', measure: numeric ? 'correlation ratio' : "Cramér's V", n: kept.length, ...observed, ...extra, lower: ci.lower, upper: ci.upper,
    } as const
    const levels = numeric ? 0 : new Set(present.map(String)).size
    // With about as many categories as rows (an identifier, a free-text field), every category predicts the attribute in-sample: V tends to 1 whatever the truth.
    if (levels > kept.length / 5) return { ...base, verdict: 'inconclusive', reason: `${levels} categories for ${kept.length} rows (an identifier?); Cramér's V needs several rows per category: group or bin it` }
    if (Number.isNaN(observed.strength)) return { ...base, verdict: 'inconclusive', reason: numeric ? 'the feature is constant or the attribute has one group on these rows' : 'the feature or the attribute has one value on these rows' }
    if (ci.valid < 0.9 * resamples) return { ...base, verdict: 'inconclusive', reason: `strength undefined on ${resamples - ci.valid} of ${resamples} resamples` }
    const verdict = intervalVerdict(ci, threshold, 'max')
    // V and η are biased upward on small samples and many categories (about sqrt(df/n) with no
    // association at all), and so is their bootstrap interval: a fail also needs the
    // association's own test (chi-square or F) to reject independence.
    if (verdict === 'fail' && !(observed.pValue < 1 - confidence)) {
      return { ...base, verdict: 'inconclusive', reason: `CI wholly above threshold ${formatNumber(threshold)}, but the ${observed.test} cannot tell it from no association (p=${formatNumber(observed.pValue)} >= ${formatNumber(1 - confidence)})` }
    }
    return { ...base, verdict, ...(verdict === 'pass' ? {} : { reason: verdict === 'fail' ? `CI wholly above threshold ${formatNumber(threshold)}` : `CI straddles threshold ${formatNumber(threshold)}` }) }
  })
  results.sort((a, b) => (Number.isNaN(b.strength) ? -1 : b.strength) - (Number.isNaN(a.strength) ? -1 : a.strength))
  const proxies = results.filter((r) => r.verdict === 'fail')
  const verdict = combineVerdicts(results.map((r) => r.verdict))
  const level = levelText(confidence)

  const pText = (p: number) => (Number.isNaN(p) ? '-' : p < 1e-12 ? '< 1e-12' : formatNumber(p))
  const testText = (r: ProxyFeature) => (r.df.length === 1 ? `chi2 ${formatNumber(r.statistic)} (df ${r.df[0]})` : `F ${formatNumber(r.statistic)} (df ${r.df[0]}, ${r.df[1]})${r.pointBiserial !== undefined ? `, r_pb ${formatNumber(r.pointBiserial)} (${r.pointBiserialGroup} = 1)` : ''}`)
  const table = formatTable([
    ['feature', 'measure', 'strength', `${level} CI`, 'n', 'test', 'p', 'verdict'],
    ...results.map((r) => [r.feature, r.measure, formatNumber(r.strength), intervalText(r), String(r.n), testText(r), pText(r.pValue), r.reason ? `${r.verdict}: ${r.reason}` : r.verdict]),
  ], { align: ['left', 'left', 'right', 'left', 'right', 'left', 'right', 'left'], indent: '  ' })
  const report = [
    `${CHECK}: ${proxies.length ? `${proxies.map((p) => p.feature).join(', ')} ${proxies.length === 1 ? 'is a proxy' : 'are proxies'} for "${o.protected}"` : `no feature is a proven proxy for "${o.protected}"`} (strength threshold ${formatNumber(threshold)})`,
    table,
    `  ${level} percentile bootstrap intervals, ${resamples} resamples; Cramér's V without continuity correction (scipy's association), η = sqrt(SS_between / SS_total)`,
    `  replay: seed ${seed} (mltest run --seed N reruns the test with the same resamples)`,
  ].join('\n')
  const open = results.find((r) => r.verdict === 'inconclusive')
  recordCheck({
    check: CHECK,
    practice: 'inclusion',
    verdict,
    ...(verdict === 'inconclusive' && open ? { reason: `${open.feature}: ${open.reason}` } : {}),
    metrics: {
      protected: o.protected,
      threshold,
      features: results.length,
      proxies: proxies.length,
      ...Object.fromEntries(results.flatMap((r) => [[`strength[${r.feature}]`, r.strength], [`pValue[${r.feature}]`, r.pValue], [`upper[${r.feature}]`, r.upper]])),
      n: rows.length,
      confidence,
      test: 'percentile bootstrap; chi-square / F test p-values',
      resamples,
      seed,
    },
    summary: `association with "${o.protected}" (threshold ${formatNumber(threshold)}): ${results.map((r) => `${r.feature} ${formatNumber(r.strength)} ${intervalText(r)} ${r.verdict}`).join('; ')}`,
    figures: [proxyFigure(o.protected, results, threshold, level)],
  })
  if (verdict === 'fail') throw new CheckFailure(report)
  return { verdict, protected: o.protected, features: results, proxies }
}

function proxyFigure(attribute: string, results: readonly ProxyFeature[], threshold: number, level: string): CheckFigure {
  const finite = (x: number): number | null => (Number.isFinite(x) ? x : null)
  const values: FigureJson[] = results.map((r) => ({ feature: r.feature, measure: r.measure, strength: finite(r.strength), lower: finite(r.lower), upper: finite(r.upper), verdict: r.verdict }))
  const y = { field: 'feature', type: 'nominal', sort: null, title: null }
  return figure(`Association with "${attribute}", ${level} CI`, {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    width: 360,
    layer: [
      {
        data: { values },
        mark: 'bar',
        encoding: {
          y, x: { field: 'strength', type: 'quantitative', scale: { domain: [0, 1] }, title: "strength (Cramér's V or η)" },
          color: { field: 'verdict', type: 'nominal', scale: { domain: ['pass', 'fail', 'inconclusive'], range: ['#2e7d32', '#c62828', '#f9a825'] } },
          tooltip: [{ field: 'feature' }, { field: 'measure' }, { field: 'strength' }, { field: 'lower' }, { field: 'upper' }],
        },
      },
      { data: { values }, mark: 'rule', encoding: { y, x: { field: 'lower', type: 'quantitative' }, x2: { field: 'upper' } } },
      { data: { values: [{ threshold }] }, mark: { type: 'rule', strokeDash: [4, 3] }, encoding: { x: { field: 'threshold', type: 'quantitative' } } },
    ],
  }, 'Bars: strength of association; error bars: percentile bootstrap intervals; dashed rule: the threshold.')
}
