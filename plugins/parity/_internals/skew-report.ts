/**
 * Turns a skew summary into the check's outcome: figures recorded on the running test, and
 * on skew an assertion error whose message names every skewed feature with its counts,
 * differences and a few offending examples with both values.
 */
import { CheckFailure, formatNumber, formatTable, recordCheck, type AnnotationValue } from 'mltest/plugin'
import { skewCountFigure } from './figures.ts'
import type { FeatureSkew, SkewSummary } from './skew-accumulator.ts'
import { countOf, describeUlps } from './report-format.ts'

/** At most this many skewed features get their own metric entries, to keep reporters readable. */
const MAX_FEATURE_METRICS = 20

export interface SkewOutcome {
  check: string
  /** What was compared, e.g. `344 records through training vs serving pipelines`. */
  subject: string
  summary: SkewSummary
  /** Extra figures, e.g. the log path. */
  metrics?: Record<string, AnnotationValue>
}

function featureLine(f: FeatureSkew): string {
  const parts = [`${f.feature}: skewed in ${countOf(f.skewed, f.examples)} examples`, `tolerance ${f.tolerance}`]
  if (f.maxAbsDiff !== null) parts.push(`max abs diff ${formatNumber(f.maxAbsDiff)}`, `max ulp diff ${describeUlps({ float32: f.maxUlpDiff, float64: f.maxUlpDiffFloat64 })}`)
  if (f.onlyInTraining) parts.push(`present in training only in ${f.onlyInTraining}`)
  if (f.onlyInServing) parts.push(`present in serving only in ${f.onlyInServing}`)
  return parts.join(' · ')
}

function sampleLines(f: FeatureSkew): string {
  return formatTable(f.samples.map((s) => [s.key, `training ${s.training}  serving ${s.serving}`]), { indent: '      ' })
}

/** The readable report: header, metric and threshold, one block per skewed feature, then the rest. */
export function formatSkewReport(outcome: SkewOutcome): string {
  const { summary: s } = outcome
  const lines = [
    `${outcome.check}: ${s.skewedFeatures.length} of ${s.features.length} features skewed across ${s.examples} examples (${s.examplesWithSkew} examples with any skew)`,
    `  compared: ${outcome.subject}`,
    `  metric: examples whose training and serving values differ beyond the feature's tolerance; threshold: 0 per feature`,
  ]
  for (const f of s.skewedFeatures) lines.push(`  ✗ ${featureLine(f)}`, sampleLines(f))
  const clean = s.features.filter((f) => f.skewed === 0)
  if (clean.length) {
    const names = clean.slice(0, 20).map((f) => f.feature).join(', ')
    lines.push(`  ✓ within tolerance (${clean.length}): ${names}${clean.length > 20 ? ', …' : ''}`)
  }
  return lines.join('\n')
}

function metricsOf(outcome: SkewOutcome): Record<string, AnnotationValue> {
  const { summary: s } = outcome
  const metrics: Record<string, AnnotationValue> = {
    metric: 'examples outside tolerance per feature',
    threshold: 0,
    examples: s.examples,
    examplesWithSkew: s.examplesWithSkew,
    features: s.features.length,
    featuresSkewed: s.skewedFeatures.length,
    skewedFeatures: s.skewedFeatures.map((f) => f.feature).join(','),
    ...outcome.metrics,
  }
  for (const f of s.skewedFeatures.slice(0, MAX_FEATURE_METRICS)) {
    metrics[`skewedExamples.${f.feature}`] = f.skewed
    if (f.maxAbsDiff !== null) metrics[`maxAbsDiff.${f.feature}`] = f.maxAbsDiff
  }
  return metrics
}

/**
 * Records the check on the running test and throws the report when any feature is skewed.
 * A feature the caller listed but neither side produced is a configuration error, not skew.
 */
export function finishSkewCheck(outcome: SkewOutcome): SkewSummary {
  const { summary: s, check } = outcome
  const missing = s.features.filter((f) => f.examples === 0).map((f) => `"${f.feature}"`)
  if (missing.length && s.examples > 0) {
    throw new TypeError(`${check}: feature ${missing.join(', ')} in \`features\` was produced by neither side; check the name`)
  }
  const failed = s.skewedFeatures.length > 0
  const counts = s.skewedFeatures.slice(0, 5).map((f) => `${f.feature} ${f.skewed}/${f.examples}`).join(', ')
  recordCheck({
    check,
    practice: 'train-serve-skew',
    verdict: failed ? 'fail' : 'pass',
    metrics: metricsOf(outcome),
    summary: `${s.skewedFeatures.length}/${s.features.length} features skewed over ${s.examples} examples${failed ? `: ${counts}` : ''}`,
    figures: [skewCountFigure(check, s)],
  })
  if (failed) throw new CheckFailure(formatSkewReport(outcome))
  return s
}
