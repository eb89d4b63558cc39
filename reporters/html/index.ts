/**
 * The html reporter (`--reporter html:PATH`): one self-contained HTML file of the run, readable
 * offline and without JavaScript, with every check's figures drawn as inline SVG. It only
 * reads the final result tree, so `mltest report results.json --reporter html:PATH` draws any
 * saved run the same way. The page and its chart libraries (vega, vega-lite) load in
 * `onRunEnd`, so a run without this reporter never loads them.
 */
import type { Reporter, ReporterOptions, RunResult } from 'mltest/plugin'
import { writeReportOrStdout } from '../write-report.ts'

export function htmlReporter(options: ReporterOptions): Reporter {
  return {
    async onRunEnd(run: RunResult) {
      const { renderRunHtml } = await import('./render-run.ts')
      writeReportOrStdout('html', options.outputFile, await renderRunHtml(run))
    },
  }
}
