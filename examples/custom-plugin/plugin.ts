/**
 * The `labels` plugin, written only against `mltest` and `mltest/plugin`. It shows each part
 * of the plugin SDK once:
 * - options, declared as a zod schema: `--labels-alpha 0.05` or `pluginOptions.labels`;
 * - a worker hook (`extendContext`): `t.expectLabels(labels, expected)` in every test,
 *   typed through `declare module 'mltest'` below;
 * - main hooks (`onTestResult`, `runResultSection`): a `labels` section in the run result,
 *   kept in the JSON result and replayed by `mltest report`;
 * - a command: `mltest labels <data.json> --field Species` prints a dataset's class mix.
 */
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import type { CheckRecord, JsonValue, Plugin, TestResult } from 'mltest/plugin'
import { formatNumber, formatTable, UsageError } from 'mltest/plugin'
import { checkLabelDistribution, type LabelDistributionOptions, type LabelDistributionResult } from './check-label-distribution.ts'
import { labelOptions } from './label-options.ts'

declare module 'mltest' {
  interface TestContext {
    /** checkLabelDistribution with the run's alpha (added by the `labels` plugin). */
    expectLabels(labels: readonly string[], expected: LabelDistributionOptions['expected']): LabelDistributionResult
  }
}

/** Class counts of one field of a JSON array of records, for the `labels` command. */
function labelCounts(file: string, field: string): Map<string, number> {
  let rows: unknown
  try {
    rows = JSON.parse(readFileSync(file, 'utf8'))
  } catch (error) {
    throw new UsageError(`cannot read ${file} as JSON (${(error as Error).message}) — pass a JSON array of records`)
  }
  if (!Array.isArray(rows)) throw new UsageError(`${file} is not a JSON array of records`)
  const counts = new Map<string, number>()
  for (const row of rows) {
    const value = (row as Record<string, unknown>)?.[field]
    if (value === undefined || value === null) continue
    counts.set(String(value), (counts.get(String(value)) ?? 0) + 1)
  }
  if (counts.size === 0) throw new UsageError(`no record in ${file} has a field "${field}" — choose one with --field`)
  return counts
}

export function labelsPlugin(): Plugin {
  // Main-thread state: collected from results, never seen by worker hooks.
  const checks: CheckRecord[] = []
  return {
    name: 'labels',
    options: labelOptions,
    extendContext: () => ({
      expectLabels: (labels: readonly string[], expected: LabelDistributionOptions['expected']) => checkLabelDistribution(labels, { expected }),
    }),
    onTestResult(result: TestResult) {
      checks.push(...result.checks.filter((c) => c.check === 'checkLabelDistribution'))
    },
    runResultSection(): JsonValue | undefined {
      if (checks.length === 0) return undefined
      const count = (verdict: string) => checks.filter((c) => c.verdict === verdict).length
      const pValues = checks.map((c) => Number(c.metrics.pValue)).filter(Number.isFinite)
      return { checks: checks.length, passed: count('pass'), failed: count('fail'), inconclusive: count('inconclusive'), smallestPValue: pValues.length ? Math.min(...pValues) : null }
    },
    commands: [
      {
        name: 'labels',
        description: 'print the class mix of one field of a JSON dataset',
        arguments: ['<data.json>'],
        options: [{ flags: '--field <name>', description: 'the label field', default: 'label' }],
        run([file], options, context) {
          const counts = labelCounts(resolve(context.cwd, file!), String(options.field))
          const n = [...counts.values()].reduce((a, b) => a + b, 0)
          const rows = [...counts].sort((a, b) => b[1] - a[1]).map(([label, c]) => [label, String(c), formatNumber(c / n, 3)])
          context.stdout(formatTable([['class', 'count', 'share'], ...rows], { align: ['left', 'right', 'right'] }) + '\n')
          context.stdout(`${n} records, ${counts.size} classes (alpha for checks: ${String(context.options.alpha)})\n`)
        },
      },
    ],
  }
}
