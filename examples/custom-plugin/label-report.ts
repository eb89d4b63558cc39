/**
 * A reporter loaded by path (`--reporter ./examples/custom-plugin/label-report.ts:labels.md`
 * or in the config's `reporters`), written only against `mltest/plugin`: a Markdown table of
 * every label-distribution check of the run, and the `labels` plugin's section.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import type { Reporter, ReporterOptions, RunResult } from 'mltest/plugin'
import { formatNumber } from 'mltest/plugin'

export default function labelReport(options: ReporterOptions): Reporter {
  return {
    onRunEnd(run: RunResult) {
      const lines = ['| test | verdict | chi-square | p | n |', '|---|---|---|---|---|']
      for (const file of run.files) {
        for (const test of file.tests) {
          for (const check of test.checks.filter((c) => c.check === 'checkLabelDistribution')) {
            const m = check.metrics
            lines.push(`| ${test.fullName} | ${check.verdict} | ${formatNumber(Number(m.chiSquare))} | ${formatNumber(Number(m.pValue))} | ${String(m.n)} |`)
          }
        }
      }
      const section = run.sections?.labels
      if (section) lines.push('', `Run section \`labels\`: ${JSON.stringify(section)}`)
      const text = `# Label distribution checks\n\n${lines.join('\n')}\n`
      if (!options.outputFile) return void process.stdout.write(text)
      mkdirSync(dirname(options.outputFile), { recursive: true })
      writeFileSync(options.outputFile, text)
    },
  }
}
