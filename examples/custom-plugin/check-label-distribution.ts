/**
 * A check written only against `mltest/plugin`, as a third party would write it: does a
 * sample's label distribution match the expected class proportions? A shifted label mix
 * (a training split that lost a class, a serving sample drawn from one region) changes what
 * a model learns or how it is evaluated, and an average metric hides it.
 *
 * Statistics: Pearson's chi-square goodness-of-fit test of the observed class counts against
 * the expected proportions, k - 1 degrees of freedom, p-value from @stdlib's chi-square CDF.
 * The verdict fails when p < alpha, and is inconclusive when an expected count is below
 * `minExpectedCount` (the chi-square approximation is not trustworthy there).
 */
import chisquareCdf from '@stdlib/stats-base-dists-chisquare-cdf'
import { CheckFailure, formatNumber, formatTable, parseCheckOptions, pluginOptions, recordCheck, z } from 'mltest/plugin'
import { labelOptions } from './label-options.ts'

const checkOptions = z.object({
  /** Expected share of each class; normalised, so counts work too. */
  expected: z.record(z.string(), z.number().nonnegative()),
  /** Significance level; defaults to the plugin's `alpha` option. */
  alpha: z.number().gt(0).lt(1).optional(),
  minExpectedCount: z.number().int().min(1).optional(),
})

export type LabelDistributionOptions = z.input<typeof checkOptions>

export interface LabelDistributionResult {
  verdict: 'pass' | 'fail' | 'inconclusive'
  n: number
  chiSquare: number
  degreesOfFreedom: number
  pValue: number
  alpha: number
}

/** Throws a CheckFailure on a significant shift; records the figures on the running test. */
export function checkLabelDistribution(labels: readonly string[], options: LabelDistributionOptions): LabelDistributionResult {
  const parsed = parseCheckOptions('checkLabelDistribution', checkOptions, options)
  const defaults = pluginOptions('labels', labelOptions)
  const alpha = parsed.alpha ?? defaults.alpha
  const minExpectedCount = parsed.minExpectedCount ?? defaults.minExpectedCount
  const classes = Object.keys(parsed.expected)
  const total = classes.reduce((sum, c) => sum + parsed.expected[c]!, 0)
  if (classes.length < 2 || total <= 0) throw new TypeError('checkLabelDistribution: expected needs at least two classes with a positive share')
  const counts = new Map(classes.map((c) => [c, 0]))
  for (const label of labels) {
    if (!counts.has(label)) throw new TypeError(`checkLabelDistribution: label "${label}" is not among the expected classes (${classes.join(', ')})`)
    counts.set(label, counts.get(label)! + 1)
  }
  const n = labels.length
  const rows = classes.map((c) => ({ c, observed: counts.get(c)!, expected: (n * parsed.expected[c]!) / total }))
  const chiSquare = rows.reduce((sum, r) => sum + (r.expected === 0 ? 0 : (r.observed - r.expected) ** 2 / r.expected), 0)
  const degreesOfFreedom = classes.length - 1
  const pValue = 1 - chisquareCdf(chiSquare, degreesOfFreedom)
  const smallest = Math.min(...rows.map((r) => r.expected))
  const verdict = smallest < minExpectedCount ? 'inconclusive' : pValue < alpha ? 'fail' : 'pass'
  const summary =
    verdict === 'inconclusive'
      ? `inconclusive: the smallest expected count is ${formatNumber(smallest)}, below ${minExpectedCount}; n=${n} is too small for the chi-square test`
      : `chi-square ${formatNumber(chiSquare)} (df ${degreesOfFreedom}), p=${formatNumber(pValue)} ${verdict === 'fail' ? '<' : '>='} alpha ${alpha}, n=${n}`
  recordCheck({
    check: 'checkLabelDistribution',
    practice: 'data-slices',
    verdict,
    reason: verdict === 'inconclusive' ? `the smallest expected class count is ${formatNumber(smallest)}, below ${minExpectedCount}: the chi-square approximation does not hold` : undefined,
    metrics: { n, chiSquare, degreesOfFreedom, pValue, alpha, smallestExpectedCount: smallest },
    summary,
  })
  if (verdict === 'fail') {
    const table = formatTable(
      [['class', 'observed', 'expected', 'share'], ...rows.map((r) => [r.c, String(r.observed), formatNumber(r.expected), formatNumber(r.observed / n)])],
      { align: ['left', 'right', 'right', 'right'] },
    )
    throw new CheckFailure(`label distribution shifted: ${summary}\n  test: Pearson chi-square goodness of fit\n${table.replace(/^/gm, '  ')}`)
  }
  return { verdict, n, chiSquare, degreesOfFreedom, pValue, alpha }
}
